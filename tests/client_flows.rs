//! End-to-end client tests: the real App and loop steps on a `TestBackend`, driven with key
//! events, against the real server (`TestServer`) on loopback with demo data.

mod client_support;

use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::client::screens::dashboard::Dashboard;
use bsmart::server::demo::ACCOUNTS;
use bsmart::server::testing::{TestOptions, TestServer, totp_now};
use client_support::{Harness, IDLE, LEAD, NEWSTARTER, Opts, TEACHER};
use crossterm::event::KeyCode;

fn lead_secret() -> &'static str {
    ACCOUNTS
        .iter()
        .find(|a| a.email == LEAD.0)
        .and_then(|a| a.totp_secret)
        .unwrap()
}

fn selected(h: &Harness) -> (usize, String) {
    let d = h.runner.app.page::<Dashboard>().expect("on the dashboard");
    (
        d.selected(),
        d.selected_incident()
            .map(|i| i.individual.name.unmasked().to_string())
            .unwrap_or_default(),
    )
}

/// Show every incident (`t` twice: 7 days → 30 days → all).
async fn all_incidents(h: &mut Harness) {
    h.press(KeyCode::Char('t'));
    h.wait_dashboard().await;
    h.press(KeyCode::Char('t'));
    h.wait_for("all incidents", |t| {
        t.contains("Incidents — all") && !t.contains("loading")
    })
    .await;
}

#[tokio::test]
async fn sign_in_shows_the_dashboard_with_setting_user_and_status() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    let login = h.wait_text("Riverside Academy (demo)").await;
    assert!(login.contains("DEMO") && login.contains("Sign in"), "{login}");
    let text = h.sign_in(TEACHER.0, TEACHER.1).await;
    let user = h.runner.app.user().unwrap().display_name.clone();
    assert!(text.contains(&user), "{text}");
    for part in [
        "Dashboard",
        "Incidents — last 7 days",
        "My notifications",
        "Help: ",
        "Ctrl-L",
        "online",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    assert!(!text.contains(TEACHER.1), "{text}");
}

#[tokio::test]
async fn a_wrong_password_says_so_and_keeps_the_email() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.submit_login(TEACHER.0, "not-the-password").await;
    let text = h.wait_text("Wrong email or password.").await;
    assert!(text.contains(TEACHER.0) && !text.contains("not-the-password"), "{text}");
}

#[tokio::test]
async fn six_failures_lock_the_account_with_a_clear_message() {
    let server = TestServer::start_with(TestOptions {
        rate_limit: false,
        ..TestOptions::default()
    })
    .await;
    let mut h = Harness::new(&server.url);
    h.submit_login(TEACHER.0, "wrong-password-0").await;
    h.wait_text("Wrong email or password.").await;
    for i in 1..6 {
        h.type_text(&format!("wrong-password-{i}"));
        h.press(KeyCode::Enter);
        h.wait_for("an answer", |t| !t.contains("Signing in…")).await;
    }
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    let text = h.wait_text("Ask an admin to").await;
    assert!(text.contains("locked"), "{text}");
}

#[tokio::test]
async fn two_factor_sign_in_and_a_replayed_code_is_refused() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.submit_login(LEAD.0, LEAD.1).await;
    let prompt = h.wait_text("Two-factor code").await;
    assert!(prompt.contains("recovery code"), "{prompt}");
    let code = totp_now(lead_secret(), &server.clock);
    h.type_text(&code);
    h.press(KeyCode::Enter);
    h.wait_dashboard().await;
    // Switch user, then sign in again with the very same code: refused.
    h.ctrl('l');
    h.wait_text("Locked").await;
    h.ctrl('s');
    h.wait_text("Signed out").await;
    h.submit_login(LEAD.0, LEAD.1).await;
    h.wait_text("Two-factor code").await;
    h.type_text(&code);
    h.press(KeyCode::Enter);
    let text = h.wait_text("already used").await;
    assert!(text.contains("Two-factor code"), "{text}");
}

