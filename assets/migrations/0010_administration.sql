-- Issue 12: administration. Cover accounts that expire, deactivation kept apart from a
-- lock-out, the client a session was opened with, access by group and year, the yearly access
-- review, and setting lists that are ordered and retired rather than deleted.

-- Staff, or supply / visitor cover (policy 8.22) that stops working at expires_at (unix
-- seconds). An expired account cannot sign in, its sessions end, its records stay its own.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'staff' CHECK (kind IN ('staff', 'supply', 'visitor'));
ALTER TABLE users ADD COLUMN expires_at INTEGER;
-- When an admin deactivated it (active = 0), for the retention rule's "last interaction".
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;

-- The client that opened a session (its User-Agent, cleaned, at most 100 characters).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_live ON sessions(revoked_at, expires_at);

-- Access to every individual of a tutor group (individuals.group_name) or a year group
-- (individuals.year_group), now and later. One-by-one grants stay in access_permissions. The
-- one access rule (store::access::visible_individuals!) reads both.
CREATE TABLE access_groups (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope       TEXT    NOT NULL CHECK (scope IN ('group', 'year')),
    name        TEXT    NOT NULL,
    granted_by  INTEGER REFERENCES users(id),
    granted_at  INTEGER NOT NULL,
    UNIQUE (user_id, scope, name)
);
CREATE INDEX individuals_group ON individuals(group_name);
CREATE INDEX individuals_year ON individuals(year_group);

-- The yearly access review (policy 8.2): each confirmation that what a member of staff can see
-- is right, with how many individuals that was.
CREATE TABLE access_reviews (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    confirmed_by  INTEGER NOT NULL REFERENCES users(id),
    confirmed_at  INTEGER NOT NULL,
    visible       INTEGER NOT NULL
);
CREATE INDEX access_reviews_user ON access_reviews(user_id, confirmed_at);

-- Locations and incident categories get an order and can be retired like behaviours.
ALTER TABLE locations ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE locations SET position = id;
ALTER TABLE incident_categories ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE incident_categories SET position = id;
ALTER TABLE incident_categories ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
