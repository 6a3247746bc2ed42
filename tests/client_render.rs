//! Client rendering tests that need no server: the first frame, the generic loop, and the
//! property test of SECURITY.md 36 — any string from the server, drawn on any screen, overlay
//! and message, at 80x24, 200x60 and 30x8, leaves no control, bidi or invisible character in
//! any cell (and, with `NO_COLOR`, no colour).
//!
//! The property test drives `App::update` with the replies a server would send, built as JSON
//! bytes and decoded by the client's own `api::decode` (the single place where replies become
//! data and are cleaned); request ids are taken from the commands the App returned.

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use bsmart::client::action::{Action, Reply, Slot};
use bsmart::client::api::{Api, decode};
use bsmart::client::app::{App, AppOptions};
use bsmart::client::command::Command;
use bsmart::client::event;
use bsmart::client::lock::ManualClock;
use bsmart::client::theme::Theme;
use client_support::{Harness, assert_clean, buffer_text};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// Nothing listens here: every call fails fast with a network error.
const CLOSED: &str = "http://127.0.0.1:9";

/// A client of [`CLOSED`] with a manual clock and a 120 s idle lock.
fn offline_app(mono: bool) -> App {
    App::new(AppOptions {
        server_url: closed_url(),
        idle_lock: Duration::from_secs(120),
        privacy_mode: false,
        theme: Theme { mono },
        clock: Arc::new(ManualClock::default()),
        known_settings: None,
    })
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
    h.wait_text("cannot reach the server").await;
    h.type_text("teacher@demo.test");
    h.press(KeyCode::Enter);
    h.type_text("secret-pass");
    h.press(KeyCode::Enter);
    let text = h
        .wait_for("the network error", |t| t.contains("Nothing you typed is"))
        .await;
    assert!(text.contains("teacher@demo.test"), "{text}");
    // The password came back (masked): 11 bullets.
    assert!(text.contains(&"•".repeat(11)), "{text}");
    assert!(!text.contains("secret-pass"), "{text}");
}

#[tokio::test]
async fn the_generic_loop_runs_on_a_channel_and_quits_on_ctrl_c() {
    let app = offline_app(true);
    let (tx, rx) = futures::channel::mpsc::unbounded::<Event>();
    let mut release = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    tx.unbounded_send(Event::Key(release)).unwrap();
    tx.unbounded_send(Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)))
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
    "\r\t\u{7}\u{7f}\u{85}",
    "\u{2066}x\u{2069}\u{2060}\u{FEFF}",
    "👩\u{200D}👩\u{200D}👧 名前",
];

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn id_of(cmds: &[Command], want: Slot) -> u64 {
    cmds.iter()
        .find_map(|c| match c {
            Command::Call { slot, id, .. } if *slot == want => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {want:?} call in {cmds:?}"))
}

struct Driver {
    app: App,
    /// 80x24, 200x60 and a cramped 30x8.
    terminals: Vec<Terminal<TestBackend>>,
    mono: bool,
    last: Vec<Command>,
}

impl Driver {
    fn act(&mut self, a: Action) {
        let cmds = self.app.update(a);
        if cmds.iter().any(|c| matches!(c, Command::Call { .. })) {
            self.last = cmds;
        }
    }
    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.act(key(KeyCode::Char(c)));
        }
    }
    /// Type `text`, then Enter.
    fn enter(&mut self, text: &str) {
        self.keys(text);
        self.act(key(KeyCode::Enter));
    }
    fn reply(&mut self, slot: Slot, reply: Reply) {
        let id = id_of(&self.last, slot);
        self.act(Action::Api { slot, id, reply });
    }
    fn press(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.act(Action::Key(KeyEvent::new(code, mods)));
    }
    /// Draw at every size: no forbidden character anywhere, and with `NO_COLOR` no colour.
    fn check(&mut self) {
        for t in &mut self.terminals {
            let app = &mut self.app;
            t.draw(|f| app.render(f)).unwrap();
            assert_clean(t.backend().buffer());
            if self.mono {
                assert_no_colour(t.backend().buffer());
            }
        }
    }
}

