//! Access as the admin manages it: `GET /admin/access/users/{user_id}` (what one member of staff
//! sees and why), `POST /admin/access` and `/admin/access/revoke` (grants by tutor group, year
//! group or one individual), `GET /admin/access/groups`, the yearly access review
//! (`GET /admin/access/review`, `POST /admin/access/review/{user_id}`, policy 8.2) and key
//! staff (`GET /admin/key-staff/{individual_id}`, `PUT /admin/key-staff`).
//!
//! What a grant lets a user see is the one access rule of `store::access`, read again at each
//! request, so a grant or a revoke applies at the user's very next request. Every change is
//! made in a transaction that first checks again that the actor is an admin with 2FA
//! ([`admin_tx`]) and audits `admin.<area>.<verb>` in the same commit.

use axum::Json;
use axum::extract::{Path, State};

use super::super::audit::AuditEntry;
use super::super::auth::{AdminUser, AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiJson};
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::super::store::{ConfirmationRow, Grant, GrantRow, Tx, UserRow, Viewer, role_of};
use super::common::{finish, path_id, staff, timestamp, user_entry};
use crate::wire::{
    AccessConfirmation, AccessGrant, AccessReview, AccessScope, AccountKind, Done, GrantChange, GroupInfo, GroupList,
    KeyStaffChange, KeyStaffList, ReviewRow, UserAccess,
};
use crate::wire::{ErrorBody, IndividualRef, PupilName};

/// Longest group or year name of a grant.
const GROUP_MAX: usize = 100;
/// A review confirmation older than this is due again (policy 8.2: at least yearly).
const REVIEW_EVERY_SECS: i64 = 365 * 24 * 60 * 60;

/// Begin the write transaction of an admin change and check again, inside it, that the actor
/// is still an active admin with 2FA (an earlier request may have demoted them since the
/// extractor checked): 403, audited as `action` refused, when they are not.
pub(super) async fn admin_tx(state: &AppState, admin: &AuthUser, action: &str) -> Result<Tx, ApiError> {
    let mut tx = state.store.begin().await?;
    if tx.actor_is_admin(admin.user.id, state.now()).await? {
        return Ok(tx);
    }
    let entry = admin_entry(state, admin, action, "denied").detail("no longer an admin with 2FA");
    tx.audit(&entry).await?;
    tx.commit().await?;
    Err(ApiError::forbidden(
        "Only an admin with two-factor authentication may do this.",
    ))
}

/// An audit row of `admin`'s action.
pub(super) fn admin_entry(state: &AppState, admin: &AuthUser, action: &str, outcome: &str) -> AuditEntry {
    user_entry(state, &admin.user, ClientAddr::at(admin.addr), action, outcome)
}

/// A [`Done`] with its sentence.
pub(super) fn done(message: String) -> Json<Done> {
    Json(Done { message })
}

/// A grant as the store keeps it, from a change: a group or year needs its name (and no
/// individual), an individual their id (and no name).
fn grant_of(change: &GrantChange) -> Result<Grant, ApiError> {
    let value = change.value.trim();
    match change.scope {
        AccessScope::Individual => match (change.individual_id, value.is_empty()) {
            (Some(id), true) => Ok(Grant::Individual(id)),
            (None, _) => Err(ApiError::invalid_request(
                "`individual_id` is missing: a grant of one individual names them.",
            )),
            (Some(_), false) => Err(ApiError::invalid_request(
                "`value` must be empty for a grant of one individual (name them with `individual_id`).",
            )),
        },
        AccessScope::Group | AccessScope::Year => {
            let scope = if change.scope == AccessScope::Group {
                "group"
            } else {
                "year"
            };
            if change.individual_id.is_some() {
                return Err(ApiError::invalid_request(format!(
                    "`individual_id` must be left out of a {scope} grant (name the {scope} in `value`)."
                )));
            }
            if value.is_empty() || value.chars().count() > GROUP_MAX || value.chars().any(char::is_control) {
                return Err(ApiError::invalid_request(format!(
                    "`value` must name the {scope} (1 to {GROUP_MAX} characters, as GET /admin/access/groups lists it)."
                )));
            }
            Ok(Grant::Group {
                scope,
                name: value.to_string(),
            })
        }
    }
}

