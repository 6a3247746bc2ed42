//! The Incidents page's calls and replies: pages of `GET /incidents` with the filters, the
//! locations, one incident, and what the view does to it (parents informed, flag, an account,
//! delete, the Markdown download).

use chrono::{DateTime, Utc};

use super::filters::Filters;
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::client::dates::Dates;
use crate::wire::{
    DeleteRequest, FlagRequest, Incident, IncidentPage, ListItems, MarkdownExport, NewAccount, ParentsInformed,
    PeriodList,
};

/// Page size asked of `GET /incidents`.
pub const PAGE: u32 = 200;

/// What changed an incident (for the status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Parents informed recorded.
    Parents,
    /// Flagged (true) or the flag cleared.
    Flag(bool),
    /// The user's account added.
    Account,
}

/// The replies of the page's calls.
pub enum Reply {
    /// A page of the listing; `first` when it starts one.
    Page {
        /// The first page of a listing (it replaces what is shown).
        first: bool,
        /// The page.
        page: Result<IncidentPage, ApiError>,
    },
    /// `GET /locations`.
    Locations(Result<ListItems, ApiError>),
    /// `GET /periods` (for typed times such as `p3`).
    Periods(Result<PeriodList, ApiError>),
    /// `GET /incidents/{ref}`.
    Incident(Result<Incident, ApiError>),
    /// An action's answer: the incident as it now is.
    Changed(Change, Result<Incident, ApiError>),
    /// `DELETE /incidents/{ref}`.
    Deleted(Result<(), ApiError>),
    /// `GET /incidents/{ref}/markdown`.
    Markdown(Result<MarkdownExport, ApiError>),
}

/// A page of the incidents `filters` let through at `now`, from `cursor`.
pub fn page(filters: &Filters, now: DateTime<Utc>, dates: Dates, cursor: Option<String>) -> Call {
    let first = cursor.is_none();
    let mut request = Request::get("/incidents").query("limit", PAGE.to_string()).session();
    for (key, value) in filters.query(now, dates) {
        request = request.query(key, value);
    }
    if let Some(cursor) = cursor {
        request = request.query("cursor", cursor);
    }
    Call::new("incidents", request, move |r: Result<Answer, ApiError>| Reply::Page {
        first,
        page: r.and_then(Answer::typed),
    })
}

/// The setting's locations.
pub fn locations() -> Call {
    Call::new(
        "locations",
        Request::get("/locations").session(),
        |r: Result<Answer, ApiError>| Reply::Locations(r.and_then(Answer::typed)),
    )
}

/// The setting's bell times.
pub fn periods() -> Call {
    Call::new(
        "periods",
        Request::get("/periods").session(),
        |r: Result<Answer, ApiError>| Reply::Periods(r.and_then(Answer::typed)),
    )
}

fn path(reference: &str) -> String {
    format!("/incidents/{}", urlencoding(reference))
}

/// A reference is `prefix-number`; anything else is escaped so it stays one path segment.
fn urlencoding(reference: &str) -> String {
    reference
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The whole incident `reference`.
pub fn incident(reference: &str) -> Call {
    Call::new(
        "incident",
        Request::get(path(reference)).session(),
        |r: Result<Answer, ApiError>| Reply::Incident(r.and_then(Answer::typed)),
    )
}

fn change(reference: &str, tail: &str, change: Change, body: &impl serde::Serialize) -> Call {
    Call::new(
        "change",
        Request::post(format!("{}/{tail}", path(reference))).json(body).session(),
        move |r: Result<Answer, ApiError>| Reply::Changed(change, r.and_then(Answer::typed)),
    )
}

/// Record that parents or carers were told.
pub fn parents_informed(reference: &str, body: &ParentsInformed) -> Call {
    change(reference, "parents-informed", Change::Parents, body)
}

/// Flag it, or clear the flag.
pub fn flag(reference: &str, body: &FlagRequest) -> Call {
    change(reference, "flag", Change::Flag(body.flagged), body)
}

/// Add the user's own account.
pub fn account(reference: &str, body: &NewAccount) -> Call {
    change(reference, "accounts", Change::Account, body)
}

/// Delete (hide) it, with a reason.
pub fn delete(reference: &str, body: &DeleteRequest) -> Call {
    Call::new(
        "delete",
        Request::delete(path(reference)).json(body).session(),
        |r: Result<Answer, ApiError>| Reply::Deleted(r.map(|_| ())),
    )
}

/// It as a Markdown file.
pub fn markdown(reference: &str) -> Call {
    Call::new(
        "markdown",
        Request::get(format!("{}/markdown", path(reference))).session(),
        |r: Result<Answer, ApiError>| Reply::Markdown(r.and_then(Answer::typed)),
    )
}
