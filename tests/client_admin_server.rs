//! The Staff screen of Administration (issue 12) in the real client against a real server on
//! loopback at 80x24: the demo admin signs in with 2FA, finds an account by typing, and each
//! action asked for and confirmed on screen changes the account on the server (a locked-out
//! teacher signs in again; a deactivated one's live session is refused at once), while the
//! teacher, who may not administer, never gets the screen.

mod admin_support;
mod client_support;
mod common;

use admin_support::{admin_client, open_section};
use bsmart::wire::AuthStep;
use client_support::{Harness, words};
use common::{Api, LEAD, TEACHER};
use crossterm::event::KeyCode;
use serde_json::json;

/// From the dashboard: Admin, Staff, then the actions of the account found by typing `name`.
async fn actions_of(h: &mut Harness, name: &str) {
    open_section(h, 'u', "Accounts (").await;
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
    open_section(&mut h, 'u', "Accounts (").await;
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

/// From the dashboard: Staff, `n`, and the name, email and job title typed, leaving the keys
/// on the kind (staff, supply cover or visitor).
async fn new_account(h: &mut Harness, name: &str, email: &str, job: &str) {
    open_section(h, 'u', "Accounts (").await;
    h.press(KeyCode::Char('n'));
    for text in [name, email, job] {
        h.type_text(text);
        h.press(KeyCode::Tab);
    }
}

/// The temporary password the one-time screen shows for `email` (the line under its name).
fn password_shown_for(text: &str, email: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(&format!("({email})")))
        .unwrap_or_else(|| panic!("no password shown for {email}:\n{text}"));
    let next = words(lines[at + 1]);
    let four_fives = |w: &&str| {
        let groups: Vec<&str> = w.split('-').collect();
        groups.len() == 4 && groups.iter().all(|g| g.len() == 5)
    };
    let password = next.split(' ').find(four_fives);
    password
        .unwrap_or_else(|| panic!("four groups of five, with dashes: {next}"))
        .to_string()
}

/// Leave the one-time password screen: `Enter`, then yes to "Have you given it to them?".
async fn password_given(h: &mut Harness, password: &str) {
    h.press(KeyCode::Enter);
    h.wait_words("Have you given it to them?").await;
    h.press(KeyCode::Char('y'));
    let text = h.wait_words("Accounts (").await;
    assert!(!text.contains(password), "shown once only: {text}");
}

