-- Saved report filter sets (SECURITY.md rule 72): a member of staff's own named filters for the
-- Analytics page, read by no one else. `filters` is the JSON of `wire::SavedFilters`: a period
-- and ids only (individuals, behaviours, locations, staff), never a name of a pupil, so an
-- individual removed later is simply one the owner cannot open any more. `name_key` is the
-- name in lower case: one set of a name per user, whatever its case. At most 50 a user, counted
-- inside the write transaction that adds one. Removed with the account by the retention rule.
CREATE TABLE report_filter_sets (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    name_key  TEXT    NOT NULL,
    filters   TEXT    NOT NULL,
    saved_at  INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
