//! The security core: password policy and hashing, tokens and challenges, TOTP, recovery codes,
//! and the [`AuthUser`] extractor for bearer authentication.
//!
//! - Passwords: NFKC-normalised, 10 to 256 code points (refused before hashing), 15 for an
//!   account without 2FA where the setting lets 2FA be optional, checked against the bundled
//!   deny list, the context words (setting name, `bsmart`/`besmart`, the email and its local
//!   part, the user's name) and zxcvbn's estimate of how guessable they are ([`MIN_STRENGTH`]),
//!   hashed with argon2id at the `argon2` crate's defaults (m=19456 KiB, t=2, p=1) on the
//!   blocking pool.
//! - Tokens and challenges: 256 bits from the operating system's CSPRNG, base64url; only their
//!   SHA-256 is stored.
//! - TOTP: RFC 6238 defaults (SHA-1, 6 digits, 30 s), ±1 step; the matched step is spent with a
//!   compare-and-set in the store. Codes: spaces are stripped, anything but six ASCII digits is
//!   simply invalid.
//! - Recovery codes: 80 bits each, shown as `XXXX-XXXX-XXXX-XXXX` (base32), stored as argon2id
//!   hashes; case and dashes are ignored when one is typed.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::OnceLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use super::audit::AuditEntry;
use super::error::ApiError;
use super::permissions::permissions;
use super::state::{AppState, ServerKey};
use super::store::UserRow;

/// Fewest code points of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Fewest code points of a password for an account without 2FA (where 2FA is optional).
pub const MIN_PASSWORD_CHARS_WITHOUT_2FA: usize = 15;
/// Most code points of a password.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Number of recovery codes issued at enrolment.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// The lowest zxcvbn score a new password may have, at every length: 3 of 0 to 4, "safely
/// unguessable" (at least about 10^8 guesses), which is zxcvbn's own advice ("any score less
/// than 3 should be considered too weak"). Online guessing stops at six attempts, so what this
/// protects against is someone who took a copy of the database and runs argon2id offline:
/// 10^8 guesses at argon2id's memory cost take that attacker days of dedicated hardware per
/// account, where scores 0 to 2 (common words with digits, repeats, sequences, keyboard rows)
/// fall in minutes. Demanding 4 would refuse memorable passphrases of three common words.
/// zxcvbn looks at the first 100 characters only, so a check costs at most a few tens of
/// milliseconds (on the blocking pool).
pub const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Three;

/// The bundled list of common passwords (at least 10 code points each), one per line.
static COMMON_PASSWORDS: &str = include_str!("../../assets/common-passwords.txt");

/// Fill `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) {
    // Without a working CSPRNG no secret can be made safely: stop rather than continue.
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// A new session token or challenge: 256 random bits, base64url.
pub fn random_token() -> String {
    let mut bytes = Zeroizing::new([0u8; 32]);
    fill_random(bytes.as_mut_slice());
    BASE64URL_NOPAD.encode(bytes.as_slice())
}

/// The SHA-256 (hex) under which a token or challenge is stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A short prefix of a token's hash, the only form a token may take in a log.
pub fn token_ref(token_hash: &str) -> String {
    token_hash.chars().take(12).collect()
}

/// The purpose label of [`email_ref`]'s HMAC.
const UNKNOWN_EMAIL_PURPOSE: &[u8] = b"bsmart:unknown-email:v1";

/// The reference under which failures of an email with no account are counted (and how such an
/// email appears in the audit log): HMAC-SHA256 with the server key of the trimmed, lowercased
/// email, in hex. What is typed there is sometimes a password; a plain hash of it could be
/// checked against guesses by anyone who reads the database, this one only with the key.
pub fn email_ref(key: &ServerKey, email: &str) -> String {
    hex::encode(key.mac(UNKNOWN_EMAIL_PURPOSE, normalize_email(email).as_bytes()))
}

/// The form in which emails are compared: trimmed and lowercased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn deny_list() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// What a password is checked against besides the deny list.
#[derive(Debug, Clone)]
pub struct PasswordContext<'a> {
    /// The setting's name.
    pub setting_name: &'a str,
    /// The account's email.
    pub email: &'a str,
    /// The account holder's name as others see it.
    pub display_name: &'a str,
    /// The account has 2FA, or must have it: then 10 code points are enough, otherwise 15.
    pub with_2fa: bool,
}

