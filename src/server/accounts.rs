//! Account operations in one service, used by `bsmart admin …` ([`super::cli`]) today and by
//! the admin routes later: creating an admin with a generated temporary password, and unlocking
//! an account. Each writes its change and its audit row in one transaction.

use zeroize::Zeroizing;

use super::audit::AuditEntry;
use super::auth;
use super::state::{Policy, ServerKey};
use super::store::{NewUser, Store};

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The email is not an address.
    #[error("give a valid email address")]
    InvalidEmail,
    /// The display name is empty, too long or holds control characters.
    #[error("give a name of 1 to 100 characters")]
    InvalidName,
    /// An account with this email exists.
    #[error("an account with this email already exists")]
    Exists,
    /// The temporary password could not be hashed.
    #[error("the temporary password could not be hashed")]
    Hashing,
    /// The database failed.
    #[error("the database failed: {0}")]
    Store(#[from] sqlx::Error),
}

/// A new admin account and its temporary password, to be shown once.
pub struct CreatedAdmin {
    /// The account's id.
    pub id: i64,
    /// The email as stored (trimmed, lowercased).
    pub email: String,
    /// The temporary password: shown once, never stored in clear.
    pub temporary_password: Zeroizing<String>,
}

/// What an unlock found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlocked {
    /// The account with this id is unlocked and its count is zero.
    Account(i64),
    /// There is no such account; `cleared` says whether a failure count for the email (counted
    /// under the server key) was there and is gone. `None`: no key, so it could not be looked for.
    NoAccount {
        /// A count for the email was found and cleared.
        cleared: Option<bool>,
    },
}