#[tokio::test]
async fn forced_change_refuses_a_weak_password_then_offers_enrolment_with_a_qr_code() {
    let server = TestServer::start().await;
    let mut h = Harness::sized(&server.url, 200, 60);
    h.submit_login(NEWSTARTER.0, NEWSTARTER.1).await;
    let form = h.wait_text("Change password").await;
    // Only the rule for this account (no two-factor: 15), not the 10 of accounts with it.
    assert!(
        form.contains("At least 15 characters") && !form.contains("At least 10"),
        "{form}"
    );
    // A mismatch is caught locally.
    h.type_text("quiet river stones at dusk");
    h.press(KeyCode::Enter);
    h.type_text("quiet river stones at dawn");
    h.press(KeyCode::Enter);
    h.wait_text("are not the same").await;
    // Too short is said at once; a long but guessable one is refused by the server, with the
    // reason.
    h.type_text("password12");
    h.press(KeyCode::Enter);
    h.type_text("password12");
    h.press(KeyCode::Enter);
    let text = h.wait_text("needs at least 15").await;
    assert!(
        text.contains("Change password") && !text.contains("password12"),
        "{text}"
    );
    h.type_text("riverside academy");
    h.press(KeyCode::Enter);
    h.type_text("riverside academy");
    h.press(KeyCode::Enter);
    let text = h.wait_text("setting's name").await;
    assert!(!text.contains("riverside academy"), "{text}");
    h.type_text("quiet river stones at dusk");
    h.press(KeyCode::Enter);
    h.type_text("quiet river stones at dusk");
    h.press(KeyCode::Enter);
    let text = h.wait_text("Scan this QR code").await;
    assert!(
        text.contains("Set up two-factor") && text.contains("Esc to skip"),
        "{text}"
    );
    assert!(text.contains('█') && text.contains('▀'), "no QR code drawn:\n{text}");
    let secret = h.enrol_secret();
    assert!(text.contains(&secret[..4]), "manual key missing:\n{text}");
    h.type_text(&totp_now(&secret, &server.clock));
    h.press(KeyCode::Enter);
    let codes = h.wait_text("recovery codes").await;
    assert!(codes.contains("Press Enter when you have saved them"), "{codes}");
    h.save_recovery_codes().await;
    h.wait_dashboard().await;
    assert!(h.runner.app.page::<Dashboard>().is_some());
}

/// Signs the new starter in at `width`x`height` and returns the enrolment screen's text.
async fn enrolment_at(width: u16, height: u16) -> (TestServer, Harness, String) {
    let server = TestServer::start().await;
    let mut h = Harness::sized(&server.url, width, height);
    h.submit_login(NEWSTARTER.0, NEWSTARTER.1).await;
    h.wait_text("Change password").await;
    for _ in 0..2 {
        h.type_text("quiet river stones at dusk");
        h.press(KeyCode::Enter);
    }
    let text = h.wait_text("authenticator app").await;
    (server, h, text)
}

#[tokio::test]
async fn at_80x24_enrolment_draws_the_qr_code_with_the_key_and_code_field_beside_it() {
    let (_server, mut h, text) = enrolment_at(80, 24).await;
    assert!(!text.contains("too small"), "{text}");
    let key = h.enrol_secret()[..4].to_string();
    let beside = text.lines().any(|l| l.contains('▀') && l.contains(&key));
    assert!(beside, "the key is not beside the QR code:\n{text}");
    for part in ["Code", "6-digit code", "Esc to skip"] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    // Esc skips the optional enrolment.
    h.press(KeyCode::Esc);
    h.wait_dashboard().await;
}

#[tokio::test]
async fn in_a_window_too_small_for_the_qr_code_enrolment_says_so_and_keeps_the_key() {
    let (_server, h, text) = enrolment_at(70, 20).await;
    assert!(text.contains("too small for the QR code"), "{text}");
    assert!(!text.contains('▀'), "{text}");
    let key = h.enrol_secret()[..4].to_string();
    assert!(text.contains(&key), "manual key missing:\n{text}");
}

#[tokio::test]
async fn idle_lock_by_the_injected_clock_hides_everything_and_unlock_returns_to_the_same_row() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    all_incidents(&mut h).await;
    for _ in 0..3 {
        h.press(KeyCode::Char('j'));
    }
    let (row, name) = selected(&h);
    assert_eq!(row, 3);
    assert!(h.text().contains(&name), "the pupil is on screen before the lock");
    // Replies and resizes do not hold the lock off; the timer alone locks.
    h.clock.advance(IDLE - Duration::from_secs(1));
    h.act(Action::Resize);
    assert!(!h.runner.app.is_locked());
    h.clock.advance(Duration::from_secs(1));
    h.act(Action::Resize);
    let locked = h.text();
    assert!(locked.contains("Locked"), "{locked}");
    assert!(
        !locked.contains(&name) && !locked.contains("besmart-") && !locked.contains("Dashboard"),
        "{locked}"
    );
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    let back = h
        .wait_for("the dashboard again", |t| {
            t.contains("Dashboard") && !t.contains("Locked")
        })
        .await;
    assert_eq!(selected(&h), (3, name.clone()));
    assert!(back.contains(&name), "{back}");
}

