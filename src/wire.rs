//! The JSON types of the `/api/v1` API, shared by client and server.
//!
//! One definition serves both ends so that the two cannot drift apart; with the `server` feature
//! each type also derives `utoipa::ToSchema`, so the OpenAPI document is generated from the very
//! types the handlers return. Times are UTC (`chrono::DateTime<Utc>`, RFC 3339 on the wire).
//! Secrets (passwords, codes, tokens) are plain `String`s only for as long as serde needs them:
//! callers move them into `secrecy`/`zeroize` holders straight away.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

mod admin;
mod chronology;
mod filter_sets;
mod incidents;
mod plans;
mod reports;

pub use admin::*;
pub use chronology::*;
pub use filter_sets::*;
pub use incidents::*;
pub use plans::*;
pub use reports::*;

/// Control characters (C0, DEL, C1) and the Unicode bidirectional controls and marks
/// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): never stored in a name, never
/// printed. One definition for the server's name checks and the text form of a report.
pub fn is_hostile_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// The error envelope every failed call answers with: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ErrorBody {
    /// The code and human message.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ErrorDetail {
    /// Machine-readable code, one of the constants in [`codes`].
    pub code: String,
    /// A sentence for a person: what went wrong and what to do.
    pub message: String,
}

/// The error codes the server uses. The client matches on these, never on messages.
pub mod codes {
    /// Wrong email or password (also for an email with no account).
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    /// The account is locked after too many failures; an admin must unlock it.
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    /// A TOTP or recovery code that is wrong, reused or out of its window.
    pub const INVALID_CODE: &str = "invalid_code";
    /// A login challenge that is unknown, used, expired or for another stage.
    pub const INVALID_CHALLENGE: &str = "invalid_challenge";
    /// A password that breaks the policy; the message says which rule.
    pub const WEAK_PASSWORD: &str = "weak_password";
    /// No or unknown bearer token.
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    /// The session passed its idle or absolute limit; sign in again.
    pub const SESSION_EXPIRED: &str = "session_expired";
    /// Signed in, but the role does not allow this.
    pub const FORBIDDEN: &str = "forbidden";
    /// Signed in, but this (adding a second factor) needs the password again first: unlock
    /// with `/auth/reauth`, then retry.
    pub const REAUTH_REQUIRED: &str = "reauth_required";
    /// No such record, or one the user may not see (the two are indistinguishable).
    pub const NOT_FOUND: &str = "not_found";
    /// The same client-made id was sent before with a different body: it names another
    /// record, so nothing was recorded.
    pub const CONFLICT: &str = "conflict";
    /// Too late for this (an undo after its window closed).
    pub const TOO_LATE: &str = "too_late";
    /// The body or query could not be read (wrong JSON, wrong types, missing fields).
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// The body is larger than the server accepts.
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// The body is not `application/json`.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// Too many requests from this address; wait and try again.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// Something failed on the server; nothing about it is revealed.
    pub const INTERNAL: &str = "internal";
    /// The address exists but not with this HTTP method (405).
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// The request headers are larger than the server accepts (431).
    pub const HEADERS_TOO_LARGE: &str = "headers_too_large";
    /// The address is longer than the server accepts (414).
    pub const URI_TOO_LONG: &str = "uri_too_long";
    /// The request took too long to arrive or to answer (408).
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    /// The server has as many connections as it serves at once; try again shortly (503).
    pub const SERVER_BUSY: &str = "server_busy";
}

/// `GET /setting`: what the login screen needs before anyone signs in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Setting {
    /// Stable identity of the setting; the client remembers it per server URL.
    pub id: String,
    /// The school's or home's name, shown on the login screen.
    pub name: String,
    /// Prefix of incident references, e.g. `besmart` for `besmart-10281`.
    pub incident_prefix: String,
    /// The password rules, so the client can show them before the server refuses one.
    pub password_rules: PasswordRules,
    /// Where staff get help.
    pub support: SupportContact,
    /// True when this is demo data: the client says so on the login screen.
    pub demo: bool,
    /// Demo settings only: the demo accounts and their (public) passwords, which the sign-in
    /// screen lists. Empty for a real setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demo_accounts: Vec<DemoAccountInfo>,
}