/// The grant in words ("tutor group 9B", "Year 9", "Sam Brown").
fn grant_words(grant: &Grant, individual: Option<&str>) -> String {
    match grant {
        Grant::Group { scope: "group", name } => format!("tutor group {name}"),
        Grant::Group { name, .. } => format!("year group {name}"),
        Grant::Individual(id) => individual.map_or_else(|| format!("individual {id}"), str::to_string),
    }
}

/// The grant as the audit row's detail (ids and group names, never a pupil's name).
fn grant_detail(grant: &Grant) -> String {
    match grant {
        Grant::Group { scope, name } => format!("scope={scope} value={name}"),
        Grant::Individual(id) => format!("scope=individual individual={id}"),
    }
}

/// The active account `user_id` of a request body, inside `tx`; 422 when there is none.
async fn body_user(tx: &mut Tx, user_id: i64) -> Result<UserRow, ApiError> {
    match tx.user_by_id(user_id).await? {
        Some(user) if user.active => Ok(user),
        _ => Err(ApiError::invalid_request(format!(
            "`user_id` {user_id} is not an active account (GET /admin/users lists them)."
        ))),
    }
}

/// Give a member of staff access to a tutor group, a year group or one individual. A grant by
/// group or year covers the individuals who join it later. Granting what they have already
/// changes nothing, and says so.
#[utoipa::path(post, path = "/admin/access", tag = "admin", request_body = GrantChange, security(("bearer" = [])),
    responses(
        (status = 200, description = "Granted (or held already)", body = Done),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 422, description = "`invalid_request`: an unknown account, group, year or individual, or a role that sees everyone", body = ErrorBody)))]
pub(super) async fn grant_access(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(change): ApiJson<GrantChange>,
) -> Result<Json<Done>, ApiError> {
    let grant = grant_of(&change)?;
    let mut tx = admin_tx(&state, &admin, "admin.access.grant").await?;
    let result = async {
        let user = body_user(&mut tx, change.user_id).await?;
        if permissions(user.role()).see_all_individuals {
            return Err(ApiError::invalid_request(format!(
                "{}'s role ({}) sees every individual already: a grant would add nothing.",
                user.display_name,
                user.role().label()
            )));
        }
        let individual = match &grant {
            Grant::Group { scope, name } => {
                if !tx.group_exists(scope, name).await? {
                    return Err(ApiError::invalid_request(format!(
                        "`value` \"{name}\" is not a {} any individual is in (GET /admin/access/groups lists them).",
                        if *scope == "group" { "tutor group" } else { "year group" }
                    )));
                }
                None
            }
            Grant::Individual(id) => Some(tx.individual_name(*id).await?.ok_or_else(|| {
                ApiError::invalid_request(format!("`individual_id` {id} is not an individual of the setting."))
            })?),
        };
        let granted = tx.grant_access(user.id, &grant, admin.user.id, state.now()).await?;
        let entry = admin_entry(
            &state,
            &admin,
            "admin.access.grant",
            if granted { "success" } else { "unchanged" },
        )
        .target(&format!("user:{}", user.id))
        .detail(&grant_detail(&grant));
        tx.audit(&entry).await?;
        let what = grant_words(&grant, individual.as_deref());
        Ok(done(match granted {
            true => format!("{} may now see {what}.", user.display_name),
            false => format!("{} may already see {what}; nothing changed.", user.display_name),
        }))
    }
    .await;
    finish(tx, result).await
}

/// Take a grant away from a member of staff; they stop being key staff of anyone they can no
/// longer see. Taking a grant they do not hold changes nothing, and says so.
#[utoipa::path(post, path = "/admin/access/revoke", tag = "admin", request_body = GrantChange, security(("bearer" = [])),
    responses(
        (status = 200, description = "Revoked (or not held)", body = Done),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 422, description = "`invalid_request`: an unknown account, or a malformed grant", body = ErrorBody)))]
