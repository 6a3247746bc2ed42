-- Issue 10: profiles, the Behaviour Clicker and Behaviour Communications.

-- The setting's bell times: a typed time such as `p3` means the start of period 3 today.
-- Times are minutes after local midnight (the setting's own clock), not instants.
CREATE TABLE bell_times (
    number         INTEGER PRIMARY KEY CHECK (number BETWEEN 1 AND 20),
    name           TEXT    NOT NULL,
    starts_minute  INTEGER NOT NULL CHECK (starts_minute BETWEEN 0 AND 1439),
    ends_minute    INTEGER NOT NULL CHECK (ends_minute BETWEEN 0 AND 1439),
    CHECK (ends_minute > starts_minute)
);

-- The key staff of an individual: they receive the communications about them (and, later,
-- incident notices).
CREATE TABLE key_staff (
    individual_id  INTEGER NOT NULL REFERENCES individuals(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (individual_id, user_id)
);
CREATE INDEX key_staff_user ON key_staff(user_id);

-- Who undid a click (the author, within the undo window).
ALTER TABLE clicks ADD COLUMN deleted_by INTEGER REFERENCES users(id);
-- "Recent first": the individuals a user recorded something about lately.
CREATE INDEX clicks_user_time ON clicks(user_id, recorded_at);
CREATE INDEX clicks_time ON clicks(occurred_at);

-- A response in a communication's thread notifies its author: kind 'communication' with the
-- response named (the table's CHECK on kind is left as it is).
ALTER TABLE notifications ADD COLUMN response_id TEXT REFERENCES communication_responses(id);
CREATE INDEX communication_responses_communication ON communication_responses(communication_id, created_at);
CREATE INDEX communications_author ON communications(author_id, created_at);
