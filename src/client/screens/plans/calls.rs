//! The Smart Plans calls and replies: the list (`GET /plans`, for one individual or all), one
//! plan, saving (`POST`, or `PUT` for an existing plan), deleting with a reason, the Markdown
//! download, and the user's drafts (to resume a plan started earlier).

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{DeleteRequest, Draft, DraftList, MarkdownExport, NewPlan, Plan, PlanList};

/// The replies of the Smart Plans calls.
pub enum Reply {
    /// `GET /plans` (all the user may see).
    List(Result<PlanList, ApiError>),
    /// `GET /plans?individual_id=` (the builder looks for the current plan).
    Current(Result<PlanList, ApiError>),
    /// `GET /plans/{id}`.
    Plan(Result<Plan, ApiError>),
    /// `POST /plans` or `PUT /plans/{id}`.
    Saved(Result<Plan, ApiError>),
    /// `DELETE /plans/{id}`.
    Deleted(Result<(), ApiError>),
    /// `GET /plans/{id}/markdown`.
    Markdown(Result<MarkdownExport, ApiError>),
    /// `GET /drafts`.
    Drafts(Result<DraftList, ApiError>),
    /// `GET /drafts/{id}`.
    Draft(Result<Draft, ApiError>),
}

fn path(id: &str) -> String {
    let safe: String = id
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("/plans/{safe}")
}

/// Every plan the user may see.
pub fn list() -> Call {
    Call::new(
        "plans",
        Request::get("/plans").session(),
        |r: Result<Answer, ApiError>| Reply::List(r.and_then(Answer::typed)),
    )
}

/// The plans of individual `id` (the most recently changed first: the current one).
pub fn current(individual: i64) -> Call {
    Call::new(
        "current",
        Request::get("/plans").query("individual_id", individual.to_string()).session(),
        |r: Result<Answer, ApiError>| Reply::Current(r.and_then(Answer::typed)),
    )
}

/// The whole plan `id`.
pub fn plan(id: &str) -> Call {
    Call::new(
        "plan",
        Request::get(path(id)).session(),
        |r: Result<Answer, ApiError>| Reply::Plan(r.and_then(Answer::typed)),
    )
}

/// Save `plan`: a new one (`existing` none), or the plan `existing`.
pub fn save(plan: &NewPlan, existing: Option<&str>) -> Call {
    let request = match existing {
        Some(id) => Request::put(path(id)),
        None => Request::post("/plans"),
    };
    Call::new(
        "save",
        request.json(plan).session(),
        |r: Result<Answer, ApiError>| Reply::Saved(r.and_then(Answer::typed)),
    )
}

/// Delete (hide) plan `id`, with a reason.
pub fn delete(id: &str, reason: String) -> Call {
    Call::new(
        "delete",
        Request::delete(path(id)).json(&DeleteRequest { reason }).session(),
        |r: Result<Answer, ApiError>| Reply::Deleted(r.map(|_| ())),
    )
}

/// Plan `id` as a Markdown file.
pub fn markdown(id: &str) -> Call {
    Call::new(
        "markdown",
        Request::get(format!("{}/markdown", path(id))).session(),
        |r: Result<Answer, ApiError>| Reply::Markdown(r.and_then(Answer::typed)),
    )
}

/// The user's drafts.
pub fn drafts() -> Call {
    Call::new(
        "drafts",
        Request::get("/drafts").session(),
        |r: Result<Answer, ApiError>| Reply::Drafts(r.and_then(Answer::typed)),
    )
}

/// One draft with its content.
pub fn draft(id: uuid::Uuid) -> Call {
    Call::new(
        "draft-content",
        Request::get(format!("/drafts/{id}")).session(),
        |r: Result<Answer, ApiError>| Reply::Draft(r.and_then(Answer::typed)),
    )
}
