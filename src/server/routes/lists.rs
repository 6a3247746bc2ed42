//! `GET /behaviours` and `GET /periods` (the clicker's behaviours and the setting's bell times), and
//! the lists an incident report names: `GET /locations`, `/incident-categories`, `/techniques`
//! and `/staff`.

use axum::Json;
use axum::extract::State;
use chrono::{NaiveTime, Timelike};

use super::super::store::BehaviourRow;

use super::super::auth::AuthUser;
use super::super::error::ApiError;
use super::super::state::AppState;
use crate::wire::{
    Behaviour, BehaviourList, BellPeriod, ErrorBody, ListItem, ListItems, PeriodList, Sentiment, StaffList, StaffRef,
    TechniqueLists,
};

/// The active behaviours, in clicker order, and the retired ones apart (to name old clicks).
#[utoipa::path(get, path = "/behaviours", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Behaviours", body = BehaviourList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn behaviours(
    State(state): State<AppState>,
    _signed_in: AuthUser,
) -> Result<Json<BehaviourList>, ApiError> {
    let (items, retired): (Vec<_>, Vec<_>) = state.store.behaviours().await?.into_iter().partition(|row| row.active);
    let wire = |rows: Vec<BehaviourRow>| {
        rows.into_iter()
            .map(|row| Behaviour {
                id: row.id,
                name: row.name,
                sentiment: sentiment_of(&row.sentiment),
                position: row.position,
            })
            .collect()
    };
    Ok(Json(BehaviourList {
        items: wire(items),
        retired: wire(retired),
    }))
}

/// A sentiment as stored (anything unknown is neutral).
pub(super) fn sentiment_of(stored: &str) -> Sentiment {
    match stored {
        "positive" => Sentiment::Positive,
        "negative" => Sentiment::Negative,
        _ => Sentiment::Neutral,
    }
}

/// A time of day as minutes after midnight.
pub(super) fn minutes_of(time: NaiveTime) -> i64 {
    i64::from(time.hour() * 60 + time.minute())
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

/// Items as the wire lists them.
fn items(rows: Vec<super::super::store::ItemRow>) -> Vec<ListItem> {
    rows.into_iter().map(|r| ListItem { id: r.id, name: r.name }).collect()
}

/// The setting's active locations, by name (for an incident's "where").
#[utoipa::path(get, path = "/locations", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Locations", body = ListItems),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn locations(
    State(state): State<AppState>,
    _signed_in: AuthUser,
) -> Result<Json<ListItems>, ApiError> {
    Ok(Json(ListItems {
        items: items(state.store.locations().await?),
    }))
}

/// The setting's incident categories, in its order.
#[utoipa::path(get, path = "/incident-categories", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Incident categories", body = ListItems),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn incident_categories(
    State(state): State<AppState>,
    _signed_in: AuthUser,
) -> Result<Json<ListItems>, ApiError> {
    Ok(Json(ListItems {
        items: items(state.store.incident_categories().await?),
    }))
}

/// The de-escalation and physical techniques a physical intervention rates.
#[utoipa::path(get, path = "/techniques", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Techniques", body = TechniqueLists),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn techniques(
    State(state): State<AppState>,
    _signed_in: AuthUser,
) -> Result<Json<TechniqueLists>, ApiError> {
    Ok(Json(TechniqueLists {
        deescalation: items(state.store.techniques("deescalation").await?),
        physical: items(state.store.techniques("physical").await?),
    }))
}

/// Active staff, by name (for "staff present").
#[utoipa::path(get, path = "/staff", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Staff", body = StaffList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn staff(State(state): State<AppState>, _signed_in: AuthUser) -> Result<Json<StaffList>, ApiError> {
    let items = state
        .store
        .active_staff()
        .await?
        .into_iter()
        .map(|r| StaffRef { id: r.id, name: r.name })
        .collect();
    Ok(Json(StaffList { items }))
}
