//! `Action`: everything that can change the App, from the terminal, the network or a timer.

use crossterm::event::KeyEvent;

use super::api::ApiError;
use crate::wire;

/// One event for `App::update`.
#[derive(Debug)]
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
#[derive(Debug)]
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
