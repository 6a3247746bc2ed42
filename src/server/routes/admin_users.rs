//! `/admin/users`, `/admin/roles` and `/admin/sessions`: accounts, cover accounts, their
//! changes, the roles and live sessions. Every route takes [`AdminUser`]; every change checks
//! the actor again inside its transaction ([`Tx::actor_is_admin`]), refuses to leave no working
//! admin, and writes `admin.user.<action>` (target `user:ID`, never a secret) in the same
//! transaction. Temporary passwords are hashed before a transaction opens.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::super::audit::AuditEntry;
use super::super::auth::{self, AdminUser};
use super::super::clock::{SETTING_TZ, end_of_today};
use super::super::error::{ApiError, ApiJson};
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::super::store::{AdminSessionRow, AdminUserFilter, AdminUserRow, NewAccount, Tx, role_of};
use super::common::{finish, path_id, staff, timestamp};
use crate::wire::{
    AccountKind, ActionDone, AdminSession, AdminUser as WireAdminUser, AdminUserList, AdminUserQuery, CreatedUser,
    Done, ErrorBody, NewUser, Role, RoleInfo, RoleList, SessionList, SessionQuery, UserAction, codes, is_hostile_char,
};

/// Most accounts `GET /admin/users` sends.
const MAX_LISTED: i64 = 5000;
/// Longest a cover account may be set to last.
const MAX_COVER_DAYS: i64 = 90;
/// Most groups a cover account may be given.
const MAX_GROUPS: usize = 50;

/// A role as stored.
fn stored_role(role: Role) -> &'static str {
    match role {
        Role::Staff => "staff",
        Role::PastoralLead => "pastoral_lead",
        Role::Dsl => "dsl",
        Role::Admin => "admin",
    }
}

/// A kind as stored.
fn stored_kind(kind: AccountKind) -> &'static str {
    match kind {
        AccountKind::Staff => "staff",
        AccountKind::Supply => "supply",
        AccountKind::Visitor => "visitor",
    }
}

/// A kind as the API names it.
fn kind_of(stored: &str) -> AccountKind {
    match stored {
        "supply" => AccountKind::Supply,
        "visitor" => AccountKind::Visitor,
        _ => AccountKind::Staff,
    }
}

/// An account row as the API shows it, at `now`.
fn wire_account(row: AdminUserRow, now: i64) -> WireAdminUser {
    WireAdminUser {
        id: row.id,
        expired: row.expires_at.is_some_and(|end| now >= end),
        email: row.email,
        display_name: row.display_name,
        job_title: row.job_title,
        role: role_of(&row.role),
        kind: kind_of(&row.kind),
        active: row.active,
        expires_at: row.expires_at.map(timestamp),
        locked: row.locked,
        failed_attempts: row.failed_attempts,
        totp_enabled: row.totp_enabled,
        temporary_password: row.password_is_temporary,
        last_seen_at: row.last_seen_at.map(timestamp),
        live_sessions: row.live_sessions,
        created_at: timestamp(row.created_at),
    }
}

/// 409 `conflict` with `message`.
fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, message)
}

/// An audit entry of the admin `actor` about account `user_id`.
pub(super) fn admin_entry(
    state: &AppState,
    actor: &AdminUser,
    action: &str,
    outcome: &str,
    user_id: i64,
) -> AuditEntry {
    let admin = &actor.0;
    AuditEntry::new(state.now(), Some(admin.user.id), &admin.user.email, action, outcome)
        .client(admin.addr)
        .target(&format!("user:{user_id}"))
}

/// Inside `tx`: refuse (403) an actor who is no longer a working admin.
async fn recheck_actor(state: &AppState, tx: &mut Tx, actor: &AdminUser) -> Result<(), ApiError> {
    if tx.actor_is_admin(actor.0.user.id, state.now()).await? {
        return Ok(());
    }
    let entry = AuditEntry::new(
        state.now(),
        Some(actor.0.user.id),
        &actor.0.user.email,
        "admin.refused",
        "denied",
    )
    .client(actor.0.addr)
    .detail("no longer an admin with 2FA");
    tx.audit(&entry).await?;
    Err(ApiError::forbidden("Only an admin may do this."))
}

/// A name of 1 to 100 characters without control characters (trimmed), or why not.
pub(super) fn checked_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("`display_name` must be 1 to 100 characters.".into());
    }
    if name.chars().any(is_hostile_char) {
        return Err("`display_name` must not contain control characters.".into());
    }
    Ok(name.to_string())
}

