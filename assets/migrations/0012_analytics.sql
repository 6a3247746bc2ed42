-- Issue 13: analytics. A report reads every record of a period across all individuals, so the
-- clicks and communications of a period are found by time, and each index covers what a report
-- reads, so the table itself is not visited (clicks_time of 0006 holds the time only).
CREATE INDEX clicks_report ON clicks(occurred_at, individual_id, behaviour_id, user_id) WHERE deleted_at IS NULL;
CREATE INDEX communications_report ON communications(created_at, individual_id, author_id, sentiment);

-- Report keys (SECURITY.md rule 44): what a scheduled `bsmart report` signs in with. Issued by
-- an admin to one member of staff, who reads through it only the reports they may read
-- themselves; stored as a hash; expiring (at most a year) and revocable; every use audited.
CREATE TABLE report_keys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    label         TEXT    NOT NULL,
    key_hash      TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    last_used_at  INTEGER
);
CREATE INDEX report_keys_user ON report_keys(user_id);
