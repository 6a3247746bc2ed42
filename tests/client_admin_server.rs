//! The Staff screen of Administration (issue 12) in the real client against a real server on
//! loopback at 80x24: the demo admin signs in with 2FA, finds an account by typing, and each
//! action asked for and confirmed on screen changes the account on the server (a locked-out
//! teacher signs in again; a deactivated one's live session is refused at once), while the
//! teacher, who may not administer, never gets the screen.

mod client_support;
mod common;

use client_support::{Harness, words};
use common::{ADMIN, Api, TEACHER};
use crossterm::event::KeyCode;

/// The demo admin signed in (password, then the TOTP code of the server's clock) at 80x24.
async fn admin_client(api: &Api) -> Harness {
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.submit_login(ADMIN.email, ADMIN.password).await;
    h.wait_text("Two-factor code").await;
    let code = api.code_now(ADMIN.totp.unwrap());
    h.type_text(&code);
    h.press(KeyCode::Enter);
    h.wait_dashboard().await;
    h
}

/// From the dashboard: Admin, Staff, then the actions of the account found by typing `name`.
async fn actions_of(h: &mut Harness, name: &str) {
    h.press(KeyCode::Char('A'));
    h.wait_words("Administration").await;
    h.press(KeyCode::Char('u'));
    h.wait_words("Accounts (").await;
    h.press(KeyCode::Char('/'));
    h.type_text(name);
    h.press(KeyCode::Enter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_unlocks_a_locked_out_teacher_who_then_signs_in() {
    let api = Api::start().await;
    for _ in 0..6 {
        api.login(TEACHER.email, "not the teacher's password").await;
    }
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
    let mut h = admin_client(&api).await;
    actions_of(&mut h, "whitfield").await;
    h.press(KeyCode::Char('u'));
    h.wait_words("Unlock Sarah Whitfield's account?").await;
    h.press(KeyCode::Char('y'));
    let text = h.wait_words("Unlocked Sarah Whitfield's account.").await;
    assert!(!text.contains("demo-teacher-passphrase"), "{text}");
    let again = api.login(TEACHER.email, TEACHER.password).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let unlocks = api
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.user.unlock' AND outcome = 'success'")
        .await;
    assert_eq!(unlocks, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_a_teacher_ends_their_live_session_at_once() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    assert_eq!(api.me(&teacher).await.status, 200);
    let mut h = admin_client(&api).await;
    actions_of(&mut h, "whitfield").await;
    h.press(KeyCode::Char('D'));
    h.wait_words("Deactivate Sarah Whitfield?").await;
    assert_eq!(api.me(&teacher).await.status, 200, "nothing happens before y");
    h.press(KeyCode::Char('y'));
    h.wait_words("Deactivated Sarah Whitfield's account and ended").await;
    api.me(&teacher).await.assert_error(401, "unauthenticated");
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(401, "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_pressing_a_gets_no_administration() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.email, TEACHER.password).await;
    h.press(KeyCode::Char('A'));
    let text = words(&h.text());
    assert!(!text.contains("Administration"), "{text}");
    assert!(text.contains("Dashboard"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_file_is_checked_first_then_creates_its_accounts_once() {
    let api = Api::start().await;
    let mut h = admin_client(&api).await;
    let file = h.dir.path().join("new-staff.csv");
    std::fs::write(
        &file,
        "name,email,role\nAnn Lee,ann.lee@school.test,staff\nBob Ray,bob.ray@school.test,Pastoral lead\n",
    )
    .unwrap();
    h.press(KeyCode::Char('A'));
    h.wait_words("Administration").await;
    h.press(KeyCode::Char('u'));
    h.wait_words("Accounts (").await;
    h.press(KeyCode::Char('b'));
    h.type_text(&file.to_string_lossy());
    h.press(KeyCode::Enter);
    h.wait_words("2 accounts would be created").await;
    let made = "SELECT COUNT(*) FROM users WHERE email IN ('ann.lee@school.test', 'bob.ray@school.test')";
    assert_eq!(api.count(made).await, 0, "the dry run creates nothing");
    h.press(KeyCode::Char('y'));
    let text = h.wait_words("Created 2 accounts.").await;
    assert!(text.contains("Ann Lee") && text.contains("Bob Ray"), "{text}");
    assert_eq!(api.count(made).await, 2);
    let role = api
        .value("SELECT role FROM users WHERE email = 'bob.ray@school.test'")
        .await;
    assert_eq!(role, "pastoral_lead");
}