/// One demo account as the demo's sign-in screen lists it. Demo data only: these passwords are
/// published in the README and never used anywhere else.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct DemoAccountInfo {
    /// Email.
    pub email: String,
    /// The demo password.
    pub password: String,
    /// Role.
    pub role: Role,
    /// How the account signs in, e.g. "2FA: the code is shown" or "temporary password".
    pub note: String,
}

/// Password policy of a setting (SECURITY.md 1-4).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PasswordRules {
    /// Fewest code points for an account with 2FA.
    pub min_chars: u32,
    /// Fewest code points for an account without 2FA, where the setting lets 2FA be optional.
    pub min_chars_without_2fa: u32,
    /// Most code points accepted.
    pub max_chars: u32,
    /// True when every account must use 2FA.
    pub require_2fa_for_all: bool,
}

/// The setting's help-centre contact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct SupportContact {
    /// Support email address.
    pub email: String,
    /// Support telephone number.
    pub phone: String,
    /// Help-centre web address.
    pub url: String,
}

/// What `Debug` prints instead of a password, code, token, challenge or TOTP secret, so that a
/// `{:?}` in a log line, a panic or a test failure never carries one.
pub const REDACTED: &str = "[REDACTED]";

/// Prints [`REDACTED`] (unquoted) in a `Debug` listing.
struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// `Some([REDACTED])` or `None`: whether an optional secret is there, never its value.
fn redacted_opt(value: &Option<String>) -> Option<Redacted> {
    value.as_ref().map(|_| Redacted)
}

/// `POST /auth/login`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct LoginRequest {
    /// Work email address.
    pub email: String,
    /// Password, exactly as typed (the server normalises it to NFKC).
    pub password: String,
}

/// The next step of signing in, answered by login, TOTP, password change and enrolment.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuthStep {
    /// Signed in.
    Ok {
        /// Opaque bearer token (send as `Authorization: Bearer …`).
        token: String,
        /// Who signed in.
        user: User,
        /// Recovery codes, present once: right after 2FA enrolment is confirmed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        recovery_codes: Vec<String>,
        /// Present when this sign-in spent a recovery code: how many unused ones are left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recovery_codes_left: Option<u32>,
    },
    /// The password was right; a TOTP or recovery code is needed (`POST /auth/totp`).
    TotpRequired {
        /// Single-use challenge for the next step (never a bearer token).
        challenge: String,
        /// Demo settings only: the current code of a demo account, so the demo needs no phone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        demo_hint: Option<String>,
    },
    /// 2FA must be set up before signing in (`POST /auth/totp/enrol`).
    TotpEnrolmentRequired {
        /// Single-use challenge for enrolment.
        challenge: String,
    },
    /// A temporary password must be replaced (`POST /auth/password` with the challenge).
    PasswordChangeRequired {
        /// Single-use challenge for the change.
        challenge: String,
        /// The fewest characters the new password needs for this account (more without 2FA).
        min_chars: u32,
    },
}

/// `POST /auth/totp`: a 6-digit TOTP code or a recovery code.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct TotpRequest {
    /// The challenge from the previous step.
    pub challenge: String,
    /// Six digits (spaces are ignored) or a recovery code.
    pub code: String,
}

/// `POST /auth/totp/enrol`: start enrolment, with the login challenge or, when signed in, the
/// bearer token (then `challenge` is absent).
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct TotpEnrolRequest {
    /// The `totp_enrolment_required` challenge, when enrolment is part of signing in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
}

/// The answer to [`TotpEnrolRequest`]: the secret, shown once.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct TotpEnrolment {
    /// Base32 secret for manual entry.
    pub secret: String,
    /// `otpauth://` URL, drawn as a QR code.
    pub otpauth_url: String,
    /// Challenge to confirm with (present when enrolment is part of signing in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
}