pub(super) async fn revoke_access(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(change): ApiJson<GrantChange>,
) -> Result<Json<Done>, ApiError> {
    let grant = grant_of(&change)?;
    let mut tx = admin_tx(&state, &admin, "admin.access.revoke").await?;
    let result = async {
        let user = body_user(&mut tx, change.user_id).await?;
        let individual = match &grant {
            Grant::Individual(id) => tx.individual_name(*id).await?,
            Grant::Group { .. } => None,
        };
        let (revoked, key_staff) = tx.revoke_access(Viewer::of(&user), &grant).await?;
        let entry = admin_entry(
            &state,
            &admin,
            "admin.access.revoke",
            if revoked { "success" } else { "unchanged" },
        )
        .target(&format!("user:{}", user.id))
        .detail(&format!("{} key_staff_removed={key_staff}", grant_detail(&grant)));
        tx.audit(&entry).await?;
        let what = grant_words(&grant, individual.as_deref());
        Ok(done(match (revoked, key_staff) {
            (false, _) => format!("{} had no grant of {what}; nothing changed.", user.display_name),
            (true, 0) => format!("{} may no longer see {what}.", user.display_name),
            (true, n) => format!(
                "{} may no longer see {what}, and is no longer key staff of {n} individual{}.",
                user.display_name,
                if n == 1 { "" } else { "s" }
            ),
        }))
    }
    .await;
    finish(tx, result).await
}

/// A grant as the wire shows it.
fn wire_grant(row: GrantRow) -> AccessGrant {
    AccessGrant {
        scope: match row.scope.as_str() {
            "group" => AccessScope::Group,
            "year" => AccessScope::Year,
            _ => AccessScope::Individual,
        },
        value: row.value,
        individual: row.individual_id.map(|id| IndividualRef {
            id,
            name: PupilName::new(row.individual_name.unwrap_or_default()),
        }),
        individuals: row.individuals,
        granted_by: row
            .granted_by
            .map(|id| staff(id, row.granted_by_name.unwrap_or_default())),
        granted_at: timestamp(row.granted_at),
    }
}

/// A review confirmation as the wire shows it.
fn wire_confirmation(row: ConfirmationRow) -> AccessConfirmation {
    AccessConfirmation {
        by: staff(row.confirmed_by, row.confirmed_by_name),
        at: timestamp(row.confirmed_at),
        visible: row.visible,
    }
}

