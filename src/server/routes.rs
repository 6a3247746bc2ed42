//! The `/api/v1` routes. Every handler carries `#[utoipa::path]`, and the router is a
//! utoipa-axum `OpenApiRouter`, so the OpenAPI document ([`openapi`]) is generated from the
//! handlers themselves. Handlers call [`Store`](super::store::Store) methods only.
//!
//! Sign-in is a small state machine: `login` checks the password and answers the next step with
//! a single-use challenge bound to the user and the stage (`totp`, `totp_enrolment`,
//! `totp_confirm`, `password_change`); only the last step issues a session token, and
//! `sign_in` refuses to issue one to an admin without a second factor.
//!
//! Sessions: a user may hold any number of concurrent sessions (one per signed-in client);
//! each ends at its idle or absolute limit, at logout, when reauth rotates it, and all of them
//! end when the account is locked or its password or 2FA changes.

use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, MatchedPath, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn;
use axum::routing::get;
use chrono::{DateTime, Utc};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zeroize::Zeroizing;

use super::audit::AuditEntry;
use super::auth::{
    self, AuthUser, ClientAddr, MaybeAuthUser, PasswordContext, check_new_password, hash_token, random_token, token_ref,
};
use super::error::{ApiError, ApiJson, ApiQuery, envelope_layer, header_limit_layer, panic_response};
use super::state::AppState;
use super::store::{IncidentRow, SettingRow, Stage, UserRow};
use crate::wire::{
    AuthStep, ErrorBody, IncidentKind, IncidentPage, IncidentQuery, IncidentSummary, IndividualRef, LoginRequest, Me,
    Notification, NotificationKind, NotificationList, PasswordChangeRequest, PasswordRules, Permissions, ReauthRequest,
    Role, SessionInfo, Setting, SupportContact, TotpConfirmRequest, TotpEnrolRequest, TotpEnrolment, TotpRequest, User,
};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Default page size of `GET /incidents`.
const DEFAULT_LIMIT: u32 = 200;
/// Largest page size of `GET /incidents`.
const MAX_LIMIT: u32 = 1000;
/// Longest challenge string looked at (real ones are 43 characters).
const MAX_CHALLENGE_CHARS: usize = 128;
/// Longest email looked up (RFC 5321 path limit).
const MAX_EMAIL_CHARS: usize = 320;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "bsmart API",
        description = "The reference server of bsmart. Errors are always {\"error\":{\"code\",\"message\"}}."
    ),
    modifiers(&BearerScheme),
    tags((name = "auth", description = "Signing in and out"), (name = "records", description = "Pupil records"))
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(get_setting))
        .routes(routes!(login))
        .routes(routes!(totp))
        .routes(routes!(totp_enrol))
        .routes(routes!(totp_confirm))
        .routes(routes!(change_password))
        .routes(routes!(reauth))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(incidents))
        .routes(routes!(notifications));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(crate::wire::API_PREFIX, api)
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi() -> OpenApiDoc {
    api_router().split_for_parts().1
}

/// The OpenAPI document as committed in `assets/openapi.json` (pretty JSON, newline at end).
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// The whole HTTP application: routes, envelope for every error, limits, panic handler.
pub fn router(state: AppState) -> axum::Router {
    let (api, _) = api_router().split_for_parts();
    let document = Arc::new(openapi_json());
    let openapi_path = format!("{}/openapi.json", crate::wire::API_PREFIX);
    let app = api
        .route(
            &openapi_path,
            get(move || {
                let document = Arc::clone(&document);
                async move { ([(header::CONTENT_TYPE, "application/json")], (*document).clone()) }
            }),
        )
        .with_state(state);
    harden(app)
}

/// The layers around every route: a not-found envelope, request log, 64 KiB body limit (413),
/// header bound (431), the envelope for every error, the panic handler, `no-store`.
fn harden(app: axum::Router) -> axum::Router {
    app.fallback(|| async { ApiError::not_found() })
        .layer(from_fn(log_request))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(from_fn(header_limit_layer))
        .layer(from_fn(envelope_layer))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn(no_store))
}

/// Log each request: method, the matched route pattern (never the raw path or query, which
/// could carry a mistyped secret), status and duration. No address, email, token or body.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route = route.as_deref().unwrap_or("-"),
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Every answer may carry a token or pupil data: no cache may keep it, and no client may
/// guess a content type.
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    response
}

