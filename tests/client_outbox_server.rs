//! Never lose a click (issue 10), against the real server binary (`bsmart serve --demo --db`):
//! - it is stopped, the teacher clicks 20 times, it is started again on the same database: all
//!   20 land exactly once with their original times, and the client stays signed in;
//! - it is killed with SIGKILL in the middle of a burst of 1,000 clicks and started again: the
//!   client's outbox keeps what did not land and sends it until it does, and every click is
//!   then in the database exactly once, with the time of its key press.
//!
//! The client is the real App and event runner on a `TestBackend` (its clock is driven by the
//! test, so the retries' backoff passes at once); the server is the real binary in its own
//! process, so the kill is a real one: no destructor, no flush, the WAL as the kernel left it.

#![cfg(unix)]

mod client_support;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bsmart::client::action::Action;
use bsmart::client::lock::Clock;
use client_support::{Harness, TEACHER};
use crossterm::event::KeyCode;

/// A server process; killed (and reaped) when dropped, also when a test fails.
struct Server(Child);

impl Server {
    /// SIGKILL, and reap it.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// SIGTERM (a graceful stop), and reap it.
    fn stop(&mut self) {
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Start `bsmart serve --demo --db DB` on `port` and wait until it answers.
fn start_server(db: &Path, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["serve", "--demo", "--db"])
        .arg(db)
        .args(["--bind", &format!("127.0.0.1:{port}"), "--seed", "7"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the bsmart binary starts");
    let end = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "the server never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The clicks of the demo teacher (user 3) recorded after `since`: id → (count, occurred_at).
async fn clicks_since(db: &Path, since: i64) -> HashMap<String, (i64, i64)> {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT id, COUNT(*), MIN(occurred_at) FROM clicks
         WHERE user_id = 3 AND recorded_at >= ?1 AND deleted_at IS NULL GROUP BY id",
    )
    .bind(since)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|(id, n, at)| (id, (n, at))).collect()
}

/// A client signed in as the demo teacher on the clicker's log step for the most recent
/// individual, and the time after which its clicks are recorded.
async fn logging(url: &str) -> (Harness, i64) {
    let mut h = Harness::sized(url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('c'));
    h.wait_for("the individuals", |t| {
        t.contains("Behaviour Clicker: pick who") && !t.contains("loading")
    })
    .await;
    h.press(KeyCode::Enter);
    h.wait_text("On task").await;
    // Later than every click the demo seeded.
    let started = chrono::Utc::now().timestamp();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    (h, started)
}

/// Let the outbox drain: each retry's backoff is passed by moving the client's clock (the idle
/// lock that comes with it does not stop the outbox).
async fn drain(h: &mut Harness) {
    let end = Instant::now() + Duration::from_secs(120);
    while h.runner.app.pending() > 0 {
        assert!(
            Instant::now() < end,
            "{} clicks never landed:\n{}",
            h.runner.app.pending(),
            h.text()
        );
        h.clock.advance(Duration::from_secs(31));
        h.act(Action::Deadline);
        let _ = h.runner.pump(Duration::from_millis(200)).await;
    }
    assert!(h.runner.app.user().is_some(), "still signed in after the restart");
}

/// The wall time of the client's clock, in seconds (the time a click is logged at).
fn wall(h: &Harness) -> i64 {
    chrono::DateTime::<chrono::Utc>::from(h.clock.system()).timestamp()
}

/// Check that exactly the clicks pressed at `pressed_at` were recorded, once each.
async fn assert_recorded_once(db: &Path, started: i64, mut pressed_at: Vec<i64>) {
    let recorded = clicks_since(db, started).await;
    assert_eq!(
        recorded.len(),
        pressed_at.len(),
        "every click was recorded, and no other"
    );
    assert!(recorded.values().all(|(n, _)| *n == 1), "and each once");
    let mut times: Vec<i64> = recorded.values().map(|(_, at)| *at).collect();
    times.sort_unstable();
    pressed_at.sort_unstable();
    assert_eq!(times, pressed_at, "each kept the time of its key press");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_clicks_while_the_server_is_stopped_land_once_each_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let port = free_port();
    let mut server = start_server(&db, port);
    let (mut h, started) = logging(&format!("http://127.0.0.1:{port}")).await;
    server.stop();
    let mut pressed_at = Vec::new();
    for _ in 0..20 {
        pressed_at.push(wall(&h));
        h.press(KeyCode::Char('1'));
        let _ = h.runner.pump(Duration::from_millis(20)).await;
    }
    let text = h.text();
    assert!(text.contains("20 pending"), "{text}");
    let mut server = start_server(&db, port);
    drain(&mut h).await;
    assert_recorded_once(&db, started, pressed_at).await;
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_burst_of_1000_clicks_records_every_one_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let port = free_port();
    let mut server = start_server(&db, port);
    let (mut h, started) = logging(&format!("http://127.0.0.1:{port}")).await;
    // The burst: 1,000 key presses; the server is killed after the 300th.
    let mut pressed_at = Vec::new();
    for n in 0..1000 {
        if n == 300 {
            server.kill();
        }
        pressed_at.push(wall(&h));
        h.press(KeyCode::Char('1'));
        // Let some answers in, as a real loop would between key presses.
        if n % 10 == 0 {
            let _ = h.runner.pump(Duration::from_millis(1)).await;
        }
    }
    assert!(h.runner.app.pending() > 0, "some clicks wait for the server");
    let text = h.text();
    assert!(text.contains("pending"), "the status bar says how many wait:\n{text}");
    let _restarted = start_server(&db, port);
    drain(&mut h).await;
    assert_recorded_once(&db, started, pressed_at).await;
}