/// A valid email (normalised), or why not.
pub(super) fn checked_email(email: &str) -> Result<String, String> {
    let email = auth::normalize_email(email);
    let parts: Vec<&str> = email.split('@').collect();
    let valid = email.len() <= 254
        && parts.len() == 2
        && !parts[0].is_empty()
        && parts[1].contains('.')
        && !parts[1].starts_with('.')
        && !parts[1].ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || is_hostile_char(c));
    match valid {
        true => Ok(email),
        false => Err("`email` must be a valid email address of at most 254 characters.".into()),
    }
}

/// A cover account's end: later than now, at most 90 days ahead.
fn checked_expiry(at: DateTime<Utc>, now: i64) -> Result<i64, ApiError> {
    let at = at.timestamp();
    if at <= now {
        return Err(ApiError::invalid_request("`expires_at` must be later than now."));
    }
    if at > now + MAX_COVER_DAYS * 86_400 {
        return Err(ApiError::invalid_request("`expires_at` must be at most 90 days ahead."));
    }
    Ok(at)
}

/// A new temporary password and its hash (argon2 on the blocking pool: call with no
/// transaction open).
pub(super) async fn temporary_password() -> Result<(Zeroizing<String>, String), ApiError> {
    let password = auth::new_temporary_password();
    let normalized = auth::normalize_password(&password).ok_or_else(ApiError::internal)?;
    let hash = auth::hash_password(normalized).await?;
    Ok((password, hash))
}

/// Every account matching the filters, by name.
#[utoipa::path(get, path = "/admin/users", tag = "admin", params(AdminUserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The accounts", body = AdminUserList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody)))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(query): Query<AdminUserQuery>,
) -> Result<Json<AdminUserList>, ApiError> {
    let now = state.now();
    let filter = AdminUserFilter {
        role: query.role.map(stored_role),
        locked: query.locked.unwrap_or(false),
        no_2fa: query.no_2fa.unwrap_or(false),
        unused_since: query.inactive.unwrap_or(false).then_some(now - 90 * 86_400),
        include_ended: query.include_ended.unwrap_or(false),
    };
    let idle = state.policy.session_idle.num_seconds();
    let mut rows = state.store.admin_users(filter, now, idle, MAX_LISTED + 1).await?;
    let truncated = rows.len() as i64 > MAX_LISTED;
    rows.truncate(MAX_LISTED as usize);
    Ok(Json(AdminUserList {
        items: rows.into_iter().map(|row| wire_account(row, now)).collect(),
        truncated,
    }))
}

/// One account.
#[utoipa::path(get, path = "/admin/users/{id}", tag = "admin", params(("id" = i64, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = WireAdminUser),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub(super) async fn get_user(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> Result<Json<WireAdminUser>, ApiError> {
    let id = path_id(&id)?;
    let now = state.now();
    let row = state
        .store
        .admin_user(id, now, state.policy.session_idle.num_seconds())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(wire_account(row, now)))
}

/// A new account, checked: (name, email, kind, expiry, groups).
pub(super) struct CheckedNewUser {
    pub(super) name: String,
    pub(super) email: String,
    pub(super) expires_at: Option<i64>,
    pub(super) groups: Vec<String>,
}

/// Check a new account's fields (not yet against the database).
fn check_new_user(request: &NewUser, now: i64) -> Result<CheckedNewUser, ApiError> {
    let name = checked_name(&request.display_name).map_err(ApiError::invalid_request)?;
    let email = checked_email(&request.email).map_err(ApiError::invalid_request)?;
    if request.job_title.chars().count() > 100 || request.job_title.chars().any(is_hostile_char) {
        return Err(ApiError::invalid_request(
            "`job_title` must be at most 100 characters, without control characters.",
        ));
    }
    let cover = request.kind != AccountKind::Staff;
    if cover && request.role != Role::Staff {
        return Err(ApiError::invalid_request(
            "A supply or visitor account must have the `staff` role.",
        ));
    }
    if !cover && (request.expires_at.is_some() || !request.groups.is_empty()) {
        return Err(ApiError::invalid_request(
            "`expires_at` and `groups` are only for supply or visitor accounts.",
        ));
    }
    let expires_at = match (cover, request.expires_at) {
        (false, _) => None,
        (true, Some(at)) => Some(checked_expiry(at, now)?),
        (true, None) => Some(end_of_today(now)),
    };
    if request.groups.len() > MAX_GROUPS {
        return Err(ApiError::invalid_request(format!(
            "`groups` may hold at most {MAX_GROUPS} groups."
        )));
    }
    let mut groups: Vec<String> = request.groups.iter().map(|g| g.trim().to_string()).collect();
    groups.sort();
    groups.dedup();
    Ok(CheckedNewUser {
        name,
        email,
        expires_at,
        groups,
    })
}

