//! Smart Plans: `GET`/`POST /plans`, `GET`/`PUT`/`DELETE /plans/{id}` and the Markdown
//! download. A plan is visible to whoever may see its individual (404 otherwise, like a
//! missing one or an id that is not a UUID); anyone who may see it may edit it; deleting
//! needs the delete-plans permission and hides it (never erased).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiJson, ApiQuery};
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::super::store::{PlanFullRow, PlanInput, PlanWritten, UserRow, Viewer};
use super::clicks::conflict;
use super::common::{audit, finish, path_uuid, setting, staff, timestamp, user_entry};
use super::incident_check::{parse_reference, reference, text};
use super::markdown::plan_markdown;
use crate::wire::{
    DeleteRequest, ErrorBody, IndividualRef, LONG_TEXT_MAX, MarkdownExport, NewPlan, Plan, PlanList, PlanQuery,
    PlanSummary, PupilName, SHORT_TEXT_MAX,
};

/// Most plans of `GET /plans`.
const MAX_PLANS: i64 = 500;
/// Longest title.
const TITLE_MAX: usize = 200;

/// Check `new` into the store's input (the source reference parsed with the setting's prefix;
/// one that does not parse is refused like one the user may not see).
fn check_plan(new: &NewPlan, prefix: &str, today: NaiveDate) -> Result<PlanInput, ApiError> {
    let title = text("title", &new.title, true, TITLE_MAX)?;
    let texts = [
        text("strategies", &new.strategies, false, LONG_TEXT_MAX)?,
        text(
            "reasonable_adjustments",
            &new.reasonable_adjustments,
            false,
            LONG_TEXT_MAX,
        )?,
        text("agreed_responses", &new.agreed_responses, false, LONG_TEXT_MAX)?,
        text("follow_up", &new.follow_up, false, LONG_TEXT_MAX)?,
    ];
    if texts.iter().all(|t| t.trim().is_empty()) {
        return Err(ApiError::invalid_request(
            "The plan is empty: write its strategies, adjustments, agreed responses or follow-up.",
        ));
    }
    if let Some(day) = new.review_on {
        let latest = today.checked_add_signed(chrono::Duration::days(731)).unwrap_or(today);
        if day < today || day > latest {
            return Err(ApiError::invalid_request(
                "`review_on` must be today or later, and at most two years ahead.",
            ));
        }
    }
    let source_number = match &new.source_incident_reference {
        Some(r) => Some(parse_reference(prefix, r).map_err(|_| bad_source())?),
        None => None,
    };
    Ok(PlanInput {
        id: new.id.to_string(),
        individual_id: new.individual_id,
        title,
        texts,
        review_on: new.review_on.map(|d| d.to_string()),
        source_number,
        hash: hex::encode(Sha256::digest(serde_json::to_vec(new).unwrap_or_default())),
    })
}

/// The 422 of a source incident the user may not use.
fn bad_source() -> ApiError {
    ApiError::invalid_request("`source_incident_reference` is not an incident you may see about this individual.")
}

/// The wire form of a plan row.
fn wire_plan(row: PlanFullRow, prefix: &str, reader: &UserRow) -> Plan {
    Plan {
        id: row.id,
        individual: IndividualRef {
            id: row.individual_id,
            name: PupilName::new(row.individual_name),
        },
        title: row.title,
        strategies: row.strategies,
        reasonable_adjustments: row.reasonable_adjustments,
        agreed_responses: row.agreed_responses,
        follow_up: row.follow_up,
        review_on: row.review_on.and_then(|d| d.parse().ok()),
        source_incident_reference: row.source_incident_number.map(|n| reference(prefix, n)),
        created_by: staff(row.created_by, row.created_by_name),
        created_at: timestamp(row.created_at),
        updated_by: staff(row.updated_by, row.updated_by_name),
        updated_at: timestamp(row.updated_at),
        can_delete: permissions(reader.role()).delete_plans,
    }
}

