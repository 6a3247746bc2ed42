//! The Dashboard's calls and their replies: pages of `GET /incidents`, `GET /notifications`,
//! and marking one read.

use chrono::{DateTime, Utc};

use super::Period;
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{IncidentPage, NotificationList};

/// Page size asked of `GET /incidents`.
pub const INCIDENT_PAGE: u32 = 500;

/// The replies of the Dashboard's calls.
pub enum Reply {
    /// A page of incidents of `period`; `first` when it starts a listing.
    Incidents {
        /// The period asked for.
        period: Period,
        /// The first page of a listing (it replaces what is shown).
        first: bool,
        /// The page.
        page: Result<IncidentPage, ApiError>,
    },
    /// The user's notifications.
    Notifications(Result<NotificationList, ApiError>),
    /// A notification was marked read (nothing waits for it).
    MarkedRead,
}

/// A page of the incidents of `period`, from `cursor` (none: the first page).
pub fn incidents(period: Period, now: DateTime<Utc>, cursor: Option<String>) -> Call {
    let first = cursor.is_none();
    let mut request = Request::get("/incidents")
        .query("limit", INCIDENT_PAGE.to_string())
        .session();
    if let Some(since) = period.since(now) {
        request = request.query("since", since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    if let Some(cursor) = cursor {
        request = request.query("cursor", cursor);
    }
    Call::new("incidents", request, move |r: Result<Answer, ApiError>| {
        Reply::Incidents {
            period,
            first,
            page: r.and_then(Answer::typed),
        }
    })
}

/// The user's notifications.
pub fn notifications() -> Call {
    Call::new(
        "notifications",
        Request::get("/notifications").session(),
        |r: Result<Answer, ApiError>| Reply::Notifications(r.and_then(Answer::typed)),
    )
}

/// Mark notification `id` read.
pub fn mark_read(id: i64) -> Call {
    Call::new(
        "read",
        Request::post(format!("/notifications/{id}/read")).session(),
        |_: Result<Answer, ApiError>| Reply::MarkedRead,
    )
}