/// Create an account with a temporary password, shown once in the answer.
#[utoipa::path(post, path = "/admin/users", tag = "admin", request_body = NewUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; the temporary password is shown only here", body = CreatedUser),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 409, description = "`conflict`: an account with this email exists", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a field is not right (named)", body = ErrorBody)))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    admin: AdminUser,
    ApiJson(request): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let checked = check_new_user(&request, state.now())?;
    let (password, hash) = temporary_password().await?;
    let mut tx = state.store.begin().await?;
    let result = insert_user(&state, &mut tx, &admin, &request, &checked, &hash).await;
    let user = finish(tx, result).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user,
            temporary_password: password.to_string(),
        }),
    ))
}

/// The insert of [`create_user`], inside `tx`.
pub(super) async fn insert_user(
    state: &AppState,
    tx: &mut Tx,
    admin: &AdminUser,
    request: &NewUser,
    checked: &CheckedNewUser,
    hash: &str,
) -> Result<WireAdminUser, ApiError> {
    recheck_actor(state, tx, admin).await?;
    let now = state.now();
    for group in &checked.groups {
        if !tx.group_exists("group", group).await? {
            return Err(ApiError::invalid_request(format!(
                "`groups`: no individual is in the group \"{}\"; choose an existing group.",
                super::super::audit::clean(group, 40)
            )));
        }
    }
    let account = NewAccount {
        email: &checked.email,
        display_name: &checked.name,
        job_title: request.job_title.trim(),
        role: stored_role(request.role),
        kind: stored_kind(request.kind),
        expires_at: checked.expires_at,
        password_hash: hash,
        temporary_expires_at: now + state.policy.temporary_password_ttl.num_seconds(),
        groups: &checked.groups,
        granted_by: admin.0.user.id,
        now,
    };
    let id = match tx.create_account(&account).await {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let entry = AuditEntry::new(
                now,
                Some(admin.0.user.id),
                &admin.0.user.email,
                "admin.user.create",
                "refused",
            )
            .client(admin.0.addr)
            .detail("an account with this email exists");
            tx.audit(&entry).await?;
            return Err(conflict("An account with this email already exists."));
        }
        Err(e) => return Err(e.into()),
    };
    let detail = format!(
        "role={}; kind={}; groups={}; temporary password",
        account.role,
        account.kind,
        checked.groups.len()
    );
    tx.audit(&admin_entry(state, admin, "admin.user.create", "success", id).detail(&detail))
        .await?;
    let row = tx
        .admin_user(id, now, state.policy.session_idle.num_seconds())
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(wire_account(row, now))
}

/// The stored name of an action, for its audit row.
fn action_name(action: &UserAction) -> &'static str {
    match action {
        UserAction::SetRole { .. } => "set_role",
        UserAction::Deactivate => "deactivate",
        UserAction::Reactivate => "reactivate",
        UserAction::Unlock => "unlock",
        UserAction::ResetPassword => "reset_password",
        UserAction::Reset2fa => "reset_2fa",
        UserAction::EndSessions => "end_sessions",
        UserAction::SetExpiry { .. } => "set_expiry",
    }
}

/// "2 sessions" / "1 session".
fn sessions_text(n: u64) -> String {
    match n {
        1 => "1 session".to_string(),
        n => format!("{n} sessions"),
    }
}

/// One change to an account.
#[utoipa::path(post, path = "/admin/users/{id}/actions", tag = "admin", request_body = UserAction,
    params(("id" = i64, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Done", body = ActionDone),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: it would leave no admin, or an admin's own role or account", body = ErrorBody),
        (status = 422, description = "`invalid_request`", body = ErrorBody)))]
pub(super) async fn user_action(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<String>,
    ApiJson(action): ApiJson<UserAction>,
) -> Result<Json<ActionDone>, ApiError> {
    let id = path_id(&id)?;
    let new_password = match action {
        UserAction::ResetPassword => Some(temporary_password().await?),
        _ => None,
    };
    let mut tx = state.store.begin().await?;
    let hash = new_password.as_ref().map(|(_, hash)| hash.as_str());
    let result = apply_action(&state, &mut tx, &admin, id, &action, hash).await;
    let (message, sessions_ended) = finish(tx, result).await?;
    let now = state.now();
    let row = state
        .store
        .admin_user(id, now, state.policy.session_idle.num_seconds())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(ActionDone {
        message,
        user: wire_account(row, now),
        temporary_password: new_password.map(|(password, _)| password.to_string()),
        sessions_ended: sessions_ended as i64,
    }))
}