fn bytes(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

fn error(status: u16, code: &str, message: &str) -> Vec<u8> {
    let _ = status;
    bytes(json!({"error": {"code": code, "message": message}}))
}

fn user(name: &str) -> serde_json::Value {
    json!({"id": 5, "email": format!("{name}@x"), "display_name": name, "role": "staff", "totp_enabled": false})
}

/// How many server strings one run of [`every_screen`] draws.
const STRINGS: usize = 26;

/// Every screen, overlay and message the client has, each filled with server strings from `s`
/// and drawn at three sizes: sign-in (connection error, refusal), two-factor (refusal),
/// forced password change (quit confirmation, refusal), optional enrolment (QR code, manual
/// key, refusal, recovery codes), dashboard (incidents, notifications, help centre, details,
/// help, error pop-up), lock (refused unlock), and required enrolment after switching user.
fn every_screen(s: &[String], mono: bool) {
    assert_eq!(s.len(), STRINGS);
    let app = offline_app(mono);
    let mut d = Driver {
        app,
        terminals: [(80, 24), (200, 60), (30, 8)]
            .into_iter()
            .map(|(w, h)| Terminal::new(TestBackend::new(w, h)).unwrap())
            .collect(),
        mono,
        last: Vec::new(),
    };
    d.last = d.app.start();
    d.check();
    d.reply(
        Slot::Setting,
        Reply::Setting(decode(503, &error(503, "unavailable", &s[19]))),
    );
    d.check();
    // A sign-in refused with an odd message (the setting is asked for again), then the 2FA
    // step with a hint.
    d.enter("a@b.test");
    d.enter("pw");
    let setting = json!({
        "id": s[0], "name": s[1], "incident_prefix": s[2],
        "password_rules": {"min_chars": 10, "min_chars_without_2fa": 15, "max_chars": 128, "require_2fa_for_all": false},
        "support": {"email": s[3], "phone": s[4], "url": s[5]}, "demo": true
    });
    d.reply(Slot::Setting, Reply::Setting(decode(200, &bytes(setting))));
    d.check();
    d.reply(Slot::Auth, Reply::Login(decode(401, &error(401, &s[6], &s[7]))));
    d.check();
    d.enter("pw");
    let step = json!({"status": "totp_required", "challenge": "c1", "demo_hint": s[8]});
    d.reply(Slot::Auth, Reply::Login(decode(200, &bytes(step))));
    d.check();
    d.enter("123456");
    d.reply(Slot::Auth, Reply::Totp(decode(401, &error(401, &s[20], &s[21]))));
    assert_eq!(d.app.screen().title(), "Two-factor code");
    d.check();
    d.enter("123457");
    d.reply(
        Slot::Auth,
        Reply::Totp(decode(
            200,
            &bytes(json!({"status": "password_change_required", "challenge": "c2"})),
        )),
    );
    d.check();
    // Something typed, then Ctrl-C: the quit confirmation.
    d.keys("abc");
    d.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(d.app.overlay().is_some(), "quit asks first");
    d.check();
    d.act(key(KeyCode::Esc));
    for _ in 0..3 {
        d.act(key(KeyCode::Backspace));
    }
    d.enter("a long passphrase");
    d.enter("a long passphrase");
    d.reply(
        Slot::Auth,
        Reply::Password(decode(422, &error(422, "weak_password", &s[9]))),
    );
    assert_eq!(d.app.screen().title(), "Change password");
    d.check();
    d.enter("a long passphrase");
    d.enter("a long passphrase");
    let ok = json!({"status": "ok", "token": "t1", "user": user(&s[10])});
    d.reply(Slot::Auth, Reply::Password(decode(200, &bytes(ok))));
    d.check();
    let enrol = json!({"secret": s[11], "otpauth_url": format!("otpauth://totp/x?secret={}", s[11])});
    d.reply(Slot::Auth, Reply::Enrol(decode(200, &bytes(enrol))));
    d.check();
    d.enter("654320");
    d.reply(
        Slot::Auth,
        Reply::Confirm(decode(401, &error(401, "invalid_code", &s[22]))),
    );
    assert_eq!(d.app.screen().title(), "Set up two-factor");
    d.check();
    d.enter("654321");
    let ok = json!({"status": "ok", "token": "t2", "user": user(&s[10]), "recovery_codes": [s[12], "abcd-efgh"]});
    d.reply(Slot::Auth, Reply::Confirm(decode(200, &bytes(ok))));
    d.check();
    d.act(key(KeyCode::Enter));
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
    let notes = json!({"items": [{"id": 1, "kind": "communication", "message": s[17], "incident_reference": s[13], "created_at": "2026-11-20T10:00:00Z", "read": false}]});
    let page = bytes(json!({"items": items, "total": 30}));
    d.reply(Slot::Notifications, Reply::Notifications(decode(200, &bytes(notes))));
    d.reply(Slot::Incidents, Reply::Incidents(decode(200, &page)));
    assert_eq!(d.app.screen().title(), "Dashboard");
    d.check();
    d.act(key(KeyCode::Enter));
    d.check();
    d.act(key(KeyCode::Esc));
    d.act(key(KeyCode::Char('?')));
    d.check();
    d.act(key(KeyCode::Esc));
    d.act(key(KeyCode::Char('t')));
    d.reply(
        Slot::Incidents,
        Reply::Incidents(decode(500, &error(500, "internal", &s[18]))),
    );
    d.check();
    d.act(key(KeyCode::Esc));
    d.press(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert!(d.app.is_locked());
    d.check();
    d.enter("pw");
    d.reply(Slot::Auth, Reply::Reauth(decode(500, &error(500, "internal", &s[23]))));
    assert!(d.app.is_locked());
    d.check();
    // Switch user; the next person must enrol (the challenge path), and the set-up fails.
    d.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    d.check();
    d.enter("b@b.test");
    d.enter("pw");
    let step = json!({"status": "totp_enrolment_required", "challenge": s[24]});
    d.reply(Slot::Auth, Reply::Login(decode(200, &bytes(step))));
    d.check();
    d.reply(Slot::Auth, Reply::Enrol(decode(500, &error(500, "internal", &s[25]))));
    assert_eq!(d.app.screen().title(), "Set up two-factor");
    d.check();
}

/// With `NO_COLOR`, no cell has a foreground or background colour.
fn assert_no_colour(buf: &ratatui::buffer::Buffer) {
    use ratatui::style::Color;
    for cell in buf.content() {
        assert!(
            cell.fg == Color::Reset && cell.bg == Color::Reset,
            "colour drawn with NO_COLOR: {cell:?}"
        );
    }
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
    use bsmart::client::screens::Screen;
    use bsmart::client::screens::dashboard::DashboardScreen;
    let page = bytes(json!({"items": [{
        "reference": "besmart-1", "occurred_at": "2026-11-20T10:00:00Z",
        "individual": {"id": 1, "name": "Zelda Pupilname"}, "kind": "incident",
        "category": "Verbal", "location": "Hall", "flagged": false, "parents_informed": false
    }], "total": 1}));
    let page: bsmart::wire::IncidentPage = decode(200, &page).unwrap();
    let mut dashboard = DashboardScreen::new(false);
    dashboard.set_incidents(page.items.clone());
    let ok = json!({"status": "ok", "token": "tok-SECRET-1", "user": user("Tess")});
    let printed = format!(
        "{:?} {:?} {:?} {:?} {:?}",
        Screen::Dashboard(dashboard),
        Action::Api {
            slot: Slot::Incidents,
            id: 1,
            reply: Reply::Incidents(Ok(page)),
        },
        Reply::Login(decode(200, &bytes(ok))),
        Action::Paste("hunter2-pasted".into()),
        key(KeyCode::Char('Q')),
    );
    for secret in ["Zelda", "Pupilname", "tok-SECRET", "hunter2", "'Q'"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(
        printed.contains("incidents: 1") && printed.contains("Paste(14 chars)"),
        "{printed}"
    );
}

#[test]
fn a_locked_client_calls_nothing_and_fetches_the_waiting_page_after_unlock() {
    let mut app = offline_app(true);
    let mut last = app.start();
    for c in "t@x.test\tpassword-1\n".chars() {
        let code = match c {
            '\t' => KeyCode::Tab,
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        let cmds = app.update(key(code));
        if !cmds.is_empty() {
            last = cmds;
        }
    }
    let ok = json!({"status": "ok", "token": "t1", "user": user("Tess")});
    let id = id_of(&last, Slot::Auth);
    let cmds = app.update(Action::Api {
        slot: Slot::Auth,
        id,
        reply: Reply::Login(decode(200, &bytes(ok.clone()))),
    });
    let page_id = id_of(&cmds, Slot::Incidents);
    app.update(Action::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)));
    assert!(app.is_locked());
    // The first page arrives while locked: the next one waits.
    let item = json!({
        "reference": "besmart-1", "occurred_at": "2026-11-20T10:00:00Z",
        "individual": {"id": 1, "name": "Ann"}, "kind": "incident",
        "category": "Verbal", "location": "Hall", "flagged": false, "parents_informed": false
    });
    let page = json!({"items": [item], "total": 2, "next_cursor": "c2"});
    let cmds = app.update(Action::Api {
        slot: Slot::Incidents,
        id: page_id,
        reply: Reply::Incidents(decode(200, &bytes(page))),
    });
    assert!(cmds.is_empty(), "a locked client made a call: {cmds:?}");
    let mut last = Vec::new();
    for c in "password-1\n".chars() {
        let cmds = app.update(key(if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) }));
        assert!(
            cmds.iter().all(|c| matches!(c, Command::Call { slot: Slot::Auth, .. })),
            "only the unlock may call: {cmds:?}"
        );
        last.extend(cmds);
    }
    let cmds = app.update(Action::Api {
        slot: Slot::Auth,
        id: id_of(&last, Slot::Auth),
        reply: Reply::Reauth(decode(200, &bytes(ok))),
    });
    assert!(!app.is_locked());
    let fetch = cmds.iter().find_map(|c| match c {
        Command::Call {
            call: bsmart::client::command::Call::Incidents { query, .. },
            ..
        } => Some(query.cursor.clone()),
        _ => None,
    });
    assert_eq!(fetch, Some(Some("c2".to_string())), "{cmds:?}");
}

#[test]
fn long_names_and_wide_scripts_keep_the_incident_columns_aligned() {
    use bsmart::client::screens::dashboard::DashboardScreen;
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
    for (w, h) in [(80, 24), (200, 60)] {
        let mut d = DashboardScreen::new(false);
        d.set_incidents(page.items.clone());
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| d.render_table(f, f.area(), &Theme { mono: true })).unwrap();
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
        for row in rows {
            assert_eq!(col(row, "CATEGORY"), Some(ty), "Type column moved at {w}x{h}:\n{text}");
            assert_eq!(
                col(row, "LOCATION"),
                Some(loc),
                "Location column moved at {w}x{h}:\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn sigterm_or_sighup_ends_the_loop_which_hands_the_terminal_back() {
    let app = offline_app(true);
    let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut runner = event::Runner::new(terminal, app, Api::new(&closed_url()).unwrap());
    // What the signal task sends; the input stream stays open and silent.
    runner.sender().send(Action::Terminate).unwrap();
    let (_tx, rx) = futures::channel::mpsc::unbounded::<Event>();
    tokio::time::timeout(Duration::from_secs(10), runner.run(rx))
        .await
        .expect("the loop ended on the signal")
        .unwrap();
    assert!(runner.app.quitting());
}
