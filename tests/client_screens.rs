//! What a new user met (issue 9, §2) and the privacy leak (§1.3), each as a test of the real
//! App driven by hand: every call it makes is answered by the test, exactly as the server's
//! bytes would be decoded, so offline, slow and refused answers can be played at will.

mod client_support;

use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::client::glyphs::Glyphs;
use bsmart::client::screens::dashboard::Dashboard;
use client_support::{Driver, DriverOpts, IDLE, incident_json, setting_json, user_json, words};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

fn driver() -> Driver {
    Driver::new(DriverOpts::default())
}

fn notification(pupil: &str) -> serde_json::Value {
    json!({
        "id": 1, "kind": "collaboration_invite", "actor": "Lee",
        "individual": {"id": 7, "name": pupil}, "incident_reference": "besmart-10281",
        "created_at": "2026-11-30T09:00:00Z", "read": false
    })
}

#[test]
fn privacy_mode_hides_every_name_notifications_included_and_the_status_bar_says_so() {
    let mut d = Driver::new(DriverOpts {
        privacy: true,
        ..DriverOpts::default()
    });
    d.signed_in(
        json!([incident_json(10281, "Zara Quentin")]),
        json!([notification("Yusuf Okafor")]),
    );
    let text = d.check();
    for full in ["Zara Quentin", "Yusuf Okafor"] {
        assert!(!text.contains(full), "{full} drawn in privacy mode:\n{text}");
    }
    assert!(text.contains("Z. Q.") && text.contains("Y. O."), "{text}");
    assert!(text.contains("names hidden · v"), "{text}");
    d.press(KeyCode::Char('v'));
    let text = d.check();
    assert!(text.contains("Zara Quentin") && text.contains("Yusuf Okafor"), "{text}");
    assert!(!text.contains("names hidden"), "{text}");
}

#[test]
fn offline_keeps_what_was_loaded_says_since_when_and_comes_back_by_itself() {
    let mut d = driver();
    d.signed_in(
        json!([incident_json(10281, "Ann Smith"), incident_json(10280, "Bo Li")]),
        json!([]),
    );
    d.press(KeyCode::Char('t'));
    d.unreachable("GET /incidents");
    let text = d.check();
    assert!(
        text.contains("besmart-10281") && text.contains("Ann Smith"),
        "the list went:\n{text}"
    );
    assert!(text.contains("could not refresh (offline since 10:42)"), "{text}");
    assert!(text.contains("OFFLINE since 10:42"), "{text}");
    assert!(!text.contains("days (0)") && !text.contains("No incidents"), "{text}");
    // It tries again by itself: a deadline, not a key.
    assert_eq!(d.app.next_deadline(), Some(Duration::from_secs(1)));
    d.clock.advance(Duration::from_secs(1));
    d.act(Action::Deadline);
    d.unreachable("GET /setting");
    assert_eq!(d.app.next_deadline(), Some(Duration::from_secs(2)), "backs off");
    d.clock.advance(Duration::from_secs(2));
    d.act(Action::Deadline);
    d.answer("GET /setting", 200, &setting_json());
    let text = d.check();
    assert!(text.contains("online") && !text.contains("OFFLINE"), "{text}");
    assert!(
        d.has_call("GET /incidents"),
        "back online, the list is fetched again without a key"
    );
    assert_eq!(
        d.app.next_deadline(),
        Some(IDLE - Duration::from_secs(3)),
        "no more retries: only the idle lock is due"
    );
    d.answer(
        "GET /incidents",
        200,
        &json!({"items": [incident_json(10290, "Cy Wu")], "total": 1}),
    );
    let text = d.check();
    assert!(
        text.contains("besmart-10290") && !text.contains("could not refresh"),
        "{text}"
    );
}

#[test]
fn a_count_is_shown_only_once_the_server_gave_one_and_empty_says_what_to_do() {
    let mut d = Driver::started(DriverOpts::default());
    d.log_in(
        "t@x.test",
        &json!({"status": "ok", "token": "t1", "user": user_json("Tess")}),
    );
    let text = d.check();
    assert!(text.contains("Loading incidents") && !text.contains("(0)"), "{text}");
    d.answer("GET /incidents", 200, &json!({"items": [], "total": 0}));
    let text = words(&d.check());
    assert!(
        text.contains("(0)") && text.contains("No incidents in the last 7 days. t shows 30 days."),
        "{text}"
    );
}

