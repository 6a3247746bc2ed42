//! The setting's lists as the admin edits them: `GET`/`POST /admin/lists/{list}` and
//! `PUT /admin/lists/{list}/{id}` (behaviours, locations, incident categories: renamed,
//! reordered, retired and brought back, never deleted, so the records that use an entry keep its
//! name), and `PUT /admin/bell-times` (the whole school day at once). Names are unique in their
//! list whatever the case (409 on a clash); every change is audited (`admin.lists.*`,
//! `admin.bell_times.replace`) in its own transaction, after the actor is checked again.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::auth::AdminUser;
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::super::store::{BellRow, EntryInput, EntryRefused, EntryRow, ListTable};
use super::admin_access::{admin_entry, admin_tx, done};
use super::common::{finish, path_id};
use super::lists::{minutes_of, sentiment_of};
use crate::wire::{BellTimes, Done, ListEntries, ListEntry, ListEntryChange, SettingList};
use crate::wire::{ErrorBody, Sentiment, codes};

/// Longest name of an entry or a period.
const NAME_MAX: usize = 100;
/// Most periods in a day.
const PERIODS_MAX: usize = 20;

/// The list a path names (`behaviours`, `locations`, `incident_categories`); 404 for anything
/// else.
fn list_of(path: &str) -> Result<(SettingList, ListTable), ApiError> {
    match path {
        "behaviours" => Ok((SettingList::Behaviours, ListTable::Behaviours)),
        "locations" => Ok((SettingList::Locations, ListTable::Locations)),
        "incident_categories" => Ok((SettingList::IncidentCategories, ListTable::IncidentCategories)),
        _ => Err(ApiError::not_found()),
    }
}

/// The list's name in the audit log.
fn audit_name(list: SettingList) -> &'static str {
    match list {
        SettingList::Behaviours => "behaviours",
        SettingList::Locations => "locations",
        SettingList::IncidentCategories => "incident_categories",
    }
}

/// A name checked: surrounding spaces dropped, 1 to 100 characters, no control character and no
/// bidirectional override (which could make a name display as another).
pub(super) fn checked_name(field: &str, name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX {
        return Err(ApiError::invalid_request(format!(
            "`{field}` must be 1 to {NAME_MAX} characters long (it is {chars})."
        )));
    }
    if let Some(c) = name.chars().find(|c| crate::wire::is_hostile_char(*c)) {
        return Err(ApiError::invalid_request(format!(
            "`{field}` holds the invisible character U+{:04X}: type the name as plain text.",
            c as u32
        )));
    }
    Ok(name.to_string())
}

/// A sentiment as stored.
fn stored_sentiment(sentiment: Sentiment) -> &'static str {
    match sentiment {
        Sentiment::Positive => "positive",
        Sentiment::Negative => "negative",
        Sentiment::Neutral => "neutral",
    }
}

/// Check a change of `list` (`new`: a new entry, which needs a sentiment when it is a
/// behaviour); answers the name as it will be stored.
fn check_change(list: ListTable, change: &ListEntryChange, new: bool) -> Result<String, ApiError> {
    let name = checked_name("name", &change.name)?;
    match (list, change.sentiment) {
        (ListTable::Behaviours, None) if new => {
            return Err(ApiError::invalid_request(
                "`sentiment` is missing: a behaviour is `positive`, `negative` or `neutral`.",
            ));
        }
        (ListTable::Locations | ListTable::IncidentCategories, Some(_)) => {
            return Err(ApiError::invalid_request(
                "`sentiment` is only for behaviours: leave it out of this list.",
            ));
        }
        _ => {}
    }
    if change.position.is_some_and(|p| p < 1) {
        return Err(ApiError::invalid_request("`position` must be 1 (first) or more."));
    }
    Ok(name)
}

/// The answer to a name used already.
fn clash(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        codes::CONFLICT,
        format!("\"{name}\" is on this list already (names are unique whatever their case): choose another name."),
    )
}

/// An entry as the wire shows it.
fn wire_entry(row: EntryRow) -> ListEntry {
    ListEntry {
        id: row.id,
        name: row.name,
        sentiment: row.sentiment.as_deref().map(sentiment_of),
        position: row.position,
        active: row.active,
        uses: row.uses,
    }
}

