//! The accept loop (SECURITY.md rule 45, server part): hyper's HTTP/1 connections with a
//! header-read timeout, a whole-request timeout, a cap on concurrent connections and graceful
//! shutdown. `axum::serve` has none of the first three: a connection that sent nothing, or half
//! a header, was held for as long as the client liked.
//!
//! - **Header-read timeout** ([`ConnectionLimits::header_read_timeout`]): hyper 1.12 starts this
//!   timer whenever a connection waits for a request head (`proto/h1/conn.rs`, `poll_read_head`;
//!   it is re-armed when a keep-alive connection goes idle), so it closes silent connections,
//!   half-sent heads and idle keep-alive connections alike.
//! - **Request timeout** ([`ConnectionLimits::request_timeout`]): tower-http's `TimeoutLayer`
//!   around the router answers 408 `request_timeout` when a request, its body included, is not
//!   answered in time, so a slow body cannot hold a connection either.
//! - **Connection cap** ([`ConnectionLimits::max_connections`]): a connection beyond it gets
//!   503 `server_busy` (the envelope, `Connection: close`) instead of waiting; at most as many
//!   again are turned away at once, and any more are closed unanswered.
//! - **Graceful shutdown**: when the shutdown future completes the listener closes, requests in
//!   flight finish (a body still arriving included), idle connections close, and after
//!   [`ConnectionLimits::shutdown_grace`] whatever is left is dropped.
//!
//! Each request carries `ConnectInfo<SocketAddr>` of its TCP peer, for the audit log and the
//! limiter. hyper's own limits sit above the router's (the header count, the header bytes), so
//! requests over the router's limits get the JSON envelope; what hyper refuses itself before the
//! router sees it (a request line it cannot parse, a URI over 64 KiB, more than
//! [`HYPER_MAX_HEADERS`] headers or about 400 KB of head) gets hyper's empty 400/414/431.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::error::ApiError;
use super::routes::router;
use super::state::AppState;

/// The most headers hyper parses; the router refuses more than `error::MAX_HEADERS` with a 431
/// envelope, so only a request with more than this many gets hyper's empty 431.
pub const HYPER_MAX_HEADERS: usize = 256;

/// The limits of the accept loop (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request head must arrive within this long after the connection starts waiting for one
    /// (new, or idle between keep-alive requests).
    pub header_read_timeout: Duration,
    /// A request, its body included, must be answered within this long (else 408).
    pub request_timeout: Duration,
    /// The most connections served at once.
    pub max_connections: usize,
    /// After shutdown begins, how long connections in flight may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    /// 10 s for a request head (and idle keep-alive), 30 s for a whole request, 512
    /// connections, 30 s to finish at shutdown.
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serve the API on `listener` within `limits` until `shutdown` completes, then finish the
/// requests in flight (for at most `limits.shutdown_grace`).
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state, limits.request_timeout);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(HYPER_MAX_HEADERS);
    let mut turning_away = builder.clone();
    turning_away.keep_alive(false);
    let serving = Arc::new(Semaphore::new(limits.max_connections));
    let refusing = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        match Arc::clone(&serving).try_acquire_owned() {
            Ok(permit) => {
                let app = app.clone();
                let service = service_fn(move |mut request: Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(remote));
                    app.clone().oneshot(request.map(axum::body::Body::new))
                });
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
            Err(_) => turn_away(stream, &turning_away, &refusing),
        }
    }
    drop(listener);
    tracing::info!(
        connections = graceful.count(),
        "no longer accepting; finishing requests in flight"
    );
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the shutdown grace period were dropped");
    }
    Ok(())
}

/// Answer a connection over the cap with 503 `server_busy` and close it; when as many are
/// being turned away already, just close it.
fn turn_away(stream: TcpStream, builder: &http1::Builder, refusing: &Arc<Semaphore>) {
    let Ok(permit) = Arc::clone(refusing).try_acquire_owned() else {
        return;
    };
    let service = service_fn(|_request: Request<Incoming>| async {
        let mut response = ApiError::server_busy().into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        Ok::<_, Infallible>(response)
    });
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::spawn(async move {
        let _ = connection.await;
        drop(permit);
    });
}

/// After a failed `accept`: a connection that failed on its own is no reason to wait; anything
/// else (out of file descriptors) is logged and waited out for a second, as `axum::serve` does.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