/// Apply `action` to account `id` inside `tx`: answers the sentence and the sessions ended.
async fn apply_action(
    state: &AppState,
    tx: &mut Tx,
    admin: &AdminUser,
    id: i64,
    action: &UserAction,
    hash: Option<&str>,
) -> Result<(String, u64), ApiError> {
    recheck_actor(state, tx, admin).await?;
    let now = state.now();
    let idle = state.policy.session_idle.num_seconds();
    let target = tx.admin_user(id, now, idle).await?.ok_or_else(ApiError::not_found)?;
    let name = &target.display_name;
    let own = id == admin.0.user.id;
    let removes_admin = match action {
        UserAction::SetRole { role } => *role != Role::Admin,
        UserAction::Deactivate | UserAction::Reset2fa => true,
        _ => false,
    };
    if removes_admin && own && !matches!(action, UserAction::Reset2fa) {
        refuse_action(state, tx, admin, id, action, "own account").await?;
        return Err(conflict(
            "You cannot remove your own admin role or deactivate yourself; ask another admin.",
        ));
    }
    if removes_admin && tx.is_working_admin(id, now).await? && tx.other_working_admins(id, now).await? == 0 {
        refuse_action(state, tx, admin, id, action, "last admin").await?;
        return Err(conflict(format!(
            "{name} is the last admin with two-factor authentication; make another admin first."
        )));
    }
    let (message, ended, detail) = match action {
        UserAction::SetRole { role } => {
            if target.kind != "staff" && *role != Role::Staff {
                return Err(ApiError::invalid_request(
                    "A supply or visitor account must keep the `staff` role.",
                ));
            }
            tx.set_role(id, stored_role(*role)).await?;
            let from = role_of(&target.role).label();
            (
                format!("{name} is now {}.", role.label()),
                0,
                format!("from={from}; to={}", role.label()),
            )
        }
        UserAction::Deactivate => {
            let ended = tx.set_active(id, false, now).await?;
            let message = format!("Deactivated {name}'s account and ended {}.", sessions_text(ended));
            (message, ended, String::new())
        }
        UserAction::Reactivate => {
            tx.set_active(id, true, now).await?;
            (format!("Reactivated {name}'s account."), 0, String::new())
        }
        UserAction::Unlock => {
            tx.unlock_user(id).await?;
            let detail = format!("failures={}", target.failed_attempts);
            (format!("Unlocked {name}'s account."), 0, detail)
        }
        UserAction::ResetPassword => {
            let hash = hash.ok_or_else(ApiError::internal)?;
            let expires = now + state.policy.temporary_password_ttl.num_seconds();
            let ended = tx.set_temporary_password(id, hash, expires, now).await?;
            let message = format!(
                "Gave {name} a new temporary password and ended {}.",
                sessions_text(ended)
            );
            (message, ended, "temporary password".to_string())
        }
        UserAction::Reset2fa => {
            let ended = tx.reset_2fa(id, now).await?;
            let message = format!(
                "Removed {name}'s two-factor authentication and ended {}; they set it up again at their next sign-in.",
                sessions_text(ended)
            );
            (message, ended, String::new())
        }
        UserAction::EndSessions => {
            let ended = tx.revoke_user_sessions(id, now, "admin").await?;
            (
                format!("Ended {} of {name}.", sessions_text(ended)),
                ended,
                String::new(),
            )
        }
        UserAction::SetExpiry { expires_at } => {
            if target.kind == "staff" {
                return Err(ApiError::invalid_request(
                    "Only a supply or visitor account has an end date.",
                ));
            }
            let at = checked_expiry(*expires_at, now)?;
            tx.set_expiry(id, at).await?;
            let day = timestamp(at).with_timezone(&SETTING_TZ).format("%d/%m/%y %H:%M");
            (
                format!("{name}'s account now ends at {day}."),
                0,
                format!("expires_at={at}"),
            )
        }
    };
    let detail = match detail.is_empty() {
        true => format!("sessions_ended={ended}"),
        false => format!("{detail}; sessions_ended={ended}"),
    };
    let entry = admin_entry(
        state,
        admin,
        &format!("admin.user.{}", action_name(action)),
        "success",
        id,
    )
    .detail(&detail);
    tx.audit(&entry).await?;
    Ok((message, ended))
}