/// NFKC-normalise a password for hashing or verifying; `None` when it is longer than
/// [`MAX_PASSWORD_CHARS`] code points (before or after normalising), so argon2 never sees it.
pub fn normalize_password(raw: &str) -> Option<Zeroizing<String>> {
    if raw.len() > MAX_PASSWORD_CHARS * 4 || raw.chars().count() > MAX_PASSWORD_CHARS {
        return None;
    }
    let normalized = Zeroizing::new(raw.nfkc().collect::<String>());
    (normalized.chars().count() <= MAX_PASSWORD_CHARS).then_some(normalized)
}

fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Check a new password against the policy; answers the normalised password to hash, or the
/// reason it is refused (a sentence for the person choosing it). It runs zxcvbn: call it on
/// the blocking pool.
pub fn check_new_password(raw: &str, ctx: &PasswordContext<'_>) -> Result<Zeroizing<String>, String> {
    let Some(password) = normalize_password(raw) else {
        return Err(format!("Use at most {MAX_PASSWORD_CHARS} characters."));
    };
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("Use at least {MIN_PASSWORD_CHARS} characters."));
    }
    if !ctx.with_2fa && chars < MIN_PASSWORD_CHARS_WITHOUT_2FA {
        return Err(format!(
            "Without two-factor authentication, a password needs at least {MIN_PASSWORD_CHARS_WITHOUT_2FA} characters."
        ));
    }
    let lower = password.to_lowercase();
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() < 3 {
        return Err("This password repeats too few different characters; choose another.".to_string());
    }
    let trimmed = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    if deny_list().contains(&lower) || deny_list().contains(trimmed) || deny_list().contains(&compact(&lower)) {
        return Err("This password is on the list of commonly used passwords; choose another.".to_string());
    }
    // Context words: remove every occurrence of each (longest first); if what is left is short,
    // the password is essentially the setting's name, the product's name or the email.
    let local = normalize_email(ctx.email).split('@').next().unwrap_or("").to_string();
    let mut words: Vec<(String, &str)> = vec![
        ("bsmart".into(), "the product's name"),
        ("besmart".into(), "the product's name"),
        (compact(ctx.email), "your email address"),
        (compact(&local), "your email address"),
    ];
    let mut prefix = String::new();
    for part in ctx.setting_name.split(|c: char| !c.is_alphanumeric()) {
        words.push((compact(part), "the setting's name"));
        prefix.push_str(&compact(part));
        words.push((prefix.clone(), "the setting's name"));
    }
    let local_parts: Vec<String> = local.split(|c: char| !c.is_alphanumeric()).map(compact).collect();
    for part in &local_parts {
        words.push((part.clone(), "your email address"));
    }
    words.push((
        local_parts.iter().rev().cloned().collect::<String>(),
        "your email address",
    ));
    let name_parts: Vec<String> = ctx.display_name.split_whitespace().map(compact).collect();
    words.push((name_parts.concat(), "your name"));
    words.push((name_parts.iter().rev().cloned().collect::<String>(), "your name"));
    for part in &name_parts {
        words.push((part.clone(), "your name"));
    }
    words.retain(|(w, _)| w.chars().count() >= 4);
    words.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
    let compact_password = compact(&lower);
    let mut rest = compact_password.clone();
    let mut first_match = None;
    for (word, what) in &words {
        if rest.contains(word.as_str()) {
            rest = rest.replace(word.as_str(), "");
            first_match.get_or_insert(*what);
        }
    }
    const FILLERS: [&str; 10] = [
        "password", "passw0rd", "welcome", "letmein", "qwerty", "admin", "secret", "school", "login", "teacher",
    ];
    let filler = rest.trim_matches(|c: char| c.is_ascii_digit());
    if let Some(what) = first_match
        && (rest.chars().count() < 8 || FILLERS.contains(&filler))
    {
        return Err(format!(
            "This password is too close to {what}; choose one that has nothing to do with it."
        ));
    }
    let mut inputs: Vec<&str> = vec!["bsmart", "besmart", ctx.email, &local, ctx.display_name];
    inputs.extend(ctx.setting_name.split(|c: char| !c.is_alphanumeric()));
    inputs.extend(local.split(|c: char| !c.is_alphanumeric()));
    inputs.extend(ctx.display_name.split_whitespace());
    inputs.retain(|w| w.chars().count() >= 3);
    let estimate = zxcvbn::zxcvbn(&password, &inputs);
    if estimate.score() < MIN_STRENGTH {
        return Err(guessable(estimate.feedback()));
    }
    Ok(password)
}

