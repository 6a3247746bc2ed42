//! Drafts of long forms, kept on the server so a report survives a lost laptop or a closed
//! terminal: `PUT /drafts/{id}`, `GET /drafts`, `GET`/`DELETE /drafts/{id}`. Only their author
//! ever reads, replaces or deletes one: another user's id answers 404 (and is not touched), as
//! does an id that is not a UUID. At most [`MAX_DRAFTS`] a user; drafts not saved for 30 days
//! are deleted when the list is read. Creating and deleting one is audited; saves are not (a
//! form saves every few seconds).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::super::store::{DraftRow, DraftSaved};
use super::common::{finish, path_uuid, stored_uuid, timestamp, user_entry};
use crate::wire::{Draft, DraftBody, DraftKind, DraftList, DraftSummary, ErrorBody, codes};

/// Most drafts a user may keep.
pub const MAX_DRAFTS: i64 = 10;
/// Largest draft content, serialised.
pub const MAX_DRAFT_BYTES: usize = 512 * 1024;
/// Drafts unsaved this long are deleted.
const DRAFT_DAYS: i64 = 30;

/// The stored kind of a draft.
fn stored_kind(kind: DraftKind) -> &'static str {
    match kind {
        DraftKind::Incident => "incident",
        DraftKind::PhysicalIntervention => "physical_intervention",
        DraftKind::Plan => "plan",
    }
}

/// The wire kind of a stored one.
fn wire_kind(stored: &str) -> DraftKind {
    match stored {
        "physical_intervention" => DraftKind::PhysicalIntervention,
        "plan" => DraftKind::Plan,
        _ => DraftKind::Incident,
    }
}

/// The wire form of a draft row.
fn wire_draft(row: DraftRow) -> Draft {
    Draft {
        id: stored_uuid(&row.id),
        kind: wire_kind(&row.kind),
        started_at: timestamp(row.started_at),
        saved_at: timestamp(row.saved_at),
        content: serde_json::from_str(&row.content).unwrap_or_else(|_| serde_json::json!({})),
    }
}

/// Save a form as it stands (201 for a new draft, 200 when it replaced the user's own).
#[utoipa::path(put, path = "/drafts/{id}", tag = "records", request_body = DraftBody, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The UUID the form will be submitted with")),
    responses(
        (status = 201, description = "Saved as a new draft", body = Draft),
        (status = 200, description = "Saved over the user's draft", body = Draft),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: the id is not a UUID, or is another user's draft", body = ErrorBody),
        (status = 409, description = "`conflict`: the user already has 10 drafts; submit or delete one", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the content is over 512 KiB, or the body over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: the content is not a JSON object, or a bad body", body = ErrorBody)))]
pub(super) async fn save_draft(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DraftBody>,
) -> Result<(StatusCode, Json<Draft>), ApiError> {
    let id = path_uuid(&id)?;
    if !body.content.is_object() {
        return Err(ApiError::invalid_request("`content` must be a JSON object."));
    }
    let content = serde_json::to_string(&body.content).map_err(|_| ApiError::internal())?;
    if content.len() > MAX_DRAFT_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::PAYLOAD_TOO_LARGE,
            "The draft is over 512 KiB; it cannot be saved.",
        ));
    }
    let user = &signed_in.user;
    let now = state.now();
    let mut tx = state.store.begin().await?;
    let saved = tx
        .save_draft(user.id, &id, stored_kind(body.kind), &content, now, MAX_DRAFTS)
        .await?;
    let result = match saved {
        DraftSaved::NotFound => Err(ApiError::not_found()),
        DraftSaved::TooMany => Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::CONFLICT,
            "You already have 10 drafts saved. Submit or delete one of them (GET /drafts) to save another.",
        )),
        DraftSaved::Created => {
            let entry = user_entry(&state, user, ClientAddr::at(signed_in.addr), "draft.create", "success")
                .target(&format!("draft:{id}"));
            tx.audit(&entry).await?;
            Ok(StatusCode::CREATED)
        }
        DraftSaved::Replaced => {
            // A save changes only the user's own draft: recorded as the draft's bookkeeping
            // (the audit row of its creation stands for it), not once per keystroke.
            tx.skip_audit_for_draft_save();
            Ok(StatusCode::OK)
        }
    };
    let status = finish(tx, result).await?;
    let row = state.store.draft(user.id, &id).await?.ok_or_else(ApiError::not_found)?;
    Ok((status, Json(wire_draft(row))))
}

/// The user's own drafts, most recently saved first (without their content). Drafts not saved
/// for 30 days are deleted first.
#[utoipa::path(get, path = "/drafts", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's drafts", body = DraftList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn drafts(State(state): State<AppState>, signed_in: AuthUser) -> Result<Json<DraftList>, ApiError> {
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let expired = tx.expire_drafts(user.id, state.now() - DRAFT_DAYS * 86_400).await?;
    if expired > 0 {
        let entry = user_entry(&state, user, ClientAddr::at(signed_in.addr), "draft.expire", "success")
            .detail(&format!("drafts={expired}"));
        tx.audit(&entry).await?;
    }
    finish(tx, Ok(())).await?;
    let items = state
        .store
        .drafts(user.id)
        .await?
        .into_iter()
        .map(|row| DraftSummary {
            id: stored_uuid(&row.id),
            kind: wire_kind(&row.kind),
            started_at: timestamp(row.started_at),
            saved_at: timestamp(row.saved_at),
        })
        .collect();
    Ok(Json(DraftList { items }))
}

/// One of the user's own drafts, with its content.
#[utoipa::path(get, path = "/drafts/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The draft's id")),
    responses(
        (status = 200, description = "The draft", body = Draft),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: the user has no draft by that id", body = ErrorBody)))]
pub(super) async fn draft(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Draft>, ApiError> {
    let id = path_uuid(&id)?;
    let row = state
        .store
        .draft(signed_in.user.id, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(wire_draft(row)))
}

/// Delete one of the user's own drafts.
#[utoipa::path(delete, path = "/drafts/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The draft's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: the user has no draft by that id", body = ErrorBody)))]
pub(super) async fn delete_draft(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = path_uuid(&id)?;
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = if tx.delete_draft(user.id, &id).await? {
        let entry = user_entry(&state, user, ClientAddr::at(signed_in.addr), "draft.delete", "success")
            .target(&format!("draft:{id}"));
        tx.audit(&entry).await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    };
    finish(tx, result).await
}
