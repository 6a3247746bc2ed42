//! Session edges of the client against the real server (`TestServer`): unlock after the server
//! session expired, unlock failures that lock the account, the idle timer starting on every way
//! into the unlocked state, enrolment the setting requires, enrolment that needs a recent
//! password, masking while typing, and nothing on disk but the setting's identity.

mod client_support;

use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::server::testing::{TestOptions, TestServer, totp_now};
use client_support::{Harness, IDLE, NEWSTARTER, TEACHER};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn locked(h: &Harness) -> bool {
    h.runner.app.is_locked()
}

#[tokio::test]
async fn unlocking_after_the_server_session_expired_leads_to_sign_in_with_a_message() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.ctrl('l');
    server.clock.advance(Duration::from_secs(31 * 60));
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    let text = h.wait_text("Your session has expired").await;
    assert!(text.contains("Sign in") && !text.contains("Locked"), "{text}");
    assert!(h.runner.app.user().is_none());
}

#[tokio::test]
async fn wrong_unlock_passwords_count_towards_the_lock_out_which_ends_at_sign_in() {
    let server = TestServer::start_with(TestOptions {
        rate_limit: false,
        ..TestOptions::default()
    })
    .await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.ctrl('l');
    for i in 0..6 {
        if !locked(&h) {
            break;
        }
        h.type_text(&format!("wrong-unlock-{i}"));
        h.press(KeyCode::Enter);
        h.wait_for("an answer", |t| !t.contains("Checking…")).await;
    }
    // The sixth failure locked the account: the right password is refused now too.
    if locked(&h) {
        h.type_text(TEACHER.1);
        h.press(KeyCode::Enter);
    }
    let text = h.wait_text("Ask an admin to").await;
    assert!(text.contains("Sign in") && !locked(&h), "{text}");
    assert!(h.runner.app.user().is_none());
}

#[tokio::test]
async fn signing_in_and_unlocking_start_the_idle_timer_even_after_a_slow_answer() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.submit_login(TEACHER.0, TEACHER.1).await;
    // The server takes almost the whole idle time to answer.
    h.clock.advance(IDLE - Duration::from_secs(1));
    h.wait_dashboard().await;
    h.clock.advance(Duration::from_secs(2));
    h.act(Action::Resize);
    assert!(!locked(&h), "the idle time counted from before the sign-in");
    h.clock.advance(IDLE);
    h.act(Action::Resize);
    assert!(locked(&h));
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    h.clock.advance(IDLE - Duration::from_secs(1));
    h.wait_for("unlocked", |t| t.contains("Dashboard") && !t.contains("Locked"))
        .await;
    h.clock.advance(Duration::from_secs(2));
    h.act(Action::Resize);
    assert!(!locked(&h), "the idle time counted from before the unlock");
}

#[tokio::test]
async fn the_setting_can_require_enrolment_which_cannot_be_skipped() {
    let server = TestServer::start_with(TestOptions {
        require_2fa_for_all: true,
        ..TestOptions::default()
    })
    .await;
    let mut h = Harness::sized(&server.url, 200, 60);
    h.submit_login(TEACHER.0, TEACHER.1).await;
    let text = h.wait_text("Scan this QR code").await;
    assert!(!text.contains("Esc to skip"), "{text}");
    // Esc starts again instead of skipping, with the email kept.
    h.press(KeyCode::Esc);
    let text = h.wait_text("type your password").await;
    assert!(text.contains(TEACHER.0), "the email was lost:\n{text}");
    assert!(h.runner.app.title() == "Sign in" && h.runner.app.user().is_none());
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    h.wait_text("Scan this QR code").await;
    let secret = h.enrol_secret();
    h.type_text(&totp_now(&secret, &server.clock));
    h.press(KeyCode::Enter);
    h.wait_text("Press Enter when you have saved them").await;
    h.save_recovery_codes().await;
    h.wait_dashboard().await;
}

#[tokio::test]
async fn the_quit_question_on_a_sign_in_step_left_idle_gives_way_to_the_sign_in_screen() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.submit_login(NEWSTARTER.0, NEWSTARTER.1).await;
    h.wait_text("Change password").await;
    h.type_text("half a new pass");
    h.ctrl('c');
    h.wait_text("Quit bsmart?").await;
    h.clock.advance(IDLE);
    h.act(Action::Resize);
    let text = h.text();
    assert!(
        text.contains("Signing in timed out") && !text.contains("Quit bsmart?"),
        "{text}"
    );
}

