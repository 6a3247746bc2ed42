//! The API client: one `reqwest::Client` (rustls with the ring provider, certificates always
//! validated), timeouts, bounded response reads and typed errors.
//!
//! Every reply body is read with a hard limit ([`MAX_RESPONSE_BYTES`]; reqwest sets none) into
//! an [`Answer`], and becomes a typed reply only through [`Answer::typed`], which decodes it with
//! every string cleaned on the way in ([`cleaned`], SECURITY.md 35). No reply type has a
//! cleaning step of its own to forget, so a field added later cannot bypass it. Failures become
//! [`ApiError`]s that the screens turn into sentences; a 500 with an HTML body or broken JSON is
//! a clear error too.
//!
//! - [`cleaned`]: the decoder that cleans every string of a reply.
//! - [`request`]: calls described as data ([`Request`]).
//! - [`error`]: [`ApiError`] and the reading of reqwest's errors.
//! - [`replies`]: the reply types [`Answer::typed`] accepts, each with samples for the
//!   property test of SECURITY.md 36.

pub mod cleaned;
mod error;
pub mod replies;
mod request;

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;
use zeroize::Zeroizing;

pub use error::ApiError;
pub use replies::ReplyType;
pub use request::{Method, Request};

use crate::wire;
use serde_json::error::Category;

/// The most a reply may weigh; more is refused (a 10 MB reply is an error, not a memory spike).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// The most a report may weigh ([`Request::report`]): one row per individual of a trust.
pub const MAX_REPORT_BYTES: usize = 32 * 1024 * 1024;
/// Time allowed for a whole request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Time allowed to connect.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(8);
/// How long an idle connection is kept for the next request: well under the reference
/// server's 10 s idle close, so a request is never written into a connection the server is
/// closing at that moment (which fails it, a POST included, instead of reusing nothing).
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// A successful answer: its status and its body, not decoded yet (it becomes a reply only
/// through [`Answer::typed`], which cleans it). `Debug` prints only the status: the body may
/// hold a token, recovery codes or pupils' names, and it is wiped when dropped.
#[derive(Clone, PartialEq)]
pub struct Answer {
    /// HTTP status (2xx).
    pub status: u16,
    body: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Answer({}, ..)", self.status)
    }
}

impl Answer {
    /// The body as the reply type `T`, every string cleaned (an empty body is `null`).
    pub fn typed<T: ReplyType>(self) -> Result<T, ApiError> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        cleaned::from_json(body).map_err(|e| ApiError::BadResponse {
            status: self.status,
            reason: match e.classify() {
                Category::Data => format!("not the reply expected ({:?})", e.classify()),
                _ if looks_like_html(body) => "an HTML page".into(),
                _ => json_problem(&e),
            },
        })
    }
}

impl Answer {
    /// The body as text, for a file the user asked to save and nothing else: it is not
    /// decoded into a reply, and `Effect::Save` cleans it before it is written
    /// (`client::export`).
    pub fn download(self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What a reply of `status` and `body` is: a 2xx an [`Answer`] to type, anything else the
/// error envelope decoded into an [`ApiError`].
pub fn answer(status: u16, body: impl Into<Vec<u8>>) -> Result<Answer, ApiError> {
    let body = Zeroizing::new(body.into());
    if !(200..300).contains(&status) {
        return Err(decode_error(status, &body));
    }
    Ok(Answer { status, body })
}

/// [`answer`] and [`Answer::typed`] in one: what a reply of `status` and `body` becomes.
pub fn decode<T: ReplyType>(status: u16, body: &[u8]) -> Result<T, ApiError> {
    answer(status, body)?.typed()
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
    match cleaned::from_json::<wire::ErrorBody>(body) {
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
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("bsmart/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Api {
            http,
            base: server_url.clone(),
        })
    }

    fn url(&self, request: &Request) -> Result<Url, ApiError> {
        let text = format!(
            "{}{}{}",
            self.base.as_str().trim_end_matches('/'),
            wire::API_PREFIX,
            request.path
        );
        let mut url = Url::parse(&text).map_err(|e| ApiError::Network(e.to_string()))?;
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// Send `request` (with `token` as its bearer when given) and read the answer.
    pub async fn send(&self, request: &Request, token: Option<&SecretString>) -> Result<Answer, ApiError> {
        let url = self.url(request)?;
        let mut builder = match request.method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
            Method::Put => self.http.put(url),
            Method::Delete => self.http.delete(url),
        };
        if let Some(body) = &request.body {
            // reqwest keeps the bytes it sends: hand it a copy that is wiped when it lets go.
            let owned = bytes::Bytes::from_owner(body.clone());
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(owned);
        }
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose_secret());
        }
        let (status, mut body) = self.exchange(builder, request.max_bytes).await?;
        answer(status, std::mem::take(&mut *body))
    }

    async fn exchange(
        &self,
        req: reqwest::RequestBuilder,
        max_bytes: usize,
    ) -> Result<(u16, Zeroizing<Vec<u8>>), ApiError> {
        let mut resp = req.send().await.map_err(error::network)?;
        let status = resp.status().as_u16();
        if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
            return Err(ApiError::TooLarge(max_bytes));
        }
        // Wiped when dropped: a reply may carry a token, recovery codes or a TOTP secret.
        let mut body = Zeroizing::new(Vec::new());
        while let Some(chunk) = resp.chunk().await.map_err(error::network)? {
            if body.len() + chunk.len() > max_bytes {
                return Err(ApiError::TooLarge(max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    /// `POST /auth/logout` with `token` (on the way out; nobody waits for the answer).
    pub async fn logout(&self, token: &SecretString) -> Result<Answer, ApiError> {
        self.send(&Request::post("/auth/logout"), Some(token)).await
    }
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
        let empty = answer(204, b"").unwrap().typed::<wire::Setting>().unwrap_err();
        assert!(empty.to_string().contains("not the reply expected"), "{empty}");
        let wrong = decode::<wire::Setting>(200, br#"{"name": 3}"#).unwrap_err();
        assert!(wrong.to_string().contains("not the reply expected"), "{wrong}");
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
