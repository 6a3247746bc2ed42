//! `GET /incidents`: the incidents a user may see, paged with an opaque cursor.

use axum::Json;
use axum::extract::State;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiQuery};
use super::super::state::AppState;
use super::super::store::{IncidentRow, Viewer};
use super::common::{audit, decode_cursor, encode_cursor, page_limit, setting, timestamp, user_entry};
use crate::wire::{ErrorBody, IncidentKind, IncidentPage, IncidentQuery, IncidentSummary, IndividualRef, PupilName};

/// Default page size of `GET /incidents`.
const DEFAULT_LIMIT: u32 = 200;
/// Largest page size of `GET /incidents`.
const MAX_LIMIT: u32 = 1000;

/// The cursor after `row`.
fn incident_cursor(row: &IncidentRow) -> String {
    encode_cursor(&format!("{}.{}", row.occurred_at, row.number))
}

/// Parse an [`incident_cursor`].
fn parse_incident_cursor(text: &str) -> Option<(i64, i64)> {
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
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), parse_incident_cursor)?;
    let user = &signed_in.user;
    let since = query.since.map(|t| t.timestamp());
    let (rows, total) = state
        .store
        .incidents_page(Viewer::of(user), since, after, limit)
        .await?;
    let prefix = setting(&state).await?.incident_prefix;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(incident_cursor))
        .flatten();
    let entry = user_entry(&state, user, ClientAddr(signed_in.addr), "incidents.list", "success")
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
        more_individuals: 0,
    }
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