/// The first sign-in with a temporary password must change it.
async fn must_change(api: &Api, email: &str, password: &str) {
    let step = api.login(email, password).await.step();
    assert!(
        matches!(step, AuthStep::PasswordChangeRequired { .. }),
        "a temporary password signs in only to be changed: {step:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_shows_its_temporary_password_once_and_must_change_it() {
    let api = Api::start().await;
    let mut h = admin_client(&api).await;
    new_account(&mut h, "Pat New", "pat.new@school.test", "Teacher of maths").await;
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    h.press(KeyCode::Enter);
    h.wait_words("Create a Pastoral lead account for Pat New").await;
    let made = "SELECT COUNT(*) FROM users WHERE email = 'pat.new@school.test'";
    assert_eq!(api.count(made).await, 0, "nothing is made before y");
    h.press(KeyCode::Char('y'));
    let text = h.wait_text("Temporary password").await;
    let password = password_shown_for(&text, "pat.new@school.test");
    let row = "SELECT role || ' ' || kind || ' ' || job_title FROM users WHERE email = 'pat.new@school.test'";
    assert_eq!(api.value(row).await, "pastoral_lead staff Teacher of maths");
    let audit = api.audit().await;
    let created: Vec<_> = audit
        .iter()
        .filter(|r| r.get("action") == "admin.user.create")
        .collect();
    assert_eq!(created.len(), 1);
    assert!(
        audit.iter().all(|r| !r.all_text().contains(&password)),
        "never in the audit log"
    );
    password_given(&mut h, &password).await;
    must_change(&api, "pat.new@school.test", &password).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_is_asked_then_what_the_teacher_may_do_changes_at_once() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let mut h = admin_client(&api).await;
    actions_of(&mut h, "whitfield").await;
    h.press(KeyCode::Char('o'));
    h.press(KeyCode::Char('j'));
    h.press(KeyCode::Enter);
    h.wait_words("Make Sarah Whitfield a Pastoral lead?").await;
    assert_eq!(api.value("SELECT role FROM users WHERE id = 3").await, "staff");
    h.press(KeyCode::Char('y'));
    h.wait_words("Sarah Whitfield is now Pastoral lead.").await;
    let me = api.me(&teacher).await;
    assert_eq!(
        me.json.as_ref().unwrap()["user"]["role"],
        "pastoral_lead",
        "{}",
        me.text
    );
    let audit = api.audit().await;
    let change = audit
        .iter()
        .find(|r| r.get("action") == "admin.user.set_role")
        .expect("audited");
    assert_eq!(change.get("target"), "user:3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_signs_them_out_and_shows_a_new_temporary_one_once() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let mut h = admin_client(&api).await;
    actions_of(&mut h, "whitfield").await;
    h.press(KeyCode::Char('p'));
    h.wait_words("Reset Sarah Whitfield's password?").await;
    assert_eq!(api.me(&teacher).await.status, 200, "nothing happens before y");
    h.press(KeyCode::Char('y'));
    let text = h.wait_text("Temporary password").await;
    assert!(
        words(&text).contains("Gave Sarah Whitfield a new temporary password"),
        "{text}"
    );
    let password = password_shown_for(&text, TEACHER.email);
    api.me(&teacher).await.assert_error(401, "unauthenticated");
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(401, "invalid_credentials");
    password_given(&mut h, &password).await;
    must_change(&api, TEACHER.email, &password).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2fa_reset_makes_the_lead_enrol_again() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let name = api
        .value("SELECT display_name FROM users WHERE email = 'lead@demo.test'")
        .await;
    let mut h = admin_client(&api).await;
    actions_of(&mut h, "lead@demo").await;
    h.press(KeyCode::Char('f'));
    h.wait_words(&format!("Reset {name}'s 2FA?")).await;
    h.press(KeyCode::Char('y'));
    h.wait_words(&format!("Removed {name}'s two-factor authentication"))
        .await;
    api.me(&lead).await.assert_error(401, "unauthenticated");
    let step = api.login(LEAD.email, LEAD.password).await.step();
    assert!(matches!(step, AuthStep::TotpEnrolmentRequired { .. }), "{step:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supply_cover_account_sees_its_group_only_and_ends_with_the_day() {
    let api = Api::start().await;
    let mut h = admin_client(&api).await;
    new_account(&mut h, "Sue Supply", "sue@agency.test", "").await;
    h.press(KeyCode::Char(' '));
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.wait_for("the groups", |t| {
        t.contains("Groups") && !t.contains("loading the groups")
    })
    .await;
    h.press(KeyCode::Char(' '));
    h.ctrl('s');
    let text = h.wait_words("supply cover account").await;
    h.press(KeyCode::Char('y'));
    let shown = h.wait_text("Temporary password").await;
    let password = password_shown_for(&shown, "sue@agency.test");
    let groups = common::query_text(
        &api.srv.db_path,
        "SELECT g.scope, g.name FROM access_groups g JOIN users u ON u.id = g.user_id WHERE u.email = 'sue@agency.test'",
    )
    .await;
    assert_eq!(groups.len(), 1, "one group marked: {groups:?}\n{text}");
    let group = groups[0][1].1.clone();
    assert_eq!(groups[0][0].1, "group");
    let (kind, role) = (
        api.value("SELECT kind FROM users WHERE email = 'sue@agency.test'")
            .await,
        api.value("SELECT role FROM users WHERE email = 'sue@agency.test'")
            .await,
    );
    assert_eq!((kind.as_str(), role.as_str()), ("supply", "staff"));
    password_given(&mut h, &password).await;

    // Their first sign-in sets a password; then they see the group's pupils and nobody else.
    let challenge = api.login("sue@agency.test", &password).await.challenge();
    let set = json!({"challenge": challenge, "new_password": "quiet orchard lantern seven"});
    let token = api.post("/auth/password", &set, None).await.token();
    let inside = api
        .count(&format!(
            "SELECT id FROM individuals WHERE group_name = '{group}' LIMIT 1"
        ))
        .await;
    let outside = api
        .count(&format!(
            "SELECT id FROM individuals WHERE group_name <> '{group}' LIMIT 1"
        ))
        .await;
    assert_eq!(
        api.get(&format!("/individuals/{inside}"), Some(&token)).await.status,
        200
    );
    api.get(&format!("/individuals/{outside}"), Some(&token))
        .await
        .assert_error(404, "not_found");

    // Tomorrow the account has ended: the session is refused and so is a new sign-in.
    api.advance(24 * 3600);
    assert_eq!(api.me(&token).await.status, 401);
    let again = api.login("sue@agency.test", "quiet orchard lantern seven").await;
    assert_eq!(again.status, 401, "{}", again.text);
}
