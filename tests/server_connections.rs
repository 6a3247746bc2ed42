//! SECURITY.md rule 45 (server part) and the limits hyper and the router share, over raw TCP:
//! silent connections, half-sent heads and idle keep-alive connections are closed after the
//! header-read timeout; a body that trickles in gets 408; a connection over the cap gets a 503
//! envelope; over-long URIs and too many headers get the envelope where the router sees them;
//! and the real binary, sent SIGTERM while a request's body is still arriving, finishes that
//! request with a full answer, then stops.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bsmart::server::ConnectionLimits;
use bsmart::server::testing::TestOptions;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short limits, so the tests wait a second or two rather than the production ten.
fn short_limits() -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        max_connections: 3,
        shutdown_grace: Duration::from_secs(5),
    }
}

async fn server(limits: ConnectionLimits) -> Api {
    Api::start_with(TestOptions {
        limits,
        ..quiet_options()
    })
    .await
}

/// `host:port` of a server URL.
fn authority(url: &str) -> &str {
    url.trim_start_matches("http://")
}

async fn connect(api: &Api) -> TcpStream {
    TcpStream::connect(authority(&api.srv.url)).await.expect("connect")
}

/// One raw HTTP answer.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

/// Read one answer (its head, then `Content-Length` bytes of body), or `None` if the
/// connection closes first.
async fn read_answer(stream: &mut TcpStream) -> Option<Raw> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&bytes[head_end..head_end + length]).into_owned();
    Some(Raw { status, head, body })
}

