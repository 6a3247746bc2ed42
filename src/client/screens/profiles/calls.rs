//! A profile's calls: its details (Details, Key contacts, Access), its overview (every other
//! tab), and the behaviours (the names of the Clickers tab).

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{BehaviourList, IndividualDetails, IndividualOverview};

/// The replies of a profile's calls.
pub enum Reply {
    /// `GET /individuals/{id}`.
    Details(i64, Result<IndividualDetails, ApiError>),
    /// `GET /individuals/{id}/overview`.
    Overview(i64, Result<IndividualOverview, ApiError>),
    /// `GET /behaviours`.
    Behaviours(Result<BehaviourList, ApiError>),
}

/// The details of individual `id`.
pub fn details(id: i64) -> Call {
    Call::new(
        "details",
        Request::get(format!("/individuals/{id}")).session(),
        move |r: Result<Answer, ApiError>| Reply::Details(id, r.and_then(Answer::typed)),
    )
}

/// The overview of individual `id`.
pub fn overview(id: i64) -> Call {
    Call::new(
        "overview",
        Request::get(format!("/individuals/{id}/overview")).session(),
        move |r: Result<Answer, ApiError>| Reply::Overview(id, r.and_then(Answer::typed)),
    )
}

/// The setting's behaviours.
pub fn behaviours() -> Call {
    Call::new(
        "behaviours",
        Request::get("/behaviours").session(),
        |r: Result<Answer, ApiError>| Reply::Behaviours(r.and_then(Answer::typed)),
    )
}
