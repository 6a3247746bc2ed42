//! The clicker's calls: the setting's behaviours and bell times, and today's clicks of the
//! individuals picked (their counts beside each behaviour).

use chrono::{DateTime, Utc};

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{BehaviourList, ClickPage, PeriodList};

/// The replies of the clicker's calls.
pub enum Reply {
    /// `GET /behaviours`.
    Behaviours(Result<BehaviourList, ApiError>),
    /// `GET /periods`.
    Periods(Result<PeriodList, ApiError>),
    /// A page of today's clicks of `individual`.
    Today {
        /// Whose.
        individual: i64,
        /// The page.
        page: Result<ClickPage, ApiError>,
    },
}

/// The setting's behaviours, in clicker order.
pub fn behaviours() -> Call {
    Call::new(
        "behaviours",
        Request::get("/behaviours").session(),
        |r: Result<Answer, ApiError>| Reply::Behaviours(r.and_then(Answer::typed)),
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

/// The clicks of `individual` since `from` (local midnight), from `cursor`.
pub fn today(individual: i64, from: DateTime<Utc>, cursor: Option<String>) -> Call {
    let mut request = Request::get("/clicks")
        .query("individual_id", individual.to_string())
        .query("from", from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .query("limit", "1000")
        .session();
    if let Some(cursor) = cursor {
        request = request.query("cursor", cursor);
    }
    Call::new("today", request, move |r: Result<Answer, ApiError>| Reply::Today {
        individual,
        page: r.and_then(Answer::typed),
    })
}