/// Takes one token from the per-address limiter of the sign-in routes (429 when empty).
struct RateLimited;

impl FromRequestParts<AppState> for RateLimited {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<RateLimited, ApiError> {
        let Some(limiter) = &state.limiter else {
            return Ok(RateLimited);
        };
        let Some(addr) = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>() else {
            return Ok(RateLimited);
        };
        if limiter.check(addr.0.ip()) {
            Ok(RateLimited)
        } else {
            Err(ApiError::rate_limited())
        }
    }
}

// ---- helpers -----------------------------------------------------------------------------

async fn audit(state: &AppState, entry: AuditEntry) -> Result<(), ApiError> {
    state.store.append_audit(&entry).await?;
    Ok(())
}

fn user_entry(state: &AppState, user: &UserRow, addr: ClientAddr, action: &str, outcome: &str) -> AuditEntry {
    AuditEntry::new(state.now(), Some(user.id), &user.email, action, outcome).client(addr.0)
}

async fn setting(state: &AppState) -> Result<SettingRow, ApiError> {
    state.store.setting().await?.ok_or_else(|| {
        tracing::error!("the database has no setting row");
        ApiError::internal()
    })
}

fn wire_user(user: &UserRow) -> User {
    User {
        id: user.id,
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role(),
        totp_enabled: user.totp_enabled(),
    }
}

fn seal_context(user_id: i64) -> Vec<u8> {
    format!("bsmart-totp:user:{user_id}").into_bytes()
}

