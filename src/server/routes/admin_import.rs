//! `POST /admin/users/import`: staff accounts in bulk from a CSV file (`name,email,role`),
//! all or nothing. Every row is checked first (its name, email and role, an email twice in the
//! file, an email that already has an account); a dry run, or any refused row, creates nothing
//! and answers what each row would do. Otherwise every row's temporary password is hashed
//! before the transaction opens (argon2 on the blocking pool, two at a time) and the accounts,
//! their audit rows and one summary row are written in one transaction: an account made by
//! someone else meanwhile rolls the whole file back (409).

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use futures::{StreamExt, TryStreamExt};
use zeroize::Zeroizing;

use super::super::auth::AdminUser;
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::admin_users::{CheckedNewUser, admin_entry, checked_email, checked_name, insert_user, temporary_password};
use crate::wire::{AccountKind, ErrorBody, ImportReport, ImportRow, NewUser, Role, UserImport};

/// Most rows one file may hold (each costs an argon2 hash).
pub const MAX_IMPORT_ROWS: usize = 200;

/// The columns a file must have, in any order.
const COLUMNS: [&str; 3] = ["name", "email", "role"];

/// A role as a file may spell it: stored (`pastoral_lead`) or as labelled ("Pastoral lead").
fn role_named(text: &str) -> Option<Role> {
    let key: String = text.trim().to_lowercase().replace([' ', '-'], "_");
    match key.as_str() {
        "staff" => Some(Role::Staff),
        "pastoral_lead" => Some(Role::PastoralLead),
        "dsl" => Some(Role::Dsl),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

/// One row read from the file, checked on its own.
struct Parsed {
    row: ImportRow,
    /// The account to make, when the row is fine so far.
    new_user: Option<(NewUser, CheckedNewUser)>,
}

/// Refuse (422) a file that is not a CSV of `name,email,role`.
fn unreadable(message: impl Into<String>) -> ApiError {
    ApiError::invalid_request(message)
}

/// Where each of [`COLUMNS`] is in the header, or why the header will not do.
fn header_positions(header: &csv::StringRecord) -> Result<[usize; 3], ApiError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let mut positions = [0; 3];
    for (slot, column) in positions.iter_mut().zip(COLUMNS) {
        *slot = names.iter().position(|n| n == column).ok_or_else(|| {
            unreadable("The first line must name the columns: name,email,role. Add that line and try again.")
        })?;
    }
    Ok(positions)
}

/// Every row of `text`, each checked on its own (not yet against the database).
fn parse(text: &str) -> Result<Vec<Parsed>, ApiError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|_| unreadable("The file could not be read as CSV. Save it as CSV (UTF-8) and try again."))?
        .clone();
    let [name_at, email_at, role_at] = header_positions(&header)?;
    let mut parsed = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            unreadable(format!(
                "Line {line} could not be read as CSV. Check its quotes and try again."
            ))
        })?;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if parsed.len() == MAX_IMPORT_ROWS {
            return Err(unreadable(format!(
                "A file may hold at most {MAX_IMPORT_ROWS} accounts. Split it and import each part."
            )));
        }
        let line = u32::try_from(record.position().map_or(0, |p| p.line())).unwrap_or(u32::MAX);
        let field = |at: usize| record.get(at).unwrap_or("");
        parsed.push(check_row(line, field(name_at), field(email_at), field(role_at)));
    }
    if parsed.is_empty() {
        return Err(unreadable(
            "The file has no accounts under its first line. Add one per line: name,email,role.",
        ));
    }
    Ok(parsed)
}

/// One row checked on its own: what is wrong with it, or the account it would make.
fn check_row(line: u32, name: &str, email: &str, role: &str) -> Parsed {
    let role = role_named(role);
    let checked = (checked_name(name), checked_email(email), role);
    // As read, cleaned for the screen; the email as it will be stored when it is valid.
    let display_name = super::super::audit::clean(name.trim(), 100);
    let email_shown = match &checked.1 {
        Ok(email) => email.clone(),
        Err(_) => super::super::audit::clean(email.trim(), 254),
    };
    let (problem, new_user) = match checked {
        (Err(_), _, _) => (
            Some("The name must be 1 to 100 characters, without control characters.".to_string()),
            None,
        ),
        (_, Err(_), _) => (Some("The email is not a valid address.".to_string()), None),
        (_, _, None) => (
            Some("The role must be staff, pastoral lead, DSL or admin.".to_string()),
            None,
        ),
        (Ok(name), Ok(email), Some(role)) => {
            let request = NewUser {
                display_name: name.clone(),
                email: email.clone(),
                job_title: String::new(),
                role,
                kind: AccountKind::Staff,
                expires_at: None,
                groups: Vec::new(),
            };
            let checked = CheckedNewUser {
                name,
                email,
                expires_at: None,
                groups: Vec::new(),
            };
            (None, Some((request, checked)))
        }
    };
    Parsed {
        row: ImportRow {
            line,
            display_name,
            email: email_shown,
            role,
            problem,
            temporary_password: None,
        },
        new_user,
    }
}