/// The reason a guessable password is refused: a first sentence anyone understands, then
/// zxcvbn's warning (what makes it guessable) and at most two of its suggestions.
fn guessable(feedback: Option<&zxcvbn::feedback::Feedback>) -> String {
    let mut reason = String::from("This password would be easy to guess.");
    if let Some(feedback) = feedback {
        let warning = feedback.warning().map(|w| w.to_string());
        let suggestions = feedback.suggestions().iter().take(2).map(|s| s.to_string());
        for sentence in warning.into_iter().chain(suggestions) {
            reason.push(' ');
            reason.push_str(&sentence);
        }
    }
    reason
}

/// Hash a normalised password with argon2id (blocking: call on the blocking pool).
pub fn hash_password_blocking(normalized: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(normalized.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| ApiError::internal())
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        fill_random(&mut bytes);
        hash_password_blocking(&hex::encode(bytes)).unwrap_or_default()
    })
}

/// Verify a candidate against a stored hash (blocking). A hash that cannot be parsed (an
/// account that can never sign in) costs a dummy verification, so its timing tells nothing.
pub fn verify_password_blocking(hash: Option<&str>, candidate: &str) -> bool {
    let argon = Argon2::default();
    match hash {
        Some(hash) if hash.starts_with("$argon2") => argon.verify_password(candidate.as_bytes(), hash).is_ok(),
        _ => {
            let _ = argon.verify_password(candidate.as_bytes(), dummy_hash());
            false
        }
    }
}

/// Verify a password as typed against a stored hash (`None`: no such account) on the blocking
/// pool. Over-long input is refused without running argon2.
pub async fn verify_password(hash: Option<String>, raw: &str) -> Result<bool, ApiError> {
    let Some(candidate) = normalize_password(raw) else {
        return Ok(false);
    };
    tokio::task::spawn_blocking(move || verify_password_blocking(hash.as_deref(), &candidate))
        .await
        .map_err(|_| ApiError::internal())
}

/// Hash a normalised password on the blocking pool.
pub async fn hash_password(normalized: Zeroizing<String>) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&normalized))
        .await
        .map_err(|_| ApiError::internal())?
}

/// The associated data a user's TOTP secret is sealed with ([`ServerKey::seal`]): a sealed
/// secret cannot be moved to another user's row.
pub fn totp_seal_context(user_id: i64) -> Vec<u8> {
    format!("bsmart-totp:user:{user_id}").into_bytes()
}

/// A TOTP generator/checker for a secret (RFC 6238 defaults, skew 1).
pub fn totp(secret: &[u8], account: &str, issuer: &str) -> Option<Totp> {
    Builder::new()
        .with_secret(Secret::from(secret.to_vec()))
        .with_skew(1)
        .with_account_name(label_part(account))
        .with_issuer(Some(label_part(issuer)))
        .build()
        .ok()
}

/// The `otpauth://` URL of a secret, as short as authenticator apps allow, so that its QR code
/// fits beside the key in an 80x24 terminal: `otpauth://totp/ISSUER:ACCOUNT?secret=…`.
///
/// totp-rs's `to_url` also repeats the issuer in an `issuer=` parameter; with a setting's name
/// that pushes the demo's code from version 5 (37 modules, 21 terminal rows with its quiet
/// zone) to version 7 (45 modules, 25 rows), taller than the whole screen. Every authenticator
/// app reads the issuer from the label's prefix (Google's Key Uri Format keeps it for exactly
/// that reason), and SHA-1, 6 digits and 30 s are the defaults that need no parameter.
pub fn otpauth_url(secret: &[u8], account: &str, issuer: &str) -> String {
    let label = format!("{}:{}", label_part(issuer), label_part(account));
    let mut url = url::Url::parse("otpauth://totp").expect("a constant, valid URL");
    url.path_segments_mut().expect("an otpauth URL has a path").push(&label);
    url.query_pairs_mut().append_pair("secret", &base32(secret));
    url.into()
}

