-- An admin's 2FA reset (issue 12) makes the account set 2FA up again at its next sign-in,
-- whatever its role: without this, a reset left a pastoral lead or DSL signing in on the
-- password alone. Cleared when the new secret is confirmed.
ALTER TABLE users ADD COLUMN totp_reenrol INTEGER NOT NULL DEFAULT 0 CHECK (totp_reenrol IN (0, 1));
