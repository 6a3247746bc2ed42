//! Client rendering tests that need no server: the first frame, the generic loop, and the
//! property test of SECURITY.md 36 — any string from the server, drawn on any screen, pop-up
//! and message, at 80x24, 200x60 and 30x8, leaves no control, bidi or invisible character in
//! any cell (and, with `NO_COLOR`, no colour).
//!
//! The property test drives `App::update` with the replies a server would send: each call the
//! App asks for is answered with JSON bytes through `PendingCall::respond`, which decodes them
//! exactly as a real answer is (one cleaning pass over the JSON value, then the typed reply).

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::client::api::{Api, decode};
use bsmart::client::app::{App, AppOptions};
use bsmart::client::call::PendingCall;
use bsmart::client::command::Command;
use bsmart::client::connection::Connection;
use bsmart::client::dates::Dates;
use bsmart::client::event;
use bsmart::client::glyphs::Glyphs;
use bsmart::client::lock::ManualClock;
use bsmart::client::privacy::Privacy;
use bsmart::client::screens::Ctx;
use bsmart::client::screens::dashboard::Dashboard;
use bsmart::client::theme::Theme;
use client_support::{Driver, DriverOpts, Harness, buffer_text};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// Nothing listens here: every call fails fast with a network error.
const CLOSED: &str = "http://127.0.0.1:9";

/// A client of [`CLOSED`] with a 120 s idle lock and `clock`.
fn offline_app_with(mono: bool, clock: Arc<ManualClock>) -> App {
    App::new(AppOptions {
        server_url: closed_url(),
        idle_lock: Duration::from_secs(120),
        privacy_mode: false,
        theme: Theme { mono },
        glyphs: Glyphs::UNICODE,
        dates: Dates::UTC,
        clock,
        known_settings: None,
        export_dir: None,
        print_command: None,
    })
}

/// [`offline_app_with`] with a clock of its own.
fn offline_app(mono: bool) -> App {
    offline_app_with(mono, Arc::new(ManualClock::default()))
}

/// [`CLOSED`] as a validated URL.
fn closed_url() -> url::Url {
    bsmart::config::validate_server_url(CLOSED).unwrap()
}

#[tokio::test]
async fn the_first_frame_is_drawn_before_any_reply() {
    let h = Harness::new(CLOSED);
    let text = h.text();
    assert!(text.contains("Sign in"), "{text}");
    assert!(text.contains("Connecting to http://127.0.0.1:9…"), "{text}");
    assert!(text.contains("Email") && text.contains("Password"), "{text}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_message_and_keeps_what_was_typed() {
    let mut h = Harness::new(CLOSED);
    let text = h.wait_text("Cannot reach http://127.0.0.1:9").await;
    assert!(
        text.contains("Trying again by itself") && text.contains("OFFLINE since"),
        "{text}"
    );
    h.type_text("teacher@demo.test");
    h.press(KeyCode::Enter);
    h.type_text("secret-pass");
    h.press(KeyCode::Enter);
    // No password goes to a server that has not said which setting it is; all stays typed.
    let text = client_support::words(&h.text());
    assert!(text.contains("no password goes to it"), "{text}");
    assert!(text.contains("teacher@demo.test"), "{text}");
    assert!(text.contains(&"•".repeat(11)), "{text}");
    assert!(!text.contains("secret-pass"), "{text}");
}

/// The events of a terminal, as the loop reads them.
type Events = futures::channel::mpsc::UnboundedSender<std::io::Result<Event>>;

fn events() -> (
    Events,
    futures::channel::mpsc::UnboundedReceiver<std::io::Result<Event>>,
) {
    futures::channel::mpsc::unbounded()
}

#[tokio::test]
async fn the_generic_loop_runs_on_a_channel_and_quits_on_ctrl_c() {
    let app = offline_app(true);
    let (tx, rx) = events();
    let mut release = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    tx.unbounded_send(Ok(Event::Key(release))).unwrap();
    tx.unbounded_send(Ok(Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))))
        .unwrap();
    let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (terminal, app) = tokio::time::timeout(
        Duration::from_secs(10),
        event::run(terminal, rx, app, Api::new(&closed_url()).unwrap()),
    )
    .await
    .expect("the loop ended")
    .unwrap();
    assert!(app.quitting());
    let text = buffer_text(terminal.backend().buffer());
    assert!(text.contains("Sign in"), "{text}");
    assert!(
        !text.contains("Email: x") && !text.contains("│x"),
        "a key release was typed:\n{text}"
    );
}

