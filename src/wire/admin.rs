//! Administration (`/admin/...`): staff accounts and supply or visitor cover, roles, access and
//! its yearly review, key staff, the setting's lists, the audit log and sessions.
//!
//! Every `/admin` route answers 403 to anyone who is not an admin with 2FA set up, whatever a
//! request body says (bodies never carry the actor's role: `deny_unknown_fields`), and every
//! change is audited in its own transaction.
//!
//! | route | body → answer |
//! |---|---|
//! | `GET /admin/users` | [`AdminUserQuery`] → [`AdminUserList`] |
//! | `POST /admin/users` | [`NewUser`] → 201 [`CreatedUser`] |
//! | `GET /admin/users/{id}` | → [`AdminUser`] |
//! | `POST /admin/users/{id}/actions` | [`UserAction`] → [`ActionDone`] |
//! | `POST /admin/users/import` | [`UserImport`] → [`ImportReport`] |
//! | `GET /admin/roles` | → [`RoleList`] |
//! | `GET /admin/sessions` | [`SessionQuery`] → [`SessionList`] |
//! | `DELETE /admin/sessions/{id}` | → [`Done`] |
//! | `GET /admin/access/users/{user_id}` | → [`UserAccess`] |
//! | `POST /admin/access` | [`GrantChange`] → [`Done`] |
//! | `POST /admin/access/revoke` | [`GrantChange`] → [`Done`] |
//! | `GET /admin/access/groups` | → [`GroupList`] |
//! | `GET /admin/access/review` | → [`AccessReview`] |
//! | `POST /admin/access/review/{user_id}` | → [`Done`] (confirms what they see now) |
//! | `GET /admin/key-staff/{individual_id}` | → [`KeyStaffList`] |
//! | `PUT /admin/key-staff` | [`KeyStaffChange`] → [`Done`] |
//! | `GET /admin/lists/{list}` | → [`ListEntries`] (`list`: [`SettingList`]) |
//! | `POST /admin/lists/{list}` | [`ListEntryChange`] → 201 [`ListEntry`] |
//! | `PUT /admin/lists/{list}/{id}` | [`ListEntryChange`] → [`ListEntry`] |
//! | `PUT /admin/bell-times` | [`BellTimes`] → [`Done`] |
//! | `GET /admin/audit` | [`AuditQuery`] → [`AuditPage`] |
//! | `GET /admin/audit/verify` | → [`AuditVerification`] |
//! | `GET /admin/audit/export` | [`AuditQuery`] → [`CsvExport`] (audited) |

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

use super::{BellPeriod, IndividualRef, Permissions, Role, Sentiment, StaffRef};

/// What kind of account: a member of the setting's staff, or cover that expires.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A member of staff, with no end date.
    #[default]
    Staff,
    /// Supply or agency cover (policy 8.22): expires at `expires_at`.
    Supply,
    /// A visitor: expires at `expires_at`.
    Visitor,
}

impl AccountKind {
    /// The kind as people say it.
    pub fn label(self) -> &'static str {
        match self {
            AccountKind::Staff => "Staff",
            AccountKind::Supply => "Supply cover",
            AccountKind::Visitor => "Visitor",
        }
    }
}

/// One account as the admin screens show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AdminUser {
    /// User id.
    pub id: i64,
    /// Work email.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Job title (may be empty).
    pub job_title: String,
    /// Role.
    pub role: Role,
    /// Staff, supply or visitor.
    pub kind: AccountKind,
    /// False once deactivated: it cannot sign in, its records stay attributed to it.
    pub active: bool,
    /// When a cover account stops working (none for staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// True once the expiry has passed.
    pub expired: bool,
    /// Locked out after six failed sign-ins (an admin unlocks it).
    pub locked: bool,
    /// Failed attempts counted since the last success.
    pub failed_attempts: i64,
    /// 2FA is set up.
    pub totp_enabled: bool,
    /// It still has a temporary password to change at its next sign-in.
    pub temporary_password: bool,
    /// The last request made with one of its sessions (none if it never signed in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Sessions open now.
    pub live_sessions: i64,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

/// Query of `GET /admin/users`. The client filters by name as you type (fuzzy); these filters
/// are the server's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct AdminUserQuery {
    /// Only this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Only locked-out accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// Only accounts without 2FA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_2fa: Option<bool>,
    /// Only active accounts with no request in the last 90 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive: Option<bool>,
    /// Include deactivated and expired accounts (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_ended: Option<bool>,
}