/// What one member of staff can see, and why: their grants (each with the individuals it covers
/// now), how many individuals they see (what their `GET /individuals` lists), whom they are key
/// staff of, and their last access review.
#[utoipa::path(get, path = "/admin/access/users/{user_id}", tag = "admin", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "The member of staff")),
    responses(
        (status = 200, description = "Their access", body = UserAccess),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such account", body = ErrorBody)))]
pub(super) async fn user_access(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(user_id): Path<String>,
) -> Result<Json<UserAccess>, ApiError> {
    let user_id = path_id(&user_id)?;
    let user = state.store.user_by_id(user_id).await?.ok_or_else(ApiError::not_found)?;
    let viewer = Viewer::of(&user);
    let (grants, visible, key_staff_of, last_review) = tokio::try_join!(
        state.store.grants_of(user.id),
        state.store.visible_count(viewer),
        state.store.key_staff_of(user.id),
        state.store.last_confirmation(user.id)
    )?;
    Ok(Json(UserAccess {
        user: staff(user.id, user.display_name.clone()),
        role: user.role(),
        sees_all: viewer.sees_all,
        grants: grants.into_iter().map(wire_grant).collect(),
        visible,
        key_staff_of: key_staff_of
            .into_iter()
            .map(|row| IndividualRef {
                id: row.id,
                name: PupilName::new(row.name),
            })
            .collect(),
        last_review: last_review.map(wire_confirmation),
    }))
}

/// Every year group and tutor group, with its active individuals, for choosing a grant.
#[utoipa::path(get, path = "/admin/access/groups", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Years, then groups, by name", body = GroupList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody)))]
pub(super) async fn groups(State(state): State<AppState>, _admin: AdminUser) -> Result<Json<GroupList>, ApiError> {
    let items = state
        .store
        .groups()
        .await?
        .into_iter()
        .map(|row| GroupInfo {
            scope: if row.scope == "year" {
                AccessScope::Year
            } else {
                AccessScope::Group
            },
            name: row.name,
            individuals: row.individuals,
        })
        .collect();
    Ok(Json(GroupList { items }))
}

/// What a member of staff sees, in a few words: "everyone (role)", or their groups and years
/// and how many individuals one by one ("9B, Year 10 and 3 individuals"), or "nobody".
fn summary(sees_all: bool, grants: &[GrantRow]) -> String {
    if sees_all {
        return "everyone (role)".to_string();
    }
    let mut parts: Vec<String> = grants
        .iter()
        .filter(|g| g.scope != "individual")
        .map(|g| g.value.clone())
        .collect();
    match grants.iter().filter(|g| g.scope == "individual").count() {
        0 => {}
        1 => parts.push("1 individual".to_string()),
        n => parts.push(format!("{n} individuals")),
    }
    match parts.pop() {
        None => "nobody".to_string(),
        Some(last) if parts.is_empty() => last,
        Some(last) => format!("{} and {last}", parts.join(", ")),
    }
}

/// The account kind as stored, for the wire.
fn kind_of(stored: &str) -> AccountKind {
    match stored {
        "supply" => AccountKind::Supply,
        "visitor" => AccountKind::Visitor,
        _ => AccountKind::Staff,
    }
}

/// The yearly access review (policy 8.2): every account that can sign in, with what it sees and
/// its last confirmation; due when never confirmed or confirmed over 365 days ago. Due first,
/// then by name.
#[utoipa::path(get, path = "/admin/access/review", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The review", body = AccessReview),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody)))]
pub(super) async fn review(State(state): State<AppState>, _admin: AdminUser) -> Result<Json<AccessReview>, ApiError> {
    let now = state.now();
    let mut items = Vec::new();
    for account in state.store.reviewable_accounts(now).await? {
        let role = role_of(&account.role);
        let viewer = Viewer {
            user_id: account.id,
            sees_all: permissions(role).see_all_individuals,
        };
        let (grants, visible, last) = tokio::try_join!(
            state.store.grants_of(account.id),
            state.store.visible_count(viewer),
            state.store.last_confirmation(account.id)
        )?;
        let due = last.as_ref().is_none_or(|c| c.confirmed_at < now - REVIEW_EVERY_SECS);
        items.push(ReviewRow {
            user: staff(account.id, account.display_name),
            role,
            kind: kind_of(&account.kind),
            summary: summary(viewer.sees_all, &grants),
            visible,
            last_review: last.map(wire_confirmation),
            due,
        });
    }
    items.sort_by_key(|row| !row.due);
    let due = items.iter().filter(|row| row.due).count() as i64;
    Ok(Json(AccessReview { items, due }))
}

/// Confirm in the access review that what a member of staff sees now is right (recorded with
/// how many individuals that is).
#[utoipa::path(post, path = "/admin/access/review/{user_id}", tag = "admin", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "The member of staff")),
    responses(
        (status = 200, description = "Confirmed", body = Done),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such active account", body = ErrorBody)))]
pub(super) async fn confirm_review(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(user_id): Path<String>,
) -> Result<Json<Done>, ApiError> {
    let user_id = path_id(&user_id)?;
    let mut tx = admin_tx(&state, &admin, "admin.access.review").await?;
    let result = async {
        let user = match tx.user_by_id(user_id).await? {
            Some(user) if user.active => user,
            _ => return Err(ApiError::not_found()),
        };
        let visible = tx.confirm_access(Viewer::of(&user), admin.user.id, state.now()).await?;
        let entry = admin_entry(&state, &admin, "admin.access.review", "success")
            .target(&format!("user:{}", user.id))
            .detail(&format!("visible={visible}"));
        tx.audit(&entry).await?;
        Ok(done(format!(
            "Confirmed what {} sees ({visible} individual{}).",
            user.display_name,
            if visible == 1 { "" } else { "s" }
        )))
    }
    .await;
    finish(tx, result).await
}

/// An individual's key staff (they receive the communications about the individual).
#[utoipa::path(get, path = "/admin/key-staff/{individual_id}", tag = "admin", security(("bearer" = [])),
    params(("individual_id" = i64, Path, description = "The individual")),
    responses(
        (status = 200, description = "Their key staff, by name", body = KeyStaffList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual", body = ErrorBody)))]
pub(super) async fn key_staff(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(individual_id): Path<String>,
) -> Result<Json<KeyStaffList>, ApiError> {
    let id = path_id(&individual_id)?;
    let individual = state
        .store
        .individual_named(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let items = state
        .store
        .key_staff(id)
        .await?
        .into_iter()
        .map(|row| staff(row.id, row.name))
        .collect();
    Ok(Json(KeyStaffList {
        individual: IndividualRef {
            id: individual.id,
            name: PupilName::new(individual.name),
        },
        items,
    }))
}

/// Make a member of staff key staff of an individual, or stop. They must be able to see the
/// individual (422 otherwise). No change when they already are (or are not), and it says so.
#[utoipa::path(put, path = "/admin/key-staff", tag = "admin", request_body = KeyStaffChange, security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed (or already so)", body = Done),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin with 2FA", body = ErrorBody),
        (status = 422, description = "`invalid_request`: an unknown individual or account, or one who cannot see the individual", body = ErrorBody)))]
pub(super) async fn set_key_staff(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(change): ApiJson<KeyStaffChange>,
) -> Result<Json<Done>, ApiError> {
    let action = if change.key_staff {
        "admin.key_staff.add"
    } else {
        "admin.key_staff.remove"
    };
    let mut tx = admin_tx(&state, &admin, action).await?;
    let result = async {
        let Some(individual) = tx.individual_name(change.individual_id).await? else {
            return Err(ApiError::invalid_request(format!(
                "`individual_id` {} is not an individual of the setting.",
                change.individual_id
            )));
        };
        let user = body_user(&mut tx, change.user_id).await?;
        let Some(changed) = tx
            .set_key_staff(Viewer::of(&user), change.individual_id, change.key_staff)
            .await?
        else {
            return Err(ApiError::invalid_request(format!(
                "{} cannot see {individual}: grant them access first (POST /admin/access), then make them key staff.",
                user.display_name
            )));
        };
        let entry = admin_entry(&state, &admin, action, if changed { "success" } else { "unchanged" })
            .target(&format!("individual:{}", change.individual_id))
            .detail(&format!("user={}", user.id));
        tx.audit(&entry).await?;
        let name = &user.display_name;
        Ok(done(match (change.key_staff, changed) {
            (true, true) => format!("{name} is now key staff of {individual}."),
            (true, false) => format!("{name} is key staff of {individual} already; nothing changed."),
            (false, true) => format!("{name} is no longer key staff of {individual}."),
            (false, false) => format!("{name} was not key staff of {individual}; nothing changed."),
        }))
    }
    .await;
    finish(tx, result).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scope: &str, value: &str) -> GrantRow {
        GrantRow {
            scope: scope.to_string(),
            value: value.to_string(),
            individual_id: None,
            individual_name: None,
            individuals: 1,
            granted_by: None,
            granted_by_name: None,
            granted_at: 0,
        }
    }

    #[test]
    fn summaries_name_groups_and_count_individuals() {
        assert_eq!(summary(true, &[row("group", "9B")]), "everyone (role)");
        assert_eq!(summary(false, &[]), "nobody");
        assert_eq!(summary(false, &[row("individual", "")]), "1 individual");
        let grants = [
            row("group", "9B"),
            row("year", "Year 10"),
            row("individual", ""),
            row("individual", ""),
            row("individual", ""),
        ];
        assert_eq!(summary(false, &grants), "9B, Year 10 and 3 individuals");
    }
}