fn timestamp(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

/// Count a failure of `user` toward the lock-out; answers the error to send (`locked` once the
/// threshold is reached, `otherwise` before). The failure that locks ends every session.
async fn count_failure(
    state: &AppState,
    user: &UserRow,
    addr: ClientAddr,
    action: &str,
    otherwise: ApiError,
) -> Result<ApiError, ApiError> {
    let now = state.now();
    let failure = state
        .store
        .record_failure(user.id, state.policy.lockout_threshold, now)
        .await?;
    audit(
        state,
        user_entry(state, user, addr, action, "failure").detail(&format!("failures={}", failure.count)),
    )
    .await?;
    if failure.newly_locked {
        let ended = state.store.revoke_user_sessions(user.id, now, "locked").await?;
        audit(
            state,
            user_entry(state, user, addr, "account.lock", "locked").detail(&format!("sessions_ended={ended}")),
        )
        .await?;
    }
    Ok(if failure.locked {
        ApiError::account_locked()
    } else {
        otherwise
    })
}

async fn issue_challenge(state: &AppState, user_id: i64, stage: Stage) -> Result<String, ApiError> {
    let challenge = random_token();
    let now = state.now();
    let expires = now + state.policy.challenge_ttl.num_seconds();
    state
        .store
        .create_challenge(&hash_token(&challenge), user_id, stage, now, expires)
        .await?;
    Ok(challenge)
}

fn challenge_hash(challenge: &str) -> Option<String> {
    (!challenge.is_empty() && challenge.len() <= MAX_CHALLENGE_CHARS).then(|| hash_token(challenge))
}

/// The user of a valid challenge for `stage`, refusing locked and disabled accounts.
async fn challenge_owner(
    state: &AppState,
    challenge: &str,
    stage: Stage,
    addr: ClientAddr,
    action: &str,
) -> Result<(String, UserRow), ApiError> {
    let now = state.now();
    let owner = match challenge_hash(challenge) {
        Some(hash) => state
            .store
            .challenge_user(&hash, stage, now)
            .await?
            .map(|id| (hash, id)),
        None => None,
    };
    let Some((hash, user_id)) = owner else {
        audit(
            state,
            AuditEntry::new(now, None, "anonymous", action, "invalid_challenge").client(addr.0),
        )
        .await?;
        return Err(ApiError::invalid_challenge());
    };
    match state.store.user_by_id(user_id).await? {
        Some(user) if user.locked_at.is_some() => {
            audit(state, user_entry(state, &user, addr, action, "locked")).await?;
            Err(ApiError::account_locked())
        }
        Some(user) if user.active => Ok((hash, user)),
        _ => Err(ApiError::invalid_challenge()),
    }
}

/// Issue a session token: the only way to one. `second_factor` says a TOTP or recovery code
/// (or an existing session that needed one) was given; admins never get a token without it.
async fn sign_in(
    state: &AppState,
    user_id: i64,
    addr: ClientAddr,
    second_factor: bool,
    absolute_expires_at: Option<i64>,
    recovery_codes: Vec<String>,
) -> Result<AuthStep, ApiError> {
    let user = state
        .store
        .user_by_id(user_id)
        .await?
        .ok_or_else(ApiError::invalid_challenge)?;
    if user.locked_at.is_some() {
        // Locked meanwhile by parallel failures: the right credentials still get 423.
        return Err(ApiError::account_locked());
    }
    if !user.active {
        return Err(ApiError::invalid_credentials());
    }
    if user.role() == Role::Admin && !second_factor {
        audit(
            state,
            user_entry(state, &user, addr, "session.create", "denied").detail("admin without 2FA"),
        )
        .await?;
        return Err(ApiError::forbidden(
            "Administrators must sign in with two-factor authentication.",
        ));
    }
    let now = state.now();
    let token = random_token();
    let token_hash = hash_token(&token);
    let expires = absolute_expires_at.unwrap_or(now + state.policy.session_absolute.num_seconds());
    let addr_text = addr.0.map(|a| a.ip().to_string()).unwrap_or_default();
    state.store.reset_failures(user.id).await?;
    state
        .store
        .create_session(&token_hash, user.id, now, expires, &addr_text)
        .await?;
    audit(
        state,
        user_entry(state, &user, addr, "session.create", "success").target(&token_ref(&token_hash)),
    )
    .await?;
    Ok(AuthStep::Ok {
        token,
        user: wire_user(&user),
        recovery_codes,
    })
}

/// After a right (and permanent) password: ask for the second factor, or enrolment, or sign in.
async fn after_password(state: &AppState, user: &UserRow, addr: ClientAddr) -> Result<AuthStep, ApiError> {
    let setting = setting(state).await?;
    if let Some(sealed) = &user.totp_secret_sealed {
        audit(state, user_entry(state, user, addr, "login.password", "totp_required")).await?;
        let challenge = issue_challenge(state, user.id, Stage::Totp).await?;
        let demo_hint = if setting.demo {
            let secret = state
                .key
                .unseal(sealed, &seal_context(user.id))
                .map_err(|_| ApiError::internal())?;
            auth::totp_code_at(&secret, state.now())
        } else {
            None
        };
        return Ok(AuthStep::TotpRequired { challenge, demo_hint });
    }
    if user.role() == Role::Admin || setting.require_2fa_for_all {
        audit(
            state,
            user_entry(state, user, addr, "login.password", "totp_enrolment_required"),
        )
        .await?;
        let challenge = issue_challenge(state, user.id, Stage::TotpEnrolment).await?;
        return Ok(AuthStep::TotpEnrolmentRequired { challenge });
    }
    audit(state, user_entry(state, user, addr, "login.password", "success")).await?;
    sign_in(state, user.id, addr, false, None, Vec::new()).await
}

fn temporary_expired(state: &AppState, user: &UserRow) -> bool {
    user.password_is_temporary && user.temporary_expires_at.is_some_and(|t| state.now() >= t)
}

fn temporary_expired_error() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        crate::wire::codes::INVALID_CREDENTIALS,
        "This temporary password has expired. Ask an administrator for a new one.",
    )
}

async fn password_context_needs_2fa(state: &AppState, user: &UserRow) -> Result<bool, ApiError> {
    Ok(user.totp_enabled() || user.role() == Role::Admin || setting(state).await?.require_2fa_for_all)
}

async fn check_and_hash_new_password(
    state: &AppState,
    user: &UserRow,
    addr: ClientAddr,
    new_password: &str,
) -> Result<String, ApiError> {
    let setting = setting(state).await?;
    let ctx = PasswordContext {
        setting_name: &setting.name,
        email: &user.email,
        with_2fa: password_context_needs_2fa(state, user).await?,
    };
    let normalized = match check_new_password(new_password, &ctx) {
        Ok(p) => p,
        Err(reason) => {
            audit(
                state,
                user_entry(state, user, addr, "password.change", "refused").detail(&reason),
            )
            .await?;
            return Err(ApiError::weak_password(reason));
        }
    };
    if auth::verify_password(Some(user.password_hash.clone()), &normalized).await? {
        let reason = "The new password must be different from the current one.";
        audit(
            state,
            user_entry(state, user, addr, "password.change", "refused").detail(reason),
        )
        .await?;
        return Err(ApiError::weak_password(reason));
    }
    auth::hash_password(normalized).await
}