#[test]
fn unlocking_offline_keeps_the_password_and_says_only_what_is_true() {
    let mut d = driver();
    d.signed_in(json!([]), json!([]));
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.enter("my-long-password");
    d.unreachable("POST /auth/reauth");
    let text = words(&d.check());
    assert!(text.contains(&"•".repeat(16)), "the password was dropped:\n{text}");
    assert!(text.contains("Your password is still in the field"), "{text}");
}

#[test]
fn the_sign_in_screen_forgets_what_was_typed_after_the_idle_time() {
    let mut d = driver();
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    d.keys("someone@school.test");
    d.press(KeyCode::Tab);
    d.keys("half-a-passw");
    assert_eq!(d.app.next_deadline(), Some(IDLE));
    d.clock.advance(IDLE);
    d.act(Action::Deadline);
    let text = words(&d.check());
    assert!(!text.contains("someone@school.test") && !text.contains('•'), "{text}");
    assert!(text.contains("was cleared after 2 minutes without a key"), "{text}");
    assert_eq!(d.app.next_deadline(), None, "nothing typed: nothing to forget");
    // Enter on the empty form does not sign anyone in.
    d.press(KeyCode::Enter);
    assert!(!d.has_call("POST /auth/login"));
}

#[test]
fn a_client_started_while_the_server_was_down_gets_the_setting_when_it_is_back() {
    let mut d = driver();
    d.start();
    d.unreachable("GET /setting");
    let text = words(&d.check());
    assert!(
        text.contains("Cannot reach http://127.0.0.1:9 (since 10:42). Trying again by itself."),
        "{text}"
    );
    d.clock.advance(Duration::from_secs(1));
    d.act(Action::Deadline);
    d.answer("GET /setting", 200, &setting_json());
    let text = d.check();
    assert!(
        text.contains("Riverside Academy (demo)") && text.contains("online"),
        "{text}"
    );
}

#[test]
fn every_screen_has_a_minimum_size_and_the_lock_covers_every_size() {
    let mut d = Driver::new(DriverOpts {
        sizes: vec![(40, 12)],
        ..DriverOpts::default()
    });
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    let text = words(&d.check());
    assert!(
        text.contains("Window too small: needs at least 44×15 (now 40×12)"),
        "{text}"
    );
    assert!(!text.contains("Email"), "fields drawn into a window too small:\n{text}");
    d.keys("t@x.test");
    d.press(KeyCode::Tab);
    d.enter("a long passphrase");
    d.answer(
        "POST /auth/login",
        200,
        &json!({"status": "ok", "token": "t1", "user": user_json("Tess")}),
    );
    d.answer(
        "GET /incidents",
        200,
        &json!({"items": [incident_json(1, "Ann Smith")], "total": 1}),
    );
    let text = words(&d.check());
    assert!(
        text.contains("needs at least 60×16") && !text.contains("Ann Smith"),
        "{text}"
    );
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    for (w, h) in [(40, 12), (10, 3), (200, 60)] {
        d.terminals[0].backend_mut().resize(w, h);
        d.act(Action::Resize);
        let text = d.check();
        assert!(
            text.contains("Locked") || (w < 20 && text.contains("Lock")),
            "{w}x{h}:\n{text}"
        );
        assert!(!text.contains("Ann") && !text.contains("too small"), "{w}x{h}:\n{text}");
    }
}

#[test]
fn the_demo_lists_its_accounts_on_the_sign_in_screen() {
    let mut d = driver();
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    let text = d.check();
    assert!(
        text.contains("teacher@demo.test") && text.contains("demo-teacher-passphrase") && text.contains("no 2FA yet"),
        "{text}"
    );
}

/// Signs in up to the two-factor step.
fn at_two_factor(d: &mut Driver) {
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    d.log_in("lead@x.test", &json!({"status": "totp_required", "challenge": "c1"}));
}

