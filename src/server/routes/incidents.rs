//! The incident routes: `GET /incidents` (the list, with filters), `POST /incidents` (a new
//! report, idempotent by its client-made id, its reference number taken in the write
//! transaction), `GET`/`PUT`/`DELETE /incidents/{ref}`, and the management calls on one
//! (parents informed, flag, staff accounts, the Markdown download).
//!
//! The access rule of every route taking a reference (SECURITY.md rule 57): the reader may see
//! the incident when they may see every individual it is about; otherwise, and for a deleted
//! incident or a reference that does not parse, the answer is the same 404 as for a missing
//! one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiJson, ApiQuery};
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::super::store::{Created, Edited, IncidentFilter, IncidentRow, Refusal, Viewer};
use super::clicks::conflict;
use super::common::{audit, decode_cursor, encode_cursor, finish, page_limit, setting, timestamp, user_entry};
use super::incident_check::{
    RETAIN, check_report, fields, parents_informed, parse_reference, reference, stored_kind, text, wire_incident,
    wire_kind,
};
use super::markdown::incident_markdown;
use crate::wire::{
    DeleteRequest, ErrorBody, FlagRequest, Incident, IncidentEdit, IncidentPage, IncidentQuery, IncidentSummary,
    IndividualRef, LONG_TEXT_MAX, MarkdownExport, NewAccount, NewIncident, ParentsInformed, PupilName, SHORT_TEXT_MAX,
};

/// Default page size of `GET /incidents`.
const DEFAULT_LIMIT: u32 = 200;
/// Largest page size of `GET /incidents`.
const MAX_LIMIT: u32 = 1000;

/// The cursor after `row`.
pub(super) fn incident_cursor(row: &IncidentRow) -> String {
    encode_cursor(&format!("{}.{}", row.occurred_at, row.number))
}

/// Parse an [`incident_cursor`].
pub(super) fn parse_incident_cursor(text: &str) -> Option<(i64, i64)> {
    let (at, number) = text.split_once('.')?;
    Some((at.parse().ok()?, number.parse().ok()?))
}

/// Incidents the user may see (every individual each is about), newest first, filtered.
/// Paged with an opaque cursor.
#[utoipa::path(get, path = "/incidents", tag = "records", params(IncidentQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of incidents", body = IncidentPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: `individual_id` names no individual the user may see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad filter (`until` not after `since`), `limit` or `cursor`", body = ErrorBody)))]
pub(super) async fn incidents(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<IncidentQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), parse_incident_cursor)?;
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    let since = query.since.map(|t| t.timestamp());
    let until = query.until.map(|t| t.timestamp());
    if let (Some(since), Some(until)) = (since, until)
        && until <= since
    {
        return Err(ApiError::invalid_request("`until` must be after `since`."));
    }
    if let Some(id) = query.individual_id
        && !state.store.can_see(viewer, id).await?
    {
        return Err(ApiError::not_found());
    }
    let filter = IncidentFilter {
        since,
        until,
        individual_id: query.individual_id,
        kind: query.kind.map(stored_kind),
        location_id: query.location_id,
        flagged: query.flagged,
        parents_informed: query.parents_informed,
        mine: query.mine.unwrap_or(false),
    };
    let (rows, total) = state.store.incidents_page(viewer, &filter, after, limit).await?;
    let prefix = setting(&state).await?.incident_prefix;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(incident_cursor))
        .flatten();
    let entry = user_entry(
        &state,
        user,
        ClientAddr::at(signed_in.addr),
        "incidents.list",
        "success",
    )
    .target("incidents")
    .detail(&format!("rows={} total={total}", rows.len()));
    audit(&state, entry).await?;
    let items = rows.into_iter().map(|r| incident_summary(r, &prefix)).collect();
    Ok(Json(IncidentPage {
        items,
        next_cursor,
        total,
    }))
}

/// The wire form of an incident row.
pub(super) fn incident_summary(r: IncidentRow, prefix: &str) -> IncidentSummary {
    IncidentSummary {
        reference: reference(prefix, r.number),
        occurred_at: timestamp(r.occurred_at),
        individual: IndividualRef {
            id: r.individual_id,
            name: PupilName::new(r.individual_name),
        },
        kind: wire_kind(&r.kind),
        category: r.category,
        location: r.location,
        flagged: r.flagged,
        parents_informed: r.parents_informed,
        more_individuals: u32::try_from(r.more_individuals).unwrap_or(0),
    }
}

/// The incident `number` as the signed-in user may see it now; 404 otherwise.
async fn read_incident(
    state: &AppState,
    signed_in: &AuthUser,
    prefix: &str,
    number: i64,
) -> Result<Incident, ApiError> {
    let detail = state
        .store
        .incident(Viewer::of(&signed_in.user), number)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(wire_incident(detail, prefix, &signed_in.user))
}