async fn check_recovery_code(state: &AppState, user_id: i64, code: String) -> Result<bool, ApiError> {
    let candidates = state.store.unused_recovery_codes(user_id).await?;
    let code = Zeroizing::new(code);
    let matched = tokio::task::spawn_blocking(move || {
        candidates
            .into_iter()
            .find(|(_, hash)| auth::verify_password_blocking(Some(hash), &code))
            .map(|(id, _)| id)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    match matched {
        Some(id) => Ok(state.store.use_recovery_code(id, state.now()).await?),
        None => Ok(false),
    }
}

// ---- handlers ----------------------------------------------------------------------------

/// The setting: what the login screen shows before anyone signs in.
#[utoipa::path(get, path = "/setting", tag = "auth",
    responses((status = 200, description = "The setting", body = Setting)))]
async fn get_setting(State(state): State<AppState>) -> Result<Json<Setting>, ApiError> {
    let s = setting(&state).await?;
    Ok(Json(Setting {
        id: s.id,
        name: s.name,
        incident_prefix: s.incident_prefix,
        password_rules: PasswordRules {
            min_chars: auth::MIN_PASSWORD_CHARS as u32,
            min_chars_without_2fa: auth::MIN_PASSWORD_CHARS_WITHOUT_2FA as u32,
            max_chars: auth::MAX_PASSWORD_CHARS as u32,
            require_2fa_for_all: s.require_2fa_for_all,
        },
        support: SupportContact {
            email: s.support_email,
            phone: s.support_phone,
            url: s.support_url,
        },
        demo: s.demo,
    }))
}