/// `POST /auth/totp/confirm`: prove the authenticator works; answers [`AuthStep::Ok`] with
/// recovery codes.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct TotpConfirmRequest {
    /// The enrolment challenge, when enrolment is part of signing in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// A current code from the new authenticator.
    pub code: String,
}

/// `POST /auth/password`: change the password, with the login challenge (forced change of a
/// temporary password) or with the bearer token and the current password (voluntary change).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PasswordChangeRequest {
    /// The `password_change_required` challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// The current password (required for a voluntary change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
    /// The new password.
    pub new_password: String,
}

/// `POST /auth/reauth`: unlock a locked client with the password; answers a new token and
/// revokes the old one.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReauthRequest {
    /// The signed-in user's password.
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &Redacted)
            .finish()
    }
}

impl std::fmt::Debug for AuthStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthStep::Ok {
                token: _,
                user,
                recovery_codes,
                recovery_codes_left,
            } => f
                .debug_struct("Ok")
                .field("token", &Redacted)
                .field("user", user)
                .field(
                    "recovery_codes",
                    &format_args!("[{} x {REDACTED}]", recovery_codes.len()),
                )
                .field("recovery_codes_left", recovery_codes_left)
                .finish(),
            AuthStep::TotpRequired {
                challenge: _,
                demo_hint,
            } => f
                .debug_struct("TotpRequired")
                .field("challenge", &Redacted)
                .field("demo_hint", &redacted_opt(demo_hint))
                .finish(),
            AuthStep::TotpEnrolmentRequired { challenge: _ } => f
                .debug_struct("TotpEnrolmentRequired")
                .field("challenge", &Redacted)
                .finish(),
            AuthStep::PasswordChangeRequired {
                challenge: _,
                min_chars,
            } => f
                .debug_struct("PasswordChangeRequired")
                .field("challenge", &Redacted)
                .field("min_chars", min_chars)
                .finish(),
        }
    }
}

impl std::fmt::Debug for TotpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRequest")
            .field("challenge", &Redacted)
            .field("code", &Redacted)
            .finish()
    }
}

impl std::fmt::Debug for TotpEnrolRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolRequest")
            .field("challenge", &redacted_opt(&self.challenge))
            .finish()
    }
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("secret", &Redacted)
            .field("otpauth_url", &Redacted)
            .field("challenge", &redacted_opt(&self.challenge))
            .finish()
    }
}

impl std::fmt::Debug for TotpConfirmRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpConfirmRequest")
            .field("challenge", &redacted_opt(&self.challenge))
            .field("code", &Redacted)
            .finish()
    }
}

impl std::fmt::Debug for PasswordChangeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChangeRequest")
            .field("challenge", &redacted_opt(&self.challenge))
            .field("current_password", &redacted_opt(&self.current_password))
            .field("new_password", &Redacted)
            .finish()
    }
}

impl std::fmt::Debug for ReauthRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReauthRequest").field("password", &Redacted).finish()
    }
}

/// A user's role; it decides what they may see and do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Classroom and support staff: see the individuals they have access to.
    Staff,
    /// Pastoral lead or SENCo: sees every individual, reads analytics.
    PastoralLead,
    /// Designated safeguarding lead: sees everything, may delete incidents.
    Dsl,
    /// Administrator: manages users and settings; must use 2FA.
    Admin,
}

impl Role {
    /// The role as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Staff => "Staff",
            Role::PastoralLead => "Pastoral lead",
            Role::Dsl => "DSL",
            Role::Admin => "Admin",
        }
    }
}

/// A signed-in user, as the API shows them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct User {
    /// User id.
    pub id: i64,
    /// Work email.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// True once 2FA is set up.
    pub totp_enabled: bool,
}