/// The 422 or 404 of a refused reference.
fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::NotFound => ApiError::not_found(),
        Refusal::Invalid(message) => ApiError::invalid_request(message),
    }
}

/// Submit an incident report (with Post-Incident Learning and, for a physical intervention, its
/// page). Its reference is the setting's next number. Staff present are invited to add their
/// account; the individuals' key staff are told.
#[utoipa::path(post, path = "/incidents", tag = "records", request_body = NewIncident, security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = Incident),
        (status = 200, description = "This report was submitted before (a retry): the same record and reference", body = Incident),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: an individual that does not exist or that the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the id was used for another report; nothing was recorded", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a field is missing, too long, holds a control character, a time is out of range, or an id is not on its list", body = ErrorBody)))]
pub(super) async fn create_incident(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(new): ApiJson<NewIncident>,
) -> Result<(StatusCode, Json<Incident>), ApiError> {
    let now = state.now();
    let input = check_report(&new, now)?;
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    let target = format!("incident:{}", input.id);
    let entry = |outcome: &str, detail: String| {
        user_entry(&state, user, ClientAddr::at(signed_in.addr), "incident.create", outcome)
            .target(&target)
            .detail(&detail)
    };
    let mut tx = state.store.begin().await?;
    let result = match tx.create_incident(viewer, user.id, &input, now, now + RETAIN).await? {
        Created::Refused(refusal) => {
            tx.audit(&entry("refused", String::new())).await?;
            Err(refused(refusal))
        }
        Created::Created { number, notified } => {
            let detail = format!(
                "number={number} individuals={} notified={notified}",
                input.subjects.len()
            );
            tx.audit(&entry("success", detail)).await?;
            Ok((StatusCode::CREATED, number))
        }
        Created::Existing(number) => {
            tx.audit(&entry("repeated", format!("number={number}"))).await?;
            Ok((StatusCode::OK, number))
        }
        Created::Conflict => {
            tx.audit(&entry("conflict", String::new())).await?;
            Err(conflict("report"))
        }
    };
    let (status, number) = finish(tx, result).await?;
    let prefix = setting(&state).await?.incident_prefix;
    Ok((status, Json(read_incident(&state, &signed_in, &prefix, number).await?)))
}

/// One incident with everything: PILD, the physical page, staff accounts, who was notified,
/// revisions, and what the reader may do with it. Audited.
#[utoipa::path(get, path = "/incidents/{reference}", tag = "records", security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference, e.g. `besmart-10281`")),
    responses(
        (status = 200, description = "The incident", body = Incident),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident, a deleted one, or one about an individual the user may not see", body = ErrorBody)))]
pub(super) async fn incident(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text): Path<String>,
) -> Result<Json<Incident>, ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text)?;
    let incident = read_incident(&state, &signed_in, &prefix, number).await?;
    let entry = user_entry(
        &state,
        &signed_in.user,
        ClientAddr::at(signed_in.addr),
        "incident.view",
        "success",
    )
    .target(&format!("incident:{}", incident.id));
    audit(&state, entry).await?;
    Ok(Json(incident))
}

/// Edit an incident: its author, or a role that edits every incident. What changed is kept as
/// a revision; an edit from an older revision is refused (409), so no change is lost.
#[utoipa::path(put, path = "/incidents/{reference}", tag = "records", request_body = IncidentEdit, security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference")),
    responses(
        (status = 200, description = "The incident as it now reads", body = Incident),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the user may see the incident but not edit it", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident (or one the user may not see), or an individual the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the incident changed since `base_revision`; reload it and edit again", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a field is refused as on submission, or the report's id or kind is not the incident's", body = ErrorBody)))]
pub(super) async fn edit_incident(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text): Path<String>,
    ApiJson(edit): ApiJson<IncidentEdit>,
) -> Result<Json<Incident>, ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text)?;
    let now = state.now();
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    let mut tx = state.store.begin().await?;
    // Whether the reader may see it comes before any check of the body: an incident they may
    // not see answers 404 whatever they send.
    let Some((id, _)) = tx.visible_incident(viewer, number).await? else {
        return finish(tx, Err(ApiError::not_found())).await;
    };
    let input = match check_report(&edit.report, now) {
        Ok(input) => input,
        Err(error) => return finish(tx, Err(error)).await,
    };
    let target = format!("incident:{id}");
    let entry = |outcome: &str, detail: String| {
        user_entry(&state, user, ClientAddr::at(signed_in.addr), "incident.edit", outcome)
            .target(&target)
            .detail(&detail)
    };
    let edit_all = permissions(user.role()).edit_incidents;
    let edited = tx
        .edit_incident(
            viewer,
            edit_all,
            number,
            i64::from(edit.base_revision),
            &input,
            now,
            fields,
        )
        .await?;
    let result = match edited {
        Edited::NotFound => Err(ApiError::not_found()),
        Edited::Forbidden => {
            tx.audit(&entry("refused", "not the author".into())).await?;
            Err(ApiError::forbidden(
                "Only the member of staff who reported this incident, or a pastoral lead or DSL, may edit it.",
            ))
        }
        Edited::Mismatch => Err(ApiError::invalid_request(
            "`report.id` and `report.kind` must be the incident's own.",
        )),
        Edited::Stale => {
            tx.audit(&entry("conflict", format!("base={}", edit.base_revision)))
                .await?;
            Err(ApiError::new(
                StatusCode::CONFLICT,
                crate::wire::codes::CONFLICT,
                "The incident was changed by someone else since you opened it. Reload it and make your edit again.",
            ))
        }
        Edited::Refused(refusal) => Err(refused(refusal)),
        Edited::Unchanged => {
            tx.audit(&entry("unchanged", String::new())).await?;
            Ok(())
        }
        Edited::Changed { revision, changes } => {
            tx.audit(&entry("success", format!("revision={revision} changes={changes}")))
                .await?;
            Ok(())
        }
    };
    finish(tx, result).await?;
    Ok(Json(read_incident(&state, &signed_in, &prefix, number).await?))
}

