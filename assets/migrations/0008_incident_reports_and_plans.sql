-- Issue 11: Incident Report, Post-Incident Learning, Physical Intervention, incident
-- management, Smart Plans and the server-side drafts of long forms.

-- A report may be about several individuals. incidents.individual_id stays the first of them
-- (the one lists show, and the index of "incidents about X"); every individual a report is
-- about is also a 'subject' row here, and the others involved are 'involved' rows.
ALTER TABLE incident_individuals ADD COLUMN role TEXT NOT NULL DEFAULT 'involved'
    CHECK (role IN ('subject', 'involved'));
CREATE INDEX incident_individuals_individual ON incident_individuals(individual_id, role);

-- The physical intervention page: its times, and the techniques used with how well each worked
-- (pi_deescalation_effect and pi_physical_effect of 0001 are superseded by the rows below).
ALTER TABLE incidents ADD COLUMN pi_started_at INTEGER;
ALTER TABLE incidents ADD COLUMN pi_ended_at INTEGER;
CREATE TABLE techniques (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('deescalation', 'physical')),
    name      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (kind, name)
);
CREATE TABLE incident_techniques (
    incident_id    TEXT    NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    technique_id   INTEGER NOT NULL REFERENCES techniques(id),
    effectiveness  INTEGER NOT NULL CHECK (effectiveness BETWEEN 1 AND 5),
    PRIMARY KEY (incident_id, technique_id)
);

-- How parents were told, and who flagged an incident when.
ALTER TABLE incidents ADD COLUMN parents_informed_how TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN flagged_by INTEGER REFERENCES users(id);
ALTER TABLE incidents ADD COLUMN flagged_at INTEGER;

-- Edits: the report as submitted is revision 1; each edit adds a row saying what changed
-- (a JSON array of {field, before, after}), who and when.
ALTER TABLE incidents ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE TABLE incident_revisions (
    incident_id  TEXT    NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    edited_by    INTEGER NOT NULL REFERENCES users(id),
    edited_at    INTEGER NOT NULL,
    changes      TEXT    NOT NULL,
    PRIMARY KEY (incident_id, revision)
);

-- Accounts added by staff present, one per member of staff per incident.
CREATE TABLE incident_accounts (
    id           TEXT    PRIMARY KEY,
    incident_id  TEXT    NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES users(id),
    text         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (incident_id, author_id)
);

-- Who was notified when a report was submitted (staff present and key staff).
CREATE TABLE incident_notified (
    incident_id  TEXT    NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (incident_id, user_id)
);

-- Smart Plans: who changed one last (created_by stays the author).
ALTER TABLE smart_plans ADD COLUMN updated_by INTEGER REFERENCES users(id);

-- Server-side drafts of long forms: only their author ever reads one.
CREATE TABLE drafts (
    id          TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('incident', 'physical_intervention', 'plan')),
    content     TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    saved_at    INTEGER NOT NULL
);
CREATE INDEX drafts_user ON drafts(user_id, saved_at DESC);

-- A new kind of notification, 'incident_reported' (key staff hear of a report about their
-- individual). SQLite cannot change a CHECK, so the table is rebuilt with the same columns.
CREATE TABLE notifications_new (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('collaboration_invite', 'communication', 'incident_flagged', 'plan_review', 'incident_reported')),
    incident_id       TEXT    REFERENCES incidents(id),
    communication_id  TEXT    REFERENCES communications(id),
    created_at        INTEGER NOT NULL,
    read_at           INTEGER,
    individual_id     INTEGER REFERENCES individuals(id),
    actor_id          INTEGER REFERENCES users(id),
    plan_id           TEXT    REFERENCES smart_plans(id),
    response_id       TEXT    REFERENCES communication_responses(id)
);
INSERT INTO notifications_new (id, user_id, kind, incident_id, communication_id, created_at, read_at,
                               individual_id, actor_id, plan_id, response_id)
    SELECT id, user_id, kind, incident_id, communication_id, created_at, read_at,
           individual_id, actor_id, plan_id, response_id FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications(user_id, created_at DESC);
