//! The API client: one `reqwest::Client` (rustls with the ring provider, certificates always
//! validated), timeouts, bounded response reads and typed errors.
//!
//! Every reply body is read with a hard limit ([`MAX_RESPONSE_BYTES`]; reqwest sets none) and
//! decoded by [`decode`]: first into a `serde_json::Value`, whose every string is cleaned
//! ([`clean_value`], SECURITY.md 35), and only then into the typed reply. No reply type has a
//! cleaning step of its own to forget: nothing from the server reaches the UI uncleaned. Failures become [`ApiError`]s that the
//! screens turn into sentences; a 500 with an HTML body or broken JSON is a clear error too.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use url::Url;

use super::sanitize::clean_value;
use crate::wire::{self, codes};

/// The most a reply may weigh; more is refused (a 10 MB reply is an error, not a memory spike).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// Time allowed for a whole request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Time allowed to connect.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

/// Why a call failed. Messages are for people and carry no secret.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (connection refused, DNS, TLS, time-out).
    #[error("cannot reach the server: {0}")]
    Network(String),
    /// The server answered with its error envelope.
    #[error("{message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// One of `wire::codes`.
        code: String,
        /// The server's sentence (cleaned).
        message: String,
    },
    /// The server's TLS certificate was refused (self-signed, expired, another name…): this may
    /// not be the setting's server at all, so the message says not to sign in.
    #[error(
        "the server's certificate is not trusted ({0}): this may not be your setting's server. Do not sign in; tell your admin"
    )]
    Untrusted(String),
    /// The reply was larger than [`MAX_RESPONSE_BYTES`].
    #[error("the server sent a reply larger than {} MiB; it was refused", MAX_RESPONSE_BYTES / 1024 / 1024)]
    TooLarge,
    /// The reply was not the JSON expected (an HTML error page, broken JSON…).
    #[error("the server answered {status} with something that is not a bsmart reply ({reason})")]
    BadResponse {
        /// HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
    },
}

impl ApiError {
    /// The envelope's code, when the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Server { code, .. } => Some(code),
            _ => None,
        }
    }
    /// True when this is the server's `code`.
    pub fn is(&self, code: &str) -> bool {
        self.code() == Some(code)
    }
    /// True when the session is gone (expired, revoked, unknown): the user must sign in again.
    pub fn session_ended(&self) -> bool {
        self.is(codes::SESSION_EXPIRED) || self.is(codes::UNAUTHENTICATED)
    }
}

/// Decode a reply body: a success is parsed as `T`, anything else as the error envelope; every
/// string is cleaned before it is returned.
pub fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        let value = clean_json(body).map_err(|e| ApiError::BadResponse {
            status,
            reason: if looks_like_html(body) {
                "an HTML page".into()
            } else {
                json_problem(&e)
            },
        })?;
        serde_json::from_value(value).map_err(|e| ApiError::BadResponse {
            status,
            reason: format!("not the reply expected ({:?})", e.classify()),
        })
    } else {
        Err(decode_error(status, body))
    }
}

/// Parse `body` as JSON and clean every string in it.
fn clean_json(body: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_slice(body)?;
    clean_value(&mut value);
    Ok(value)
}

/// Where the JSON broke, never `{e}`: serde quotes the offending server value (an unknown enum
/// variant, say) verbatim, escape sequences and bidi overrides included.
fn json_problem(e: &serde_json::Error) -> String {
    format!(
        "invalid JSON at line {}, column {} ({:?})",
        e.line(),
        e.column(),
        e.classify()
    )
}

fn decode_error(status: u16, body: &[u8]) -> ApiError {
    match clean_json(body).and_then(serde_json::from_value::<wire::ErrorBody>) {
        Ok(e) => ApiError::Server {
            status,
            code: e.error.code,
            message: e.error.message,
        },
        Err(_) => ApiError::BadResponse {
            status,
            reason: if looks_like_html(body) {
                "an HTML page".into()
            } else {
                "no error envelope".into()
            },
        },
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(64)])
        .trim_start()
        .to_ascii_lowercase();
    start.starts_with("<!doctype") || start.starts_with("<html") || start.starts_with('<')
}

/// How the HTTP client may carry traffic to a server URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transport {
    /// Ignore `HTTP_PROXY`/`ALL_PROXY`: plain-http traffic (loopback only, carrying passwords and
    /// the token in clear) must never be handed to a proxy from the environment.
    pub no_proxy: bool,
    /// Refuse any non-https request (an https setting never falls back to http).
    pub https_only: bool,
}

