//! `GET /individuals/{id}/chronology`: a pupil's incidents, clicks and communications in one
//! timeline, newest first, paged by an opaque cursor on (time, source, id), so that pages
//! never repeat or skip an entry while new records arrive.
//!
//! Who may: whoever may open the profile (SECURITY.md rule 73): the individual is looked up
//! through the one access rule, and one the user may not see is 404 with the very body of one
//! that does not exist. Each read is audited (`individual.chronology`, ids and a count only).

use axum::Json;
use axum::extract::{Path, State};

use super::super::auth::AuthUser;
use super::super::error::{ApiError, ApiQuery};
use super::super::state::AppState;
use super::super::store::{ChronologyKey, ChronologyRow, ChronologySource, Viewer};
use super::common::{decode_cursor, encode_cursor, page_limit, setting, staff, timestamp};
use super::communications::wire_tone;
use super::incident_check::{reference, wire_kind};
use super::individuals::{audit_view, visible_individual};
use crate::wire::{ChronologyEntry, ChronologyItem, ChronologyPage, ChronologyQuery, ErrorBody};

/// Default page size.
const DEFAULT_LIMIT: u32 = 100;
/// Largest page size.
const MAX_LIMIT: u32 = 500;
/// Most characters of a communication's first line in an entry.
const MESSAGE_CHARS: usize = 200;

/// The cursor after the entry `key`.
fn chronology_cursor(key: &ChronologyKey) -> String {
    encode_cursor(&format!("{}.{}.{}", key.at, key.source.name(), key.id))
}

/// Parse a [`chronology_cursor`].
fn parse_chronology_cursor(text: &str) -> Option<ChronologyKey> {
    let mut parts = text.splitn(3, '.');
    let at = parts.next()?.parse().ok()?;
    let source = ChronologySource::from_name(parts.next()?)?;
    let id = uuid::Uuid::parse_str(parts.next()?).ok()?.to_string();
    Some(ChronologyKey { at, source, id })
}

/// The first line of `message`, cut to [`MESSAGE_CHARS`] characters.
fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(MESSAGE_CHARS)
        .collect()
}

/// The wire entry of `row`, references written with the setting's `prefix`.
fn entry(row: ChronologyRow, prefix: &str) -> ChronologyEntry {
    let item = match ChronologySource::from_name(&row.source) {
        Some(ChronologySource::Incident) => ChronologyItem::Incident {
            reference: reference(prefix, row.number.unwrap_or_default()),
            kind: wire_kind(row.kind.as_deref().unwrap_or_default()),
            category: row.category.unwrap_or_default(),
            location: row.location.unwrap_or_default(),
            flagged: row.flagged.unwrap_or_default(),
        },
        Some(ChronologySource::Click) => ChronologyItem::Click {
            behaviour: row.behaviour.unwrap_or_default(),
        },
        Some(ChronologySource::Communication) | None => ChronologyItem::Communication {
            tone: wire_tone(row.tone.as_deref().unwrap_or_default()),
            message: first_line(row.message.as_deref().unwrap_or_default()),
        },
    };
    ChronologyEntry {
        at: timestamp(row.at),
        by: staff(row.by_id, row.by_name),
        item,
    }
}

/// A page of the chronology of individual `id`: the incidents about them that the user may see
/// (not deleted), their clicks (not undone) and the communications about them, newest first.
#[utoipa::path(get, path = "/individuals/{id}/chronology", tag = "records", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Individual id"), ChronologyQuery),
    responses(
        (status = 200, description = "A page of the chronology, newest first", body = ChronologyPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad `limit` or `cursor`, or a parameter given twice", body = ErrorBody)))]
pub(super) async fn chronology(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ChronologyQuery>,
) -> Result<Json<ChronologyPage>, ApiError> {
    let row = visible_individual(&state, &signed_in.user, &id).await?;
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), parse_chronology_cursor)?;
    let rows = state
        .store
        .chronology(Viewer::of(&signed_in.user), row.id, after.as_ref(), limit)
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().and_then(ChronologyRow::key))
        .flatten()
        .map(|key| chronology_cursor(&key));
    let prefix = setting(&state).await?.incident_prefix;
    audit_view(&state, &signed_in, "individual.chronology", row.id).await?;
    Ok(Json(ChronologyPage {
        items: rows.into_iter().map(|r| entry(r, &prefix)).collect(),
        next_cursor,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = ChronologyKey {
            at: 1_764_000_000,
            source: ChronologySource::Communication,
            id: uuid::Uuid::new_v4().to_string(),
        };
        let cursor = chronology_cursor(&key);
        assert_eq!(
            decode_cursor(Some(&cursor), parse_chronology_cursor).unwrap(),
            Some(key)
        );
        let uuid = uuid::Uuid::nil();
        for bad in [
            encode_cursor("x.click.00000000-0000-0000-0000-000000000000"),
            encode_cursor(&format!("1.plan.{uuid}")),
            encode_cursor("1.click.not-a-uuid"),
            encode_cursor("1.click"),
            "%%%".to_string(),
        ] {
            assert!(decode_cursor(Some(&bad), parse_chronology_cursor).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_message_is_its_first_line_of_at_most_200_characters() {
        assert_eq!(first_line("Good work today\nSecond line"), "Good work today");
        assert_eq!(first_line(&"é".repeat(300)).chars().count(), 200);
        assert_eq!(first_line(""), "");
    }
}