/// `GET /me`: who is signed in and what the client may offer them. It grants nothing: the
/// server checks every request on its own.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Me {
    /// The user.
    pub user: User,
    /// What to show.
    pub permissions: Permissions,
    /// When the session ends if unused, and at the latest.
    pub session: SessionInfo,
}

/// What the client may offer the user (mirrors the server's checks).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Permissions {
    /// May open Analytics.
    pub view_analytics: bool,
    /// May open Admin.
    pub administer: bool,
    /// May delete incidents (with a reason).
    pub delete_incidents: bool,
    /// May edit every incident it may see (anyone may edit the incidents they reported).
    #[serde(default)]
    pub edit_incidents: bool,
    /// May delete Smart Plans (with a reason).
    #[serde(default)]
    pub delete_plans: bool,
    /// Sees every individual (otherwise only those granted).
    pub see_all_individuals: bool,
}

/// The lifetime of the current session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct SessionInfo {
    /// When the session expires if no request is made before then.
    pub idle_expires_at: DateTime<Utc>,
    /// When the session expires whatever happens.
    pub absolute_expires_at: DateTime<Utc>,
}

/// Whether an incident report includes physical intervention.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// Incident Report (`standard` on the wire; `incident` is read as the same).
    #[serde(rename = "standard", alias = "incident")]
    Incident,
    /// Incident involving physical intervention.
    PhysicalIntervention,
}

impl IncidentKind {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            IncidentKind::Incident => "Incident",
            IncidentKind::PhysicalIntervention => "Physical intervention",
        }
    }
}

/// A pupil's or young person's name, as the setting records it.
///
/// It has no `Display`, no `Deref` and a `Debug` that prints only its length, so it cannot be
/// drawn, logged or put in a panic by accident: the client shows it only through its privacy
/// function (`client::privacy`), which gives initials in privacy mode. The one way to the full
/// text is [`PupilName::unmasked`], which a test allows only in that module and the server.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(transparent)]
pub struct PupilName(String);

impl PupilName {
    /// Wrap a name.
    pub fn new(name: impl Into<String>) -> PupilName {
        PupilName(name.into())
    }

    /// The full name. Only the client's privacy function and the server may call this.
    pub fn unmasked(&self) -> &str {
        &self.0
    }

    /// Initials: "Ann Marie Smith" gives "A. M. S.".
    pub fn initials(&self) -> String {
        self.0
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .map(|c| format!("{c}."))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Debug for PupilName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PupilName({} chars)", self.0.chars().count())
    }
}

/// A reference to an individual (pupil or young person) inside another record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IndividualRef {
    /// Individual id.
    pub id: i64,
    /// Name as the setting records it.
    pub name: PupilName,
}

/// One row of `GET /incidents`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IncidentSummary {
    /// Reference, e.g. `besmart-10281`.
    pub reference: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The individual the report is about.
    pub individual: IndividualRef,
    /// Incident or physical intervention.
    pub kind: IncidentKind,
    /// Category, e.g. "Verbal abuse".
    pub category: String,
    /// Where it happened.
    pub location: String,
    /// Flagged for further attention.
    pub flagged: bool,
    /// Parents or carers have been informed.
    pub parents_informed: bool,
    /// How many more individuals the report is about besides `individual`.
    #[serde(default)]
    pub more_individuals: u32,
}

/// Query of `GET /incidents`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct IncidentQuery {
    /// Only incidents that happened at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only incidents that happened before this time (after `since`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Only incidents about this individual (one of those it is about).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_id: Option<i64>,
    /// Only this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<IncidentKind>,
    /// Only at this location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<i64>,
    /// Only flagged (true) or unflagged (false) incidents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged: Option<bool>,
    /// Only incidents whose parents have (true) or have not (false) been informed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents_informed: Option<bool>,
    /// Only incidents the user reported or was named present at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mine: Option<bool>,
    /// Page size, 1 to 1000 (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of incidents, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IncidentPage {
    /// The incidents on this page.
    pub items: Vec<IncidentSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// How many incidents match in all (the user may see).
    pub total: u64,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Invited to collaborate on an incident.
    CollaborationInvite,
    /// A behaviour communication addressed to the user.
    Communication,
    /// A response in the thread of a communication the user wrote or received.
    CommunicationResponse,
    /// An incident was flagged for attention.
    IncidentFlagged,
    /// An incident was reported about an individual the user is key staff of.
    IncidentReported,
    /// A Smart Plan is due for review.
    PlanReview,
}