/// Whether `email` (normalised) looks like an address.
fn valid_email(email: &str) -> bool {
    let parts: Vec<&str> = email.split('@').collect();
    email.len() <= 254
        && parts.len() == 2
        && !parts[0].is_empty()
        && parts[1].contains('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Create an admin account with a generated temporary password (it expires after the policy's
/// time and must be replaced at the first sign-in, where 2FA is set up too). `actor` names who
/// did it in the audit log (`cli`, or an admin's email).
pub async fn create_admin(
    store: &Store,
    policy: &Policy,
    email: &str,
    name: &str,
    actor: &str,
    now: i64,
) -> Result<CreatedAdmin, AccountError> {
    let email = auth::normalize_email(email);
    if !valid_email(&email) {
        return Err(AccountError::InvalidEmail);
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AccountError::InvalidName);
    }
    if store.user_by_email(&email).await?.is_some() {
        return Err(AccountError::Exists);
    }
    let password = auth::new_temporary_password();
    let normalized = auth::normalize_password(&password).ok_or(AccountError::Hashing)?;
    let hash = auth::hash_password(normalized)
        .await
        .map_err(|_| AccountError::Hashing)?;
    let user = NewUser {
        email: &email,
        display_name: name,
        role: "admin",
        password_hash: &hash,
        temporary_expires_at: Some(now + policy.temporary_password_ttl.num_seconds()),
        now,
    };
    let mut tx = store.begin().await?;
    let id = match tx.create_user(&user).await {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(AccountError::Exists),
        Err(e) => return Err(e.into()),
    };
    let entry = AuditEntry::new(now, None, actor, "account.create", "success")
        .target(&email)
        .detail(&format!(
            "admin id={id}; temporary password; 2FA enrolment at first sign-in"
        ));
    tx.audit(&entry).await?;
    tx.commit().await?;
    Ok(CreatedAdmin {
        id,
        email,
        temporary_password: password,
    })
}

/// Unlock the account with `email` and forget its count; with the server `key`, also forget the
/// count of the email if it has no account (those are counted under the key). Audited as
/// `account.unlock` by `actor`; an email with no account is named there only by its keyed
/// reference, never as typed.
pub async fn unlock(
    store: &Store,
    key: Option<&ServerKey>,
    email: &str,
    actor: &str,
    now: i64,
) -> Result<Unlocked, AccountError> {
    let email = auth::normalize_email(email);
    let reference = key.map(|key| auth::email_ref(key, &email));
    let mut tx = store.begin().await?;
    let unlocked = match tx.unlock(&email).await? {
        Some(id) => Unlocked::Account(id),
        None => Unlocked::NoAccount {
            cleared: match &reference {
                Some(reference) => Some(tx.clear_unknown_failures(reference).await?),
                None => None,
            },
        },
    };
    let (outcome, target) = match (&unlocked, &reference) {
        (Unlocked::Account(_), _) => ("success", email.clone()),
        (Unlocked::NoAccount { .. }, Some(reference)) => ("no_such_account", format!("unknown:{}", &reference[..12])),
        (Unlocked::NoAccount { .. }, None) => ("no_such_account", "unknown".to_string()),
    };
    tx.audit(&AuditEntry::new(now, None, actor, "account.unlock", outcome).target(&target))
        .await?;
    tx.commit().await?;
    Ok(unlocked)
}

#[cfg(test)]
mod tests {
    use super::super::store::{Lockout, Subject};
    use super::*;

    const LOCKOUT: Lockout = Lockout {
        threshold: 6,
        stale_after: 120,
    };

    /// Lock an account through the store's own reservation and resolution.
    async fn lock(store: &Store, subject: Subject) {
        for _ in 0..6 {
            let attempt = store
                .reserve_attempt(subject.clone(), LOCKOUT, 10)
                .await
                .unwrap()
                .unwrap();
            let mut tx = store.begin().await.unwrap();
            tx.attempt_failed(attempt, 6, 10).await.unwrap();
            tx.audit(&AuditEntry::new(10, None, "test", "login.password", "failure"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        assert!(store.reserve_attempt(subject, LOCKOUT, 11).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn create_admin_and_unlock_write_their_audit_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db"), true).await.unwrap();
        let policy = Policy::default();
        let created = create_admin(&store, &policy, " Head@School.test", "Head", "cli", 100)
            .await
            .unwrap();
        assert_eq!(created.email, "head@school.test");
        assert!(matches!(
            create_admin(&store, &policy, "head@school.test", "Head", "cli", 100).await,
            Err(AccountError::Exists)
        ));
        assert!(matches!(
            create_admin(&store, &policy, "not an email", "X", "cli", 100).await,
            Err(AccountError::InvalidEmail)
        ));
        let user = store.user_by_email("head@school.test").await.unwrap().unwrap();
        assert!(user.password_is_temporary && user.role == "admin");
        assert_eq!(user.temporary_expires_at, Some(100 + 72 * 3600));

        lock(&store, Subject::User(created.id)).await;
        assert_eq!(
            unlock(&store, None, "HEAD@school.test", "cli", 200).await.unwrap(),
            Unlocked::Account(created.id)
        );
        assert!(
            store
                .reserve_attempt(Subject::User(created.id), LOCKOUT, 201)
                .await
                .unwrap()
                .is_some(),
            "still locked after the unlock"
        );

        let key = ServerKey::generate();
        let ghost = auth::email_ref(&key, "ghost@school.test");
        lock(&store, Subject::UnknownEmail(ghost.clone())).await;
        assert_eq!(
            unlock(&store, None, "ghost@school.test", "cli", 300).await.unwrap(),
            Unlocked::NoAccount { cleared: None }
        );
        assert_eq!(
            unlock(&store, Some(&key), "Ghost@School.test ", "cli", 300)
                .await
                .unwrap(),
            Unlocked::NoAccount { cleared: Some(true) }
        );
        assert!(
            store
                .reserve_attempt(Subject::UnknownEmail(ghost.clone()), LOCKOUT, 301)
                .await
                .unwrap()
                .is_some()
        );

        let rows = store.audit_rows_after(0, 100).await.unwrap();
        let unlocks: Vec<(&str, &str)> = rows
            .iter()
            .filter(|r| r.action == "account.unlock")
            .map(|r| (r.outcome.as_str(), r.target.as_str()))
            .collect();
        let reference = format!("unknown:{}", &ghost[..12]);
        assert_eq!(
            unlocks,
            [
                ("success", "head@school.test"),
                ("no_such_account", "unknown"),
                ("no_such_account", reference.as_str())
            ],
            "an email with no account is never written down as typed"
        );
        assert!(
            rows.iter()
                .any(|r| r.action == "account.create" && r.target == "head@school.test")
        );
    }
}