/// `GET /admin/users`: every matching account, by name (at most 5,000; `truncated` says when
/// there were more).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AdminUserList {
    /// The accounts.
    pub items: Vec<AdminUser>,
    /// More matched than were sent.
    pub truncated: bool,
}

/// `POST /admin/users`: a new account. The server makes its temporary password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Name shown to others: 1 to 100 characters, no control characters.
    pub display_name: String,
    /// Work email, unique (any case): at most 254 characters.
    pub email: String,
    /// Job title, at most 100 characters.
    #[serde(default)]
    pub job_title: String,
    /// Role.
    pub role: Role,
    /// Staff (default), supply or visitor. Cover accounts must be `staff` role.
    #[serde(default)]
    pub kind: AccountKind,
    /// When a cover account stops working: later than now, at most 90 days ahead. Default for
    /// cover: the end of today in the setting's time zone. Refused for staff accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Groups (tutor groups, as individuals' `group_name`) a cover account may see; it sees
    /// nothing else. Each must be a group some individual is in.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The answer to `POST /admin/users` and to a password reset: the account and its temporary
/// password, shown once and never again (the server keeps only its hash). It must be changed at
/// the first sign-in and expires after 72 hours.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct CreatedUser {
    /// The account.
    pub user: AdminUser,
    /// The temporary password.
    pub temporary_password: String,
}

/// `POST /admin/users/import`: accounts from a CSV file with a header row `name,email,role`
/// (role as `staff`, `pastoral_lead`, `dsl`, `admin`, or as labelled: "Pastoral lead"). At most
/// 200 rows and 1 MiB. All or nothing: when any row is refused nothing is created.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserImport {
    /// The file's text.
    pub csv: String,
    /// Only say what would happen.
    pub dry_run: bool,
}

/// What happened (or would) to one row of an import.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ImportRow {
    /// Line number in the file (the header is line 1).
    pub line: u32,
    /// The name as read (cleaned).
    pub display_name: String,
    /// The email as read (cleaned).
    pub email: String,
    /// The role, when it was understood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Why the row is refused (none when it is, or would be, created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Its temporary password, when it was created (not on a dry run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<String>,
}

/// The answer to `POST /admin/users/import`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ImportReport {
    /// It was a dry run.
    pub dry_run: bool,
    /// Accounts created (0 on a dry run or when any row was refused).
    pub created: u32,
    /// Every row, in file order.
    pub rows: Vec<ImportRow>,
}

/// `POST /admin/users/{id}/actions`: one change to an account. Each is audited; the server
/// refuses (409) removing the last active admin, an admin removing their own admin role or
/// deactivating themselves.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum UserAction {
    /// Change the role.
    SetRole {
        /// The new role.
        role: Role,
    },
    /// Deactivate: it cannot sign in, and every session ends at once.
    Deactivate,
    /// Let a deactivated account sign in again.
    Reactivate,
    /// Clear a lock-out and the failure count.
    Unlock,
    /// A new temporary password (shown once); every session ends.
    ResetPassword,
    /// Remove 2FA and its recovery codes: the user sets it up again at the next sign-in; every
    /// session ends.
    #[serde(rename = "reset_2fa")]
    Reset2fa,
    /// End every session of the account.
    EndSessions,
    /// Move a cover account's end (later than now, at most 90 days ahead).
    SetExpiry {
        /// The new end.
        expires_at: DateTime<Utc>,
    },
}

/// The answer to `POST /admin/users/{id}/actions`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ActionDone {
    /// What was done, in a sentence for the status line ("Unlocked Sam Brown's account").
    pub message: String,
    /// The account as it is now.
    pub user: AdminUser,
    /// A new temporary password (only after `reset_password`), shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<String>,
    /// Sessions ended by the action.
    pub sessions_ended: i64,
}

/// One role and what it may do, from the one permission table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct RoleInfo {
    /// The role.
    pub role: Role,
    /// What the role is for, in a sentence.
    pub description: String,
    /// What it may do.
    pub permissions: Permissions,
    /// Active accounts with this role.
    pub accounts: i64,
}

/// `GET /admin/roles`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct RoleList {
    /// Every role, least privileged first.
    pub items: Vec<RoleInfo>,
}

/// What an access grant covers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessScope {
    /// Every individual of a tutor group (their `group_name`), now and later.
    Group,
    /// Every individual of a year group (their `year_group`), now and later.
    Year,
    /// One individual.
    Individual,
}