/// Plan `id` as the reader may see it; 404 otherwise.
async fn read_plan(state: &AppState, signed_in: &AuthUser, prefix: &str, id: &str) -> Result<Plan, ApiError> {
    let row = state
        .store
        .plan(Viewer::of(&signed_in.user), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(wire_plan(row, prefix, &signed_in.user))
}

/// The plans the user may see (of one individual, or all), most recently changed first (at
/// most 500).
#[utoipa::path(get, path = "/plans", tag = "records", params(PlanQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Plans", body = PlanList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: `individual_id` names no individual the user may see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad `individual_id`", body = ErrorBody)))]
pub(super) async fn plans(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<PlanQuery>,
) -> Result<Json<PlanList>, ApiError> {
    let viewer = Viewer::of(&signed_in.user);
    if let Some(id) = query.individual_id
        && !state.store.can_see(viewer, id).await?
    {
        return Err(ApiError::not_found());
    }
    let rows = state.store.plans_list(viewer, query.individual_id, MAX_PLANS).await?;
    let prefix = setting(&state).await?.incident_prefix;
    let target = query
        .individual_id
        .map_or_else(|| "plans".to_string(), |id| format!("individual:{id}"));
    let entry = user_entry(
        &state,
        &signed_in.user,
        ClientAddr::at(signed_in.addr),
        "plans.list",
        "success",
    )
    .target(&target)
    .detail(&format!("rows={}", rows.len()));
    audit(&state, entry).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let plan = wire_plan(row, &prefix, &signed_in.user);
            PlanSummary {
                id: plan.id,
                individual: plan.individual,
                title: plan.title,
                strategies: plan.strategies,
                review_on: plan.review_on,
                source_incident_reference: plan.source_incident_reference,
                created_by: plan.created_by,
                updated_at: plan.updated_at,
            }
        })
        .collect();
    Ok(Json(PlanList { items }))
}

/// The outcome of a plan write as an answer.
fn written(outcome: PlanWritten) -> Result<StatusCode, ApiError> {
    match outcome {
        PlanWritten::NotFound => Err(ApiError::not_found()),
        PlanWritten::BadSource => Err(bad_source()),
        PlanWritten::Mismatch => Err(ApiError::invalid_request(
            "`id` and `individual_id` must be the plan's own.",
        )),
        PlanWritten::Conflict => Err(conflict("plan")),
        PlanWritten::Created => Ok(StatusCode::CREATED),
        PlanWritten::Existing | PlanWritten::Updated => Ok(StatusCode::OK),
    }
}

/// The audit outcome of a plan write.
fn outcome_name(outcome: &PlanWritten) -> &'static str {
    match outcome {
        PlanWritten::Created | PlanWritten::Updated => "success",
        PlanWritten::Existing => "repeated",
        PlanWritten::Conflict => "conflict",
        _ => "refused",
    }
}

/// Write a Smart Plan for an individual the user may see (idempotent by id; the author's
/// draft with that id is deleted).
#[utoipa::path(post, path = "/plans", tag = "records", request_body = NewPlan, security(("bearer" = [])),
    responses(
        (status = 201, description = "Written", body = Plan),
        (status = 200, description = "This plan was written before (a retry)", body = Plan),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the id was used for another plan", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a missing or over-long field, an empty plan, a review date out of range, or a source incident the user may not use", body = ErrorBody)))]
pub(super) async fn create_plan(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(new): ApiJson<NewPlan>,
) -> Result<(StatusCode, Json<Plan>), ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let now = state.now();
    let input = check_plan(&new, &prefix, timestamp(now).date_naive())?;
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let outcome = tx.create_plan(Viewer::of(user), &input, now).await?;
    let entry = user_entry(
        &state,
        user,
        ClientAddr::at(signed_in.addr),
        "plan.create",
        outcome_name(&outcome),
    )
    .target(&format!("plan:{}", input.id));
    tx.audit(&entry).await?;
    let status = finish(tx, written(outcome)).await?;
    Ok((status, Json(read_plan(&state, &signed_in, &prefix, &input.id).await?)))
}

/// The plan whose id is `text` (a UUID, else 404), read for the signed-in user, with an audit
/// row `action` (a view or an export).
async fn read_plan_audited(
    state: &AppState,
    signed_in: &AuthUser,
    text: &str,
    action: &str,
) -> Result<(String, Plan), ApiError> {
    let id = path_uuid(text)?;
    let prefix = setting(state).await?.incident_prefix;
    let plan = read_plan(state, signed_in, &prefix, &id).await?;
    let entry = user_entry(
        state,
        &signed_in.user,
        ClientAddr::at(signed_in.addr),
        action,
        "success",
    )
    .target(&format!("plan:{id}"));
    audit(state, entry).await?;
    Ok((id, plan))
}