/// Record when and how parents or carers were told (overwrites an earlier record). Anyone who
/// may see the incident.
#[utoipa::path(post, path = "/incidents/{reference}/parents-informed", tag = "records", request_body = ParentsInformed, security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference")),
    responses(
        (status = 200, description = "The incident", body = Incident),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a time in the future or before the incident, or `how` empty or over 500 characters", body = ErrorBody)))]
pub(super) async fn set_parents_informed(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text): Path<String>,
    ApiJson(body): ApiJson<ParentsInformed>,
) -> Result<Json<Incident>, ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text)?;
    let now = state.now();
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = async {
        let (id, occurred_at) = tx
            .visible_incident(Viewer::of(user), number)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let (at, how) = parents_informed(body.at, &body.how, occurred_at, now)?;
        tx.set_parents_informed(&id, user.id, at, &how, now).await?;
        let entry = user_entry(
            &state,
            user,
            ClientAddr::at(signed_in.addr),
            "incident.parents_informed",
            "success",
        )
        .target(&format!("incident:{id}"));
        tx.audit(&entry).await?;
        Ok(())
    }
    .await;
    finish(tx, result).await?;
    Ok(Json(read_incident(&state, &signed_in, &prefix, number).await?))
}

/// Flag an incident for attention (the DSLs and the individuals' key staff are notified) or
/// clear the flag. Anyone who may see it.
#[utoipa::path(post, path = "/incidents/{reference}/flag", tag = "records", request_body = FlagRequest, security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference")),
    responses(
        (status = 200, description = "The incident", body = Incident),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: no reason given when flagging, or one over 500 characters", body = ErrorBody)))]
pub(super) async fn flag_incident(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text_ref): Path<String>,
    ApiJson(body): ApiJson<FlagRequest>,
) -> Result<Json<Incident>, ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text_ref)?;
    let now = state.now();
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = async {
        let (id, _) = tx
            .visible_incident(Viewer::of(user), number)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let reason = text("reason", &body.reason, body.flagged, SHORT_TEXT_MAX)?;
        let notified = tx.set_flag(&id, user.id, body.flagged, &reason, now).await?;
        let action = if body.flagged {
            "incident.flag"
        } else {
            "incident.unflag"
        };
        let entry = user_entry(&state, user, ClientAddr::at(signed_in.addr), action, "success")
            .target(&format!("incident:{id}"))
            .detail(&format!("notified={notified}"));
        tx.audit(&entry).await?;
        Ok(())
    }
    .await;
    finish(tx, result).await?;
    Ok(Json(read_incident(&state, &signed_in, &prefix, number).await?))
}