/// Audit a refused action inside `tx` (the refusal is committed with its row).
async fn refuse_action(
    state: &AppState,
    tx: &mut Tx,
    admin: &AdminUser,
    id: i64,
    action: &UserAction,
    why: &str,
) -> Result<(), ApiError> {
    let entry = admin_entry(
        state,
        admin,
        &format!("admin.user.{}", action_name(action)),
        "refused",
        id,
    )
    .detail(why);
    tx.audit(&entry).await?;
    Ok(())
}

/// What a role is for, in a sentence.
fn role_description(role: Role) -> &'static str {
    match role {
        Role::Staff => "Classroom and support staff: record and see only the individuals they are given access to.",
        Role::PastoralLead => "Pastoral leads and SENCos: see every individual and read the analytics.",
        Role::Dsl => "The designated safeguarding lead: sees everything and may delete incidents.",
        Role::Admin => {
            "Administrators: manage accounts, access and the setting's lists; must use two-factor authentication."
        }
    }
}

/// Every role, what it may do and how many active accounts have it.
#[utoipa::path(get, path = "/admin/roles", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The roles, least privileged first", body = RoleList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody)))]
pub(super) async fn roles(State(state): State<AppState>, _admin: AdminUser) -> Result<Json<RoleList>, ApiError> {
    let counts = state.store.accounts_per_role(state.now()).await?;
    let items = [Role::Staff, Role::PastoralLead, Role::Dsl, Role::Admin]
        .into_iter()
        .map(|role| RoleInfo {
            role,
            description: role_description(role).to_string(),
            permissions: permissions(role),
            accounts: counts
                .iter()
                .find(|(stored, _)| stored == stored_role(role))
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(Json(RoleList { items }))
}

/// A live session as the API shows it.
fn wire_session(row: AdminSessionRow, current: i64, idle: i64) -> AdminSession {
    AdminSession {
        id: row.id,
        user: staff(row.user_id, row.display_name),
        client: row.user_agent,
        address: row.client_addr,
        since: timestamp(row.created_at),
        last_seen_at: timestamp(row.last_seen_at),
        idle_expires_at: timestamp((row.last_seen_at + idle).min(row.expires_at)),
        current: row.id == current,
    }
}

/// Live sessions, most recently seen first.
#[utoipa::path(get, path = "/admin/sessions", tag = "admin", params(SessionQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The live sessions", body = SessionList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody)))]
pub(super) async fn sessions(
    State(state): State<AppState>,
    admin: AdminUser,
    Query(query): Query<SessionQuery>,
) -> Result<Json<SessionList>, ApiError> {
    let idle = state.policy.session_idle.num_seconds();
    let rows = state.store.live_sessions(query.user_id, state.now(), idle).await?;
    let current = admin.0.session_id;
    Ok(Json(SessionList {
        items: rows.into_iter().map(|row| wire_session(row, current, idle)).collect(),
    }))
}

/// End one session: its token stops working at once.
#[utoipa::path(delete, path = "/admin/sessions/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Session id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ended", body = Done),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such live session", body = ErrorBody)))]
pub(super) async fn end_session(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Done>, ApiError> {
    let id = path_id(&id)?;
    let mut tx = state.store.begin().await?;
    let result = async {
        recheck_actor(&state, &mut tx, &admin).await?;
        let Some(owner) = tx.revoke_session_by_id(id, state.now(), "admin").await? else {
            let entry = AuditEntry::new(
                state.now(),
                Some(admin.0.user.id),
                &admin.0.user.email,
                "admin.session.end",
                "refused",
            )
            .client(admin.0.addr)
            .detail(&format!("session={id}; no such live session"));
            tx.audit(&entry).await?;
            return Err(ApiError::not_found());
        };
        let entry = admin_entry(&state, &admin, "admin.session.end", "success", owner).detail(&format!("session={id}"));
        tx.audit(&entry).await?;
        let whose = match tx.user_by_id(owner).await? {
            Some(user) => format!("{}'s", user.display_name),
            None => "the".to_string(),
        };
        Ok(Done {
            message: format!("Ended {whose} session."),
        })
    }
    .await;
    Ok(Json(finish(tx, result).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_emails_are_checked() {
        assert!(checked_name(" Sam Brown ").is_ok());
        for bad in ["", "   ", "Sam\u{1b}[31m", "Sam\u{202e}nworB", &"x".repeat(101)] {
            assert!(checked_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(checked_email(" Sam@School.Test ").unwrap(), "sam@school.test");
        for bad in [
            "sam",
            "sam@school",
            "@school.test",
            "sam@@school.test",
            "sa m@school.test",
        ] {
            assert!(checked_email(bad).is_err(), "{bad:?}");
        }
    }
}