/// A name fit for an otpauth label: no `:` (it separates issuer and account), no control
/// characters, at most 100 characters.
fn label_part(name: &str) -> String {
    name.chars()
        .filter(|c| *c != ':' && !c.is_control())
        .take(100)
        .collect()
}

/// The six digits of a typed TOTP code (spaces stripped), or `None` when it is anything else.
pub fn parse_totp_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| *c != ' ').collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The step a code matches at `unix` (±1 step), if any.
pub fn check_totp(secret: &[u8], code: &str, unix: i64) -> Option<u64> {
    let code = parse_totp_code(code)?;
    let time = u64::try_from(unix).ok()?;
    totp(secret, "user", "bsmart")?.check(&code, time)
}

/// The code for `unix` (demo hints and tests).
pub fn totp_code_at(secret: &[u8], unix: i64) -> Option<String> {
    let time = u64::try_from(unix).ok()?;
    Some(totp(secret, "user", "bsmart")?.generate(time).to_string())
}

/// A new TOTP secret: 160 random bits.
pub fn new_totp_secret() -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(vec![0u8; 20]);
    fill_random(&mut bytes);
    bytes
}

/// Base32 of a TOTP secret, as authenticator apps want it.
pub fn base32(secret: &[u8]) -> String {
    BASE32_NOPAD.encode(secret)
}

/// New recovery codes, as shown to the user once.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut bytes = [0u8; 10];
            fill_random(&mut bytes);
            let text = BASE32_NOPAD.encode(&bytes);
            format!("{}-{}-{}-{}", &text[0..4], &text[4..8], &text[8..12], &text[12..16])
        })
        .collect()
}

/// A typed recovery code in its stored form (upper case, no dashes or spaces), or `None` when it
/// cannot be one.
pub fn normalize_recovery_code(code: &str) -> Option<String> {
    let text: String = code
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .flat_map(char::to_uppercase)
        .collect();
    (text.len() == 16
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)))
    .then_some(text)
}

/// A temporary password: 20 characters from a CSPRNG (about 100 bits), in groups of five.
pub fn new_temporary_password() -> Zeroizing<String> {
    let mut bytes = [0u8; 13];
    fill_random(&mut bytes);
    let text = BASE32_NOPAD.encode(&bytes).to_lowercase();
    Zeroizing::new(format!(
        "{}-{}-{}-{}",
        &text[0..5],
        &text[5..10],
        &text[10..15],
        &text[15..20]
    ))
}

/// The client's address, from the TCP connection (no proxy header is trusted).
pub fn client_addr(parts: &Parts) -> Option<SocketAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The bearer token of a request: only from `Authorization: Bearer …` (never the query).
pub fn bearer_token(parts: &Parts) -> Option<Result<String, ()>> {
    let value = parts.headers.get(AUTHORIZATION)?;
    let Ok(text) = value.to_str() else {
        return Some(Err(()));
    };
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim);
    match token {
        Some(t) if !t.is_empty() && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_graphic()) => {
            Some(Ok(t.to_string()))
        }
        _ => Some(Err(())),
    }
}

/// A signed-in user, extracted from a valid bearer token (401 otherwise).
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user.
    pub user: UserRow,
    /// The session.
    pub session_id: i64,
    /// Hash of the session token.
    pub token_hash: String,
    /// Absolute expiry of the session (unix seconds).
    pub expires_at: i64,
    /// The user's last full authentication on this session (unix seconds).
    pub authenticated_at: i64,
    /// The client's address.
    pub addr: Option<SocketAddr>,
}

/// Whether authenticating a request starts its session's idle time again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Touch {
    /// An ordinary request: the session was used.
    Yes,
    /// `/auth/reauth`: the password is about to be checked, and a wrong one must not keep the
    /// session alive (a right one replaces the session anyway).
    No,
}

