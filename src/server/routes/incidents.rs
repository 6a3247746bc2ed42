//! `GET /incidents`: the incidents a user may see, paged with an opaque cursor.

use axum::Json;
use axum::extract::State;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiQuery};
use super::super::state::AppState;
use super::super::store::{IncidentRow, Viewer};
use super::common::{audit, setting, timestamp, user_entry};
use crate::wire::{ErrorBody, IncidentKind, IncidentPage, IncidentQuery, IncidentSummary, IndividualRef, PupilName};

/// Default page size of `GET /incidents`.
const DEFAULT_LIMIT: u32 = 200;
/// Largest page size of `GET /incidents`.
const MAX_LIMIT: u32 = 1000;

pub(super) fn encode_cursor(row: &IncidentRow) -> String {
    data_encoding::BASE64URL_NOPAD.encode(format!("{}.{}", row.occurred_at, row.number).as_bytes())
}

pub(super) fn decode_cursor(cursor: &str) -> Option<(i64, i64)> {
    if cursor.len() > 64 {
        return None;
    }
    let bytes = data_encoding::BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (at, number) = text.split_once('.')?;
    Some((at.parse().ok()?, number.parse().ok()?))
}

/// Incidents the user may see, newest first (staff: only about individuals they have access
/// to). Paged with an opaque cursor.
#[utoipa::path(get, path = "/incidents", tag = "records", params(IncidentQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of incidents", body = IncidentPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad `since`, `limit` or `cursor`", body = ErrorBody)))]
pub(super) async fn incidents(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<IncidentQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_request(format!(
            "`limit` must be between 1 and {MAX_LIMIT}."
        )));
    }
    let after = match &query.cursor {
        Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| ApiError::invalid_request("`cursor` is not valid."))?),
        None => None,
    };
    let user = &signed_in.user;
    let since = query.since.map(|t| t.timestamp());
    let (rows, total) = state
        .store
        .incidents_page(Viewer::of(user), since, after, i64::from(limit))
        .await?;
    let prefix = setting(&state).await?.incident_prefix;
    let next_cursor = (rows.len() == limit as usize)
        .then(|| rows.last().map(encode_cursor))
        .flatten();
    let entry = user_entry(&state, user, ClientAddr(signed_in.addr), "incidents.list", "success")
        .target("incidents")
        .detail(&format!("rows={} total={total}", rows.len()));
    audit(&state, entry).await?;
    let items = rows
        .into_iter()
        .map(|r| IncidentSummary {
            reference: format!("{prefix}-{}", r.number),
            occurred_at: timestamp(r.occurred_at),
            individual: IndividualRef {
                id: r.individual_id,
                name: PupilName::new(r.individual_name),
            },
            kind: if r.kind == "physical_intervention" {
                IncidentKind::PhysicalIntervention
            } else {
                IncidentKind::Incident
            },
            category: r.category,
            location: r.location,
            flagged: r.flagged,
            parents_informed: r.parents_informed,
        })
        .collect();
    Ok(Json(IncidentPage {
        items,
        next_cursor,
        total,
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
        };
        assert_eq!(decode_cursor(&encode_cursor(&row)), Some((1_700_000_000, 10_281)));
        for bad in ["", "abc", "!!!!", &"A".repeat(100), "MTIz"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
