//! Errors as the API answers them: always the JSON envelope of [`crate::wire::ErrorBody`].
//!
//! Handlers return [`ApiError`]. axum's own rejections (bad JSON, wrong types, a missing
//! content type, a bad query) are mapped through [`ApiJson`] and [`ApiQuery`]; responses that
//! axum or tower produce without a body we control (404, 405, 408, 413, 415, …) are rewritten
//! into the envelope by [`envelope_layer`]; panics become a 500 envelope with no detail
//! ([`panic_response`]); too many or too large headers get a 431 envelope and an over-long URI a
//! 414 envelope ([`request_limits_layer`]). Nothing here ever echoes a request body: serde's
//! messages can quote the input, so the messages are fixed sentences.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::wire::{ErrorBody, ErrorDetail, codes};

/// The most header bytes (names and values together) a request may carry.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most headers a request may carry.
pub const MAX_HEADERS: usize = 100;
/// The longest request target (path and query) accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// An error answered as the JSON envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// One of [`crate::wire::codes`].
    pub code: &'static str,
    /// A sentence for a person; never contains request data.
    pub message: String,
    /// For 429: whole seconds until a retry may succeed (the `Retry-After` header).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401 `invalid_credentials`: the same for a wrong password and an unknown email.
    pub fn invalid_credentials() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::INVALID_CREDENTIALS,
            "The email or password is not right.",
        )
    }

    /// 423 `account_locked`.
    pub fn account_locked() -> ApiError {
        ApiError::new(
            StatusCode::LOCKED,
            codes::ACCOUNT_LOCKED,
            "This account is locked after too many failed attempts. Ask an administrator to unlock it.",
        )
    }

    /// 401 `invalid_code`.
    pub fn invalid_code() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::INVALID_CODE,
            "The code is not right, or it has already been used. Wait for the next code and try again.",
        )
    }

    /// 401 `invalid_challenge`.
    pub fn invalid_challenge() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::INVALID_CHALLENGE,
            "This sign-in attempt has expired or was already used. Start again from the email and password.",
        )
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, "Sign in first.")
    }

    /// 401 `session_expired`.
    pub fn session_expired() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::SESSION_EXPIRED,
            "Your session has expired. Sign in again.",
        )
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
    }

    /// 403 `reauth_required`: the session's last password check is too old for this.
    pub fn reauth_required() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            codes::REAUTH_REQUIRED,
            "To set up two-factor authentication, confirm your password (unlock) and try again.",
        )
    }

    /// 404 `not_found`.
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "There is nothing here.")
    }

    /// 422 `invalid_request` with a fixed message.
    pub fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID_REQUEST, message)
    }

    /// 422 `weak_password` with the reason.
    pub fn weak_password(reason: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, codes::WEAK_PASSWORD, reason)
    }

    /// 429 `rate_limited`: a retry may succeed after `wait` (rounded up to whole seconds, at
    /// least one).
    pub fn rate_limited(wait: std::time::Duration) -> ApiError {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                codes::RATE_LIMITED,
                "Too many sign-in attempts from this computer. Wait a moment and try again.",
            )
        }
    }

    /// 503 `server_busy`: every connection the server serves at once is taken.
    pub fn server_busy() -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::SERVER_BUSY,
                "The server is busy. Try again in a moment.",
            )
        }
    }

    /// 500 `internal`: nothing about the cause is revealed (it is logged without secrets).
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL,
            "Something went wrong on the server. Try again; if it keeps happening, contact support.",
        )
    }

    /// The envelope for any status, used where only the status is known.
    pub fn for_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::NOT_FOUND => ApiError::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                codes::METHOD_NOT_ALLOWED,
                "This address does not accept that method.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                status,
                codes::PAYLOAD_TOO_LARGE,
                "The request is too large (the limit is 64 KiB, or 1 MiB for incident reports, plans and drafts).",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                status,
                codes::UNSUPPORTED_MEDIA_TYPE,
                "Send the request body as application/json.",
            ),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
                ApiError::new(status, codes::HEADERS_TOO_LARGE, "The request headers are too large.")
            }
            StatusCode::URI_TOO_LONG => ApiError::new(status, codes::URI_TOO_LONG, "The address is too long."),
            StatusCode::REQUEST_TIMEOUT => ApiError::new(
                status,
                codes::REQUEST_TIMEOUT,
                "The request took too long to arrive or to answer. Try again.",
            ),
            StatusCode::SERVICE_UNAVAILABLE => ApiError::server_busy(),
            StatusCode::TOO_MANY_REQUESTS => ApiError::rate_limited(std::time::Duration::from_secs(1)),
            StatusCode::UNAUTHORIZED => ApiError::unauthenticated(),
            StatusCode::FORBIDDEN => ApiError::forbidden("You may not do this."),
            s if s.is_server_error() => ApiError {
                status: s,
                ..ApiError::internal()
            },
            s => ApiError::new(s, codes::INVALID_REQUEST, "The request could not be read."),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        // sqlx errors carry SQL and driver messages, never bound values.
        tracing::error!(error = %error, "database error");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::JsonDataError(_) => {
                ApiError::invalid_request("The request body does not have the expected fields or types.")
            }
            JsonRejection::JsonSyntaxError(_) => ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_REQUEST,
                "The request body is not valid JSON.",
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            other => ApiError::for_status(other.status()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> ApiError {
        ApiError::invalid_request("The query parameters are not valid.")
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s, and which takes nothing but a JSON object:
/// serde would otherwise fill a struct from an array, positionally (`["email","password"]` was
/// a login), which schemathesis's `negative_data_rejection` check found. An array or a scalar
/// is 422 `invalid_request`, like a missing field.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// A JSON body that must be an object before it becomes a `T`.
struct JsonObject<T>(T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<JsonObject<T>, D::Error> {
        let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        T::deserialize(serde_json::Value::Object(object))
            .map(JsonObject)
            .map_err(serde::de::Error::custom)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<ApiJson<T>, ApiError> {
        let axum::Json(JsonObject(value)) = axum::Json::<JsonObject<T>>::from_request(request, state).await?;
        Ok(ApiJson(value))
    }
}

/// `axum::extract::Query` whose rejections are [`ApiError`]s.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Rewrite any error response that is not already JSON (axum's 404/405/413/415, tower's
/// limits) into the envelope, keeping its status.
pub async fn envelope_layer(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let mut rewritten = ApiError::for_status(status).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        rewritten.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rewritten
}

/// Refuse requests with more than [`MAX_HEADERS`] headers, or headers that together exceed
/// [`MAX_HEADER_BYTES`], with a 431 envelope, and a request target over [`MAX_URI_BYTES`] with
/// a 414 envelope, before any handler (or the token check) sees them.
pub async fn request_limits_layer(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let total: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || total > MAX_HEADER_BYTES {
        return ApiError::for_status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).into_response();
    }
    let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::for_status(StatusCode::URI_TOO_LONG).into_response();
    }
    next.run(request).await
}

/// The last-resort answer to a panic in a handler: a 500 envelope with no detail.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<String> {
    tracing::error!("a request handler panicked");
    let body = ErrorBody {
        error: ErrorDetail {
            code: codes::INTERNAL.to_string(),
            message: ApiError::internal().message,
        },
    };
    let text = serde_json::to_string(&body).unwrap_or_default();
    let mut response = Response::new(text);
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_answers_say_when_to_retry() {
        let response = ApiError::rate_limited(std::time::Duration::from_millis(5200)).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "6");
        let response = ApiError::rate_limited(std::time::Duration::ZERO).into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }

    #[test]
    fn every_status_maps_to_an_envelope_code() {
        for (status, code) in [
            (StatusCode::PAYLOAD_TOO_LARGE, codes::PAYLOAD_TOO_LARGE),
            (StatusCode::METHOD_NOT_ALLOWED, codes::METHOD_NOT_ALLOWED),
            (StatusCode::BAD_GATEWAY, codes::INTERNAL),
            (StatusCode::IM_A_TEAPOT, codes::INVALID_REQUEST),
            (StatusCode::URI_TOO_LONG, codes::URI_TOO_LONG),
            (StatusCode::REQUEST_TIMEOUT, codes::REQUEST_TIMEOUT),
            (StatusCode::SERVICE_UNAVAILABLE, codes::SERVER_BUSY),
        ] {
            assert_eq!(ApiError::for_status(status).code, code, "{status}");
        }
    }

    #[test]
    fn panic_response_reveals_nothing() {
        let response = panic_response(Box::new("secret token abc"));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!response.body().contains("secret"));
        assert!(response.body().contains(codes::INTERNAL));
    }
}
