-- Failures of an email with no account were counted under a plain SHA-256 of what was typed,
-- which is sometimes a password typed into the wrong field; anyone reading the database could
-- test guesses against it. They are now counted under an HMAC-SHA256 with the server key
-- (auth::email_ref). The old values must not stay on disk, and no new key would match them.
-- (Audit rows written before name such emails by a 12-digit prefix of the old hash; the log
-- is append-only and hash-chained, so they stay.)
DELETE FROM unknown_email_failures;