/// One of `GET /notifications`. It carries references, never a sentence with a name baked in:
/// the server sends only notifications about individuals the reader may see at the time of
/// reading, and the client words them (and applies privacy mode) itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Notification {
    /// Notification id.
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// The individual it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual: Option<IndividualRef>,
    /// The incident it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_reference: Option<String>,
    /// The communication it concerns (also for a response in its thread), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_id: Option<uuid::Uuid>,
    /// The member of staff whose action raised it (who invited, wrote or flagged), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// For a Smart Plan review: the day it is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<chrono::NaiveDate>,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// True once read.
    pub read: bool,
}

/// `GET /notifications`: newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct NotificationList {
    /// The notifications.
    pub items: Vec<Notification>,
}

/// How a behaviour or a communication reads: praise or concern.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    /// Praise: a behaviour to encourage.
    Positive,
    /// Concern: a behaviour to reduce.
    Negative,
    /// Neither.
    Neutral,
}

/// A communication's tone, as the guide names it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Positive.
    Positive,
    /// Negative.
    Negative,
    /// N/A.
    Na,
}

impl Tone {
    /// As the guide writes it.
    pub fn label(self) -> &'static str {
        match self {
            Tone::Positive => "Positive",
            Tone::Negative => "Negative",
            Tone::Na => "N/A",
        }
    }
}

/// A member of staff inside another record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct StaffRef {
    /// User id.
    pub id: i64,
    /// Name shown to others.
    pub name: String,
}

/// Query of `GET /individuals`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct IndividualQuery {
    /// Only individuals whose name contains this text (any case; at most 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Page size, 1 to 1000 (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One row of `GET /individuals`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IndividualSummary {
    /// Individual id.
    pub id: i64,
    /// Name as lists show it (preferred or first name, then last name).
    pub name: PupilName,
    /// e.g. "Year 9".
    pub year_group: String,
    /// Tutor group (and house).
    pub group_name: String,
    /// When the signed-in user last recorded something about this individual (a click, a
    /// communication or an incident): lists put the most recent first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_recorded_by_me: Option<DateTime<Utc>>,
}

/// A page of `GET /individuals`, in id order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IndividualPage {
    /// The individuals on this page.
    pub items: Vec<IndividualSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A key contact of an individual (a parent or carer).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct KeyContact {
    /// Name.
    pub name: String,
    /// e.g. "Mother", "Foster carer".
    pub relationship: String,
    /// Telephone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// 1 is called first.
    pub priority: i64,
}

/// How a member of staff may see an individual (the profile's Access tab).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct AccessEntry {
    /// The member of staff.
    pub staff: StaffRef,
    /// Their role.
    pub role: Role,
    /// `all` (their role sees every individual), or the level granted: `view`, `record`,
    /// `manage`; or `group` / `year` when they see the individual through a grant of their tutor
    /// group or year group.
    pub level: String,
    /// A key member of staff of this individual (receives communications about them).
    pub key_staff: bool,
}

/// `GET /individuals/{id}`: the profile's Details, Key contacts and Access tabs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IndividualDetails {
    /// Individual id.
    pub id: i64,
    /// Name as lists show it.
    pub name: PupilName,
    /// Legal first name.
    pub first_name: PupilName,
    /// Last name.
    pub last_name: PupilName,
    /// Preferred name (empty when none).
    pub preferred_name: PupilName,
    /// Date of birth.
    pub date_of_birth: chrono::NaiveDate,
    /// e.g. "Year 9".
    pub year_group: String,
    /// Tutor group (and house).
    pub group_name: String,
    /// Special educational needs status, e.g. "SEN support", "EHCP" (empty when none).
    pub sen_status: String,
    /// Notes.
    pub notes: String,
    /// Parents and carers, in the order to call them.
    pub key_contacts: Vec<KeyContact>,
    /// Staff who may see this profile, key staff first.
    pub access: Vec<AccessEntry>,
}