/// One Smart Plan. Audited.
#[utoipa::path(get, path = "/plans/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The plan", body = Plan),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such plan, a deleted one, or one for an individual the user may not see", body = ErrorBody)))]
pub(super) async fn plan(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Plan>, ApiError> {
    Ok(Json(read_plan_audited(&state, &signed_in, &id, "plan.view").await?.1))
}

/// Replace a Smart Plan (the body's `id` and `individual_id` are the plan's). Anyone who may
/// see its individual.
#[utoipa::path(put, path = "/plans/{id}", tag = "records", request_body = NewPlan, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The plan as it now reads", body = Plan),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such plan, or one the user may not see", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a field refused as on `POST`, or an id or individual that is not the plan's", body = ErrorBody)))]
pub(super) async fn edit_plan(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewPlan>,
) -> Result<Json<Plan>, ApiError> {
    let id = path_uuid(&id)?;
    let prefix = setting(&state).await?.incident_prefix;
    let now = state.now();
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    let mut tx = state.store.begin().await?;
    let result = async {
        if !tx.plan_visible(viewer, &id).await? {
            return Err(ApiError::not_found());
        }
        if new.id.to_string() != id {
            return Err(ApiError::invalid_request("`id` must be the plan's own."));
        }
        let input = check_plan(&new, &prefix, timestamp(now).date_naive())?;
        let outcome = tx.update_plan(viewer, &input, now).await?;
        let entry = user_entry(
            &state,
            user,
            ClientAddr::at(signed_in.addr),
            "plan.edit",
            outcome_name(&outcome),
        )
        .target(&format!("plan:{id}"));
        tx.audit(&entry).await?;
        written(outcome)
    }
    .await;
    finish(tx, result).await?;
    Ok(Json(read_plan(&state, &signed_in, &prefix, &id).await?))
}

/// Delete a Smart Plan: hidden, never erased; the audit log keeps who, when and why. Needs the
/// delete-plans permission.
#[utoipa::path(delete, path = "/plans/{id}", tag = "records", request_body = DeleteRequest, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The plan's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the user may not delete plans", body = ErrorBody),
        (status = 404, description = "`not_found`: no such plan, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: no reason, or one over 500 characters", body = ErrorBody)))]
pub(super) async fn delete_plan(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeleteRequest>,
) -> Result<StatusCode, ApiError> {
    let id = path_uuid(&id)?;
    let now = state.now();
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = async {
        if !tx.plan_visible(Viewer::of(user), &id).await? {
            return Err(ApiError::not_found());
        }
        let target = format!("plan:{id}");
        if !permissions(user.role()).delete_plans {
            let entry =
                user_entry(&state, user, ClientAddr::at(signed_in.addr), "plan.delete", "refused").target(&target);
            tx.audit(&entry).await?;
            return Err(ApiError::forbidden(
                "Only a pastoral lead, a DSL or an administrator may delete a plan.",
            ));
        }
        let reason = text("reason", &body.reason, true, SHORT_TEXT_MAX)?;
        tx.delete_plan(&id, user.id, &reason, now).await?;
        let reason_json = serde_json::to_string(&reason).unwrap_or_default();
        let entry = user_entry(&state, user, ClientAddr::at(signed_in.addr), "plan.delete", "success")
            .target(&target)
            .detail(&format!("reason={}", reason_json.escape_default()));
        tx.audit(&entry).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    finish(tx, result).await
}

/// The plan as a Markdown document to save. Audited as an export.
#[utoipa::path(get, path = "/plans/{id}/markdown", tag = "records", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The document", body = MarkdownExport),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such plan, or one the user may not see", body = ErrorBody)))]
pub(super) async fn plan_export(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<MarkdownExport>, ApiError> {
    let (id, plan) = read_plan_audited(&state, &signed_in, &id, "plan.export").await?;
    Ok(Json(MarkdownExport {
        filename: format!("smart-plan-{id}.md"),
        markdown: plan_markdown(&plan),
    }))
}