#[test]
fn a_refused_recovery_code_is_called_one_and_the_codes_left_are_said() {
    let mut d = driver();
    at_two_factor(&mut d);
    let refused = json!({"error": {"code": "invalid_code", "message": "The code is not right."}});
    d.enter("abcd-efgh-ijkl-mnop");
    d.answer("POST /auth/totp", 401, &refused);
    let text = words(&d.check());
    assert!(
        text.contains("That recovery code is wrong or has already been used"),
        "{text}"
    );
    assert!(!text.contains("Wait for the next code"), "{text}");
    d.enter("123456");
    d.answer("POST /auth/totp", 401, &refused);
    assert!(words(&d.check()).contains("Wait for the next code"));
    d.enter("qrst-uvwx-yz23-4567");
    let ok = json!({"status": "ok", "token": "t1", "user": user_json("Lee"), "recovery_codes_left": 2});
    d.answer("POST /auth/totp", 200, &ok);
    let text = words(&d.check());
    assert!(
        text.contains("only 2 recovery codes left") && text.contains("new codes"),
        "{text}"
    );
    d.press(KeyCode::Enter);
    assert!(!words(&d.check()).contains("recovery codes left"), "the notice closes");
}

#[test]
fn the_password_rules_shown_are_those_of_this_account() {
    let mut d = driver();
    at_two_factor(&mut d);
    d.enter("123456");
    d.answer(
        "POST /auth/totp",
        200,
        &json!({"status": "password_change_required", "challenge": "c2", "min_chars": 15}),
    );
    let text = words(&d.check());
    assert!(
        text.contains("At least 15 characters") && !text.contains("At least 10"),
        "{text}"
    );
    d.enter("twelve chars");
    d.enter("twelve chars");
    assert!(
        !d.has_call("POST /auth/password"),
        "a password this account refuses was sent"
    );
    assert!(words(&d.check()).contains("That is 12 characters; this account needs at least 15"));
}

#[test]
fn f1_shows_the_keys_on_the_lock_screen_too() {
    let mut d = driver();
    d.signed_in(json!([]), json!([]));
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.press(KeyCode::F(1));
    let text = d.check();
    assert!(text.contains("Keys: Locked") && text.contains("switch user"), "{text}");
    d.press(KeyCode::Esc);
    assert!(!d.check().contains("Keys: Locked"));
}

#[test]
fn question_mark_on_an_open_incident_shows_help_over_it_and_esc_comes_back_to_it() {
    let mut d = driver();
    d.signed_in(json!([incident_json(10281, "Ann Smith")]), json!([]));
    d.press(KeyCode::Enter);
    assert!(d.check().contains("Reference:"));
    d.press(KeyCode::Char('?'));
    let help = d.check();
    assert!(
        help.contains("Keys: Dashboard") && help.contains("close the record"),
        "{help}"
    );
    assert!(
        !help.contains("Profiles (later)"),
        "help lists keys that do nothing here:\n{help}"
    );
    d.press(KeyCode::Esc);
    let back = d.check();
    assert!(back.contains("Reference:") && !back.contains("Keys:"), "{back}");
}

/// Signed in as a new user who set up two-factor, on the recovery codes (one code,
/// `ABCD-EFGH-IJKL-MNOP`).
fn at_the_recovery_codes() -> Driver {
    let mut d = Driver::started(DriverOpts::default());
    d.log_in(
        "new@x.test",
        &json!({"status": "totp_enrolment_required", "challenge": "c1"}),
    );
    let enrol = json!({"secret": "JBSWY3DPEHPK3PXP", "otpauth_url": "otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP", "challenge": "c2"});
    d.answer("POST /auth/totp/enrol", 200, &enrol);
    d.enter("123456");
    let ok =
        json!({"status": "ok", "token": "t1", "user": user_json("Ned"), "recovery_codes": ["ABCD-EFGH-IJKL-MNOP"]});
    d.answer("POST /auth/totp/confirm", 200, &ok);
    d
}