/// Authenticate the bearer token of a request; `Ok(None)` when there is no `Authorization`.
async fn authenticate(state: &AppState, parts: &Parts, touch: Touch) -> Result<Option<AuthUser>, ApiError> {
    let addr = client_addr(parts);
    let Some(token) = bearer_token(parts) else {
        return Ok(None);
    };
    let now = state.now();
    // The actor of a rejected token is the session's owner when the session is known (its id
    // only: the row must not be a way to learn emails), else anonymous.
    let rejection = |reason: &'static str, hash: Option<&str>, owner: Option<i64>| {
        AuditEntry::new(now, owner, "anonymous", "session.rejected", "denied")
            .client(addr)
            .target(&hash.map(token_ref).unwrap_or_default())
            .detail(reason)
    };
    let reject = |entry: AuditEntry| async move { state.store.append_audit(&entry).await };
    let Ok(token) = token else {
        reject(rejection("malformed authorization header", None, None)).await?;
        return Err(ApiError::unauthenticated());
    };
    let token_hash = hash_token(&token);
    let Some(session) = state.store.session_by_token_hash(&token_hash).await? else {
        reject(rejection("unknown token", Some(&token_hash), None)).await?;
        return Err(ApiError::unauthenticated());
    };
    if session.revoked_at.is_some() {
        reject(rejection("revoked token", Some(&token_hash), Some(session.user_id))).await?;
        return Err(ApiError::unauthenticated());
    }
    if now >= session.expires_at || now - session.last_seen_at >= state.policy.session_idle.num_seconds() {
        reject(rejection("expired session", Some(&token_hash), Some(session.user_id))).await?;
        return Err(ApiError::session_expired());
    }
    let user = match state.store.user_by_id(session.user_id).await? {
        Some(user) if user.usable(now) && user.locked_at.is_none() => user,
        _ => {
            let mut tx = state.store.begin().await?;
            tx.revoke_session(session.session_id, now, "account_unavailable")
                .await?;
            let entry = rejection(
                "account locked, disabled or expired",
                Some(&token_hash),
                Some(session.user_id),
            );
            tx.audit(&entry).await?;
            tx.commit().await?;
            return Err(ApiError::unauthenticated());
        }
    };
    // Within the same second there is nothing to move, and no write to queue behind the clicks.
    if touch == Touch::Yes && session.last_seen_at < now {
        state.store.touch_session(session.session_id, now).await?;
    }
    Ok(Some(AuthUser {
        user,
        session_id: session.session_id,
        token_hash,
        expires_at: session.expires_at,
        authenticated_at: session.authenticated_at,
        addr,
    }))
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<AuthUser, ApiError> {
        authenticate(state, parts, Touch::Yes)
            .await?
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// A signed-in admin with 2FA set up: the extractor of every `/admin` route. Anyone else is
/// refused 403 (audited as `admin.refused`), whatever the request says: the role is read from
/// the database for this request, never from a body. An admin's role can change between this
/// check and the route's transaction, so a route that changes something checks it again inside
/// its transaction ([`super::store::Tx::actor_is_admin`]).
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<AdminUser, ApiError> {
        let signed_in = AuthUser::from_request_parts(parts, state).await?;
        let user = &signed_in.user;
        if permissions(user.role()).administer && user.totp_enabled() {
            return Ok(AdminUser(signed_in));
        }
        let reason = if permissions(user.role()).administer {
            "admin without 2FA"
        } else {
            "not an admin"
        };
        let entry = AuditEntry::new(state.now(), Some(user.id), &user.email, "admin.refused", "denied")
            .client(signed_in.addr)
            .target(parts.uri.path())
            .detail(reason);
        state.store.append_audit(&entry).await?;
        Err(ApiError::forbidden(if reason == "not an admin" {
            "Only an admin may do this."
        } else {
            "Set up two-factor authentication before doing admin work."
        }))
    }
}

/// An optional bearer authentication: absent header → `None`; a bad token is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<MaybeAuthUser, ApiError> {
        Ok(MaybeAuthUser(authenticate(state, parts, Touch::Yes).await?))
    }
}

/// A signed-in user about to give their password again (`/auth/reauth`): authenticated like
/// [`AuthUser`], but the session's idle time does not start again, so a wrong password cannot
/// keep an idle session alive (a right one replaces the session).
#[derive(Debug, Clone)]
pub struct Reauthenticating(pub AuthUser);

