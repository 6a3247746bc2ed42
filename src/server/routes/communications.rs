//! `POST /communications`, `GET /communications` and `POST /communications/{id}/responses`:
//! Behaviour Communications, sent to an individual's key staff, and their threads.
//!
//! Like clicks, each is idempotent by its client-made id (200 for the same message again, 409
//! for another under the same id). The text is checked here: trimmed, 1 to 4,000 characters,
//! no control character but new lines and tabs (bidi characters are accepted: the client
//! neutralises them when it draws). The recipients are notified in the transaction that writes
//! the message and its audit row.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiJson, ApiQuery};
use super::super::state::AppState;
use super::super::store::{About, CommunicationRow, NewMessage, ResponseRow, Viewer, Written};
use super::clicks::conflict;
use super::common::{
    audit, decode_cursor, finish, page_limit, parse_time_id, path_uuid, staff, stored_uuid, time_id_cursor, timestamp,
    user_entry,
};
use crate::wire::{
    Communication, CommunicationPage, CommunicationQuery, CommunicationResponse, ErrorBody, IndividualRef,
    NewCommunication, NewResponse, PupilName, Tone,
};

/// Most characters of a message.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Default page size of `GET /communications`.
const DEFAULT_LIMIT: u32 = 50;
/// Largest page size of `GET /communications`.
const MAX_LIMIT: u32 = 200;

/// The message as stored: trimmed, 1 to [`MAX_MESSAGE_CHARS`] characters, without control
/// characters other than `\n` and `\t`; otherwise a 422 that says what to change.
pub(super) fn checked_message(text: &str) -> Result<&str, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid_request(
            "The message is empty: write something to send.",
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(ApiError::invalid_request(format!(
            "The message is {chars} characters long; it may be at most 4,000. Shorten it and send it again."
        )));
    }
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(ApiError::invalid_request(format!(
            "The message holds the control character U+{:04X} ({}) at character {}; only new lines and tabs \
             may be used. Remove it and send the message again.",
            c as u32,
            control_name(c),
            at + 1
        )));
    }
    Ok(text)
}

/// What a control character is called.
pub(super) fn control_name(c: char) -> &'static str {
    match c {
        '\0' => "NUL",
        '\r' => "CR, a carriage return",
        '\u{1b}' => "ESC, which starts terminal escape sequences",
        '\u{7f}' => "DEL",
        '\u{80}'..='\u{9f}' => "a C1 control",
        _ => "a C0 control",
    }
}

/// A tone as stored.
fn stored_tone(tone: Tone) -> &'static str {
    match tone {
        Tone::Positive => "positive",
        Tone::Negative => "negative",
        Tone::Na => "na",
    }
}

/// The wire tone of a stored one.
pub(super) fn wire_tone(stored: &str) -> Tone {
    match stored {
        "positive" => Tone::Positive,
        "negative" => Tone::Negative,
        _ => Tone::Na,
    }
}

/// The wire form of a response row.
fn wire_response(row: ResponseRow) -> CommunicationResponse {
    CommunicationResponse {
        id: stored_uuid(&row.id),
        author: staff(row.author_id, row.author_name),
        message: row.message,
        created_at: timestamp(row.created_at),
    }
}

/// `rows` with their recipients and responses, as the wire has them.
pub(super) async fn with_threads(
    state: &AppState,
    viewer: Viewer,
    rows: Vec<CommunicationRow>,
) -> Result<Vec<Communication>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let (recipients, responses) = state.store.threads(viewer, &ids).await?;
    let mut sent_to: HashMap<String, Vec<_>> = HashMap::new();
    for r in recipients {
        sent_to
            .entry(r.communication_id)
            .or_default()
            .push(staff(r.user_id, r.name));
    }
    let mut answers: HashMap<String, Vec<_>> = HashMap::new();
    for r in responses {
        answers
            .entry(r.communication_id.clone())
            .or_default()
            .push(wire_response(r));
    }
    Ok(rows
        .into_iter()
        .map(|row| Communication {
            id: stored_uuid(&row.id),
            individual: IndividualRef {
                id: row.individual_id,
                name: PupilName::new(row.individual_name),
            },
            author: staff(row.author_id, row.author_name),
            tone: wire_tone(&row.tone),
            message: row.message,
            created_at: timestamp(row.created_at),
            recipients: sent_to.remove(&row.id).unwrap_or_default(),
            responses: answers.remove(&row.id).unwrap_or_default(),
        })
        .collect())
}

