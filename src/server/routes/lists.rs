//! `GET /behaviours` and `GET /periods`: the clicker's behaviours and the setting's bell times.

use axum::Json;
use axum::extract::State;
use chrono::NaiveTime;

use super::super::auth::AuthUser;
use super::super::error::ApiError;
use super::super::state::AppState;
use crate::wire::{Behaviour, BehaviourList, BellPeriod, ErrorBody, PeriodList, Sentiment};

/// The active behaviours, in clicker order.
#[utoipa::path(get, path = "/behaviours", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Behaviours", body = BehaviourList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn behaviours(
    State(state): State<AppState>,
    _signed_in: AuthUser,
) -> Result<Json<BehaviourList>, ApiError> {
    let items = state
        .store
        .behaviours()
        .await?
        .into_iter()
        .map(|row| Behaviour {
            id: row.id,
            name: row.name,
            sentiment: match row.sentiment.as_str() {
                "positive" => Sentiment::Positive,
                "negative" => Sentiment::Negative,
                _ => Sentiment::Neutral,
            },
            position: row.position,
        })
        .collect();
    Ok(Json(BehaviourList { items }))
}

/// A time of day from minutes after midnight (midnight if out of range).
fn time_of_day(minutes: i64) -> NaiveTime {
    u32::try_from(minutes)
        .ok()
        .and_then(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
        .unwrap_or_default()
}

/// The setting's bell times, first period first (times in the setting's local time).
#[utoipa::path(get, path = "/periods", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Bell times", body = PeriodList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn periods(State(state): State<AppState>, _signed_in: AuthUser) -> Result<Json<PeriodList>, ApiError> {
    let items = state
        .store
        .bell_times()
        .await?
        .into_iter()
        .map(|row| BellPeriod {
            number: u32::try_from(row.number).unwrap_or_default(),
            name: row.name,
            starts: time_of_day(row.starts_minute),
            ends: time_of_day(row.ends_minute),
        })
        .collect();
    Ok(Json(PeriodList { items }))
}
