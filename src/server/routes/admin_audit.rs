//! The audit log for the admin: `GET /admin/audit` (filtered by actor, action prefix, target and
//! UK local days, newest first with a cursor), `GET /admin/audit/verify` (the chain checked by
//! `server::audit::verify_chain`: "verified up to row N" and the first bad row) and
//! `GET /admin/audit/export` (the same filter as a CSV file made with the `csv` crate, at most
//! 100,000 rows, formulas neutralised as SECURITY.md rule 43 says, and the export itself
//! audited).

use axum::Json;
use axum::extract::State;

use super::super::audit::{AuditRow as StoredRow, ChainError, verify_chain};
use super::super::auth::AdminUser;
use super::super::clock::{day_start as uk_day_start, local_date as uk_date};
use super::super::error::{ApiError, ApiQuery};
use super::super::state::AppState;
use super::super::store::AuditFilter;
use super::admin_access::admin_entry;
use super::common::{audit, page_limit, timestamp};
use crate::spreadsheet::csv_text;
use crate::wire::ErrorBody;
use crate::wire::{AuditPage, AuditQuery, AuditRow, AuditVerification, CsvExport};

/// Most rows in an export.
const EXPORT_MAX: i64 = 100_000;
/// Longest action prefix or target of a filter.
const FILTER_MAX: usize = 100;

/// The store's filter of a query: 422 for an over-long prefix or target, or `to` before `from`.
fn filter_of(query: &AuditQuery) -> Result<AuditFilter, ApiError> {
    for (field, value) in [("action", &query.action), ("target", &query.target)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > FILTER_MAX) {
            return Err(ApiError::invalid_request(format!(
                "`{field}` may be at most {FILTER_MAX} characters."
            )));
        }
    }
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        return Err(ApiError::invalid_request(
            "`to` must be the same day as `from` or later.",
        ));
    }
    let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    Ok(AuditFilter {
        actor_id: query.actor_id,
        action_prefix: nonempty(&query.action),
        target: nonempty(&query.target),
        from: query.from.map(uk_day_start),
        until: query.to.and_then(|to| to.succ_opt()).map(uk_day_start),
        before: query.before,
    })
}

/// A stored row as the wire shows it.
fn wire_row(row: StoredRow) -> AuditRow {
    AuditRow {
        id: row.id,
        at: timestamp(row.at),
        actor: row.actor,
        actor_id: row.actor_id,
        action: row.action,
        target: row.target,
        client_addr: row.client_addr,
        outcome: row.outcome,
        detail: row.detail,
    }
}

/// The audit log, newest first, filtered; `next_cursor` (as `before`) gives the older page.
#[utoipa::path(get, path = "/admin/audit", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of rows", body = AuditPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad filter or `limit`", body = ErrorBody)))]
pub(super) async fn audit_log(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = page_limit(query.limit, 200, 1000)?;
    let filter = filter_of(&query)?;
    let mut rows = state.store.audit_page(&filter, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or_default());
    let next_cursor = more.then(|| rows.last().map(|row| row.id)).flatten();
    Ok(Json(AuditPage {
        items: rows.into_iter().map(wire_row).collect(),
        next_cursor,
    }))
}