/// Sign in with email and password; answers the next step.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or the next step", body = AuthStep),
        (status = 401, description = "`invalid_credentials` (also for an unknown email)", body = ErrorBody),
        (status = 422, description = "`invalid_request`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
async fn login(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let password = Zeroizing::new(request.password);
    let email = auth::normalize_email(&request.email);
    let user = if !email.is_empty() && email.chars().count() <= MAX_EMAIL_CHARS {
        state.store.user_by_email(&email).await?
    } else {
        None
    };
    // Always one argon2 verification (a dummy one for an unknown email): same timing.
    let right = auth::verify_password(user.as_ref().map(|u| u.password_hash.clone()), &password).await?;
    let now = state.now();
    let Some(user) = user else {
        let hash = auth::email_hash(&email);
        let actor = format!("unknown:{}", &hash[..12]);
        if state.store.unknown_email_locked(&hash).await? {
            audit(
                &state,
                AuditEntry::new(now, None, &actor, "login.password", "locked").client(addr.0),
            )
            .await?;
            return Err(ApiError::account_locked());
        }
        let failure = state
            .store
            .record_unknown_failure(&hash, state.policy.lockout_threshold, now)
            .await?;
        let entry = AuditEntry::new(now, None, &actor, "login.password", "failure")
            .client(addr.0)
            .detail(&format!("no such account; failures={}", failure.count));
        audit(&state, entry).await?;
        return Err(if failure.locked {
            ApiError::account_locked()
        } else {
            ApiError::invalid_credentials()
        });
    };
    if user.locked_at.is_some() {
        audit(&state, user_entry(&state, &user, addr, "login.password", "locked")).await?;
        return Err(ApiError::account_locked());
    }
    if !user.active {
        audit(&state, user_entry(&state, &user, addr, "login.password", "disabled")).await?;
        return Err(ApiError::invalid_credentials());
    }
    if !right {
        return Err(count_failure(&state, &user, addr, "login.password", ApiError::invalid_credentials()).await?);
    }
    if user.password_is_temporary {
        if temporary_expired(&state, &user) {
            audit(
                &state,
                user_entry(&state, &user, addr, "login.password", "temporary_expired"),
            )
            .await?;
            return Err(temporary_expired_error());
        }
        audit(
            &state,
            user_entry(&state, &user, addr, "login.password", "password_change_required"),
        )
        .await?;
        let challenge = issue_challenge(&state, user.id, Stage::PasswordChange).await?;
        return Ok(Json(AuthStep::PasswordChangeRequired { challenge }));
    }
    Ok(Json(after_password(&state, &user, addr).await?))
}

/// Second step: a TOTP code (or a recovery code) with the `totp_required` challenge.
#[utoipa::path(post, path = "/auth/totp", tag = "auth", request_body = TotpRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthStep),
        (status = 401, description = "`invalid_code` or `invalid_challenge`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
async fn totp(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(request): ApiJson<TotpRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let code = Zeroizing::new(request.code);
    let (hash, user) = challenge_owner(&state, &request.challenge, Stage::Totp, addr, "login.totp").await?;
    let now = state.now();
    let mut used_recovery = false;
    let accepted = match &user.totp_secret_sealed {
        Some(sealed) if auth::parse_totp_code(&code).is_some() => {
            let secret = state
                .key
                .unseal(sealed, &seal_context(user.id))
                .map_err(|_| ApiError::internal())?;
            match auth::check_totp(&secret, &code, now).and_then(|s| i64::try_from(s).ok()) {
                Some(step) => state.store.advance_totp_step(user.id, step).await?,
                None => false,
            }
        }
        Some(_) => match auth::normalize_recovery_code(&code) {
            Some(normalized) => {
                used_recovery = check_recovery_code(&state, user.id, normalized).await?;
                used_recovery
            }
            None => false,
        },
        None => false,
    };
    if !accepted {
        return Err(count_failure(&state, &user, addr, "login.totp", ApiError::invalid_code()).await?);
    }
    if state.store.consume_challenge(&hash, Stage::Totp, now).await?.is_none() {
        return Err(ApiError::invalid_challenge());
    }
    let detail = if used_recovery { "recovery code" } else { "totp" };
    audit(
        &state,
        user_entry(&state, &user, addr, "login.totp", "success").detail(detail),
    )
    .await?;
    Ok(Json(sign_in(&state, user.id, addr, true, None, Vec::new()).await?))
}

/// Start 2FA enrolment: with the `totp_enrolment_required` challenge, or signed in (bearer,
/// body `{}`) for an account without 2FA. The secret is shown once.
#[utoipa::path(post, path = "/auth/totp/enrol", tag = "auth", request_body = TotpEnrolRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The new secret", body = TotpEnrolment),
        (status = 401, description = "`invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: 2FA is already set up", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
async fn totp_enrol(
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<TotpEnrolRequest>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    let now = state.now();
    let (user, challenge) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpEnrolment, addr, "totp.enrol").await?;
            if user.totp_enabled()
                || state
                    .store
                    .consume_challenge(&hash, Stage::TotpEnrolment, now)
                    .await?
                    .is_none()
            {
                return Err(ApiError::invalid_challenge());
            }
            let next = issue_challenge(&state, user.id, Stage::TotpConfirm).await?;
            (user, Some(next))
        }
        (None, Some(signed_in)) => {
            if signed_in.user.totp_enabled() {
                audit(
                    &state,
                    user_entry(&state, &signed_in.user, addr, "totp.enrol", "denied"),
                )
                .await?;
                return Err(ApiError::forbidden(
                    "Two-factor authentication is already set up for this account.",
                ));
            }
            (signed_in.user, None)
        }
        (None, None) => return Err(ApiError::unauthenticated()),
    };
    let secret = auth::new_totp_secret();
    let sealed = state.key.seal(&secret, &seal_context(user.id));
    state.store.set_totp_pending(user.id, &sealed).await?;
    let setting = setting(&state).await?;
    let otpauth_url = auth::totp(&secret, &user.email, &setting.name)
        .and_then(|t| t.to_url().ok())
        .ok_or_else(ApiError::internal)?;
    audit(&state, user_entry(&state, &user, addr, "totp.enrol", "started")).await?;
    Ok(Json(TotpEnrolment {
        secret: auth::base32(&secret),
        otpauth_url,
        challenge,
    }))
}

