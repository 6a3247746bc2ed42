//! `Action`: everything that can change the App, from the terminal, the network or a timer.
//!
//! `Debug` is written by hand for [`Action`] and [`Reply`]: a derived one would print what was
//! typed or pasted (a password), tokens in replies and pupils' names in pages of incidents, and
//! a `{:?}` in a panic or a test failure would carry them. Only kinds and outcomes are printed.

use crossterm::event::KeyEvent;

use super::api::ApiError;
use crate::wire;

/// One event for `App::update`.
pub enum Action {
    /// A key was pressed (Press or Repeat; releases are filtered out).
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// The terminal was resized (never resets the idle timer).
    Resize,
    /// The lock deadline passed (the loop's only timer).
    LockDeadline,
    /// An API call finished.
    Api {
        /// Which slot it ran in.
        slot: Slot,
        /// Its id; replies whose id is no longer the slot's latest are dropped.
        id: u64,
        /// The result.
        reply: Reply,
    },
    /// SIGTERM or SIGHUP: restore the terminal and leave.
    Terminate,
}

/// One slot per purpose; a newer call in a slot makes older replies stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// `GET /setting`.
    Setting,
    /// The sign-in steps, enrolment, password change and reauth.
    Auth,
    /// `GET /incidents` pages.
    Incidents,
    /// `GET /notifications`.
    Notifications,
    /// `POST /auth/logout` (nobody waits for it).
    Logout,
}

/// The result of a call, by kind.
pub enum Reply {
    /// `GET /setting`.
    Setting(Result<wire::Setting, ApiError>),
    /// `POST /auth/login`.
    Login(Result<wire::AuthStep, ApiError>),
    /// `POST /auth/totp`.
    Totp(Result<wire::AuthStep, ApiError>),
    /// `POST /auth/totp/enrol`.
    Enrol(Result<wire::TotpEnrolment, ApiError>),
    /// `POST /auth/totp/confirm`.
    Confirm(Result<wire::AuthStep, ApiError>),
    /// `POST /auth/password`.
    Password(Result<wire::AuthStep, ApiError>),
    /// `POST /auth/reauth`.
    Reauth(Result<wire::AuthStep, ApiError>),
    /// `GET /incidents` (one page).
    Incidents(Result<wire::IncidentPage, ApiError>),
    /// `GET /notifications`.
    Notifications(Result<wire::NotificationList, ApiError>),
    /// `POST /auth/logout`.
    Logout(Result<(), ApiError>),
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Neither the key's character nor the pasted text: either may be part of a password.
            Action::Key(k) => write!(f, "Key({:?})", k.kind),
            Action::Paste(text) => write!(f, "Paste({} chars)", text.chars().count()),
            Action::Resize => f.write_str("Resize"),
            Action::LockDeadline => f.write_str("LockDeadline"),
            Action::Api { slot, id, reply } => write!(f, "Api {{ slot: {slot:?}, id: {id}, reply: {reply:?} }}"),
            Action::Terminate => f.write_str("Terminate"),
        }
    }
}

/// `Ok(..)`, or the error's kind and code: never the data, never the server's sentence.
fn outcome<T>(r: &Result<T, ApiError>) -> String {
    match r {
        Ok(_) => "Ok(..)".to_string(),
        Err(ApiError::Server { status, code, .. }) => format!("Err({status} {code})"),
        Err(ApiError::Network(_)) => "Err(network)".to_string(),
        Err(ApiError::Untrusted(_)) => "Err(untrusted certificate)".to_string(),
        Err(ApiError::TooLarge) => "Err(too large)".to_string(),
        Err(ApiError::BadResponse { status, .. }) => format!("Err({status} bad response)"),
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, outcome) = match self {
            Reply::Setting(r) => ("Setting", outcome(r)),
            Reply::Login(r) => ("Login", outcome(r)),
            Reply::Totp(r) => ("Totp", outcome(r)),
            Reply::Enrol(r) => ("Enrol", outcome(r)),
            Reply::Confirm(r) => ("Confirm", outcome(r)),
            Reply::Password(r) => ("Password", outcome(r)),
            Reply::Reauth(r) => ("Reauth", outcome(r)),
            Reply::Incidents(r) => ("Incidents", outcome(r)),
            Reply::Notifications(r) => ("Notifications", outcome(r)),
            Reply::Logout(r) => ("Logout", outcome(r)),
        };
        write!(f, "{kind}({outcome})")
    }
}
