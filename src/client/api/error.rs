//! Why a call failed ([`ApiError`]), and how reqwest's errors become one: a refused
//! certificate is told apart from a server that cannot be reached. Messages are for people and
//! carry no secret.

use thiserror::Error;

use crate::wire::codes;

/// Why a call failed.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (connection refused, DNS, no route): nothing was sent.
    #[error("cannot reach the server: {0}")]
    Network(String),
    /// The request went out but no answer came (a time-out, a connection dropped): the server
    /// may or may not have acted on it.
    #[error("the server did not answer: {0}")]
    NoAnswer(String),
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
    /// The reply was larger than the request allows ([`super::MAX_RESPONSE_BYTES`], or for a report
    /// [`super::MAX_REPORT_BYTES`]), in bytes.
    #[error("the server sent a reply larger than {} MiB; it was refused", .0 / 1024 / 1024)]
    TooLarge(usize),
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

    /// True when the request never reached a server that could act on it (unreachable, or a
    /// certificate refused): nothing was decided, so what was typed can be given back as it was.
    pub fn unreached(&self) -> bool {
        matches!(self, ApiError::Network(_) | ApiError::Untrusted(_))
    }

    /// True when the server is not usable now (unreachable, silent, or not trusted): the
    /// client is offline until a call is answered.
    pub fn offline(&self) -> bool {
        matches!(
            self,
            ApiError::Network(_) | ApiError::NoAnswer(_) | ApiError::Untrusted(_)
        )
    }

    /// What to tell the user when a change failed, `refused` ("Not saved") first: the server's
    /// reason; or, when the request never arrived, that it can be tried again; or, when it went
    /// out and no answer came, that it may have been done, so nobody repeats a change blindly.
    pub fn change_failed(&self, refused: &str) -> String {
        match self {
            ApiError::NoAnswer(why) => format!(
                "Not known if it was done: the server did not answer ({why}). Look again before trying once more."
            ),
            ApiError::Network(_) => format!("{refused}: {self}. It never reached the server; try again."),
            e => format!("{refused}: {e}"),
        }
    }

    /// A short outcome for `Debug` listings: the kind and code, never the server's sentence.
    pub fn outcome(&self) -> String {
        match self {
            ApiError::Server { status, code, .. } => format!("Err({status} {code})"),
            ApiError::Network(_) => "Err(network)".to_string(),
            ApiError::NoAnswer(_) => "Err(no answer)".to_string(),
            ApiError::Untrusted(_) => "Err(untrusted certificate)".to_string(),
            ApiError::TooLarge(_) => "Err(too large)".to_string(),
            ApiError::BadResponse { status, .. } => format!("Err({status} bad response)"),
        }
    }
}

/// A reqwest failure in words: the certificate problem if there is one; a failure to connect
/// (nothing was sent); else the request went out and no answer came (without the URL, which the
/// user knows and which makes it long).
pub(super) fn network(e: reqwest::Error) -> ApiError {
    if let Some(reason) = certificate_problem(&e) {
        return ApiError::Untrusted(reason);
    }
    if e.is_connect() {
        return ApiError::Network("the connection failed".to_string());
    }
    ApiError::NoAnswer(if e.is_timeout() {
        "it did not answer in time".to_string()
    } else {
        e.without_url().to_string()
    })
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
