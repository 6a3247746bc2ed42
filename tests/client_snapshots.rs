//! Snapshot tests (insta) of every screen at 80x24 and 120x40, so a change of layout shows up
//! in review as a diff of the screen itself. Text only (insta's way with `TestBackend`); styles
//! that matter (masking, focus, `NO_COLOR`) are asserted in the other client tests.
//!
//! Deterministic by construction: no network (the `Driver` answers each call), a fixed wall
//! clock (Tuesday 1 December 2026, 10:42 UTC) and dates shown in UTC. To review a change:
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test client_snapshots`, then read
//! the diff before committing).

mod client_support;

use bsmart::client::glyphs::Glyphs;
use client_support::{Driver, DriverOpts, incident_json, setting_json, user_json};
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// A driver drawing at both sizes.
fn driver() -> Driver {
    Driver::new(DriverOpts {
        sizes: vec![(80, 24), (120, 40)],
        ..DriverOpts::default()
    })
}

/// Snapshot the screen at each size of `d` as `name_WxH`, drawn into a fresh terminal (a
/// `TestBackend` keeps the second cell of a wide character from an earlier frame, which a real
/// terminal overwrites).
fn snap(d: &mut Driver, name: &str) {
    d.check();
    let sizes: Vec<(u16, u16)> = d
        .terminals
        .iter()
        .map(|t| (t.backend().buffer().area.width, t.backend().buffer().area.height))
        .collect();
    for (w, h) in sizes {
        let mut fresh = Terminal::new(TestBackend::new(w, h)).unwrap();
        fresh.draw(|f| d.app.render(f)).unwrap();
        let text = client_support::buffer_text(fresh.backend().buffer());
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

fn started() -> Driver {
    Driver::started(DriverOpts {
        sizes: vec![(80, 24), (120, 40)],
        ..DriverOpts::default()
    })
}

fn incidents() -> serde_json::Value {
    json!([
        incident_json(10290, "Ann Smith"),
        incident_json(10289, "Bilal Khan"),
        incident_json(10288, "Chloé Martin"),
        incident_json(10287, "宮本 武蔵"),
        incident_json(10286, "Dara O'Neill-Fitzgerald-Montgomery"),
    ])
}

fn notifications() -> serde_json::Value {
    json!([
        {"id": 1, "kind": "collaboration_invite", "actor": "Lee Lead", "individual": {"id": 1, "name": "Ann Smith"},
         "incident_reference": "besmart-10290", "created_at": "2026-11-30T09:00:00Z", "read": false},
        {"id": 2, "kind": "communication", "actor": "Sam Staff", "individual": {"id": 2, "name": "Bilal Khan"},
         "created_at": "2026-11-29T15:00:00Z", "read": true},
        {"id": 3, "kind": "plan_review", "individual": {"id": 3, "name": "Chloé Martin"}, "due_on": "2026-12-04",
         "created_at": "2026-11-28T08:00:00Z", "read": false}
    ])
}

#[test]
fn sign_in() {
    let mut d = driver();
    d.start();
    snap(&mut d, "sign_in_connecting");
    d.unreachable("GET /setting");
    snap(&mut d, "sign_in_offline");
    let mut d = started();
    snap(&mut d, "sign_in_demo");
    d.keys("teacher@demo.test");
    d.press(KeyCode::Tab);
    d.enter("a long passphrase");
    d.answer(
        "POST /auth/login",
        401,
        &json!({"error": {"code": "invalid_credentials", "message": "The email or password is not right."}}),
    );
    snap(&mut d, "sign_in_wrong_password");
    d.keys("half typed");
    d.press_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    snap(&mut d, "quit_confirm");
}

#[test]
fn two_factor_and_password_change() {
    let mut d = started();
    d.log_in(
        "lead@demo.test",
        &json!({"status": "totp_required", "challenge": "c1", "demo_hint": "123456"}),
    );
    snap(&mut d, "two_factor");
    d.enter("123456");
    d.answer(
        "POST /auth/totp",
        200,
        &json!({"status": "password_change_required", "challenge": "c2", "min_chars": 15}),
    );
    snap(&mut d, "change_password");
}

#[test]
fn enrolment_and_recovery_codes() {
    let mut d = started();
    d.log_in(
        "new@demo.test",
        &json!({"status": "totp_enrolment_required", "challenge": "c1"}),
    );
    snap(&mut d, "enrol_loading");
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let url = format!("otpauth://totp/Riverside%20Academy%20(demo):new@demo.test?secret={secret}");
    d.answer(
        "POST /auth/totp/enrol",
        200,
        &json!({"secret": secret, "otpauth_url": url, "challenge": "c2"}),
    );
    snap(&mut d, "enrol_scan");
    d.enter("123456");
    let codes: Vec<String> = (0..10).map(|i| format!("ABCD-EFGH-IJKL-MN{i:02}")).collect();
    d.answer(
        "POST /auth/totp/confirm",
        200,
        &json!({"status": "ok", "token": "t1", "user": user_json("Ned New"), "recovery_codes": codes}),
    );
    snap(&mut d, "recovery_codes");
    d.press(KeyCode::Enter);
    snap(&mut d, "recovery_codes_asking");
}

#[test]
fn dashboard() {
    let mut d = driver();
    d.signed_in(incidents(), notifications());
    snap(&mut d, "dashboard");
    d.press(KeyCode::Enter);
    snap(&mut d, "dashboard_details");
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('?'));
    snap(&mut d, "dashboard_help");
    d.press(KeyCode::Esc);
    d.press(KeyCode::Tab);
    snap(&mut d, "dashboard_notifications");
    d.press(KeyCode::Tab);
    d.press(KeyCode::Char('t'));
    d.unreachable("GET /incidents");
    snap(&mut d, "dashboard_offline");
}

#[test]
fn dashboard_empty_error_and_privacy() {
    let mut d = driver();
    d.signed_in(json!([]), json!([]));
    snap(&mut d, "dashboard_empty");
    d.press(KeyCode::Char('t'));
    d.answer(
        "GET /incidents",
        500,
        &json!({"error": {"code": "internal", "message": "Something went wrong on the server."}}),
    );
    snap(&mut d, "error_popup");
    let mut d = Driver::new(DriverOpts {
        sizes: vec![(80, 24), (120, 40)],
        privacy: true,
        ..DriverOpts::default()
    });
    d.signed_in(incidents(), notifications());
    snap(&mut d, "dashboard_privacy");
}

#[test]
fn lock() {
    let mut d = driver();
    d.signed_in(incidents(), notifications());
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    snap(&mut d, "lock");
    d.enter("wrong password");
    d.answer(
        "POST /auth/reauth",
        401,
        &json!({"error": {"code": "invalid_credentials", "message": "The email or password is not right."}}),
    );
    snap(&mut d, "lock_wrong_password");
    d.press(KeyCode::F(1));
    snap(&mut d, "lock_help");
}

#[test]
fn too_small_and_ascii() {
    let mut d = Driver::new(DriverOpts {
        sizes: vec![(40, 12)],
        ..DriverOpts::default()
    });
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    snap(&mut d, "too_small");
    let mut d = Driver::new(DriverOpts {
        sizes: vec![(80, 24), (120, 40)],
        glyphs: Glyphs::ASCII,
        ..DriverOpts::default()
    });
    d.signed_in(incidents(), notifications());
    snap(&mut d, "dashboard_ascii");
}