#[tokio::test]
async fn a_wall_clock_jump_alone_locks_at_the_next_key_which_is_swallowed() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    all_incidents(&mut h).await;
    h.clock.jump_wall(Duration::from_secs(3600));
    h.press(KeyCode::Char('j'));
    assert!(h.text().contains("Locked"));
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    h.wait_for("unlocked", |t| t.contains("Dashboard") && !t.contains("Locked"))
        .await;
    assert_eq!(selected(&h).0, 0, "the key that met the lock moved the selection");
}

#[tokio::test]
async fn a_wrong_unlock_password_says_so_and_stays_locked() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.ctrl('l');
    h.type_text("nope-nope-nope");
    h.press(KeyCode::Enter);
    let text = h.wait_text("Wrong password").await;
    assert!(text.contains("Locked") && !text.contains("nope"), "{text}");
}

#[tokio::test]
async fn help_overlay_and_error_popup_are_covered_by_the_lock() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('?'));
    let help = h.wait_text("Keys: Dashboard").await;
    assert!(
        help.contains("lock now") && help.contains("7 days / 30 days / all"),
        "{help}"
    );
    h.clock.advance(IDLE);
    h.act(Action::Resize);
    let locked = h.text();
    assert!(locked.contains("Locked") && !locked.contains("Keys:"), "{locked}");
    h.type_text(TEACHER.1);
    h.press(KeyCode::Enter);
    h.wait_text("Keys: Dashboard").await;
    h.press(KeyCode::Esc);
    // The server goes away: the next fetch keeps the list on screen and says it could not
    // refresh; the status bar says since when the server is missed.
    drop(server);
    h.press(KeyCode::Char('t'));
    let offline = h.wait_text("could not refresh").await;
    assert!(offline.contains("OFFLINE since"), "{offline}");
    h.clock.advance(IDLE);
    h.act(Action::Resize);
    let locked = h.text();
    assert!(
        locked.contains("Locked") && !locked.contains("could not refresh") && !locked.contains("besmart-"),
        "{locked}"
    );
}

#[tokio::test]
async fn switch_user_signs_out_and_drops_the_pupil_data() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    all_incidents(&mut h).await;
    let (_, name) = selected(&h);
    h.ctrl('l');
    h.ctrl('s');
    let text = h.wait_text("Signed out").await;
    assert!(text.contains("Sign in") && !text.contains(&name), "{text}");
    assert!(h.runner.app.user().is_none());
    assert_eq!(h.runner.app.title(), "Sign in");
}

#[tokio::test]
async fn an_expired_session_leads_to_the_sign_in_screen_with_a_message() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    server.clock.advance(Duration::from_secs(31 * 60));
    h.press(KeyCode::Char('t'));
    let text = h.wait_text("Your session has expired").await;
    assert!(text.contains("Sign in"), "{text}");
    assert!(h.runner.app.user().is_none());
}

#[tokio::test]
async fn layouts_at_80x24_and_200x60() {
    let server = TestServer::start().await;
    for (w, hgt) in [(80, 24), (200, 60)] {
        let mut h = Harness::sized(&server.url, w, hgt);
        h.sign_in(TEACHER.0, TEACHER.1).await;
        let text = all_and_text(&mut h).await;
        for part in [
            "Dashboard",
            "Ref",
            "Date",
            "Individual",
            "Type",
            "Location",
            "besmart-",
            "My notifications",
            "Help: ",
            "Ctrl-L",
        ] {
            assert!(text.contains(part), "{part} missing at {w}x{hgt}:\n{text}");
        }
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), hgt as usize);
        assert!(lines[hgt as usize - 1].starts_with("? keys of this screen"), "{text}");
        // Every key of the Dashboard is in its help, none cut off, even at 80x24.
        h.press(KeyCode::Char('?'));
        let help = h.text();
        let tables = h.runner.app.key_tables();
        for (key, what) in bsmart::client::keymap::help_rows(&tables) {
            let row = format!("{key} ");
            assert!(
                help.lines().any(|l| l.contains(&row) && l.contains(what)),
                "{key} {what} missing at {w}x{hgt}:\n{help}"
            );
        }
        assert!(help.contains("Esc closes"), "{help}");
    }
}