#[test]
fn the_recovery_codes_are_left_only_by_answering_have_you_saved_these() {
    let mut d = at_the_recovery_codes();
    for key in ['d', 'q', 'p', 'x'] {
        d.press(KeyCode::Char(key));
        assert!(
            d.check().contains("ABCD-EFGH-IJKL-MNOP"),
            "{key} left the recovery codes"
        );
    }
    d.press(KeyCode::Esc);
    assert!(d.check().contains("ABCD-EFGH-IJKL-MNOP"), "Esc left the recovery codes");
    d.press(KeyCode::Char('?'));
    let help = d.check();
    assert!(
        help.contains("I have saved them") && !help.contains("Dashboard") && !help.contains("Profiles"),
        "{help}"
    );
    d.press(KeyCode::Esc);
    d.press(KeyCode::Enter);
    assert!(words(&d.check()).contains("Have you saved these?"));
    d.press(KeyCode::Char('n'));
    assert!(d.check().contains("ABCD-EFGH-IJKL-MNOP"), "n shows them again");
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('y'));
    let text = d.check();
    assert!(text.contains("Dashboard") && !text.contains("ABCD-EFGH"), "{text}");
}

#[test]
fn fields_take_the_editing_keys_of_a_shell() {
    let mut d = driver();
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    d.keys("wrong@school.test");
    d.press_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert!(
        !d.check().contains("wrong@school.test"),
        "Ctrl-U did not clear the field"
    );
    d.keys("teacher school");
    d.press_with(KeyCode::Char('w'), KeyModifiers::CONTROL);
    d.press_with(KeyCode::Char('a'), KeyModifiers::CONTROL);
    d.keys(">");
    d.press_with(KeyCode::Char('e'), KeyModifiers::CONTROL);
    d.keys("<");
    assert!(d.check().contains(">teacher <"), "{}", d.check());
}

#[test]
fn a_key_that_does_nothing_here_says_so() {
    let mut d = driver();
    d.signed_in(json!([incident_json(1, "Ann Smith")]), json!([]));
    d.press(KeyCode::Char('z'));
    assert!(d.check().contains("z does nothing here"), "{}", d.check());
    d.press(KeyCode::Esc);
    assert!(d.check().contains("This is the first page: q quits."));
}

#[test]
fn an_ascii_terminal_gets_no_symbol_outside_ascii() {
    let mut d = Driver::new(DriverOpts {
        glyphs: Glyphs::ASCII,
        sizes: vec![(80, 24), (120, 40)],
        ..DriverOpts::default()
    });
    d.signed_in(
        json!([incident_json(10282, "Ann Smith"), incident_json(10281, "Bo Li")]),
        json!([notification("Cy Wu")]),
    );
    for step in [None, Some(KeyCode::Char('?')), Some(KeyCode::Esc), Some(KeyCode::Enter)] {
        if let Some(key) = step {
            d.press(key);
        }
        d.check();
        for t in &d.terminals {
            let buf = t.backend().buffer();
            let odd: Vec<&str> = buf
                .content()
                .iter()
                .map(|c| c.symbol())
                .filter(|s| !s.is_ascii())
                .collect();
            assert!(odd.is_empty(), "non-ASCII symbols {odd:?} after {step:?}");
        }
    }
    let help = {
        d.press(KeyCode::Esc);
        d.press(KeyCode::Char('?'));
        d.check()
    };
    assert!(
        help.contains("F ") && help.contains("flagged for attention"),
        "the legend says what F means:\n{help}"
    );
}

// What a review of the reshaped client found, one test each.

#[test]
fn a_long_list_of_notifications_scrolls_with_the_selection() {
    let mut d = driver();
    let many: Vec<serde_json::Value> = (1..=60)
        .map(|n| {
            let mut one = notification(&format!("Pupil Number{n:02}"));
            one["id"] = json!(n);
            one["kind"] = json!("communication");
            one
        })
        .collect();
    d.signed_in(json!([incident_json(10281, "Ann Smith")]), json!(many));
    let text = d.check();
    assert!(text.contains("Number01") && !text.contains("Number60"), "{text}");
    d.press(KeyCode::Tab);
    for _ in 0..59 {
        d.press(KeyCode::Char('j'));
    }
    let text = d.check();
    assert!(
        text.contains("Number60") && !text.contains("Number01"),
        "the list did not follow the selection:\n{text}"
    );
    d.press(KeyCode::Char('g'));
    let text = d.check();
    assert!(text.contains("Number01") && !text.contains("Number60"), "{text}");
}