/// Mark a row refused.
fn refuse(parsed: &mut Parsed, problem: &str) {
    parsed.row.problem = Some(problem.to_string());
    parsed.new_user = None;
}

/// Check the rows against each other and against the accounts there are.
async fn check_against_store(state: &AppState, parsed: &mut [Parsed]) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for item in parsed.iter_mut() {
        let Some((_, checked)) = &item.new_user else { continue };
        let email = checked.email.clone();
        if !seen.insert(email.clone()) {
            refuse(item, "This email is on an earlier line of the file.");
        } else if state.store.user_by_email(&email).await?.is_some() {
            refuse(item, "An account with this email already exists.");
        }
    }
    Ok(())
}

/// Create staff accounts from a CSV file, or say what would happen (`dry_run`).
#[utoipa::path(post, path = "/admin/users/import", tag = "admin", request_body = UserImport,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What each row did or would do; nothing is created when any row is refused",
            body = ImportReport),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 409, description = "`conflict`: an account in the file was made meanwhile; nothing was created",
            body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 1 MiB", body = ErrorBody),
        (status = 422, description = "`invalid_request`: not a CSV of name,email,role, empty, or over 200 rows",
            body = ErrorBody)))]
pub(super) async fn import_users(
    State(state): State<AppState>,
    admin: AdminUser,
    ApiJson(request): ApiJson<UserImport>,
) -> Result<Json<ImportReport>, ApiError> {
    let csv_text = Zeroizing::new(request.csv);
    let mut parsed = parse(&csv_text)?;
    check_against_store(&state, &mut parsed).await?;
    let refused = parsed.iter().any(|p| p.row.problem.is_some());
    if request.dry_run || refused {
        return Ok(Json(ImportReport {
            dry_run: request.dry_run,
            created: 0,
            rows: parsed.into_iter().map(|p| p.row).collect(),
        }));
    }
    let passwords: Vec<(Zeroizing<String>, String)> =
        futures::stream::iter((0..parsed.len()).map(|_| temporary_password()))
            .buffered(2)
            .try_collect()
            .await?;
    let mut tx = state.store.begin().await?;
    for (item, (_, hash)) in parsed.iter().zip(&passwords) {
        let (new_user, checked) = item.new_user.as_ref().ok_or_else(ApiError::internal)?;
        // Any refusal drops `tx`, rolling back every account of the file.
        insert_user(&state, &mut tx, &admin, new_user, checked, hash).await?;
    }
    let created = u32::try_from(parsed.len()).unwrap_or(u32::MAX);
    let summary = admin_entry(&state, &admin, "admin.user.import", "success", 0)
        .target("users")
        .detail(&format!("{created} accounts from a CSV file"));
    tx.audit(&summary).await?;
    tx.commit().await?;
    let rows = parsed
        .into_iter()
        .zip(passwords)
        .map(|(item, (password, _))| ImportRow {
            temporary_password: Some(password.to_string()),
            ..item.row
        })
        .collect();
    Ok(Json(ImportReport {
        dry_run: false,
        created,
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_as_stored_or_as_labelled() {
        assert_eq!(role_named("pastoral_lead"), Some(Role::PastoralLead));
        assert_eq!(role_named(" Pastoral lead "), Some(Role::PastoralLead));
        assert_eq!(role_named("DSL"), Some(Role::Dsl));
        assert_eq!(role_named("headteacher"), None);
    }

    #[test]
    fn columns_may_come_in_any_order_and_blank_lines_are_skipped() {
        let rows = parse("Role,Email,Name\nstaff,a@school.test,Ann Lee\n\n,,\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row.display_name, "Ann Lee");
        assert_eq!(rows[0].row.line, 2);
        assert!(rows[0].new_user.is_some());
    }

    #[test]
    fn a_file_without_the_header_or_rows_or_with_too_many_is_refused() {
        assert!(parse("Ann Lee,a@school.test,staff\n").is_err());
        assert!(parse("name,email,role\n").is_err());
        let many: String = (0..=MAX_IMPORT_ROWS)
            .map(|i| format!("N {i},n{i}@s.test,staff\n"))
            .collect();
        assert!(parse(&format!("name,email,role\n{many}")).is_err());
    }
}
