-- The whole data model of bsmart. Later issues add endpoints, not tables.
-- Times are INTEGER seconds since the Unix epoch, UTC: they sort, compare and index cheaply and
-- mean the same on SQLite and PostgreSQL. Client-made records carry a client UUID (TEXT) as their
-- primary key so that a repeated submit is the same record (idempotent).

-- The one setting (school, alternative provision or children's home) this server serves.
CREATE TABLE setting (
    id                    TEXT    PRIMARY KEY,
    name                  TEXT    NOT NULL,
    incident_prefix       TEXT    NOT NULL,
    next_incident_number  INTEGER NOT NULL,
    require_2fa_for_all   INTEGER NOT NULL DEFAULT 1 CHECK (require_2fa_for_all IN (0, 1)),
    support_email         TEXT    NOT NULL DEFAULT '',
    support_phone         TEXT    NOT NULL DEFAULT '',
    support_url           TEXT    NOT NULL DEFAULT '',
    demo                  INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1))
);

-- Staff accounts. Every staff member who can be named on an incident is a user.
CREATE TABLE users (
    id                        INTEGER PRIMARY KEY,
    email                     TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name              TEXT    NOT NULL,
    job_title                 TEXT    NOT NULL DEFAULT '',
    role                      TEXT    NOT NULL CHECK (role IN ('staff', 'pastoral_lead', 'dsl', 'admin')),
    password_hash             TEXT    NOT NULL,
    password_is_temporary     INTEGER NOT NULL DEFAULT 0 CHECK (password_is_temporary IN (0, 1)),
    temporary_expires_at      INTEGER,
    password_changed_at       INTEGER NOT NULL,
    -- TOTP secret sealed with the server key (never stored in clear); NULL until confirmed.
    totp_secret_sealed        BLOB,
    -- Secret offered during enrolment, sealed, until the first code confirms it.
    totp_pending_sealed       BLOB,
    -- Highest TOTP step accepted: a code is accepted only for a later step (compare-and-set).
    totp_last_step            INTEGER NOT NULL DEFAULT -1,
    failed_attempts           INTEGER NOT NULL DEFAULT 0,
    locked_at                 INTEGER,
    active                    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at                INTEGER NOT NULL
);

-- Single-use recovery codes, stored as password hashes.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    used_at    INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Failures for emails with no account, counted so that 423 reveals nothing (SECURITY decision).
CREATE TABLE unknown_email_failures (
    email_hash       TEXT    PRIMARY KEY,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked_at        INTEGER
);

-- Login challenges between the steps of signing in: random, hashed, single-use, one stage.
CREATE TABLE auth_challenges (
    challenge_hash  TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage           TEXT    NOT NULL CHECK (stage IN ('totp', 'totp_enrolment', 'totp_confirm', 'password_change')),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER
);

-- Sessions: opaque random tokens, stored only as a hash.
CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT    NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    revoked_at      INTEGER,
    revoked_reason  TEXT,
    client_addr     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Append-only, hash-chained audit log. hash = SHA-256 over prev_hash and the row's fields.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target       TEXT    NOT NULL DEFAULT '',
    client_addr  TEXT    NOT NULL DEFAULT '',
    outcome      TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Pupils and young people.
CREATE TABLE individuals (
    id              INTEGER PRIMARY KEY,
    first_name      TEXT    NOT NULL,
    last_name       TEXT    NOT NULL,
    preferred_name  TEXT    NOT NULL DEFAULT '',
    date_of_birth   TEXT    NOT NULL,
    year_group      TEXT    NOT NULL DEFAULT '',
    group_name      TEXT    NOT NULL DEFAULT '',
    sen_status      TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL
);
CREATE INDEX individuals_name ON individuals(last_name, first_name);

