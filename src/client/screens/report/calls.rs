//! The form's calls: the setting's lists it chooses from, and a report sent again to learn its
//! reference once the outbox has landed it (the same id and body: the server answers with the
//! stored incident and records nothing new).

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{Incident, ListItems, NewIncident, PeriodList, StaffList, TechniqueLists};

/// The replies of the form's calls.
pub enum Reply {
    /// `GET /locations`.
    Locations(Result<ListItems, ApiError>),
    /// `GET /incident-categories`.
    Categories(Result<ListItems, ApiError>),
    /// `GET /staff`.
    Staff(Result<StaffList, ApiError>),
    /// `GET /techniques`.
    Techniques(Result<TechniqueLists, ApiError>),
    /// `GET /periods`.
    Periods(Result<PeriodList, ApiError>),
    /// The stored incident, once recorded.
    Recorded(Box<Result<Incident, ApiError>>),
}

/// Every list the form needs (techniques only for a physical intervention).
pub fn lists(physical: bool) -> Vec<Call> {
    let get = |path: &str| Request::get(path).session();
    let mut calls = vec![
        Call::new("locations", get("/locations"), |r: Result<Answer, ApiError>| {
            Reply::Locations(r.and_then(Answer::typed))
        }),
        Call::new(
            "categories",
            get("/incident-categories"),
            |r: Result<Answer, ApiError>| Reply::Categories(r.and_then(Answer::typed)),
        ),
        Call::new("staff", get("/staff"), |r: Result<Answer, ApiError>| {
            Reply::Staff(r.and_then(Answer::typed))
        }),
        Call::new("periods", get("/periods"), |r: Result<Answer, ApiError>| {
            Reply::Periods(r.and_then(Answer::typed))
        }),
    ];
    if physical {
        calls.push(Call::new(
            "techniques",
            get("/techniques"),
            |r: Result<Answer, ApiError>| Reply::Techniques(r.and_then(Answer::typed)),
        ));
    }
    calls
}

/// The incident `report` became (sent again: idempotent).
pub fn recorded(report: &NewIncident) -> Call {
    Call::new(
        "recorded",
        Request::post("/incidents").session().json(report),
        |r: Result<Answer, ApiError>| Reply::Recorded(Box::new(r.and_then(Answer::typed))),
    )
}

/// The incident `reference` as it is now (after an edit landed).
pub fn incident(reference: &str) -> Call {
    Call::new(
        "recorded",
        Request::get(format!("/incidents/{reference}")).session(),
        |r: Result<Answer, ApiError>| Reply::Recorded(Box::new(r.and_then(Answer::typed))),
    )
}