/// One grant of access to a member of staff.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AccessGrant {
    /// Group, year or one individual.
    pub scope: AccessScope,
    /// The group or year name (empty for an individual).
    pub value: String,
    /// The individual (only for `individual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual: Option<IndividualRef>,
    /// Individuals it covers now.
    pub individuals: i64,
    /// Who granted it (none for grants from before grants were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<StaffRef>,
    /// When.
    pub granted_at: DateTime<Utc>,
}

/// `GET /admin/access/users/{user_id}`: what one member of staff can see, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct UserAccess {
    /// The member of staff.
    pub user: StaffRef,
    /// Their role.
    pub role: Role,
    /// Their role sees every individual (grants then add nothing).
    pub sees_all: bool,
    /// Their grants, groups and years first.
    pub grants: Vec<AccessGrant>,
    /// Individuals they can see now.
    pub visible: i64,
    /// Individuals they are key staff of.
    pub key_staff_of: Vec<IndividualRef>,
    /// The last confirmation in the access review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_review: Option<AccessConfirmation>,
}

/// `POST /admin/access` (grant a member of staff access; granting what they have already is
/// no change, and says so) and `POST /admin/access/revoke` (take a grant away).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantChange {
    /// The member of staff.
    pub user_id: i64,
    /// Group, year or one individual.
    pub scope: AccessScope,
    /// The group or year name (for `group` and `year`): one some individual has.
    #[serde(default)]
    pub value: String,
    /// The individual (for `individual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_id: Option<i64>,
}

/// A tutor group or year group, with how many individuals are in it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct GroupInfo {
    /// Group or year.
    pub scope: AccessScope,
    /// Its name, e.g. "9B" or "Year 9".
    pub name: String,
    /// Active individuals in it.
    pub individuals: i64,
}

/// `GET /admin/access/groups`: every tutor group and year group, for choosing a grant.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct GroupList {
    /// Years first, then groups, by name.
    pub items: Vec<GroupInfo>,
}

/// `PUT /admin/key-staff`: make a member of staff key staff of an individual, or stop. They
/// must be able to see the individual (422 otherwise).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyStaffChange {
    /// The individual.
    pub individual_id: i64,
    /// The member of staff.
    pub user_id: i64,
    /// True to add, false to remove.
    pub key_staff: bool,
}

/// `GET /admin/key-staff/{individual_id}`: an individual's key staff.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct KeyStaffList {
    /// The individual.
    pub individual: IndividualRef,
    /// Their key staff, by name.
    pub items: Vec<StaffRef>,
}

/// One confirmation of a member of staff's access in the yearly review (policy 8.2).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AccessConfirmation {
    /// Who confirmed it.
    pub by: StaffRef,
    /// When.
    pub at: DateTime<Utc>,
    /// Individuals they could see then.
    pub visible: i64,
}

/// One member of staff in the access review.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReviewRow {
    /// The member of staff.
    pub user: StaffRef,
    /// Their role.
    pub role: Role,
    /// Staff, supply or visitor.
    pub kind: AccountKind,
    /// What they can see, in a few words ("everyone (role)", "9B, Year 10 and 3 individuals").
    pub summary: String,
    /// Individuals they can see now.
    pub visible: i64,
    /// The last confirmation (none: never reviewed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_review: Option<AccessConfirmation>,
    /// Never confirmed, or last confirmed over a year ago.
    pub due: bool,
}

/// `GET /admin/access/review`: every active account, those due first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AccessReview {
    /// The accounts.
    pub items: Vec<ReviewRow>,
    /// How many are due.
    pub due: i64,
}

/// Which of the setting's lists.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SettingList {
    /// Clicker behaviours (ordered, with a sentiment).
    Behaviours,
    /// Where incidents happen.
    Locations,
    /// Kinds of incident.
    IncidentCategories,
}

/// One entry of a setting list as the admin edits it (retired ones included).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ListEntry {
    /// Id.
    pub id: i64,
    /// Name, unique in its list.
    pub name: String,
    /// Praise or concern (behaviours only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Sentiment>,
    /// Order (lowest first).
    pub position: i64,
    /// False once retired: it is no longer offered, and the records that use it keep it.
    pub active: bool,
    /// Records that use it (clicks or incidents).
    pub uses: i64,
}