fn dashboard(d: &Driver) -> &Dashboard {
    d.app.page::<Dashboard>().expect("on the dashboard")
}

/// Offline, then the server answers the probe: the page is refreshed.
fn offline_then_back(d: &mut Driver) {
    d.press(KeyCode::Char('t'));
    d.unreachable("GET /incidents");
    d.clock.advance(Duration::from_secs(1));
    d.act(Action::Deadline);
    d.answer("GET /setting", 200, &setting_json());
}

#[test]
fn an_open_record_stays_the_one_opened_while_pages_arrive_and_a_refresh_keeps_the_selection() {
    let mut d = driver();
    d.signed_in(
        json!([incident_json(10282, "Ann Smith"), incident_json(10281, "Bo Li")]),
        json!([]),
    );
    d.press(KeyCode::Char('t'));
    d.press(KeyCode::Char('j'));
    d.press(KeyCode::Enter);
    // The next period's first page arrives while Bo Li's record is open: it stays open.
    d.answer(
        "GET /incidents",
        200,
        &json!({"items": [incident_json(10290, "Cy Wu"), incident_json(10281, "Bo Li")], "total": 2}),
    );
    let text = d.check();
    assert!(
        text.contains("Individual:       Bo Li") && !text.contains("Individual:       Cy Wu"),
        "{text}"
    );
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('j'));
    assert_eq!(dashboard(&d).selected_incident().unwrap().reference, "besmart-10281");
    // A refresh with a new incident on top keeps the same incident selected, not the row.
    offline_then_back(&mut d);
    d.answer(
        "GET /incidents",
        200,
        &json!({"items": [incident_json(10291, "Dee Ray"), incident_json(10290, "Cy Wu"), incident_json(10281, "Bo Li")], "total": 3}),
    );
    assert_eq!(dashboard(&d).selected_incident().unwrap().reference, "besmart-10281");
}

#[test]
fn a_password_left_on_the_lock_screen_is_forgotten_after_the_idle_time() {
    let mut d = driver();
    d.signed_in(json!([]), json!([]));
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.enter("my-long-password");
    d.unreachable("POST /auth/reauth");
    assert!(d.check().contains(&"•".repeat(16)), "given back for the retry");
    assert_eq!(
        d.app.next_deadline(),
        Some(IDLE),
        "a password in the field has a deadline"
    );
    d.clock.advance(IDLE);
    d.act(Action::Deadline);
    let text = words(&d.check());
    assert!(
        !text.contains('•') && text.contains("was cleared after 2 minutes"),
        "{text}"
    );
    d.press(KeyCode::Enter);
    assert!(!d.has_call("POST /auth/reauth"), "Enter sent a password nobody typed");
}

#[test]
fn a_call_refused_only_because_the_token_rotated_is_sent_again() {
    let mut d = driver();
    d.signed_in(json!([incident_json(1, "Ann Smith")]), json!([]));
    d.press(KeyCode::Char('t'));
    let stale = d.call("GET /incidents");
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.enter("my-long-password");
    let ok = json!({"status": "ok", "token": "t2", "user": user_json("Tess Teacher")});
    d.answer("POST /auth/reauth", 200, &ok);
    let refused = json!({"error": {"code": "unauthenticated", "message": "Sign in first."}});
    d.act(stale.respond(401, &serde_json::to_vec(&refused).unwrap()));
    assert!(
        d.app.user().is_some(),
        "the new session was ended by the old token's refusal"
    );
    assert!(d.has_call("GET /incidents"), "the call was not sent again");
    // The current token refused: that is the end of the session.
    d.answer("GET /incidents", 401, &refused);
    assert!(d.app.user().is_none());
    assert!(d.check().contains("Your session has expired"));
}

