//! Test harness for the client: the real `App` and `Runner` on a `TestBackend`, driven with
//! synthetic key events, against a real server on loopback. Waits poll the rendered buffer
//! with a deadline, never sleep.
// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bsmart::client::action::Action;
use bsmart::client::api::Api;
use bsmart::client::app::{App, AppOptions};
use bsmart::client::call::PendingCall;
use bsmart::client::command::Command;
use bsmart::client::dates::Dates;
use bsmart::client::event::Runner;
use bsmart::client::glyphs::Glyphs;
use bsmart::client::lock::ManualClock;
use bsmart::client::sanitize::is_forbidden;
use bsmart::client::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// How long a wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(15);
/// The idle lock used in tests (the clock is manual, so it never passes by itself).
pub const IDLE: Duration = Duration::from_secs(120);

/// Demo accounts (see `bsmart::server::demo::ACCOUNTS`).
pub const TEACHER: (&str, &str) = ("teacher@demo.test", "demo-teacher-passphrase");
/// A pastoral lead with 2FA.
pub const LEAD: (&str, &str) = ("lead@demo.test", "demo-lead-passphrase");
/// A new starter with a temporary password.
pub const NEWSTARTER: (&str, &str) = ("newstarter@demo.test", "demo-temporary-pass");

/// A client under test.
pub struct Harness {
    /// The loop's state.
    pub runner: Runner<TestBackend>,
    /// The client's injected clock.
    pub clock: Arc<ManualClock>,
    /// Holds the known-settings file.
    pub dir: tempfile::TempDir,
}

/// Options of a harness.
pub struct Opts {
    /// Terminal width.
    pub width: u16,
    /// Terminal height.
    pub height: u16,
    /// Privacy mode.
    pub privacy: bool,
    /// The print command (`None`: printouts are saved as files).
    pub print_command: Option<Vec<String>>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            width: 120,
            height: 40,
            privacy: false,
            print_command: None,
        }
    }
}

impl Harness {
    /// A client of `url` at 120x40, first frame drawn.
    pub fn new(url: &str) -> Harness {
        Harness::with(url, Opts::default())
    }