impl FromRequestParts<AppState> for Reauthenticating {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Reauthenticating, ApiError> {
        let signed_in = authenticate(state, parts, Touch::No).await?;
        signed_in.map(Reauthenticating).ok_or_else(ApiError::unauthenticated)
    }
}

/// The client's address and what it says it is, as an extractor (never fails).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<SocketAddr>, pub Agent);

impl ClientAddr {
    /// An address alone (for the audit rows of a signed-in request).
    pub fn at(addr: Option<SocketAddr>) -> ClientAddr {
        ClientAddr(addr, Agent::default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ClientAddr, Self::Rejection> {
        let agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .map_or_else(Agent::default, |value| Agent::from_header(value.as_bytes()));
        Ok(ClientAddr(client_addr(parts), agent))
    }
}

/// Most characters of a `User-Agent` kept.
pub const MAX_AGENT_CHARS: usize = 100;

/// A client's `User-Agent` as a session records it (the Sessions screen's "client"): printable
/// ASCII only, anything else dropped, at most [`MAX_AGENT_CHARS`], held inline so the address
/// it travels with stays `Copy`. It is whatever the client claims, shown as a hint, never trusted.
#[derive(Clone, Copy)]
pub struct Agent {
    bytes: [u8; MAX_AGENT_CHARS],
    len: u8,
}

impl Default for Agent {
    fn default() -> Self {
        Agent {
            bytes: [0; MAX_AGENT_CHARS],
            len: 0,
        }
    }
}

impl Agent {
    /// The header's value, cleaned.
    pub fn from_header(raw: &[u8]) -> Agent {
        let mut agent = Agent::default();
        let printable = raw.iter().copied().filter(|b| b.is_ascii_graphic() || *b == b' ');
        for (slot, byte) in agent.bytes.iter_mut().zip(printable) {
            *slot = byte;
            agent.len += 1;
        }
        agent
    }

    /// The text (empty when the client sent none).
    pub fn as_str(&self) -> &str {
        // Only printable ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)])
            .unwrap_or_default()
            .trim()
    }
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(with_2fa: bool) -> PasswordContext<'static> {
        PasswordContext {
            setting_name: "Riverside Academy (demo)",
            email: "jane.smith@demo.test",
            display_name: "Jane Smith",
            with_2fa,
        }
    }

    #[test]
    fn an_agent_keeps_printable_ascii_only_and_at_most_100_characters() {
        let agent = Agent::from_header(b"bsmart/0.1\x1b[2J\xe2\x80\xae evil");
        assert_eq!(agent.as_str(), "bsmart/0.1[2J evil");
        let long = Agent::from_header(&[b'a'; 500]);
        assert_eq!(long.as_str().len(), MAX_AGENT_CHARS);
        assert_eq!(Agent::default().as_str(), "");
    }

    #[test]
    fn otpauth_url_names_issuer_and_account_once_and_parses_back() {
        let secret = [7u8; 20];
        let url = otpauth_url(&secret, "new:starter@demo.test", "Riverside Academy (demo)");
        assert_eq!(
            url,
            format!(
                "otpauth://totp/Riverside%20Academy%20(demo):newstarter@demo.test?secret={}",
                base32(&secret)
            )
        );
        let parsed = Totp::from_url(&url).expect("an authenticator app can read it");
        assert_eq!(parsed.issuer(), Some("Riverside Academy (demo)"));
        assert_eq!(parsed.account_name(), "newstarter@demo.test");
        let now = 1_800_000_000;
        assert_eq!(
            parsed.generate(now).to_string(),
            totp(&secret, "x", "y").unwrap().generate(now).to_string(),
            "the same codes as the server checks"
        );
    }

    #[test]
    fn length_rules_count_code_points() {
        assert!(check_new_password("Zq7wM3pvXk", &ctx(true)).is_ok());
        assert!(
            check_new_password("Zq7wM3pvX", &ctx(true))
                .unwrap_err()
                .contains("at least 10")
        );
        assert!(
            check_new_password("fourteen chars", &ctx(false))
                .unwrap_err()
                .contains("15")
        );
        assert!(check_new_password("fifteen chars!!", &ctx(false)).is_ok());
        // 10 emoji are 10 code points (40 bytes): long enough.
        assert!(check_new_password("🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵", &ctx(true)).is_ok());
        let pattern = "abcdefghijklmnopqrstuvwxyz0123456789";
        let of_len = |n: usize| pattern.chars().cycle().take(n).collect::<String>();
        assert!(check_new_password(&of_len(64), &ctx(true)).is_ok());
        assert!(check_new_password(&of_len(128), &ctx(true)).is_ok());
        assert!(check_new_password(&of_len(256), &ctx(true)).is_ok());
        assert!(
            check_new_password(&of_len(257), &ctx(true))
                .unwrap_err()
                .contains("at most 256")
        );
        assert!(normalize_password(&"é".repeat(10_000)).is_none());
    }

    /// Rules 2 and 32: an over-long password is refused before argon2 sees it, even when it is
    /// exactly the password a hash was made of.
    #[tokio::test]
    async fn over_long_passwords_never_reach_argon2() {
        let too_long = "ab7é".repeat(64) + "x";
        assert_eq!(too_long.chars().count(), MAX_PASSWORD_CHARS + 1);
        let hash = hash_password_blocking(&too_long).unwrap();
        assert!(
            verify_password_blocking(Some(&hash), &too_long),
            "the hash is of this password"
        );
        assert!(!verify_password(Some(hash), &too_long).await.unwrap());
        let longest = "ab7é".repeat(64);
        let hash = hash_password_blocking(&longest).unwrap();
        assert!(verify_password(Some(hash), &longest).await.unwrap());
    }

    #[test]
    fn nfc_and_nfd_forms_normalise_to_the_same_password() {
        let nfc = "café au lait du matin";
        let nfd = "cafe\u{301} au lait du matin";
        assert_ne!(nfc, nfd);
        assert_eq!(*normalize_password(nfc).unwrap(), *normalize_password(nfd).unwrap());
        let hash = hash_password_blocking(&normalize_password(nfc).unwrap()).unwrap();
        assert!(verify_password_blocking(Some(&hash), &normalize_password(nfd).unwrap()));
        assert!(!verify_password_blocking(Some(&hash), "cafe au lait du matin"));
    }

    #[test]
    fn deny_list_is_bundled_and_used() {
        assert!(deny_list().len() >= 3000);
        assert!(deny_list().iter().all(|p| p.chars().count() >= MIN_PASSWORD_CHARS));
        for weak in ["password12", "qwertyuiop", "1234567890", "Password2024", "QWERTYUIOP!"] {
            let reason = check_new_password(weak, &ctx(true)).unwrap_err();
            assert!(
                reason.contains("commonly used") || reason.contains("too close"),
                "{weak}: {reason}"
            );
        }
        assert!(check_new_password("correct horse battery staple", &ctx(false)).is_ok());
        assert!(check_new_password("aaaaaaaaaaaaaaaa", &ctx(false)).is_err());
    }

    /// Long enough and on no list, but guessable: refused with zxcvbn's reason, at every
    /// length; long passphrases and emoji pass.
    #[test]
    fn guessable_passwords_are_refused_with_the_reason() {
        let more = ["qwertyuiopasdfgh", &"ab7é".repeat(64)];
        for weak in crate::server::testing::GUESSABLE_AT_FIFTEEN.iter().chain(&more) {
            let reason = check_new_password(weak, &ctx(true)).unwrap_err();
            assert!(
                reason.starts_with("This password would be easy to guess."),
                "{weak}: {reason}"
            );
        }
        let reason = check_new_password("abcabcabcabcabc", &ctx(false)).unwrap_err();
        assert!(reason.contains("Repeats like"), "{reason}");
        assert!(
            check_new_password("janesmith!2031", &ctx(true))
                .unwrap_err()
                .contains("your")
        );
        for strong in [
            "correct horse battery staple",
            "🦀🔒🌈🎒📚✏️🧮🔭🎨🎵🚲🌻🍎🐢🦉",
            "quiet orchard lantern 7 quiet orchard lantern 7 quiet orchard lantern 7",
        ] {
            assert!(check_new_password(strong, &ctx(false)).is_ok(), "{strong}");
        }
    }

    /// zxcvbn is the costly part of a check after argon2: on the worst inputs of the longest
    /// length it stays within a bound (it reads 100 characters at most).
    #[test]
    fn a_strength_check_of_256_code_points_is_quick() {
        check_new_password("warm up the dictionaries", &ctx(true)).ok();
        let worst = [
            "1".repeat(256),
            "ab".repeat(128),
            "abc1".repeat(64),
            "1q2w3e4r5t".repeat(26),
            "passwordpassword".repeat(16),
            "é".repeat(256),
            "abcdefghijklmnopqrstuvwxyz0123456789"
                .chars()
                .cycle()
                .take(256)
                .collect(),
        ];
        for password in &worst {
            let started = std::time::Instant::now();
            let _ = check_new_password(password, &ctx(true));
            let took = started.elapsed();
            assert!(
                took < std::time::Duration::from_millis(500),
                "{took:?} for {password:?}"
            );
        }
    }

    #[test]
    fn context_words_are_refused() {
        for weak in [
            "riverside2024",
            "Riverside Academy 2024",
            "bsmart-password",
            "besmart2024!!",
            "jane.smith!!",
            "janesmith1234",
            "smithjane!!!",
        ] {
            let reason = check_new_password(weak, &ctx(true)).unwrap_err();
            assert!(
                reason.contains("too close") || reason.contains("commonly"),
                "{weak}: {reason}"
            );
        }
        assert!(check_new_password("riverside is where the otters play", &ctx(true)).is_ok());
    }

    /// What was typed into the email field (maybe a password) is stored only under the key.
    #[test]
    fn email_refs_are_keyed_and_normalised() {
        let key = ServerKey::generate();
        let typed = "Otters-Play-By-The-River-7";
        let stored = email_ref(&key, typed);
        assert_eq!(stored.len(), 64);
        assert_eq!(email_ref(&key, "  otters-play-by-the-river-7 "), stored);
        assert_ne!(stored, hex::encode(Sha256::digest(normalize_email(typed).as_bytes())));
        assert_ne!(
            email_ref(&ServerKey::generate(), typed),
            stored,
            "another key, another value"
        );
    }

    #[test]
    fn tokens_are_random_256_bit_and_stored_hashed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(BASE64URL_NOPAD.decode(a.as_bytes()).unwrap().len(), 32);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
        assert_eq!(token_ref(&hash_token(&a)).len(), 12);
    }

