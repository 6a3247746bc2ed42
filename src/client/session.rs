//! The signed-in session: the token lives only here, in memory (SECURITY.md 26, 40).
//!
//! The token is a [`SecretString`] (zeroized on drop, `Debug` prints `[REDACTED]`); it is never
//! written to disk, logged or shown. Dropping the [`Session`] (sign-out, switch user, expiry)
//! wipes it.
//!
//! It also keeps what `GET /me` said the user may do ([`Session::permissions`]), asked for at
//! each sign-in: the client only offers what they may do (Admin, `A`), the server checks
//! every request on its own.

use secrecy::{ExposeSecret, SecretString};

use crate::wire::{Permissions, User};

/// A signed-in user and their bearer token.
pub struct Session {
    token: SecretString,
    /// Who is signed in (strings already cleaned).
    pub user: User,
    /// What `GET /me` said they may do (none until it answered: nothing extra is offered).
    pub permissions: Option<Permissions>,
}

impl Session {
    /// A new session from a sign-in answer; the plain `String` is moved into the secret.
    pub fn new(token: String, user: User) -> Session {
        Session {
            token: SecretString::from(token),
            user,
            permissions: None,
        }
    }

    /// The token, for the `Authorization` header of one request.
    pub fn token(&self) -> SecretString {
        SecretString::from(self.token.expose_secret())
    }

    /// `GET /me` said the user may administer (Admin is offered).
    pub fn administers(&self) -> bool {
        self.permissions.as_ref().is_some_and(|p| p.administer)
    }

    /// Replace the token (after `POST /auth/reauth` rotated it).
    pub fn rotate(&mut self, token: String) {
        self.token = SecretString::from(token);
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"[REDACTED]")
            .field("user_id", &self.user.id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Role;

    #[test]
    fn debug_never_shows_the_token() {
        let user = User {
            id: 7,
            email: "a@b.test".into(),
            display_name: "A".into(),
            role: Role::Staff,
            totp_enabled: false,
        };
        let mut s = Session::new("tok-secret-123".into(), user);
        s.rotate("tok-secret-456".into());
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("tok-secret"), "{dbg}");
        assert_eq!(s.token().expose_secret(), "tok-secret-456");
        assert!(!s.administers(), "nothing is offered before /me answered");
        s.permissions = Some(crate::wire::Permissions {
            administer: true,
            ..Default::default()
        });
        assert!(s.administers());
    }
}