    /// A client of `url` with options, first frame drawn.
    pub fn with(url: &str, o: Opts) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        Harness::with_dir(url, o, dir)
    }

    /// A client of `url` in a `width` x `height` terminal.
    pub fn sized(url: &str, width: u16, height: u16) -> Harness {
        Harness::with(
            url,
            Opts {
                width,
                height,
                ..Opts::default()
            },
        )
    }

    /// The TOTP secret shown on the enrolment screen (panics on any other screen).
    pub fn enrol_secret(&self) -> String {
        self.runner
            .app
            .sign_in()
            .and_then(|flow| flow.enrol_secret())
            .expect("the enrolment secret is shown")
            .to_string()
    }

    /// As [`Harness::with`], keeping the known-settings file in `dir`.
    pub fn with_dir(url: &str, o: Opts, dir: tempfile::TempDir) -> Harness {
        let clock = Arc::new(ManualClock::default());
        let server_url = bsmart::config::validate_server_url(url).unwrap();
        let app = App::new(AppOptions {
            server_url: server_url.clone(),
            idle_lock: IDLE,
            privacy_mode: o.privacy,
            theme: Theme { mono: false },
            glyphs: Glyphs::UNICODE,
            dates: Dates::UTC,
            clock: clock.clone(),
            known_settings: Some(dir.path().join("known_settings.json")),
            export_dir: Some(dir.path().to_path_buf()),
            print_command: o.print_command,
        });
        let terminal = Terminal::new(TestBackend::new(o.width, o.height)).unwrap();
        let mut runner = Runner::new(terminal, app, Api::new(&server_url).unwrap());
        runner.start().unwrap();
        Harness { runner, clock, dir }
    }

    /// Feed one action, as the loop would (update, commands, drain, draw).
    pub fn act(&mut self, action: Action) {
        self.runner.handle(action).unwrap();
        self.runner.drain().unwrap();
        self.runner.draw().unwrap();
    }

    /// Press a key.
    pub fn press(&mut self, code: KeyCode) {
        self.act(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// Press Ctrl + a letter.
    pub fn ctrl(&mut self, c: char) {
        self.act(Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    }

    /// Type text, one key per character.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.act(Action::Key(KeyEvent::new(KeyCode::Char(c), mods)));
        }
    }

    /// The screen as text, rows joined by newlines.
    pub fn text(&self) -> String {
        buffer_text(self.runner.terminal.backend().buffer())
    }

    /// Wait (handling replies as they come) until `pred` holds for the screen text.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + DEADLINE;
        loop {
            let text = self.text();
            if pred(&text) {
                return text;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("timed out waiting for {what}; the screen was:\n{text}");
            }
            self.runner.pump(left).await.unwrap();
        }
    }

    /// Wait until the screen shows `needle`.
    pub async fn wait_text(&mut self, needle: &str) -> String {
        self.wait_for(needle, |t| t.contains(needle)).await
    }

    /// Wait until the screen, read as [`words`], shows `needle` (a sentence may wrap).
    pub async fn wait_words(&mut self, needle: &str) -> String {
        self.wait_for(needle, |t| words(t).contains(needle)).await;
        words(&self.text())
    }

    /// Wait until the server has described the setting (the client sends no password before).
    pub async fn wait_setting(&mut self) {
        let end = Instant::now() + DEADLINE;
        while self.runner.app.setting().is_none() {
            let left = end.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the setting never came; the screen was:\n{}",
                self.text()
            );
            self.runner.pump(left).await.unwrap();
        }
    }

    /// Sign in with email and password (from the sign-in screen, once the setting is known).
    pub async fn submit_login(&mut self, email: &str, password: &str) {
        self.wait_setting().await;
        self.type_text(email);
        self.press(KeyCode::Enter);
        self.type_text(password);
        self.press(KeyCode::Enter);
    }

    /// Sign in and wait for the dashboard with its incidents loaded.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> String {
        self.submit_login(email, password).await;
        self.wait_dashboard().await
    }

    /// Sign in with email, password and the two-factor `code`, and wait for the dashboard.
    pub async fn sign_in_with_code(&mut self, email: &str, password: &str, code: &str) -> String {
        self.submit_login(email, password).await;
        self.wait_text("Two-factor code").await;
        self.type_text(code);
        self.press(KeyCode::Enter);
        self.wait_dashboard().await
    }

    /// On the recovery codes: `Enter`, then "yes" to "Have you saved these?".
    pub async fn save_recovery_codes(&mut self) {
        self.press(KeyCode::Enter);
        self.wait_text("Have you saved these?").await;
        self.press(KeyCode::Char('y'));
    }

    /// Wait until the dashboard shows and has finished loading.
    pub async fn wait_dashboard(&mut self) -> String {
        self.wait_for("the loaded dashboard", |t| {
            t.contains("Dashboard") && t.contains("Incidents —") && !t.contains("loading") && !t.contains("Loading")
        })
        .await
    }
}

/// The buffer's symbols as text, rows joined by newlines.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The screen's text with borders dropped and every run of blanks made one space, so a
/// wrapped sentence reads as one line (for screens without side-by-side panels).
pub fn words(text: &str) -> String {
    text.replace(['│', '┌', '┐', '└', '┘', '─'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Assert that no cell holds a control, bidi or invisible character, and that no leftover of
/// an OSC title sequence is drawn.
pub fn assert_clean(buf: &Buffer) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            assert!(!sym.chars().any(is_forbidden), "forbidden character {sym:?} at {x},{y}");
        }
    }
    let text = buffer_text(buf);
    assert!(!text.contains("]0;pwned"), "escape leftover drawn:\n{text}");
    assert_only_csi_bytes(buf);
}

/// With `NO_COLOR`, no cell has a foreground or background colour.
pub fn assert_no_colour(buf: &Buffer) {
    use ratatui::style::Color;
    for cell in buf.content() {
        assert!(
            cell.fg == Color::Reset && cell.bg == Color::Reset,
            "colour drawn with NO_COLOR: {cell:?}"
        );
    }
}

