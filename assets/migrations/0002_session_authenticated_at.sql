-- When each session's user last proved who they are with the password (signing in,
-- /auth/reauth or a password change), as unix seconds. Adding an authentication factor with a
-- bearer token needs this to be recent (ASVS 5.0 7.5.1); a request on the session does not
-- move it. Sessions from before this migration count as never authenticated (0), so they must
-- reauthenticate first: the safe side.
ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER NOT NULL DEFAULT 0;