/// Finish 2FA enrolment with a code from the new authenticator; answers a token and the
/// recovery codes (shown once). Signed-in users get a new token: every other session ends.
#[utoipa::path(post, path = "/auth/totp/confirm", tag = "auth", request_body = TotpConfirmRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Signed in, with recovery codes", body = AuthStep),
        (status = 401, description = "`invalid_code`, `invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
async fn totp_confirm(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<TotpConfirmRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let code = Zeroizing::new(request.code);
    let now = state.now();
    let (user, challenge_hash, absolute) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpConfirm, addr, "totp.confirm").await?;
            (user, Some(hash), None)
        }
        (None, Some(signed_in)) => (signed_in.user, None, Some(signed_in.expires_at)),
        (None, None) => return Err(ApiError::unauthenticated()),
    };
    let Some(pending) = user.totp_pending_sealed.clone() else {
        return Err(ApiError::invalid_challenge());
    };
    let secret = state
        .key
        .unseal(&pending, &seal_context(user.id))
        .map_err(|_| ApiError::internal())?;
    let Some(step) = auth::check_totp(&secret, &code, now).and_then(|s| i64::try_from(s).ok()) else {
        return Err(count_failure(&state, &user, addr, "totp.confirm", ApiError::invalid_code()).await?);
    };
    if let Some(hash) = &challenge_hash
        && state
            .store
            .consume_challenge(hash, Stage::TotpConfirm, now)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid_challenge());
    }
    let codes = auth::new_recovery_codes();
    let to_hash = Zeroizing::new(codes.clone());
    let hashes = tokio::task::spawn_blocking(move || {
        to_hash
            .iter()
            .map(|c| auth::hash_password_blocking(&auth::normalize_recovery_code(c).unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|_| ApiError::internal())??;
    if !state.store.confirm_totp(user.id, &pending, step, &hashes, now).await? {
        return Err(count_failure(&state, &user, addr, "totp.confirm", ApiError::invalid_code()).await?);
    }
    audit(&state, user_entry(&state, &user, addr, "totp.confirm", "success")).await?;
    Ok(Json(sign_in(&state, user.id, addr, true, absolute, codes).await?))
}

/// Change the password: with the `password_change_required` challenge (a temporary password),
/// or signed in with the current password. Answers the next step or a new token; every other
/// session of the user ends.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordChangeRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Changed; signed in or the next step", body = AuthStep),
        (status = 401, description = "`invalid_credentials`, `invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 422, description = "`weak_password` (the message says why) or `invalid_request`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
async fn change_password(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<PasswordChangeRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let new_password = Zeroizing::new(request.new_password);
    let current = request.current_password.map(Zeroizing::new);
    let now = state.now();
    if let Some(challenge) = &request.challenge {
        let (hash, user) = challenge_owner(&state, challenge, Stage::PasswordChange, addr, "password.change").await?;
        if !user.password_is_temporary {
            return Err(ApiError::invalid_challenge());
        }
        if temporary_expired(&state, &user) {
            return Err(temporary_expired_error());
        }
        let new_hash = check_and_hash_new_password(&state, &user, addr, &new_password).await?;
        if state
            .store
            .consume_challenge(&hash, Stage::PasswordChange, now)
            .await?
            .is_none()
        {
            return Err(ApiError::invalid_challenge());
        }
        state.store.set_password(user.id, &new_hash, now).await?;
        audit(
            &state,
            user_entry(&state, &user, addr, "password.change", "success").detail("temporary replaced"),
        )
        .await?;
        let user = state.store.user_by_id(user.id).await?.ok_or_else(ApiError::internal)?;
        return Ok(Json(after_password(&state, &user, addr).await?));
    }
    let Some(signed_in) = signed_in else {
        return Err(ApiError::unauthenticated());
    };
    let Some(current) = current else {
        return Err(ApiError::invalid_request("Give your current password to change it."));
    };
    let user = signed_in.user;
    if !auth::verify_password(Some(user.password_hash.clone()), &current).await? {
        return Err(count_failure(&state, &user, addr, "password.change", ApiError::invalid_credentials()).await?);
    }
    let new_hash = check_and_hash_new_password(&state, &user, addr, &new_password).await?;
    state.store.set_password(user.id, &new_hash, now).await?;
    audit(&state, user_entry(&state, &user, addr, "password.change", "success")).await?;
    Ok(Json(sign_in(&state, user.id, addr, true, None, Vec::new()).await?))
}

/// Unlock a locked client with the password: answers a new token and revokes the old one.
/// Failures count toward the lock-out.
#[utoipa::path(post, path = "/auth/reauth", tag = "auth", request_body = ReauthRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token", body = AuthStep),
        (status = 401, description = "`invalid_credentials`, `unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 423, description = "`account_locked` (every session has ended)", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
async fn reauth(
    _limit: RateLimited,
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let password = Zeroizing::new(request.password);
    let addr = ClientAddr(signed_in.addr);
    let user = &signed_in.user;
    if !auth::verify_password(Some(user.password_hash.clone()), &password).await? {
        return Err(count_failure(&state, user, addr, "session.reauth", ApiError::invalid_credentials()).await?);
    }
    if !state
        .store
        .revoke_session(signed_in.session_id, state.now(), "reauth")
        .await?
    {
        return Err(ApiError::unauthenticated());
    }
    audit(
        &state,
        user_entry(&state, user, addr, "session.reauth", "success").target(&token_ref(&signed_in.token_hash)),
    )
    .await?;
    Ok(Json(
        sign_in(&state, user.id, addr, true, Some(signed_in.expires_at), Vec::new()).await?,
    ))
}

/// Sign out: the token stops working.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
async fn logout(State(state): State<AppState>, signed_in: AuthUser) -> Result<StatusCode, ApiError> {
    state
        .store
        .revoke_session(signed_in.session_id, state.now(), "logout")
        .await?;
    let addr = ClientAddr(signed_in.addr);
    audit(
        &state,
        user_entry(&state, &signed_in.user, addr, "session.logout", "success")
            .target(&token_ref(&signed_in.token_hash)),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is signed in, what the client may offer them, and when the session ends.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
async fn me(State(state): State<AppState>, signed_in: AuthUser) -> Result<Json<Me>, ApiError> {
    let role = signed_in.user.role();
    let now = state.now();
    let idle = (now + state.policy.session_idle.num_seconds()).min(signed_in.expires_at);
    Ok(Json(Me {
        user: wire_user(&signed_in.user),
        permissions: Permissions {
            view_analytics: role != Role::Staff,
            administer: role == Role::Admin,
            delete_incidents: matches!(role, Role::Dsl | Role::Admin),
            see_all_individuals: role != Role::Staff,
        },
        session: SessionInfo {
            idle_expires_at: timestamp(idle),
            absolute_expires_at: timestamp(signed_in.expires_at),
        },
    }))
}

fn encode_cursor(row: &IncidentRow) -> String {
    data_encoding::BASE64URL_NOPAD.encode(format!("{}.{}", row.occurred_at, row.number).as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<(i64, i64)> {
    if cursor.len() > 64 {
        return None;
    }
    let bytes = data_encoding::BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
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
async fn incidents(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<IncidentQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_request(format!(
            "`limit` must be between 1 and {MAX_LIMIT}."
        )));
    }
    let after = match &query.cursor {
        Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| ApiError::invalid_request("`cursor` is not valid."))?),
        None => None,
    };
    let user = &signed_in.user;
    let see_all = user.role() != Role::Staff;
    let since = query.since.map(|t| t.timestamp());
    let (rows, total) = state
        .store
        .incidents_page(user.id, see_all, since, after, i64::from(limit))
        .await?;
    let prefix = setting(&state).await?.incident_prefix;
    let next_cursor = (rows.len() == limit as usize)
        .then(|| rows.last().map(encode_cursor))
        .flatten();
    let entry = user_entry(&state, user, ClientAddr(signed_in.addr), "incidents.list", "success")
        .target("incidents")
        .detail(&format!("rows={} total={total}", rows.len()));
    audit(&state, entry).await?;
    let items = rows
        .into_iter()
        .map(|r| IncidentSummary {
            reference: format!("{prefix}-{}", r.number),
            occurred_at: timestamp(r.occurred_at),
            individual: IndividualRef {
                id: r.individual_id,
                name: r.individual_name,
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
        })
        .collect();
    Ok(Json(IncidentPage {
        items,
        next_cursor,
        total,
    }))
}

/// The user's notifications, newest first (at most 100).
#[utoipa::path(get, path = "/notifications", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Notifications", body = NotificationList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
async fn notifications(State(state): State<AppState>, signed_in: AuthUser) -> Result<Json<NotificationList>, ApiError> {
    let rows = state.store.notifications(signed_in.user.id, 100).await?;
    let prefix = setting(&state).await?.incident_prefix;
    let items = rows
        .into_iter()
        .map(|n| Notification {
            id: n.id,
            kind: match n.kind.as_str() {
                "collaboration_invite" => NotificationKind::CollaborationInvite,
                "communication" => NotificationKind::Communication,
                "incident_flagged" => NotificationKind::IncidentFlagged,
                _ => NotificationKind::PlanReview,
            },
            message: n.message,
            incident_reference: n.incident_number.map(|number| format!("{prefix}-{number}")),
            created_at: timestamp(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(Json(NotificationList { items }))
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
        assert_eq!(decode_cursor(&encode_cursor(&row)), Some((1_700_000_000, 10_281)));
        for bad in ["", "abc", "!!!!", &"A".repeat(100), "MTIz"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    /// The committed `assets/openapi.json` must be the document the server serves. To update it
    /// after changing a handler or a wire type: `BSMART_WRITE_OPENAPI=1 cargo test --lib openapi`.
    #[tokio::test]
    async fn committed_openapi_matches_the_served_document() {
        use tower::ServiceExt;
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/openapi.json");
        let generated = openapi_json();
        if std::env::var_os("BSMART_WRITE_OPENAPI").is_some_and(|v| v == "1") {
            std::fs::write(path, &generated).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::store::Store::open(&dir.path().join("t.db"), true)
            .await
            .unwrap();
        let clock = std::sync::Arc::new(super::super::clock::SystemClock);
        let state = AppState::new(store, clock, super::super::state::ServerKey::generate());
        let request = axum::http::Request::get("/api/v1/openapi.json")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = router(state).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(
            String::from_utf8_lossy(&body),
            generated,
            "the served document is not the generated one"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "assets/openapi.json differs from the document generated from the handlers; regenerate it with \
             `BSMART_WRITE_OPENAPI=1 cargo test --lib openapi` and commit it"
        );
    }

    async fn send(app: &axum::Router, request: axum::http::Request<axum::body::Body>) -> (StatusCode, String) {
        use tower::ServiceExt;
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// What cannot be provoked from outside: a panicking handler, and the layers' own answers.
    #[tokio::test]
    async fn panics_and_layer_errors_answer_the_envelope() {
        use axum::body::Body;
        use axum::http::Request;
        async fn boom() -> &'static str {
            panic!("secret pupil name in a panic")
        }
        async fn echo(ApiJson(value): ApiJson<serde_json::Value>) -> Json<serde_json::Value> {
            Json(value)
        }
        let app = harden(
            axum::Router::new()
                .route("/boom", get(boom))
                .route("/echo", axum::routing::post(echo)),
        );

        let (status, body) = send(&app, Request::get("/boom").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("\"internal\"") && !body.contains("secret"), "{body}");

        let (status, body) = send(&app, Request::delete("/boom").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(body.contains("method_not_allowed"), "{body}");

        let (status, body) = send(&app, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("not_found"), "{body}");

        let big = format!("\"{}\"", "x".repeat(MAX_BODY_BYTES + 1));
        let request = Request::post("/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(big));
        let (status, body) = send(&app, request.unwrap()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body.contains("payload_too_large"), "{body}");

        let request = Request::post("/echo")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("{}"));
        let (status, body) = send(&app, request.unwrap()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(body.contains("unsupported_media_type"), "{body}");

        let request = Request::post("/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{"));
        let (status, body) = send(&app, request.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("invalid_request"), "{body}");

        let request = Request::get("/boom")
            .header(header::AUTHORIZATION, "x".repeat(100_000))
            .body(Body::empty())
            .unwrap();
        let (status, body) = send(&app, request).await;
        assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert!(body.contains("headers_too_large"), "{body}");
    }

    #[test]
    fn openapi_document_lists_every_route() {
        let doc = openapi_json();
        for path in [
            "/api/v1/setting",
            "/api/v1/auth/login",
            "/api/v1/auth/totp/confirm",
            "/api/v1/incidents",
        ] {
            assert!(doc.contains(path), "{path} missing");
        }
    }
}