/// `GET /admin/lists/{list}`: the whole list, in order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ListEntries {
    /// Which list.
    pub list: SettingList,
    /// Its entries, retired ones included.
    pub items: Vec<ListEntry>,
}

/// `POST /admin/lists/{list}` (a new entry, placed last) and `PUT /admin/lists/{list}/{id}` (a
/// change). Entries are retired, never deleted, so history keeps its words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ListEntryChange {
    /// Name: 1 to 100 characters, unique in its list (any case).
    pub name: String,
    /// Required for behaviours, refused for the other lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Sentiment>,
    /// New place (1 = first); the others move to make room. Default: stays (or last, when new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// False retires it, true brings it back. Default: true.
    #[serde(default = "yes")]
    pub active: bool,
}

/// The default of [`ListEntryChange::active`].
fn yes() -> bool {
    true
}

/// `PUT /admin/bell-times`: the whole day, replacing the old one. Periods numbered from
/// 1 without gaps, each ending after it starts and before the next starts, at most 20.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BellTimes {
    /// The periods, first first.
    pub items: Vec<BellPeriod>,
}

/// Query of `GET /admin/audit` and `GET /admin/audit/export`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only rows of this actor (user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<i64>,
    /// Only actions starting with this, e.g. `admin.` or `login.failed` (at most 100
    /// characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Only rows whose target contains this, e.g. a user id or an incident reference (at most
    /// 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// From this day (inclusive, the setting's dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// To this day (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Rows before this id (the previous page's `next_cursor`): newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    /// Page size, 1 to 1,000 (default 200). The export ignores it and takes at most 100,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
}

/// One row of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AuditRow {
    /// Row number in the chain.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (a user's email, `system` or `cli`), as recorded.
    pub actor: String,
    /// The actor's user id, when it was a user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<i64>,
    /// e.g. `login.succeeded`, `admin.user.unlock`.
    pub action: String,
    /// What it was done to (a user id, an incident reference), may be empty.
    pub target: String,
    /// The client's address.
    pub client_addr: String,
    /// `ok`, `refused`, ...
    pub outcome: String,
    /// More, as recorded (never a secret).
    pub detail: String,
}

/// `GET /admin/audit`: newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AuditPage {
    /// The rows.
    pub items: Vec<AuditRow>,
    /// Pass as `before` for the next (older) page; none at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

/// `GET /admin/audit/verify`: the state of the chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AuditVerification {
    /// Every row hashes to the next.
    pub intact: bool,
    /// Rows checked.
    pub rows: i64,
    /// The last row of the unbroken chain from the start ("verified up to row N").
    pub verified_up_to: i64,
    /// The first row that does not match (none when intact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_bad_row: Option<i64>,
    /// The head's hash, to note as an anchor (`bsmart admin verify-audit --anchor`).
    pub head_hash: String,
}

/// A CSV file made by the server for the client to save (`GET /admin/audit/export`). Cells
/// that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or carriage
/// return) are prefixed with `'` (SECURITY.md rule 43). The export is audited.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct CsvExport {
    /// A file name with no directory part, e.g. `audit-2026-12-02.csv`.
    pub filename: String,
    /// The file, header row first.
    pub csv: String,
    /// Rows, the header not counted.
    pub rows: i64,
    /// More rows matched than the export's limit (narrow the filter).
    pub truncated: bool,
}

/// One live session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AdminSession {
    /// Session id (for `DELETE /admin/sessions/{id}`).
    pub id: i64,
    /// Whose.
    pub user: StaffRef,
    /// The client that opened it (its User-Agent, cleaned and cut to 100 characters).
    pub client: String,
    /// The address it signed in from.
    pub address: String,
    /// Signed in at.
    pub since: DateTime<Utc>,
    /// The last request.
    pub last_seen_at: DateTime<Utc>,
    /// When it ends if unused.
    pub idle_expires_at: DateTime<Utc>,
    /// It is the session making this request.
    pub current: bool,
}

/// Query of `GET /admin/sessions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct SessionQuery {
    /// Only this user's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
}

/// `GET /admin/sessions`: live sessions, most recently seen first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct SessionList {
    /// The sessions.
    pub items: Vec<AdminSession>,
}

/// The answer to a change that has nothing else to say (`DELETE /admin/sessions/{id}`, a grant,
/// a key-staff change, a review confirmation, a list change, the bell times).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Done {
    /// What was done, in a sentence for the status line.
    pub message: String,
}