/// SECURITY.md 45: a terminal that is gone (its input fails, with no signal) ends the loop at
/// once; before, input errors were dropped and the loop spun on the dead terminal.
#[tokio::test]
async fn a_failing_or_ended_input_stream_ends_the_loop_at_once() {
    for fail in [true, false] {
        let app = offline_app(true);
        let (tx, rx) = events();
        if fail {
            tx.unbounded_send(Err(std::io::Error::other("the terminal went away")))
                .unwrap();
        } else {
            drop(tx);
        }
        let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let (_, app) = tokio::time::timeout(
            Duration::from_secs(5),
            event::run(terminal, rx, app, Api::new(&closed_url()).unwrap()),
        )
        .await
        .expect("the loop ended when its input did")
        .unwrap();
        assert!(app.quitting());
    }
}

/// The bad inputs of SECURITY.md §4 for drawn strings.
const PAYLOADS: &[&str] = &[
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x1b[6n",
    "\u{9b}31m",
    "\x1bPq#0;2;0;0;0\x1b\\",
    "\x1b]0;pwned",
    "\u{202E}",
    "\u{200B}",
    "\u{200E}\u{200F}\u{061C}",
    "\r\t\u{7}\u{7f}\u{85}",
    "\u{2066}x\u{2069}\u{2060}\u{FEFF}",
    "👩\u{200D}👩\u{200D}👧 名前",
];

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A driver drawing at 80x24, 200x60 and a cramped 30x8.
fn driver(mono: bool) -> Driver {
    Driver::new(DriverOpts {
        sizes: vec![(80, 24), (200, 60), (30, 8)],
        mono,
        ..DriverOpts::default()
    })
}

/// Answer `line` with raw bytes.
fn answer_bytes(d: &mut Driver, line: &str, status: u16, body: Vec<u8>) {
    let action = d.call(line).respond(status, &body);
    d.act(action);
}

fn bytes(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

fn error(code: &str, message: &str) -> Vec<u8> {
    bytes(json!({"error": {"code": code, "message": message}}))
}

fn user(name: &str) -> serde_json::Value {
    json!({"id": 5, "email": format!("{name}@x"), "display_name": name, "role": "staff", "totp_enabled": false})
}

/// How many server strings one run of [`every_screen`] draws.
const STRINGS: usize = 26;

/// Every screen, pop-up and message the client has, each filled with server strings from `s`
/// and drawn at three sizes: sign-in (offline, the demo accounts, a refusal), two-factor (a
/// refusal), forced password change (quit confirmation, refusal), optional enrolment (QR code,
/// manual key, refusal, recovery codes and the question), dashboard (incidents, notifications,
/// help centre, the open record, help, error pop-up), lock (refused unlock), and required
/// enrolment after switching user.
fn every_screen(s: &[String], mono: bool) {
    assert_eq!(s.len(), STRINGS);
    let mut d = driver(mono);
    d.start();
    d.check();
    d.unreachable("GET /setting");
    d.check();
    // The client tries again by itself; the server answers with the setting this time.
    d.clock.advance(Duration::from_secs(1));
    d.act(Action::Deadline);
    let setting = json!({
        "id": s[0], "name": s[1], "incident_prefix": s[2],
        "password_rules": {"min_chars": 10, "min_chars_without_2fa": 15, "max_chars": 128, "require_2fa_for_all": false},
        "support": {"email": s[3], "phone": s[4], "url": s[5]}, "demo": true,
        "demo_accounts": [{"email": s[19], "password": s[19], "role": "staff", "note": s[19]}]
    });
    answer_bytes(&mut d, "GET /setting", 200, bytes(setting));
    d.check();
    d.enter("a@b.test");
    d.enter("pw");
    answer_bytes(&mut d, "POST /auth/login", 401, error(&s[6], &s[7]));
    d.check();
    d.enter("pw");
    let step = json!({"status": "totp_required", "challenge": "c1", "demo_hint": s[8]});
    answer_bytes(&mut d, "POST /auth/login", 200, bytes(step));
    d.check();
    d.enter("123456");
    answer_bytes(&mut d, "POST /auth/totp", 401, error(&s[20], &s[21]));
    assert_eq!(d.app.title(), "Two-factor code");
    d.check();
    d.enter("123457");
    d.answer(
        "POST /auth/totp",
        200,
        &json!({"status": "password_change_required", "challenge": "c2", "min_chars": 10}),
    );
    d.check();
    // Something typed, then Ctrl-C: the quit confirmation.
    d.keys("abc");
    d.press_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(d.app.overlay().is_some(), "quit asks first");
    d.check();
    d.press(KeyCode::Esc);
    for _ in 0..3 {
        d.press(KeyCode::Backspace);
    }
    d.enter("a long passphrase");
    d.enter("a long passphrase");
    answer_bytes(&mut d, "POST /auth/password", 422, error("weak_password", &s[9]));
    assert_eq!(d.app.title(), "Change password");
    d.check();
    d.enter("a long passphrase");
    d.enter("a long passphrase");
    let ok = json!({"status": "ok", "token": "t1", "user": user(&s[10])});
    answer_bytes(&mut d, "POST /auth/password", 200, bytes(ok));
    d.check();
    let enrol = json!({"secret": s[11], "otpauth_url": format!("otpauth://totp/x?secret={}", s[11])});
    answer_bytes(&mut d, "POST /auth/totp/enrol", 200, bytes(enrol));
    d.check();
    d.enter("654320");
    answer_bytes(&mut d, "POST /auth/totp/confirm", 401, error("invalid_code", &s[22]));
    assert_eq!(d.app.title(), "Set up two-factor");
    d.check();
    d.enter("654321");
    let ok = json!({"status": "ok", "token": "t2", "user": user(&s[10]), "recovery_codes": [s[12], "abcd-efgh"]});
    answer_bytes(&mut d, "POST /auth/totp/confirm", 200, bytes(ok));
    d.check();
    d.press(KeyCode::Enter);
    d.check();
    d.press(KeyCode::Char('y'));
    d.check();
    let items: Vec<_> = (0..30)
        .map(|i| {
            json!({
                "reference": format!("{}-{i}", s[13]), "occurred_at": "2026-11-20T10:00:00Z",
                "individual": {"id": i, "name": s[14]}, "kind": if i % 2 == 0 { "incident" } else { "physical_intervention" },
                "category": s[15], "location": s[16], "flagged": i % 3 == 0, "parents_informed": false
            })
        })
        .collect();
    let notes = json!({"items": [{
        "id": 1, "kind": "collaboration_invite", "actor": s[17], "individual": {"id": 1, "name": s[14]},
        "incident_reference": s[13], "created_at": "2026-11-20T10:00:00Z", "read": false
    }]});
    answer_bytes(&mut d, "GET /notifications", 200, bytes(notes));
    answer_bytes(
        &mut d,
        "GET /incidents",
        200,
        bytes(json!({"items": items, "total": 30})),
    );
    assert_eq!(d.app.title(), "Dashboard");
    d.check();
    d.press(KeyCode::Enter);
    d.check();
    d.press(KeyCode::Char('?'));
    d.check();
    d.press(KeyCode::Esc);
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('t'));
    answer_bytes(&mut d, "GET /incidents", 500, error("internal", &s[18]));
    d.check();
    d.press(KeyCode::Esc);
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert!(d.app.is_locked());
    d.check();
    d.enter("pw");
    answer_bytes(&mut d, "POST /auth/reauth", 500, error("internal", &s[23]));
    assert!(d.app.is_locked());
    d.check();
    // Switch user; the next person must enrol (the challenge path), and the set-up fails.
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    d.check();
    d.enter("b@b.test");
    d.enter("pw");
    let step = json!({"status": "totp_enrolment_required", "challenge": s[24]});
    answer_bytes(&mut d, "POST /auth/login", 200, bytes(step));
    d.check();
    answer_bytes(&mut d, "POST /auth/totp/enrol", 500, error("internal", &s[25]));
    assert_eq!(d.app.title(), "Set up two-factor");
    d.check();
}

fn hostile() -> impl Strategy<Value = String> {
    (
        prop::sample::select(PAYLOADS),
        any::<String>(),
        prop::sample::select(PAYLOADS),
    )
        .prop_map(|(a, b, c)| format!("{a}{b}{c}Name"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_server_string_leaves_a_control_character_on_any_screen(
        s in prop::collection::vec(hostile(), STRINGS),
        mono in any::<bool>(),
    ) {
        every_screen(&s, mono);
    }
}

#[test]
fn every_payload_on_every_screen() {
    for (n, p) in PAYLOADS.iter().enumerate() {
        let s: Vec<String> = (0..STRINGS).map(|i| format!("{p}x{i}")).collect();
        every_screen(&s, n % 2 == 1);
    }
}

#[test]
fn debug_output_never_carries_a_pupil_name_a_token_or_what_was_typed() {
    let body = bytes(json!({"items": [{
        "reference": "besmart-1", "occurred_at": "2026-11-20T10:00:00Z",
        "individual": {"id": 1, "name": "Zelda Pupilname"}, "kind": "incident",
        "category": "Verbal", "location": "Hall", "flagged": false, "parents_informed": false
    }], "total": 1}));
    let page: bsmart::wire::IncidentPage = decode(200, &body).unwrap();
    let mut dashboard = Dashboard::new();
    dashboard.set_incidents(page.items.clone());
    let mut app = offline_app(true);
    let call = app.start().into_iter().find_map(|c| match c {
        Command::Call(call) => Some(call),
        _ => None,
    });
    let reply = call.unwrap().respond(200, &body);
    let ok = json!({"status": "ok", "token": "tok-SECRET-1", "user": user("Tess")});
    let printed = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        dashboard,
        page,
        reply,
        decode::<bsmart::wire::AuthStep>(200, &bytes(ok)),
        Action::Paste("hunter2-pasted".into()),
        key(KeyCode::Char('Q')),
        app,
    );
    for secret in ["Zelda", "Pupilname", "tok-SECRET", "hunter2", "'Q'"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(
        printed.contains("incidents: 1") && printed.contains("Paste(14 chars)"),
        "{printed}"
    );
}

/// SECURITY.md 26: a locked client calls nothing but the unlock; the calls that came due
/// meanwhile (here the next page of incidents) wait, and go out after the unlock, with the new
/// token.
#[test]
fn a_locked_client_calls_nothing_and_sends_what_waited_after_unlock() {
    let mut d = driver(true);
    d.start();
    d.answer("GET /setting", 200, &client_support::setting_json());
    for c in "t@x.test\tpassword-1\n".chars() {
        d.act(key(match c {
            '\t' => KeyCode::Tab,
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        }));
    }
    let ok = json!({"status": "ok", "token": "t1", "user": user("Tess")});
    answer_bytes(&mut d, "POST /auth/login", 200, bytes(ok.clone()));
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert!(d.app.is_locked());
    d.pending.retain(|c| c.line() == "GET /incidents");
    // The first page arrives while locked: the next one waits.
    let item = json!({
        "reference": "besmart-1", "occurred_at": "2026-11-20T10:00:00Z",
        "individual": {"id": 1, "name": "Ann"}, "kind": "incident",
        "category": "Verbal", "location": "Hall", "flagged": false, "parents_informed": false
    });
    let page = json!({"items": [item], "total": 2, "next_cursor": "c2"});
    answer_bytes(&mut d, "GET /incidents", 200, bytes(page));
    assert!(d.pending.is_empty(), "a locked client made a call: {:?}", d.pending);
    d.enter("password-1");
    assert_eq!(
        d.pending.iter().map(PendingCall::line).collect::<Vec<_>>(),
        ["POST /auth/reauth"],
        "only the unlock may call"
    );
    answer_bytes(&mut d, "POST /auth/reauth", 200, bytes(ok));
    assert!(!d.app.is_locked());
    let next = d.call("GET /incidents");
    assert!(
        next.request().query.iter().any(|(k, v)| *k == "cursor" && v == "c2"),
        "{:?}",
        next.request().query
    );
}

#[test]
fn long_names_and_wide_scripts_keep_the_incident_columns_aligned_and_cut_cells_end_in_an_ellipsis() {
    let names = [
        "A".repeat(2000),
        "名前の長い生徒名前の長い生徒名前の長い生徒".to_string(),
        "👩\u{200D}👩\u{200D}👧 Zoë".to_string(),
        "Ann".to_string(),
    ];
    let items: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "reference": format!("besmart-{}", 10280 + i), "occurred_at": "2026-11-20T10:00:00Z",
                "individual": {"id": i, "name": name}, "kind": "incident",
                "category": "CATEGORY", "location": "LOCATION", "flagged": false, "parents_informed": false
            })
        })
        .collect();
    let page: bsmart::wire::IncidentPage = decode(200, &bytes(json!({"items": items, "total": 4}))).unwrap();
    let url = closed_url();
    let connection = Connection::Online;
    let theme = Theme { mono: true };
    let ctx = Ctx {
        theme: &theme,
        glyphs: Glyphs::UNICODE,
        dates: Dates::UTC,
        privacy: Privacy::default(),
        setting: None,
        server_url: &url,
        connection: &connection,
    };
    for (w, h) in [(80, 24), (200, 60)] {
        let mut d = Dashboard::new();
        d.set_incidents(page.items.clone());
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| d.render_table(f, f.area(), &ctx)).unwrap();
        let buf = t.backend().buffer();
        let text = buffer_text(buf);
        // One char per cell (the first of its symbol; a wide character's second cell is
        // blank), so a byte offset in these ASCII-headed rows is a column.
        let lines: Vec<String> = (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().chars().next().unwrap_or(' '))
                    .collect()
            })
            .collect();
        let col = |line: &str, needle: &str| line.find(needle).map(|b| line[..b].chars().count());
        let header = lines.iter().find(|l| l.contains("Location")).unwrap();
        let (ty, loc) = (col(header, "Type").unwrap(), col(header, "Location").unwrap());
        let rows: Vec<&String> = lines.iter().filter(|l| l.contains("besmart-")).collect();
        assert_eq!(rows.len(), 4, "{text}");
        for row in &rows {
            assert_eq!(col(row, "CATEGORY"), Some(ty), "Type column moved at {w}x{h}:\n{text}");
            assert_eq!(
                col(row, "LOCATION"),
                Some(loc),
                "Location column moved at {w}x{h}:\n{text}"
            );
        }
        assert!(
            rows[0].contains("AAA…"),
            "a cut name ends in an ellipsis at {w}x{h}:\n{text}"
        );
    }
}

#[tokio::test]
async fn sigterm_or_sighup_ends_the_loop_which_hands_the_terminal_back() {
    let app = offline_app(true);
    let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut runner = event::Runner::new(terminal, app, Api::new(&closed_url()).unwrap());
    // What the signal task sends; the input stream stays open and silent.
    runner.sender().send(Action::Terminate).unwrap();
    let (_tx, rx) = events();
    tokio::time::timeout(Duration::from_secs(10), runner.run(rx))
        .await
        .expect("the loop ended on the signal")
        .unwrap();
    assert!(runner.app.quitting());
}