#[test]
fn the_answer_to_a_sign_out_never_touches_the_next_persons_session() {
    let mut d = driver();
    d.signed_in(json!([]), json!([]));
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let logout = d.call("POST /auth/logout");
    d.log_in(
        "next@x.test",
        &json!({"status": "ok", "token": "t9", "user": user_json("Next Person")}),
    );
    let refused = json!({"error": {"code": "unauthenticated", "message": "Sign in first."}});
    d.act(logout.respond(401, &serde_json::to_vec(&refused).unwrap()));
    assert_eq!(d.app.user().map(|u| u.display_name.as_str()), Some("Next Person"));
    assert!(
        !d.has_call("POST /auth/logout"),
        "the old sign-out was sent again with the new token"
    );
}

#[test]
fn a_sign_in_forgotten_by_the_idle_time_does_not_complete() {
    let mut d = Driver::started(DriverOpts::default());
    d.keys("t@x.test");
    d.press(KeyCode::Tab);
    d.enter("a long passphrase");
    let slow = d.call("POST /auth/login");
    d.clock.advance(IDLE);
    d.act(Action::Deadline);
    assert!(words(&d.check()).contains("was cleared"));
    let ok = json!({"status": "ok", "token": "t1", "user": user_json("Tess")});
    d.act(slow.respond(200, &serde_json::to_vec(&ok).unwrap()));
    assert!(d.app.user().is_none(), "a forgotten sign-in signed someone in");
    assert_eq!(d.app.title(), "Sign in");
}

#[test]
fn a_two_factor_set_up_that_did_not_start_is_tried_again_with_enter() {
    let mut d = Driver::started(DriverOpts::default());
    d.log_in(
        "new@x.test",
        &json!({"status": "totp_enrolment_required", "challenge": "c1"}),
    );
    d.unreachable("POST /auth/totp/enrol");
    assert!(words(&d.check()).contains("press Enter to try again"));
    d.press(KeyCode::Enter);
    assert!(d.has_call("POST /auth/totp/enrol"), "Enter did not try again");
}

#[test]
fn question_mark_shows_the_keys_of_the_recovery_codes_and_quitting_them_asks_first() {
    let mut d = at_the_recovery_codes();
    d.press(KeyCode::Char('?'));
    assert!(d.check().contains("Keys: Set up two-factor"));
    d.press(KeyCode::Esc);
    d.press_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(
        d.check().contains("Quit?"),
        "Ctrl-C threw the recovery codes away without asking"
    );
    assert!(!d.app.quitting());
}

#[test]
fn esc_on_a_step_with_something_typed_asks_first() {
    let mut d = driver();
    at_two_factor(&mut d);
    d.keys("1234");
    d.press(KeyCode::Esc);
    assert_eq!(d.app.title(), "Two-factor code");
    assert!(words(&d.check()).contains("Esc again to go back"));
    d.press(KeyCode::Esc);
    assert_eq!(d.app.title(), "Sign in");
}

#[test]
fn names_revealed_before_a_lock_are_hidden_again_after_it_and_the_status_bar_says_which() {
    let mut d = Driver::new(DriverOpts {
        privacy: true,
        ..DriverOpts::default()
    });
    d.signed_in(json!([incident_json(1, "Zara Quentin")]), json!([]));
    d.press(KeyCode::Char('v'));
    assert!(d.check().contains("names shown · v"));
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.enter("my-long-password");
    let ok = json!({"status": "ok", "token": "t2", "user": user_json("Tess Teacher")});
    d.answer("POST /auth/reauth", 200, &ok);
    let text = d.check();
    assert!(
        !text.contains("Zara Quentin") && text.contains("names hidden · v"),
        "{text}"
    );
}

#[test]
fn notifications_kept_offline_say_they_could_not_refresh() {
    let mut d = driver();
    d.signed_in(json!([]), json!([notification("Ann Smith")]));
    d.press(KeyCode::Char('t'));
    d.unreachable("GET /incidents");
    d.clock.advance(Duration::from_secs(1));
    d.act(Action::Deadline);
    d.unreachable("GET /setting");
    d.clock.advance(Duration::from_secs(2));
    d.act(Action::Deadline);
    d.answer("GET /setting", 200, &setting_json());
    d.unreachable("GET /notifications");
    let text = d.check();
    assert!(text.contains("My notifications (1) — could not refresh"), "{text}");
}