impl Transport {
    /// The policy for `server_url` (already validated: https, or http to loopback).
    pub fn for_url(server_url: &Url) -> Transport {
        Transport {
            no_proxy: server_url.scheme() == "http",
            https_only: server_url.scheme() == "https",
        }
    }
}

/// The one HTTP client of the process, bound to the setting's base URL.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: Url,
}

/// Make rustls use the ring provider (once per process; later calls are harmless).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Api {
    /// A client for `server_url` (already validated by `config::validate_server_url`).
    pub fn new(server_url: &Url) -> Result<Api, String> {
        install_crypto_provider();
        let transport = Transport::for_url(server_url);
        let mut builder = reqwest::Client::builder();
        if transport.no_proxy {
            builder = builder.no_proxy();
        }
        let http = builder
            .https_only(transport.https_only)
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("bsmart/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Api {
            http,
            base: server_url.clone(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}{}",
            self.base.as_str().trim_end_matches('/'),
            wire::API_PREFIX,
            path
        )
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T, ApiError> {
        let (status, body) = self.exchange(req).await?;
        decode(status, &body)
    }

    async fn exchange(&self, req: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), ApiError> {
        let mut resp = req.send().await.map_err(network)?;
        let status = resp.status().as_u16();
        if resp.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(ApiError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(network)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(ApiError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    fn post<B: Serialize>(&self, path: &str, body: &B, token: Option<&SecretString>) -> reqwest::RequestBuilder {
        let req = self.http.post(self.url(path)).json(body);
        match token {
            Some(t) => req.bearer_auth(t.expose_secret()),
            None => req,
        }
    }

    /// `GET /setting`.
    pub async fn setting(&self) -> Result<wire::Setting, ApiError> {
        self.send(self.http.get(self.url("/setting"))).await
    }

    /// `POST /auth/login`.
    pub async fn login(&self, email: &str, password: &SecretString) -> Result<wire::AuthStep, ApiError> {
        let body = serde_json::json!({ "email": email, "password": password.expose_secret() });
        self.send(self.post("/auth/login", &body, None)).await
    }

    /// `POST /auth/totp`.
    pub async fn totp(&self, challenge: &SecretString, code: &SecretString) -> Result<wire::AuthStep, ApiError> {
        let body = serde_json::json!({ "challenge": challenge.expose_secret(), "code": code.expose_secret() });
        self.send(self.post("/auth/totp", &body, None)).await
    }

    /// `POST /auth/totp/enrol`, with the sign-in challenge or (signed in) the token.
    pub async fn enrol(&self, auth: &Auth) -> Result<wire::TotpEnrolment, ApiError> {
        let body = serde_json::json!({ "challenge": auth.challenge() });
        self.send(self.post("/auth/totp/enrol", &body, auth.token())).await
    }

    /// `POST /auth/totp/confirm`.
    pub async fn confirm(&self, auth: &Auth, code: &SecretString) -> Result<wire::AuthStep, ApiError> {
        let body = serde_json::json!({ "challenge": auth.challenge(), "code": code.expose_secret() });
        self.send(self.post("/auth/totp/confirm", &body, auth.token())).await
    }

    /// `POST /auth/password` (forced change, with the challenge).
    pub async fn change_password(
        &self,
        challenge: &SecretString,
        new_password: &SecretString,
    ) -> Result<wire::AuthStep, ApiError> {
        let body =
            serde_json::json!({ "challenge": challenge.expose_secret(), "new_password": new_password.expose_secret() });
        self.send(self.post("/auth/password", &body, None)).await
    }

    /// `POST /auth/reauth`: unlock; answers a new token.
    pub async fn reauth(&self, token: &SecretString, password: &SecretString) -> Result<wire::AuthStep, ApiError> {
        let body = serde_json::json!({ "password": password.expose_secret() });
        self.send(self.post("/auth/reauth", &body, Some(token))).await
    }

    /// `POST /auth/logout`.
    pub async fn logout(&self, token: &SecretString) -> Result<(), ApiError> {
        let (status, body) = self
            .exchange(self.post("/auth/logout", &serde_json::json!({}), Some(token)))
            .await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(decode_error(status, &body))
        }
    }

    /// `GET /incidents`.
    pub async fn incidents(
        &self,
        token: &SecretString,
        query: &wire::IncidentQuery,
    ) -> Result<wire::IncidentPage, ApiError> {
        let mut url = Url::parse(&self.url("/incidents")).map_err(|e| ApiError::Network(e.to_string()))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(since) = query.since {
                q.append_pair("since", &since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
            if let Some(limit) = query.limit {
                q.append_pair("limit", &limit.to_string());
            }
            if let Some(cursor) = &query.cursor {
                q.append_pair("cursor", cursor);
            }
        }
        self.send(self.http.get(url.as_str()).bearer_auth(token.expose_secret()))
            .await
    }

    /// `GET /notifications`.
    pub async fn notifications(&self, token: &SecretString) -> Result<wire::NotificationList, ApiError> {
        self.send(
            self.http
                .get(self.url("/notifications"))
                .bearer_auth(token.expose_secret()),
        )
        .await
    }
}

/// How an enrolment call proves who it is for.
#[derive(Debug)]
pub enum Auth {
    /// Part of signing in: the login challenge.
    Challenge(SecretString),
    /// Signed in already: the bearer token.
    Token(SecretString),
}

impl Auth {
    fn challenge(&self) -> Option<&str> {
        match self {
            Auth::Challenge(c) => Some(c.expose_secret()),
            Auth::Token(_) => None,
        }
    }
    fn token(&self) -> Option<&SecretString> {
        match self {
            Auth::Token(t) => Some(t),
            Auth::Challenge(_) => None,
        }
    }
}

fn network(e: reqwest::Error) -> ApiError {
    if let Some(reason) = certificate_problem(&e) {
        return ApiError::Untrusted(reason);
    }
    let what = if e.is_timeout() {
        "it did not answer in time".to_string()
    } else if e.is_connect() {
        "the connection failed".to_string()
    } else {
        // Without the URL: it is known to the user already and keeps messages short.
        e.without_url().to_string()
    };
    ApiError::Network(what)
}

/// The certificate error somewhere in `e`'s chain of causes, in words. rustls reports it
/// inside an `io::Error`, whose `source()` skips the wrapped error, so each `io::Error` is
/// opened by hand.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(e);
    while let Some(err) = next {
        let inner = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|i| i as &(dyn std::error::Error + 'static));
        for candidate in [Some(err), inner].into_iter().flatten() {
            if let Some(rustls::Error::InvalidCertificate(why)) = candidate.downcast_ref::<rustls::Error>() {
                return Some(String::from(match why {
                    rustls::CertificateError::UnknownIssuer => "issued by nobody this computer trusts",
                    rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. } => "expired",
                    rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. } => "made out for another name",
                    _ => "refused by the certificate check",
                }));
            }
        }
        next = inner.or_else(|| err.source());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_html_and_bad_json_are_typed_errors() {
        let e = decode::<wire::Setting>(
            401,
            br#"{"error":{"code":"invalid_credentials","message":"Wrong\u001b[2J"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::Server {
                status: 401,
                code: "invalid_credentials".into(),
                message: "Wrong".into()
            }
        );
        let html = decode::<wire::Setting>(500, b"<html><body>Internal Server Error</body></html>").unwrap_err();
        assert!(
            html.to_string().contains("500") && html.to_string().contains("HTML"),
            "{html}"
        );
        let bad = decode::<wire::Setting>(200, b"{not json").unwrap_err();
        assert!(matches!(bad, ApiError::BadResponse { status: 200, .. }));
    }

    #[test]
    fn bad_json_error_never_carries_server_text() {
        let body = br#"{"status":"\u001b]0;pwned\u0007\u202eX"}"#;
        let e = decode::<wire::AuthStep>(200, body).unwrap_err().to_string();
        assert!(!e.chars().any(super::super::sanitize::is_forbidden), "{e:?}");
        assert!(!e.contains("pwned"), "{e:?}");
    }

    #[test]
    fn plain_http_never_goes_through_a_proxy_and_https_stays_https() {
        let http = Transport::for_url(&Url::parse("http://127.0.0.1:8080").unwrap());
        assert_eq!(
            http,
            Transport {
                no_proxy: true,
                https_only: false
            }
        );
        let https = Transport::for_url(&Url::parse("https://bsmart.example.org").unwrap());
        assert_eq!(
            https,
            Transport {
                no_proxy: false,
                https_only: true
            }
        );
    }

    #[test]
    fn successful_replies_are_cleaned() {
        let body = br#"{"items":[{"id":1,"kind":"communication","actor":"\u001b]0;pwned\u0007Hi\u202e","created_at":"2026-01-01T00:00:00Z","read":false}]}"#;
        let list: wire::NotificationList = decode(200, body).unwrap();
        assert_eq!(list.items[0].actor.as_deref(), Some("Hi"));
    }
}