/// How long until the server closes `stream` (reads end or fail), if it does within `limit`.
/// Anything it sends on the way is ignored.
async fn closed_after(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

fn get(path: &str) -> String {
    format!("GET /api/v1{path} HTTP/1.1\r\nHost: bsmart.test\r\n\r\n")
}

/// The answer is the JSON envelope with `code`.
fn assert_envelope(raw: &Raw, status: u16, code: &str) {
    assert_eq!(raw.status, status, "{raw:?}");
    assert!(raw.head.contains("content-type: application/json"), "{raw:?}");
    let envelope: bsmart::wire::ErrorBody = serde_json::from_str(&raw.body).expect("the envelope");
    assert_eq!(envelope.error.code, code);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let api = server(short_limits()).await;
    let mut stream = connect(&api).await;
    let took = closed_after(&mut stream, Duration::from_secs(10))
        .await
        .expect("a silent connection was held for 10 s");
    assert!(
        took >= Duration::from_millis(800),
        "closed after {took:?}, before the timeout"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn half_a_header_is_closed_after_the_header_timeout() {
    let api = server(short_limits()).await;
    let mut stream = connect(&api).await;
    stream
        .write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: bsmart.test\r\nContent-Ty")
        .await
        .unwrap();
    closed_after(&mut stream, Duration::from_secs(10))
        .await
        .expect("half a header was held for 10 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_keep_alive_connection_is_closed() {
    let api = server(short_limits()).await;
    let mut stream = connect(&api).await;
    stream.write_all(get("/setting").as_bytes()).await.unwrap();
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(answer.status, 200);
    let took = closed_after(&mut stream, Duration::from_secs(10))
        .await
        .expect("an idle keep-alive connection was held for 10 s");
    assert!(took >= Duration::from_millis(800), "closed after {took:?}");
}

/// A body that trickles in is cut off by the whole-request timeout: 408 in the envelope.
#[tokio::test(flavor = "multi_thread")]
async fn a_slow_body_gets_408() {
    let api = server(short_limits()).await;
    let mut stream = connect(&api).await;
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: bsmart.test\r\nContent-Type: application/json\r\n\
                Content-Length: 60\r\n\r\n{\"email\":";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(10), read_answer(&mut stream))
        .await
        .expect("no answer within 10 s")
        .expect("closed without an answer");
    assert_envelope(&answer, 408, "request_timeout");
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

/// Over the cap, a connection is answered 503 `server_busy` and closed rather than left
/// waiting; once a connection ends, its slot serves again.
#[tokio::test(flavor = "multi_thread")]
async fn a_connection_over_the_cap_gets_503() {
    let api = server(ConnectionLimits {
        header_read_timeout: Duration::from_secs(10),
        ..short_limits()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&api).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = connect(&api).await;
    extra.write_all(get("/setting").as_bytes()).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut extra))
        .await
        .expect("a connection over the cap was left waiting")
        .expect("closed without an answer");
    assert_envelope(&answer, 503, "server_busy");
    assert!(answer.head.contains("connection: close"), "{answer:?}");
    assert!(closed_after(&mut extra, Duration::from_secs(5)).await.is_some());
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut next = connect(&api).await;
    next.write_all(get("/setting").as_bytes()).await.unwrap();
    assert_eq!(read_answer(&mut next).await.expect("an answer").status, 200);
}

/// What the router refuses gets the envelope (a URI over 8 KiB: 414; over 100 headers: 431).
/// What hyper refuses before the router sees it gets hyper's own answer with an empty body: a
/// URI over 64 KiB (414), more than 256 headers (431), a request line it cannot parse (400).
#[tokio::test(flavor = "multi_thread")]
async fn over_long_uris_and_too_many_headers() {
    let api = server(short_limits()).await;
    let ask = |request: String| {
        let api = &api;
        async move {
            let mut stream = connect(api).await;
            stream.write_all(request.as_bytes()).await.unwrap();
            read_answer(&mut stream).await.expect("an answer")
        }
    };
    let long = |n: usize| get(&format!("/setting?x={}", "a".repeat(n)));
    assert_envelope(&ask(long(9 * 1024)).await, 414, "uri_too_long");
    let headers = |n: usize| {
        let extra: String = (0..n).map(|i| format!("X-Filler-{i}: 1\r\n")).collect();
        format!("GET /api/v1/setting HTTP/1.1\r\nHost: bsmart.test\r\n{extra}\r\n")
    };
    assert_envelope(&ask(headers(150)).await, 431, "headers_too_large");
    for (request, status) in [
        (long(100 * 1024), 414),
        (headers(300), 431),
        ("NOT A REQUEST LINE\r\n\r\n".to_string(), 400),
    ] {
        let answer = ask(request).await;
        assert_eq!((answer.status, answer.body.as_str()), (status, ""), "{answer:?}");
    }
}

/// The real binary: SIGTERM while a request's body is still arriving. The listener closes at
/// once, the request finishes with a whole answer, then the process exits cleanly. Its log
/// (stderr, not a terminal here) carries no colour codes.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_request_in_flight_finish_then_stops() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["serve", "--demo", "--bind", &address])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bsmart serve --demo");
    let ready = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(&address).await {
            stream.write_all(get("/setting").as_bytes()).await.unwrap();
            if read_answer(&mut stream).await.is_some_and(|a| a.status == 200) {
                break;
            }
        }
        assert!(
            ready.elapsed() < Duration::from_secs(120),
            "the demo server never came up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = format!(
        "{{\"email\":\"{}\",\"password\":\"definitely-wrong-password\"}}",
        TEACHER.email
    );
    let (first, rest) = body.split_at(20);
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: bsmart.test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on the child this test started; no memory is involved.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        TcpStream::connect(&address).await.is_err(),
        "still accepting connections after SIGTERM"
    );
    stream.write_all(rest.as_bytes()).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(20), read_answer(&mut stream))
        .await
        .expect("no answer to the request in flight")
        .expect("the request in flight was cut off");
    assert_envelope(&answer, 401, "invalid_credentials");
    let exited = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            exited.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log that is not a terminal: {log:?}"
    );
}

/// `bsmart serve --demo` on a port that is taken fails at once, before seeding anything.
#[tokio::test(flavor = "multi_thread")]
async fn serve_demo_on_a_busy_port_fails_before_seeding() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["serve", "--demo", "--bind", &address])
        .stdin(Stdio::null())
        .output()
        .expect("run bsmart serve --demo");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("cannot listen"), "{said}");
    assert!(!said.contains("demo data seeded"), "seeded before binding: {said}");
}

/// The switch that turns the limiter off for a fuzzer is refused without `--demo`.
#[tokio::test(flavor = "multi_thread")]
async fn the_limiter_stays_on_outside_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["serve", "--no-rate-limit", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("real.db"))
        .stdin(Stdio::null())
        .output()
        .expect("run bsmart serve");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a real server ran without its limiter");
    assert!(said.contains("--demo"), "{said}");
    assert!(!dir.path().join("real.db").exists(), "the database was created anyway");
}