/// A whole list, retired entries included, in order, with how many records use each entry.
#[utoipa::path(get, path = "/admin/lists/{list}", tag = "admin", security(("bearer" = [])),
    params(("list" = SettingList, Path, description = "`behaviours`, `locations` or `incident_categories`")),
    responses(
        (status = 200, description = "The list", body = ListEntries),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such list", body = ErrorBody)))]
pub(super) async fn list_entries(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(list): Path<String>,
) -> Result<Json<ListEntries>, ApiError> {
    let (list, table) = list_of(&list)?;
    let items = state
        .store
        .list_entries(table)
        .await?
        .into_iter()
        .map(wire_entry)
        .collect();
    Ok(Json(ListEntries { list, items }))
}

/// A new entry, placed last (or at `position`, the others moving down).
#[utoipa::path(post, path = "/admin/lists/{list}", tag = "admin", request_body = ListEntryChange, security(("bearer" = [])),
    params(("list" = SettingList, Path, description = "`behaviours`, `locations` or `incident_categories`")),
    responses(
        (status = 201, description = "Added", body = ListEntry),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such list", body = ErrorBody),
        (status = 409, description = "`conflict`: the name is on the list already (any case)", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad name, sentiment or position", body = ErrorBody)))]
pub(super) async fn add_entry(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(list): Path<String>,
    ApiJson(change): ApiJson<ListEntryChange>,
) -> Result<(StatusCode, Json<ListEntry>), ApiError> {
    let (list, table) = list_of(&list)?;
    let name = check_change(table, &change, true)?;
    let action = format!("admin.lists.{}.create", audit_name(list));
    let mut tx = admin_tx(&state, &admin, &action).await?;
    let result = async {
        let input = EntryInput {
            name: &name,
            sentiment: change.sentiment.map(stored_sentiment),
            position: change.position,
            active: change.active,
        };
        let id = match tx.add_list_entry(table, &input).await? {
            Ok(id) => id,
            Err(_) => return Err(clash(&name)),
        };
        let row = tx.list_entry(table, id).await?.ok_or_else(ApiError::internal)?;
        let entry = admin_entry(&state, &admin, &action, "success")
            .target(&format!("{}:{id}", audit_name(list)))
            .detail(&format!(
                "name={name:?} position={} active={}",
                row.position, row.active
            ));
        tx.audit(&entry).await?;
        Ok((StatusCode::CREATED, Json(wire_entry(row))))
    }
    .await;
    finish(tx, result).await
}

/// Rename, move (the others make room), retire (`active: false`: no longer offered, the records
/// that use it keep it) or bring back an entry.
#[utoipa::path(put, path = "/admin/lists/{list}/{id}", tag = "admin", request_body = ListEntryChange, security(("bearer" = [])),
    params(
        ("list" = SettingList, Path, description = "`behaviours`, `locations` or `incident_categories`"),
        ("id" = i64, Path, description = "The entry")),
    responses(
        (status = 200, description = "Changed", body = ListEntry),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such list or entry", body = ErrorBody),
        (status = 409, description = "`conflict`: another entry has the name (any case)", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad name, sentiment or position", body = ErrorBody)))]
pub(super) async fn change_entry(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path((list, id)): Path<(String, String)>,
    ApiJson(change): ApiJson<ListEntryChange>,
) -> Result<Json<ListEntry>, ApiError> {
    let (list, table) = list_of(&list)?;
    let id = path_id(&id)?;
    let name = check_change(table, &change, false)?;
    let action = format!("admin.lists.{}.update", audit_name(list));
    let mut tx = admin_tx(&state, &admin, &action).await?;
    let result = async {
        let input = EntryInput {
            name: &name,
            sentiment: change.sentiment.map(stored_sentiment),
            position: change.position,
            active: change.active,
        };
        match tx.change_list_entry(table, id, &input).await? {
            Ok(()) => {}
            Err(EntryRefused::NotFound) => return Err(ApiError::not_found()),
            Err(EntryRefused::Clash(other)) => return Err(clash(&other)),
        }
        let row = tx.list_entry(table, id).await?.ok_or_else(ApiError::internal)?;
        let entry = admin_entry(&state, &admin, &action, "success")
            .target(&format!("{}:{id}", audit_name(list)))
            .detail(&format!(
                "name={name:?} position={} active={}",
                row.position, row.active
            ));
        tx.audit(&entry).await?;
        Ok(Json(wire_entry(row)))
    }
    .await;
    finish(tx, result).await
}

/// The bell times checked: 1 to 20 periods numbered 1..n in order, each named, ending after it
/// starts and no later than the next starts, times to the minute.
fn check_bell_times(times: &BellTimes) -> Result<Vec<BellRow>, ApiError> {
    if times.items.is_empty() || times.items.len() > PERIODS_MAX {
        return Err(ApiError::invalid_request(format!(
            "`items` must hold 1 to {PERIODS_MAX} periods (it holds {}).",
            times.items.len()
        )));
    }
    let mut rows: Vec<BellRow> = Vec::with_capacity(times.items.len());
    for (expected, period) in (1u32..).zip(&times.items) {
        if period.number != expected {
            return Err(ApiError::invalid_request(format!(
                "Period {expected} is numbered {}: number the periods 1, 2, 3 ... in order, without gaps.",
                period.number
            )));
        }
        let name = checked_name(&format!("items[{}].name", expected - 1), &period.name)?;
        if chrono::Timelike::second(&period.starts) != 0 || chrono::Timelike::second(&period.ends) != 0 {
            return Err(ApiError::invalid_request(format!(
                "Period {expected}'s times must be whole minutes (like 09:15)."
            )));
        }
        let (starts, ends) = (minutes_of(period.starts), minutes_of(period.ends));
        if ends <= starts {
            return Err(ApiError::invalid_request(format!(
                "Period {expected} ({name}) must end after it starts."
            )));
        }
        if let Some(before) = rows.last()
            && starts < before.ends_minute
        {
            return Err(ApiError::invalid_request(format!(
                "Period {expected} ({name}) starts before period {} ends: periods may not overlap.",
                before.number
            )));
        }
        rows.push(BellRow {
            number: i64::from(expected),
            name,
            starts_minute: starts,
            ends_minute: ends,
        });
    }
    Ok(rows)
}

/// Replace the school day's bell times (`GET /periods` shows them at once).
#[utoipa::path(put, path = "/admin/bell-times", tag = "admin", request_body = BellTimes, security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced", body = Done),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 422, description = "`invalid_request`: periods not numbered 1..n, overlapping, ending before they start, badly named or over 20", body = ErrorBody)))]
pub(super) async fn set_bell_times(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(times): ApiJson<BellTimes>,
) -> Result<Json<Done>, ApiError> {
    let rows = check_bell_times(&times)?;
    let action = "admin.bell_times.replace";
    let mut tx = admin_tx(&state, &admin, action).await?;
    let result = async {
        tx.replace_bell_times(&rows).await?;
        let entry = admin_entry(&state, &admin, action, "success").detail(&format!("periods={}", rows.len()));
        tx.audit(&entry).await?;
        Ok(done(format!(
            "The school day now has {} period{}.",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        )))
    }
    .await;
    finish(tx, result).await
}