async fn all_and_text(h: &mut Harness) -> String {
    all_incidents(h).await;
    h.text()
}

#[tokio::test]
async fn resizing_to_10x3_while_locked_shows_only_the_lock_and_a_huge_paste_is_masked() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.ctrl('l');
    h.act(Action::Paste("x".repeat(1_000_000)));
    let text = h.text();
    assert!(text.contains("••••") && !text.contains("xxxx"), "{text}");
    h.runner.terminal.backend_mut().resize(10, 3);
    h.act(Action::Resize);
    let tiny = h.text();
    assert_eq!(tiny.lines().count(), 3);
    assert!(tiny.contains("Locked") && !tiny.contains("besmart"), "{tiny}");
    h.runner.terminal.backend_mut().resize(80, 24);
    h.act(Action::Resize);
    assert!(h.text().contains("Locked"));
}

#[tokio::test]
async fn privacy_mode_shows_initials_until_revealed() {
    let server = TestServer::start().await;
    let mut h = Harness::with(
        &server.url,
        Opts {
            privacy: true,
            ..Opts::default()
        },
    );
    h.sign_in(TEACHER.0, TEACHER.1).await;
    all_incidents(&mut h).await;
    let (_, name) = selected(&h);
    let initials = bsmart::wire::PupilName::new(name.clone()).initials();
    let text = h.text();
    assert!(!text.contains(&name) && text.contains(&initials), "{text}");
    assert!(text.contains("names hidden · v"), "{text}");
    h.press(KeyCode::Char('v'));
    let shown = h.text();
    assert!(shown.contains(&name) && !shown.contains("names hidden"), "{shown}");
}

#[tokio::test]
async fn a_changed_setting_identity_is_a_loud_warning() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = bsmart::config::validate_server_url(&server.url).unwrap();
    std::fs::write(
        dir.path().join("known_settings.json"),
        format!("{{\"{}\": \"another-setting\"}}", url.as_str()),
    )
    .unwrap();
    let mut h = Harness::with_dir(&server.url, Opts::default(), dir);
    let text = h.wait_text("WARNING").await;
    assert!(text.contains("not the setting it was before"), "{text}");
}

#[tokio::test]
async fn not_yet_built_screens_say_so_plainly() {
    let server = TestServer::start().await;
    let mut h = Harness::new(&server.url);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('A'));
    assert!(
        h.text().contains("Admin is for admins."),
        "A for a teacher says only that"
    );
    h.press(KeyCode::Enter);
    assert!(h.text().contains("Parents informed"), "details pop-up");
}

/// The reference an on-screen notification line names, if any.
fn reference_in(line: &str) -> Option<String> {
    let at = line.find("besmart-")?;
    let digits: String = line[at + 8..].chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("besmart-{digits}"))
}

#[tokio::test]
async fn tab_moves_to_the_notifications_and_enter_opens_the_incident_one_is_about() {
    let server = TestServer::start().await;
    let mut h = Harness::sized(&server.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    all_incidents(&mut h).await;
    h.press(KeyCode::Tab);
    // Walk down the notifications to one about an incident (the highlighted row has ▶).
    let mut reference = None;
    for _ in 0..10 {
        let text = h.text();
        let line = text
            .lines()
            .skip_while(|l| !l.contains("My notifications"))
            .find(|l| l.contains('▶'))
            .unwrap_or_else(|| panic!("no notification is selected:\n{text}"))
            .to_string();
        if let Some(r) = reference_in(&line) {
            reference = Some(r);
            break;
        }
        h.press(KeyCode::Char('j'));
    }
    let reference = reference.expect("a demo notification about an incident");
    h.press(KeyCode::Enter);
    h.wait_text(&format!("Incident {reference}")).await;
    let details = h.wait_text("About:").await;
    assert!(details.contains("About:"), "{reference} not opened:\n{details}");
    // Closing the view gives the keys back to the notifications, on that notification.
    h.press(KeyCode::Esc);
    let back = h.text();
    assert!(!back.contains("About:"), "{back}");
    assert_eq!(
        h.runner.app.page::<Dashboard>().unwrap().pane,
        bsmart::client::screens::dashboard::Pane::Notifications
    );
    h.press(KeyCode::Enter);
    h.wait_text(&format!("Incident {reference}")).await;
    let again = h.wait_text("About:").await;
    assert!(again.contains("About:"), "{again}");
}