/// Keys another program might use to show a password. None may reveal it here.
fn reveal_attempts() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = (1..=12)
        .map(|n| KeyEvent::new(KeyCode::F(n), KeyModifiers::NONE))
        .collect();
    for c in ['r', 'v', 'e', 'h', 'p', 't'] {
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    }
    keys
}

/// The screen without the demo's list of accounts (from "Demo accounts" to the first row with
/// nothing in it), which shows the demo passwords on purpose.
fn without_demo_panel(screen: &str) -> String {
    let mut in_panel = false;
    let mut kept = Vec::new();
    for line in screen.lines() {
        if line.contains("Demo accounts") {
            in_panel = true;
        } else if in_panel && line.trim_matches(|c: char| c == '│' || c.is_whitespace()).is_empty() {
            in_panel = false;
        }
        if !in_panel {
            kept.push(line);
        }
    }
    kept.join("\n")
}

#[tokio::test]
async fn passwords_are_masked_while_typed_on_every_screen_and_no_key_reveals_them() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    let check = |h: &mut Harness, typed: &str| {
        for key in reveal_attempts() {
            h.act(Action::Key(key));
            if h.text().contains("Keys:") {
                h.press(KeyCode::Esc);
            }
        }
        // The demo's panel lists the demo accounts' public passwords; the rest of the screen
        // must not show what was typed.
        let text = without_demo_panel(&h.text());
        assert!(!text.contains(typed), "{typed} shown:\n{text}");
        assert!(text.contains(&"•".repeat(typed.chars().count())), "{text}");
    };
    h.wait_setting().await;
    h.type_text(NEWSTARTER.0);
    h.press(KeyCode::Tab);
    h.type_text(NEWSTARTER.1);
    check(&mut h, NEWSTARTER.1);
    h.press(KeyCode::Enter);
    h.wait_text("Change password").await;
    h.type_text("quiet river stones");
    check(&mut h, "quiet river stones");
    h.press(KeyCode::Enter);
    h.type_text("quiet river stones");
    check(&mut h, "quiet river stones");
    let server2 = TestServer::start().await;
    let mut h = Harness::new(&server2.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.ctrl('l');
    h.type_text("half-typed-unlock");
    check(&mut h, "half-typed-unlock");
    drop(server);
}

#[tokio::test]
async fn nothing_but_the_setting_identity_is_written_to_disk() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('t'));
    h.wait_dashboard().await;
    h.ctrl('l');
    let files: Vec<_> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, ["known_settings.json"]);
    let known: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(h.dir.path().join("known_settings.json")).unwrap()).unwrap();
    assert_eq!(known.len(), 1, "{known:?}");
    let text = serde_json::to_string(&known).unwrap();
    assert!(!text.contains("teacher") && !text.contains("token"), "{text}");
}

#[tokio::test]
async fn optional_enrolment_after_the_password_went_stale_asks_for_it_then_finishes() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.submit_login(NEWSTARTER.0, NEWSTARTER.1).await;
    h.wait_text("Change password").await;
    let new_password = "quiet river stones at dusk";
    for _ in 0..2 {
        h.type_text(new_password);
        h.press(KeyCode::Enter);
    }
    h.wait_text("Scan this QR code").await;
    let secret = h.enrol_secret();
    // Six minutes pass on the server (the user was busy, pressing keys): the password given
    // at sign-in is too old to set up two-factor with the session.
    server.clock.advance(Duration::from_secs(6 * 60));
    h.type_text(&totp_now(&secret, &server.clock));
    h.press(KeyCode::Enter);
    let text = h.wait_text("first confirm it is you").await;
    assert!(locked(&h) && text.contains("Locked"), "{text}");
    h.type_text(new_password);
    h.press(KeyCode::Enter);
    let text = h.wait_text("type the code again").await;
    assert!(!locked(&h) && text.contains("Scan this QR code"), "{text}");
    assert_eq!(h.enrol_secret(), secret, "the same secret, still pending");
    h.type_text(&totp_now(&secret, &server.clock));
    h.press(KeyCode::Enter);
    h.wait_text("Press Enter when you have saved them").await;
}