/// A member of staff named present adds their own account (once; a retry of the same account
/// answers 200).
#[utoipa::path(post, path = "/incidents/{reference}/accounts", tag = "records", request_body = NewAccount, security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference")),
    responses(
        (status = 201, description = "Added", body = Incident),
        (status = 200, description = "This account was added before (a retry)", body = Incident),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the user was not named as present", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident, or one the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the user already added another account, or the id was used for another", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: an empty or over-long account, or a control character", body = ErrorBody)))]
pub(super) async fn add_account(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text_ref): Path<String>,
    ApiJson(body): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<Incident>), ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text_ref)?;
    let now = state.now();
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = async {
        let detail = tx
            .incident(Viewer::of(user), number)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let id = detail.row.id.clone();
        let target = format!("incident:{id} account:{}", body.id);
        let entry = |outcome: &str| {
            user_entry(
                &state,
                user,
                ClientAddr::at(signed_in.addr),
                "incident.account",
                outcome,
            )
            .target(&target)
        };
        if !detail.staff.iter().any(|(staff_id, _)| *staff_id == user.id) {
            tx.audit(&entry("refused")).await?;
            return Err(ApiError::forbidden(
                "Only staff named as present may add their account to this incident.",
            ));
        }
        let account = text("text", &body.text, true, LONG_TEXT_MAX)?;
        match tx
            .add_account(&id, &body.id.to_string(), user.id, &account, now)
            .await?
        {
            Ok(true) => {
                tx.audit(&entry("success")).await?;
                Ok(StatusCode::CREATED)
            }
            Ok(false) => {
                tx.audit(&entry("repeated")).await?;
                Ok(StatusCode::OK)
            }
            Err(()) => {
                tx.audit(&entry("conflict")).await?;
                Err(ApiError::new(
                    StatusCode::CONFLICT,
                    crate::wire::codes::CONFLICT,
                    "You have already added your account to this incident (or this id was used for another).",
                ))
            }
        }
    }
    .await;
    let status = finish(tx, result).await?;
    Ok((status, Json(read_incident(&state, &signed_in, &prefix, number).await?)))
}

/// Delete an incident: it is hidden from everyone, never erased; the audit log keeps who,
/// when and why. Needs the delete permission.
#[utoipa::path(delete, path = "/incidents/{reference}", tag = "records", request_body = DeleteRequest, security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the user may not delete incidents", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: no reason, or one over 500 characters", body = ErrorBody)))]
pub(super) async fn delete_incident(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text_ref): Path<String>,
    ApiJson(body): ApiJson<DeleteRequest>,
) -> Result<StatusCode, ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text_ref)?;
    let now = state.now();
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = async {
        let (id, _) = tx
            .visible_incident(Viewer::of(user), number)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let target = format!("incident:{id}");
        if !permissions(user.role()).delete_incidents {
            let entry = user_entry(
                &state,
                user,
                ClientAddr::at(signed_in.addr),
                "incident.delete",
                "refused",
            )
            .target(&target);
            tx.audit(&entry).await?;
            return Err(ApiError::forbidden(
                "Only a DSL or an administrator may delete an incident.",
            ));
        }
        let reason = text("reason", &body.reason, true, SHORT_TEXT_MAX)?;
        tx.delete_incident(&id, user.id, &reason, now).await?;
        let reason_json = serde_json::to_string(&reason).unwrap_or_default();
        let entry = user_entry(
            &state,
            user,
            ClientAddr::at(signed_in.addr),
            "incident.delete",
            "success",
        )
        .target(&target)
        .detail(&format!("reason={}", reason_json.escape_default()));
        tx.audit(&entry).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    finish(tx, result).await
}

/// The incident as a Markdown document to save (every field, PILD, the physical page,
/// accounts and revisions; control characters removed). Audited as an export.
#[utoipa::path(get, path = "/incidents/{reference}/markdown", tag = "records", security(("bearer" = [])),
    params(("reference" = String, Path, description = "The incident's reference")),
    responses(
        (status = 200, description = "The document", body = MarkdownExport),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such incident, or one the user may not see", body = ErrorBody)))]
pub(super) async fn incident_export(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(text_ref): Path<String>,
) -> Result<Json<MarkdownExport>, ApiError> {
    let prefix = setting(&state).await?.incident_prefix;
    let number = parse_reference(&prefix, &text_ref)?;
    let incident = read_incident(&state, &signed_in, &prefix, number).await?;
    let entry = user_entry(
        &state,
        &signed_in.user,
        ClientAddr::at(signed_in.addr),
        "incident.export",
        "success",
    )
    .target(&format!("incident:{}", incident.id));
    audit(&state, entry).await?;
    Ok(Json(MarkdownExport {
        filename: format!("{}.md", incident.reference),
        markdown: incident_markdown(&incident),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let row = IncidentRow {
            number: 10_281,
            occurred_at: 1_700_000_000,
            individual_id: 1,
            individual_name: String::new(),
            kind: String::new(),
            category: String::new(),
            location: String::new(),
            flagged: false,
            parents_informed: false,
            more_individuals: 0,
        };
        let cursor = incident_cursor(&row);
        assert_eq!(
            decode_cursor(Some(&cursor), parse_incident_cursor).unwrap(),
            Some((1_700_000_000, 10_281))
        );
        for bad in ["", "abc", "!!!!", &"A".repeat(200), "MTIz"] {
            assert!(decode_cursor(Some(bad), parse_incident_cursor).is_err(), "{bad}");
        }
    }
}