/// Send the frame through the real crossterm backend and check the bytes a terminal would get:
/// every escape is a CSI (cursor, colour, style), never an OSC (window title, clipboard: rule
/// 43), DCS or a bare ESC, and there is no BEL.
pub fn assert_only_csi_bytes(buf: &Buffer) {
    use ratatui::backend::{Backend, CrosstermBackend};
    let mut bytes = Vec::new();
    let mut out = CrosstermBackend::new(&mut bytes);
    let cells = buf.content().iter().enumerate().map(|(i, c)| {
        let (x, y) = buf.pos_of(i);
        (x, y, c)
    });
    out.draw(cells).unwrap();
    Backend::flush(&mut out).unwrap();
    assert!(!bytes.contains(&0x07), "BEL sent to the terminal");
    for (i, _) in bytes.iter().enumerate().filter(|(_, b)| **b == 0x1b) {
        assert_eq!(
            bytes.get(i + 1),
            Some(&b'['),
            "non-CSI escape sent: {:?}",
            String::from_utf8_lossy(&bytes[i..bytes.len().min(i + 12)])
        );
    }
}

/// A hand-rolled HTTP/1.1 server on loopback that answers every request with whatever
/// `respond(method_and_path)` returns (raw bytes, status line and headers included), then closes
/// the connection. It is not a stand-in for the bsmart server: it plays a *broken* one (HTML
/// error pages, broken JSON, replies of many megabytes) to test the client's bounded reads.
pub struct RawServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Listen on 127.0.0.1 and answer with `respond`.
    pub async fn start(respond: fn(&str) -> Vec<u8>) -> RawServer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                tokio::spawn(async move {
                    // Read the head, then as much body as Content-Length says.
                    let mut req = Vec::new();
                    let mut buf = [0u8; 4096];
                    let head_end = loop {
                        let Ok(n) = sock.read(&mut buf).await else { return };
                        if n == 0 {
                            return;
                        }
                        req.extend_from_slice(&buf[..n]);
                        if let Some(i) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&req[..head_end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while req.len() < head_end + len {
                        let Ok(n) = sock.read(&mut buf).await else { return };
                        if n == 0 {
                            break;
                        }
                        req.extend_from_slice(&buf[..n]);
                    }
                    let first = String::from_utf8_lossy(&req[..head_end]);
                    let line = first.lines().next().unwrap_or("").to_string();
                    // The client may hang up early (a reply too large): write errors are fine.
                    let _ = sock.write_all(&respond(&line)).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        RawServer { url, task }
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A raw HTTP/1.1 response with `Connection: close`; `length` false leaves Content-Length out
/// (the body then ends when the connection closes, so its size is known only by reading it).
pub fn raw_response(status: &str, content_type: &str, body: &[u8], length: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\n");
    if length {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A valid `GET /setting` reply body for a raw server.
pub const RAW_SETTING: &str = r#"{"id":"raw","name":"Raw Test School","incident_prefix":"besmart","password_rules":{"min_chars":10,"min_chars_without_2fa":15,"max_chars":128,"require_2fa_for_all":false},"support":{"email":"help@raw.test","phone":"0100","url":"https://help.raw.test"},"demo":false}"#;

/// A client of a closed port (every call fails fast, nothing answers by itself).
pub const CLOSED: &str = "http://127.0.0.1:9";

/// How a [`Driver`]'s App is made.
#[derive(Debug, Clone)]
pub struct DriverOpts {
    /// The terminal sizes drawn at each [`Driver::check`] (the first one for [`Driver::text`]).
    pub sizes: Vec<(u16, u16)>,
    /// Privacy mode.
    pub privacy: bool,
    /// No colour.
    pub mono: bool,
    /// The symbol set.
    pub glyphs: Glyphs,
    /// Where downloads are saved.
    pub export_dir: Option<std::path::PathBuf>,
}

impl Default for DriverOpts {
    fn default() -> Self {
        DriverOpts {
            sizes: vec![(80, 24)],
            privacy: false,
            mono: false,
            glyphs: Glyphs::UNICODE,
            export_dir: None,
        }
    }
}

/// An App driven by hand, with no network: every call it asks for waits in `pending` until
/// the test answers it with [`Driver::answer`] (decoded exactly as a real answer is).
pub struct Driver {
    /// The client.
    pub app: App,
    /// Its injected clock.
    pub clock: Arc<ManualClock>,
    /// The terminals drawn into.
    pub terminals: Vec<Terminal<TestBackend>>,
    /// Calls waiting for an answer, oldest first.
    pub pending: Vec<PendingCall>,
    /// The commands of the last action (calls excepted).
    pub last: Vec<Command>,
    mono: bool,
}

impl Driver {
    /// A driver of a fresh App (not started).
    pub fn new(o: DriverOpts) -> Driver {
        // Tuesday 1 December 2026, 10:42 UTC: times on screen are the same in every run.
        let wall = std::time::UNIX_EPOCH + Duration::from_secs(1_796_121_720);
        let clock = Arc::new(ManualClock::at(wall));
        let app = App::new(AppOptions {
            server_url: bsmart::config::validate_server_url(CLOSED).unwrap(),
            idle_lock: IDLE,
            privacy_mode: o.privacy,
            theme: Theme { mono: o.mono },
            glyphs: o.glyphs,
            dates: Dates::UTC,
            clock: clock.clone(),
            known_settings: None,
            export_dir: o.export_dir.clone(),
            print_command: None,
        });
        Driver {
            app,
            clock,
            terminals: o
                .sizes
                .iter()
                .map(|&(w, h)| Terminal::new(TestBackend::new(w, h)).unwrap())
                .collect(),
            pending: Vec::new(),
            last: Vec::new(),
            mono: o.mono,
        }
    }

    /// Start the App (it asks for the setting).
    pub fn start(&mut self) {
        let cmds = self.app.start();
        self.take(cmds);
    }

    fn take(&mut self, cmds: Vec<Command>) {
        self.last.clear();
        for c in cmds {
            match c {
                Command::Call(call) => self.pending.push(call),
                other => self.last.push(other),
            }
        }
    }

    /// Feed one action.
    pub fn act(&mut self, a: Action) {
        let cmds = self.app.update(a);
        self.take(cmds);
    }

    /// Press a key.
    pub fn press(&mut self, code: KeyCode) {
        self.act(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// Press a key with modifiers.
    pub fn press_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.act(Action::Key(KeyEvent::new(code, mods)));
    }

    /// Type text, one key per character.
    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Type `text`, then Enter.
    pub fn enter(&mut self, text: &str) {
        self.keys(text);
        self.press(KeyCode::Enter);
    }

    /// The newest waiting call `line` (`METHOD /path`), taken out.
    pub fn call(&mut self, line: &str) -> PendingCall {
        let at = self
            .pending
            .iter()
            .rposition(|c| c.line() == line)
            .unwrap_or_else(|| panic!("no {line} call in {:?}", self.pending));
        self.pending.remove(at)
    }

    /// True when a call `line` is waiting.
    pub fn has_call(&self, line: &str) -> bool {
        self.pending.iter().any(|c| c.line() == line)
    }

    /// Answer the newest `line` call with `status` and the JSON `body`.
    pub fn answer(&mut self, line: &str, status: u16, body: &serde_json::Value) {
        let action = self.call(line).respond(status, &serde_json::to_vec(body).unwrap());
        self.act(action);
    }

    /// The JSON body of the newest waiting call `line`.
    pub fn body(&self, line: &str) -> serde_json::Value {
        let call = self.pending.iter().rev().find(|c| c.line() == line);
        let call = call.unwrap_or_else(|| panic!("no {line} call in {:?}", self.pending));
        serde_json::from_slice(call.request().body.as_ref().expect("a body")).expect("a JSON body")
    }

    /// The query pairs of the newest waiting call `line`.
    pub fn query(&self, line: &str) -> Vec<(String, String)> {
        let call = self.pending.iter().rev().find(|c| c.line() == line);
        let call = call.unwrap_or_else(|| panic!("no {line} call in {:?}", self.pending));
        call.request()
            .query
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// Answer the newest `line` call as if the server could not be reached.
    pub fn unreachable(&mut self, line: &str) {
        let action = self.call(line).unreachable();
        self.act(action);
    }

    /// Answer the newest `line` call as if the connection dropped after it was sent.
    pub fn dropped(&mut self, line: &str) {
        let action = self.call(line).dropped();
        self.act(action);
    }

    /// Draw into every terminal, checking each frame is clean (no control, bidi or invisible
    /// character, no escape leftover; with `mono`, no colour), and answer the first one's text.
    pub fn check(&mut self) -> String {
        for t in &mut self.terminals {
            let app = &mut self.app;
            t.draw(|f| app.render(f)).unwrap();
            assert_clean(t.backend().buffer());
            if self.mono {
                assert_no_colour(t.backend().buffer());
            }
        }
        self.text()
    }

    /// Draw, and the first terminal's text.
    pub fn text(&mut self) -> String {
        let app = &mut self.app;
        let t = &mut self.terminals[0];
        t.draw(|f| app.render(f)).unwrap();
        buffer_text(t.backend().buffer())
    }

    /// The first terminal's buffer, as last drawn.
    pub fn buffer(&self) -> &Buffer {
        self.terminals[0].backend().buffer()
    }

    /// Start and get the (demo) setting: the sign-in screen.
    pub fn started(o: DriverOpts) -> Driver {
        let mut d = Driver::new(o);
        d.start();
        d.answer("GET /setting", 200, &setting_json());
        d
    }

    /// On "Sign in": type `email` and a password, and answer the sign-in with `step`.
    pub fn log_in(&mut self, email: &str, step: &serde_json::Value) {
        self.keys(email);
        self.press(KeyCode::Tab);
        self.enter("a long passphrase");
        self.answer("POST /auth/login", 200, step);
    }

    /// Start, get the demo-like setting, sign in as a teacher without 2FA, and answer the
    /// dashboard's calls with `incidents` and `notifications` (JSON arrays).
    pub fn signed_in(&mut self, incidents: serde_json::Value, notifications: serde_json::Value) {
        self.start();
        self.answer("GET /setting", 200, &setting_json());
        let ok = serde_json::json!({"status": "ok", "token": "t1", "user": user_json("Tess Teacher")});
        self.log_in("t@x.test", &ok);
        let total = incidents.as_array().map_or(0, Vec::len);
        self.answer("GET /notifications", 200, &serde_json::json!({"items": notifications}));
        self.answer(
            "GET /incidents",
            200,
            &serde_json::json!({"items": incidents, "total": total}),
        );
        self.answer("GET /drafts", 200, &serde_json::json!({"items": []}));
    }

    /// [`Driver::signed_in`] with nothing on the dashboard, then `GET /me` answered: the same
    /// user, whose permissions say they administer.
    pub fn signed_in_admin(&mut self) {
        self.signed_in(serde_json::json!([]), serde_json::json!([]));
        let me = serde_json::json!({
            "user": user_json("Tess Teacher"),
            "permissions": {"view_analytics": true, "administer": true, "delete_incidents": true,
                            "see_all_individuals": true},
            "session": {"idle_expires_at": "2026-12-01T11:12:00Z", "absolute_expires_at": "2026-12-01T22:42:00Z"}
        });
        self.answer("GET /me", 200, &me);
    }
}

/// A setting as the server sends it (demo, with its accounts).
pub fn setting_json() -> serde_json::Value {
    serde_json::json!({
        "id": "setting-1", "name": "Riverside Academy (demo)", "incident_prefix": "besmart",
        "password_rules": {"min_chars": 10, "min_chars_without_2fa": 15, "max_chars": 256, "require_2fa_for_all": false},
        "support": {"email": "help@school.test", "phone": "0100 000", "url": "https://help.school.test"},
        "demo": true,
        "demo_accounts": [
            {"email": "teacher@demo.test", "password": "demo-teacher-passphrase", "role": "staff", "note": "no 2FA yet"}
        ]
    })
}

/// A staff user as the server sends it.
pub fn user_json(name: &str) -> serde_json::Value {
    serde_json::json!({"id": 5, "email": "t@x.test", "display_name": name, "role": "staff", "totp_enabled": false})
}

/// An incident as the server sends it.
pub fn incident_json(number: u32, pupil: &str) -> serde_json::Value {
    serde_json::json!({
        "reference": format!("besmart-{number}"), "occurred_at": "2026-11-30T10:42:00Z",
        "individual": {"id": number, "name": pupil}, "kind": "incident",
        "category": "Disruption to learning", "location": "Corridor B", "flagged": number.is_multiple_of(2),
        "parents_informed": false
    })
}