/// A clicker behaviour of the setting.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Behaviour {
    /// Behaviour id.
    pub id: i64,
    /// e.g. "Shouting out".
    pub name: String,
    /// Praise or concern.
    pub sentiment: Sentiment,
    /// Order in the clicker (lowest first).
    pub position: i64,
}

/// `GET /behaviours`: the active behaviours, in clicker order, and the retired ones apart.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct BehaviourList {
    /// The behaviours the clicker offers.
    pub items: Vec<Behaviour>,
    /// Retired behaviours: never offered, only to name the clicks recorded with them.
    #[serde(default)]
    pub retired: Vec<Behaviour>,
}

/// One period of the school day (the setting's bell times).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct BellPeriod {
    /// 1 for the first period: `p1` in a typed time.
    pub number: u32,
    /// e.g. "Period 3".
    pub name: String,
    /// When it starts, in the setting's local time (`10:15`).
    pub starts: chrono::NaiveTime,
    /// When it ends.
    pub ends: chrono::NaiveTime,
}

/// `GET /periods`: the setting's bell times, first period first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PeriodList {
    /// The periods of a school day.
    pub items: Vec<BellPeriod>,
}

/// `POST /clicks`: one behaviour seen, recorded by the clicker. `id` is made by the client, so
/// sending the same click again (a retry) records it once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewClick {
    /// Client-made UUID.
    pub id: uuid::Uuid,
    /// Who.
    pub individual_id: i64,
    /// What.
    pub behaviour_id: i64,
    /// When it was seen (the key press, or the time typed to backdate it): at most 2 minutes
    /// ahead of the server's clock and at most 7 days old.
    pub occurred_at: DateTime<Utc>,
}

/// A recorded click.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Click {
    /// The client-made UUID.
    pub id: uuid::Uuid,
    /// Who.
    pub individual_id: i64,
    /// What.
    pub behaviour_id: i64,
    /// Who recorded it.
    pub recorded_by: StaffRef,
    /// When it was seen.
    pub occurred_at: DateTime<Utc>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
}