CREATE TABLE key_contacts (
    id             INTEGER PRIMARY KEY,
    individual_id  INTEGER NOT NULL REFERENCES individuals(id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    relationship   TEXT    NOT NULL,
    phone          TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    priority       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX key_contacts_individual ON key_contacts(individual_id);

-- Per-individual access for staff. Pastoral leads, DSLs and admins see every individual.
CREATE TABLE access_permissions (
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    individual_id  INTEGER NOT NULL REFERENCES individuals(id) ON DELETE CASCADE,
    level          TEXT    NOT NULL CHECK (level IN ('view', 'record', 'manage')),
    granted_by     INTEGER REFERENCES users(id),
    granted_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, individual_id)
);
CREATE INDEX access_permissions_individual ON access_permissions(individual_id);

CREATE TABLE locations (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- Clicker behaviours, in the order the clicker shows them.
CREATE TABLE behaviours (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    sentiment  TEXT    NOT NULL CHECK (sentiment IN ('positive', 'negative', 'neutral')),
    position   INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE clicks (
    id             TEXT    PRIMARY KEY,
    individual_id  INTEGER NOT NULL REFERENCES individuals(id),
    behaviour_id   INTEGER NOT NULL REFERENCES behaviours(id),
    user_id        INTEGER NOT NULL REFERENCES users(id),
    occurred_at    INTEGER NOT NULL,
    recorded_at    INTEGER NOT NULL,
    deleted_at     INTEGER
);
CREATE INDEX clicks_individual_time ON clicks(individual_id, occurred_at);

CREATE TABLE communications (
    id             TEXT    PRIMARY KEY,
    individual_id  INTEGER NOT NULL REFERENCES individuals(id),
    author_id      INTEGER NOT NULL REFERENCES users(id),
    sentiment      TEXT    NOT NULL CHECK (sentiment IN ('positive', 'negative', 'na')),
    message        TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX communications_individual ON communications(individual_id, created_at);

CREATE TABLE communication_recipients (
    communication_id  TEXT    NOT NULL REFERENCES communications(id) ON DELETE CASCADE,
    user_id           INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (communication_id, user_id)
);

CREATE TABLE communication_responses (
    id                TEXT    PRIMARY KEY,
    communication_id  TEXT    NOT NULL REFERENCES communications(id) ON DELETE CASCADE,
    author_id         INTEGER NOT NULL REFERENCES users(id),
    message           TEXT    NOT NULL,
    created_at        INTEGER NOT NULL
);

CREATE TABLE incident_categories (
    id    INTEGER PRIMARY KEY,
    name  TEXT    NOT NULL UNIQUE
);

-- Incident reports, with post-incident learning (pild_*) and physical intervention (pi_*).
-- Deleting hides a report (deleted_*); reports are kept until retain_until (75 years).
CREATE TABLE incidents (
    id                         TEXT    PRIMARY KEY,
    number                     INTEGER NOT NULL UNIQUE,
    kind                       TEXT    NOT NULL CHECK (kind IN ('incident', 'physical_intervention')),
    individual_id              INTEGER NOT NULL REFERENCES individuals(id),
    category_id                INTEGER NOT NULL REFERENCES incident_categories(id),
    location_id                INTEGER NOT NULL REFERENCES locations(id),
    occurred_at                INTEGER NOT NULL,
    reported_by                INTEGER NOT NULL REFERENCES users(id),
    what_happened              TEXT    NOT NULL,
    injury                     INTEGER NOT NULL DEFAULT 0 CHECK (injury IN (0, 1)),
    injury_details             TEXT    NOT NULL DEFAULT '',
    pild_perspective           TEXT    NOT NULL DEFAULT '',
    pild_feelings              TEXT    NOT NULL DEFAULT '',
    pild_next_time             TEXT    NOT NULL DEFAULT '',
    pild_triggers              TEXT    NOT NULL DEFAULT '',
    pild_adjustments           TEXT    NOT NULL DEFAULT '',
    pild_other_comments        TEXT    NOT NULL DEFAULT '',
    discriminatory             INTEGER NOT NULL DEFAULT 0 CHECK (discriminatory IN (0, 1)),
    discriminatory_details     TEXT    NOT NULL DEFAULT '',
    exclusion                  TEXT    NOT NULL DEFAULT 'none' CHECK (exclusion IN ('none', 'suspension', 'permanent_exclusion')),
    pi_low_behaviours          TEXT    NOT NULL DEFAULT '',
    pi_medium_behaviours       TEXT    NOT NULL DEFAULT '',
    pi_high_behaviours         TEXT    NOT NULL DEFAULT '',
    pi_staff_response          TEXT    NOT NULL DEFAULT '',
    pi_alternative_responses   TEXT    NOT NULL DEFAULT '',
    pi_deescalation_effect     INTEGER CHECK (pi_deescalation_effect BETWEEN 1 AND 5),
    pi_physical_effect         INTEGER CHECK (pi_physical_effect BETWEEN 1 AND 5),
    parents_informed_at        INTEGER,
    parents_informed_by        INTEGER REFERENCES users(id),
    flagged                    INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    flag_reason                TEXT    NOT NULL DEFAULT '',
    deleted_at                 INTEGER,
    deleted_by                 INTEGER REFERENCES users(id),
    delete_reason              TEXT    NOT NULL DEFAULT '',
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    retain_until               INTEGER NOT NULL
);
CREATE INDEX incidents_time ON incidents(occurred_at DESC, number DESC);
CREATE INDEX incidents_individual ON incidents(individual_id, occurred_at);

-- Other individuals involved (the primary one is incidents.individual_id).
CREATE TABLE incident_individuals (
    incident_id    TEXT    NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    individual_id  INTEGER NOT NULL REFERENCES individuals(id),
    PRIMARY KEY (incident_id, individual_id)
);

-- Staff present, who are invited to collaborate.
CREATE TABLE incident_staff (
    incident_id  TEXT    NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_staff_user ON incident_staff(user_id);

CREATE TABLE smart_plans (
    id                      TEXT    PRIMARY KEY,
    individual_id           INTEGER NOT NULL REFERENCES individuals(id),
    title                   TEXT    NOT NULL,
    strategies              TEXT    NOT NULL DEFAULT '',
    reasonable_adjustments  TEXT    NOT NULL DEFAULT '',
    agreed_responses        TEXT    NOT NULL DEFAULT '',
    follow_up               TEXT    NOT NULL DEFAULT '',
    source_incident_id      TEXT    REFERENCES incidents(id),
    review_on               TEXT,
    created_by              INTEGER NOT NULL REFERENCES users(id),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    deleted_at              INTEGER,
    deleted_by              INTEGER REFERENCES users(id),
    delete_reason           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX smart_plans_individual ON smart_plans(individual_id);

CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('collaboration_invite', 'communication', 'incident_flagged', 'plan_review')),
    message           TEXT    NOT NULL,
    incident_id       TEXT    REFERENCES incidents(id),
    communication_id  TEXT    REFERENCES communications(id),
    created_at        INTEGER NOT NULL,
    read_at           INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, created_at DESC);