/// Check the whole hash chain: intact, or verified up to the row before the first bad one.
#[utoipa::path(get, path = "/admin/audit/verify", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The state of the chain", body = AuditVerification),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody)))]
pub(super) async fn verify(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<AuditVerification>, ApiError> {
    match verify_chain(&state.store, None).await {
        Ok(summary) => {
            let (verified_up_to, head_hash) = summary.head.map(|h| (h.id, h.hash)).unwrap_or_default();
            Ok(Json(AuditVerification {
                intact: true,
                rows: i64::try_from(summary.rows).unwrap_or(i64::MAX),
                verified_up_to,
                first_bad_row: None,
                head_hash,
            }))
        }
        Err(ChainError::BrokenRow { id, .. }) => {
            let (rows, last_good) = state.store.audit_rows_before(id).await?;
            let (verified_up_to, head_hash) = last_good.unwrap_or_default();
            Ok(Json(AuditVerification {
                intact: false,
                rows,
                verified_up_to,
                first_bad_row: Some(id),
                head_hash,
            }))
        }
        Err(error) => {
            tracing::error!(%error, "the audit chain could not be verified");
            Err(ApiError::internal())
        }
    }
}

/// The CSV file of `rows`: a header row, then every field of each row.
fn audit_csv(rows: &[StoredRow]) -> Result<String, csv::Error> {
    let header = [
        "id",
        "at",
        "actor",
        "actor_id",
        "action",
        "target",
        "client_addr",
        "outcome",
        "detail",
        "prev_hash",
        "hash",
    ];
    let cells = rows.iter().map(|row| {
        [
            row.id.to_string(),
            timestamp(row.at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            row.actor.clone(),
            row.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            row.action.clone(),
            row.target.clone(),
            row.client_addr.clone(),
            row.outcome.clone(),
            row.detail.clone(),
            row.prev_hash.clone(),
            row.hash.clone(),
        ]
    });
    csv_text(&header, cells)
}

/// The filter in words for the export's audit row.
fn filter_detail(query: &AuditQuery) -> String {
    let show = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    format!(
        "actor_id={} action={:?} target={:?} from={} to={} before={}",
        show(query.actor_id.map(|v| v.to_string())),
        query.action.clone().unwrap_or_default(),
        query.target.clone().unwrap_or_default(),
        show(query.from.map(|d| d.to_string())),
        show(query.to.map(|d| d.to_string())),
        show(query.before.map(|v| v.to_string())),
    )
}

/// The rows the filter picks (newest first, at most 100,000) as a CSV file to save. The export
/// is audited (`admin.audit.export`, with the filter and the row count).
#[utoipa::path(get, path = "/admin/audit/export", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The file", body = CsvExport),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad filter", body = ErrorBody)))]
pub(super) async fn export(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<CsvExport>, ApiError> {
    let filter = filter_of(&query)?;
    let mut rows = state.store.audit_page(&filter, EXPORT_MAX + 1).await?;
    let truncated = rows.len() as i64 > EXPORT_MAX;
    rows.truncate(usize::try_from(EXPORT_MAX).unwrap_or_default());
    let csv = audit_csv(&rows).map_err(|error| {
        tracing::error!(%error, "the audit export could not be written");
        ApiError::internal()
    })?;
    let count = rows.len() as i64;
    let entry = admin_entry(&state, &admin, "admin.audit.export", "success")
        .detail(&format!("{} rows={count} truncated={truncated}", filter_detail(&query)));
    audit(&state, entry).await?;
    Ok(Json(CsvExport {
        filename: format!("audit-{}.csv", uk_date(state.now()).format("%Y-%m-%d")),
        csv,
        rows: count,
        truncated,
    }))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn uk_days_start_at_local_midnight() {
        // 2 Dec 2026 is GMT: midnight is 00:00 UTC.
        assert_eq!(uk_day_start(day(2026, 12, 2)), 1_796_169_600);
        // 1 Jul 2026 is BST: midnight is 23:00 UTC the day before.
        assert_eq!(uk_day_start(day(2026, 7, 1)), 1_782_864_000 - 3600);
        // The days the clocks change: 29 Mar 2026 starts in GMT, 25 Oct 2026 in BST.
        assert_eq!(uk_day_start(day(2026, 3, 29)), 1_774_742_400);
        assert_eq!(uk_day_start(day(2026, 10, 25)), 1_792_886_400 - 3600);
        assert_eq!(uk_date(1_782_864_000 - 1800), day(2026, 7, 1));
        assert_eq!(uk_date(1_796_169_600 - 1), day(2026, 12, 1));
    }
}