    #[test]
    fn totp_codes_are_parsed_strictly() {
        assert_eq!(parse_totp_code(" 123 456").as_deref(), Some("123456"));
        for bad in ["12345", "1234567", "abcdef", "１２３４５６", "-12345", "", "12345\u{0}"] {
            assert_eq!(parse_totp_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn totp_accepts_one_step_either_side_only() {
        let secret = base32_decode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
        let t = 1_800_000_000i64;
        let step = (t / 30) as u64;
        let code = totp_code_at(&secret, t).unwrap();
        assert_eq!(check_totp(&secret, &code, t), Some(step));
        assert_eq!(
            check_totp(&secret, &totp_code_at(&secret, t - 30).unwrap(), t),
            Some(step - 1)
        );
        assert_eq!(
            check_totp(&secret, &totp_code_at(&secret, t + 30).unwrap(), t),
            Some(step + 1)
        );
        assert_eq!(check_totp(&secret, &totp_code_at(&secret, t - 60).unwrap(), t), None);
        assert_eq!(check_totp(&secret, &totp_code_at(&secret, t + 60).unwrap(), t), None);
        assert_eq!(check_totp(&secret, "abcdef", t), None);
    }

    fn base32_decode(s: &str) -> Vec<u8> {
        BASE32_NOPAD.decode(s.as_bytes()).unwrap()
    }

    #[test]
    fn recovery_codes_have_80_bits_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        let code = &codes[0];
        assert_eq!(code.len(), 19);
        let stored = normalize_recovery_code(code).unwrap();
        assert_eq!(normalize_recovery_code(&code.to_lowercase()).unwrap(), stored);
        assert_eq!(normalize_recovery_code(&code.replace('-', "")).unwrap(), stored);
        assert_eq!(normalize_recovery_code("123456"), None);
    }

    #[test]
    fn temporary_passwords_meet_the_policy() {
        let p = new_temporary_password();
        assert!(check_new_password(&p, &ctx(false)).is_ok());
    }
}
