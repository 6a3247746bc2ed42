-- Sign-in attempts are counted before they are checked (issue 9): a reservation adds one to
-- failed_attempts and to attempts_in_flight in one statement, and only while fewer than six are
-- counted, so a burst of parallel attempts can never have more than six checked. The resolution
-- releases the in-flight slot; a success resets the count only when no other attempt is in
-- flight. attempt_started_at is the time of the last reservation: an in-flight count older
-- than two minutes is treated as zero, so a check that crashed cannot hold a slot forever.
ALTER TABLE users ADD COLUMN attempts_in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN attempt_started_at INTEGER;
ALTER TABLE unknown_email_failures ADD COLUMN attempts_in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE unknown_email_failures ADD COLUMN attempt_started_at INTEGER;