/// Query of `GET /clicks`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct ClickQuery {
    /// Only clicks about this individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_id: Option<i64>,
    /// Only clicks of this behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour_id: Option<i64>,
    /// Only clicks seen at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Only clicks seen before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 1000 (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of `GET /clicks`, most recently seen first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ClickPage {
    /// The clicks on this page.
    pub items: Vec<Click>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /communications`: a Behaviour Communication about an individual, sent to their key
/// staff. Idempotent by `id`, like a click.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCommunication {
    /// Client-made UUID.
    pub id: uuid::Uuid,
    /// Who it is about.
    pub individual_id: i64,
    /// Positive, negative or N/A.
    pub tone: Tone,
    /// The message: 1 to 4,000 characters, no control characters but new lines and tabs.
    pub message: String,
}

/// `POST /communications/{id}/responses`: an answer in a communication's thread. Idempotent by
/// `id`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewResponse {
    /// Client-made UUID.
    pub id: uuid::Uuid,
    /// The answer: 1 to 4,000 characters, as a communication's message.
    pub message: String,
}

/// A response in a communication's thread.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct CommunicationResponse {
    /// The client-made UUID.
    pub id: uuid::Uuid,
    /// Who answered.
    pub author: StaffRef,
    /// The answer.
    pub message: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A Behaviour Communication with its thread.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Communication {
    /// The client-made UUID.
    pub id: uuid::Uuid,
    /// Who it is about.
    pub individual: IndividualRef,
    /// Who wrote it.
    pub author: StaffRef,
    /// Positive, negative or N/A.
    pub tone: Tone,
    /// The message.
    pub message: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The key staff it was sent to.
    pub recipients: Vec<StaffRef>,
    /// The answers, oldest first.
    pub responses: Vec<CommunicationResponse>,
}

/// Query of `GET /communications`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct CommunicationQuery {
    /// Only communications about this individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_id: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of `GET /communications`, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct CommunicationPage {
    /// The communications on this page.
    pub items: Vec<Communication>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Clicks of one behaviour on one day (the profile's Clickers tab).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ClickCount {
    /// The day, as a UTC day (midnight to midnight UTC).
    pub day: chrono::NaiveDate,
    /// The behaviour.
    pub behaviour_id: i64,
    /// How many.
    pub count: u32,
}

/// `GET /individuals/{id}/overview`: what every other tab of a profile shows, in one answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IndividualOverview {
    /// The individual.
    pub individual: IndividualRef,
    /// Their incidents, newest first (at most 200).
    pub incidents: Vec<IncidentSummary>,
    /// How many incidents they have in all.
    pub incident_total: u64,
    /// Smart Plans not deleted, newest first.
    pub plans: Vec<PlanSummary>,
    /// Communications with their threads, newest first (at most 50).
    pub communications: Vec<Communication>,
    /// Clicks per UTC day over the last 30 days, oldest day first, ending today (30 numbers):
    /// the sparkline.
    pub clicks_last_30_days: Vec<u32>,
    /// Clicks per behaviour per day over the last 8 weeks.
    pub click_counts: Vec<ClickCount>,
    /// The latest clicks, most recently seen first (at most 200).
    pub recent_clicks: Vec<Click>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-VALUE-42";

    fn user() -> User {
        User {
            id: 1,
            email: "a@b.test".into(),
            display_name: "A".into(),
            role: Role::Staff,
            totp_enabled: true,
        }
    }

    #[test]
    fn debug_never_prints_a_secret() {
        let s = || SECRET.to_string();
        let printed = [
            format!(
                "{:?}",
                LoginRequest {
                    email: "a@b.test".into(),
                    password: s()
                }
            ),
            format!(
                "{:?}",
                AuthStep::Ok {
                    token: s(),
                    user: user(),
                    recovery_codes: vec![s(), s()],
                    recovery_codes_left: Some(3),
                }
            ),
            format!(
                "{:?}",
                AuthStep::TotpRequired {
                    challenge: s(),
                    demo_hint: Some(s())
                }
            ),
            format!("{:?}", AuthStep::TotpEnrolmentRequired { challenge: s() }),
            format!(
                "{:?}",
                AuthStep::PasswordChangeRequired {
                    challenge: s(),
                    min_chars: 15
                }
            ),
            format!(
                "{:?}",
                TotpRequest {
                    challenge: s(),
                    code: s()
                }
            ),
            format!("{:?}", TotpEnrolRequest { challenge: Some(s()) }),
            format!(
                "{:?}",
                TotpEnrolment {
                    secret: s(),
                    otpauth_url: s(),
                    challenge: Some(s())
                }
            ),
            format!(
                "{:?}",
                TotpConfirmRequest {
                    challenge: Some(s()),
                    code: s()
                }
            ),
            format!(
                "{:?}",
                PasswordChangeRequest {
                    challenge: Some(s()),
                    current_password: Some(s()),
                    new_password: s()
                }
            ),
            format!("{:?}", ReauthRequest { password: s() }),
        ];
        for p in &printed {
            assert!(!p.contains(SECRET), "{p}");
            assert!(p.contains(REDACTED), "{p}");
        }
        let name = format!("{:?}", PupilName::new("Ann Smith"));
        assert!(!name.contains("Ann"), "{name}");
        // Non-secret fields are still there to debug with.
        assert!(printed[0].contains("a@b.test"), "{}", printed[0]);
        assert!(printed[1].contains("display_name"), "{}", printed[1]);
    }
}