/// Write `new` as the signed-in user with its audit row (`action` on `target`) in one
/// transaction: `Ok(true)` when it is new, `Ok(false)` when it was written before.
async fn write(
    state: &AppState,
    signed_in: &AuthUser,
    new: &NewMessage<'_>,
    action: &str,
    target: &str,
) -> Result<bool, ApiError> {
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let written = tx.write_message(Viewer::of(user), new).await?;
    let entry = |outcome: &str, detail: String| {
        user_entry(state, user, ClientAddr::at(signed_in.addr), action, outcome)
            .target(target)
            .detail(&detail)
    };
    let result = match written {
        Written::NotFound => Err(ApiError::not_found()),
        Written::Created { notified } => {
            tx.audit(&entry("success", format!("notified={}", notified.len())))
                .await?;
            Ok(true)
        }
        Written::Existing => {
            tx.audit(&entry("repeated", String::new())).await?;
            Ok(false)
        }
        Written::Conflict => {
            tx.audit(&entry("conflict", String::new())).await?;
            Err(conflict("message"))
        }
    };
    finish(tx, result).await
}

/// 201 for a new record, 200 for one written before.
fn created(new: bool) -> StatusCode {
    if new { StatusCode::CREATED } else { StatusCode::OK }
}

/// Write a communication about an individual, sent to their key staff (but the author), each
/// of whom is notified.
#[utoipa::path(post, path = "/communications", tag = "records", request_body = NewCommunication, security(("bearer" = [])),
    responses(
        (status = 201, description = "Sent", body = Communication),
        (status = 200, description = "This communication was sent before (a retry)", body = Communication),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the id was used for another message; nothing was recorded", body = ErrorBody),
        (status = 422, description = "`invalid_request`: an empty or over-long message, a control character, or a bad body", body = ErrorBody)))]
pub(super) async fn create_communication(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(new): ApiJson<NewCommunication>,
) -> Result<(StatusCode, Json<Communication>), ApiError> {
    let message = checked_message(&new.message)?;
    let id = new.id.to_string();
    let message = NewMessage {
        id: &id,
        about: About::Individual(new.individual_id, stored_tone(new.tone)),
        author_id: signed_in.user.id,
        message,
        now: state.now(),
    };
    let target = format!("communication:{id}");
    let fresh = write(&state, &signed_in, &message, "communication.create", &target).await?;
    let viewer = Viewer::of(&signed_in.user);
    let row = state
        .store
        .communication(viewer, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut communication = with_threads(&state, viewer, vec![row]).await?;
    let communication = communication.pop().ok_or_else(ApiError::internal)?;
    Ok((created(fresh), Json(communication)))
}

/// Answer in a communication's thread; its author and its other recipients are notified.
#[utoipa::path(post, path = "/communications/{id}/responses", tag = "records", request_body = NewResponse, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The communication's id")),
    responses(
        (status = 201, description = "Sent", body = CommunicationResponse),
        (status = 200, description = "This response was sent before (a retry)", body = CommunicationResponse),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such communication, or one about an individual the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the id was used for another message; nothing was recorded", body = ErrorBody),
        (status = 422, description = "`invalid_request`: an empty or over-long message, a control character, or a bad body", body = ErrorBody)))]
pub(super) async fn respond(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(communication): Path<String>,
    ApiJson(new): ApiJson<NewResponse>,
) -> Result<(StatusCode, Json<CommunicationResponse>), ApiError> {
    let communication = path_uuid(&communication)?;
    let message = checked_message(&new.message)?;
    let id = new.id.to_string();
    let message = NewMessage {
        id: &id,
        about: About::Thread(&communication),
        author_id: signed_in.user.id,
        message,
        now: state.now(),
    };
    let target = format!("communication:{communication} response:{id}");
    let fresh = write(&state, &signed_in, &message, "communication.respond", &target).await?;
    let row = state
        .store
        .response(Viewer::of(&signed_in.user), &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((created(fresh), Json(wire_response(row))))
}

/// The communications the user may see (of one individual, or all), newest first, with their
/// recipients and responses; `individual_id` of an individual the user may not see is 404.
#[utoipa::path(get, path = "/communications", tag = "records", params(CommunicationQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of communications", body = CommunicationPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad `limit` or `cursor`", body = ErrorBody)))]
pub(super) async fn communications(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<CommunicationQuery>,
) -> Result<Json<CommunicationPage>, ApiError> {
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), parse_time_id)?;
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    if let Some(individual_id) = query.individual_id
        && !state.store.can_see(viewer, individual_id).await?
    {
        return Err(ApiError::not_found());
    }
    let rows = state
        .store
        .communications_page(viewer, query.individual_id, after, limit)
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|row| time_id_cursor(row.created_at, &row.id)))
        .flatten();
    let target = query
        .individual_id
        .map_or_else(|| "communications".to_string(), |id| format!("individual:{id}"));
    let entry = user_entry(
        &state,
        user,
        ClientAddr::at(signed_in.addr),
        "communications.list",
        "success",
    )
    .target(&target)
    .detail(&format!("rows={}", rows.len()));
    audit(&state, entry).await?;
    let items = with_threads(&state, viewer, rows).await?;
    Ok(Json(CommunicationPage { items, next_cursor }))
}
