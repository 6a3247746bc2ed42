//! The Admin hub and its Staff, Roles and Sessions sections, driven by hand at 80x24 (and
//! 40x12 for the too-small message), every call answered by the test with JSON of the wire
//! types: `A` only for an admin, the staff list and its filters, every action asked first and
//! then said, a refusal shown as the server's sentence, a new account's temporary password
//! shown once and forgotten, a cover account's body, the CSV import's dry run and the sessions.

mod client_support;

use bsmart::client::screens::admin::staff::{Mode, Staff};
use client_support::{Driver, DriverOpts, setting_json};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

const PASSWORD: &str = "plinth-orbit-velvet-marrow-quay";

fn me(administer: bool) -> Value {
    json!({
        "user": admin_user_json(),
        "permissions": {"view_analytics": administer, "administer": administer, "delete_incidents": false,
                        "see_all_individuals": administer},
        "session": {"idle_expires_at": "2026-12-01T11:12:00Z", "absolute_expires_at": "2026-12-01T22:42:00Z"}
    })
}

fn admin_user_json() -> Value {
    json!({"id": 5, "email": "admin@x.test", "display_name": "Ada Admin", "role": "admin", "totp_enabled": true})
}

/// Signed in, the dashboard answered, and `GET /me` answered with `administer`.
fn signed_in(administer: bool, sizes: Vec<(u16, u16)>) -> Driver {
    let mut d = Driver::new(DriverOpts {
        sizes,
        ..DriverOpts::default()
    });
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    let ok = json!({"status": "ok", "token": "t1", "user": admin_user_json()});
    d.log_in("admin@x.test", &ok);
    d.answer("GET /notifications", 200, &json!({"items": []}));
    d.answer("GET /incidents", 200, &json!({"items": [], "total": 0}));
    d.answer("GET /drafts", 200, &json!({"items": []}));
    d.answer("GET /me", 200, &me(administer));
    d
}

fn account(id: i64, name: &str, extra: Value) -> Value {
    let mut u = json!({
        "id": id, "email": format!("{}@school.test", name.to_lowercase().replace(' ', ".")),
        "display_name": name, "job_title": "Teacher", "role": "staff", "kind": "staff", "active": true,
        "expired": false, "locked": false, "failed_attempts": 0, "totp_enabled": true,
        "temporary_password": false, "last_seen_at": "2026-11-30T09:00:00Z", "live_sessions": 1,
        "created_at": "2026-09-01T08:00:00Z"
    });
    if let (Some(u), Some(extra)) = (u.as_object_mut(), extra.as_object()) {
        u.extend(extra.clone());
    }
    u
}

fn accounts() -> Value {
    json!({"items": [
        account(7, "Sam Brown", json!({"locked": true, "failed_attempts": 6})),
        account(8, "Lee Lead", json!({"role": "pastoral_lead", "totp_enabled": false})),
        account(9, "Val Visitor", json!({"kind": "visitor", "expires_at": "2026-12-01T17:00:00Z", "temporary_password": true})),
    ], "truncated": false})
}

/// An admin on the Staff list with [`accounts`].
fn on_staff() -> Driver {
    let mut d = signed_in(true, vec![(80, 24), (40, 12)]);
    d.press(KeyCode::Char('A'));
    d.press(KeyCode::Char('u'));
    d.answer("GET /admin/users", 200, &accounts());
    d
}

fn staff(d: &Driver) -> &Staff {
    d.app.page::<Staff>().expect("the Staff page is on top")
}

#[test]
fn a_is_for_admins_only_and_help_lists_it_only_for_them() {
    let mut d = signed_in(false, vec![(80, 24)]);
    d.press(KeyCode::Char('A'));
    assert!(d.check().contains("Admin is for admins."));
    assert_eq!(d.app.title(), "Dashboard", "nothing opened");
    d.press(KeyCode::Char('?'));
    let help = d.check().replace("Ada Admin", "");
    assert!(
        help.contains("keys of this screen") && !help.contains("Admin"),
        "help does not offer A to a teacher:\n{help}"
    );

    let mut d = signed_in(true, vec![(80, 24)]);
    d.press(KeyCode::Char('?'));
    assert!(d.check().contains("Admin"), "help lists A for an admin");
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('A'));
    let hub = d.check();
    assert!(
        hub.contains("Administration") && hub.contains("Staff") && hub.contains("Sessions"),
        "{hub}"
    );
}

#[test]
fn before_me_answers_a_opens_nothing_and_says_to_wait_not_that_they_are_no_admin() {
    let mut d = Driver::new(DriverOpts::default());
    d.start();
    d.answer("GET /setting", 200, &setting_json());
    d.log_in(
        "admin@x.test",
        &json!({"status": "ok", "token": "t1", "user": admin_user_json()}),
    );
    assert!(d.has_call("GET /me"), "the sign-in asks what the user may do");
    d.press(KeyCode::Char('A'));
    let text = d.check();
    assert!(text.contains("permissions are still coming"), "{text}");
    assert!(!text.contains("Admin is for admins."), "{text}");
    assert_eq!(d.app.title(), "Dashboard", "nothing opened");
    d.answer("GET /me", 200, &me(true));
    d.press(KeyCode::Char('A'));
    assert!(d.check().contains("Administration"));
}

#[test]
fn the_staff_list_shows_names_roles_kinds_states_and_uk_dates() {
    let mut d = on_staff();
    let text = d.check();
    for needle in [
        "Sam Brown",
        "Lee Lead",
        "Pastoral lead",
        "locked",
        "no 2FA",
        "Visitor",
        "30/11/26 09:00",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
    assert!(!text.contains("2026-11-30"), "no ISO date on screen");
    assert!(text.contains("Accounts (3)"), "{text}");
}

#[test]
fn filters_change_the_query_and_search_is_fuzzy() {
    let mut d = on_staff();
    d.press(KeyCode::Char('L'));
    let q = d.query("GET /admin/users");
    assert!(q.contains(&("locked".into(), "true".into())), "{q:?}");
    d.answer(
        "GET /admin/users",
        200,
        &json!({"items": [account(7, "Sam Brown", json!({"locked": true}))], "truncated": false}),
    );
    d.press(KeyCode::Char('R'));
    let q = d.query("GET /admin/users");
    assert!(q.contains(&("role".into(), "staff".into())), "{q:?}");
    d.answer("GET /admin/users", 200, &accounts());
    assert!(d.check().contains("Showing: Staff"));
    d.press(KeyCode::Char('/'));
    d.keys("vvis");
    assert_eq!(staff(&d).shown().len(), 1);
    assert_eq!(staff(&d).shown()[0].display_name, "Val Visitor");
    assert!(
        d.check().contains("Accounts (1 of 3)"),
        "the title counts what the search shows"
    );
    d.press(KeyCode::Esc);
    assert_eq!(staff(&d).shown().len(), 3);
    assert!(d.check().contains("Accounts (3)"));
    d.keys("/zzzz");
    assert!(d.check().contains("No account matches the search"));
}

#[test]
fn every_action_asks_first_then_says_what_the_server_did() {
    let mut d = on_staff();
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('D'));
    let text = d.check();
    assert!(text.contains("Deactivate Sam Brown?"), "{text}");
    assert!(!d.has_call("POST /admin/users/7/actions"), "nothing sent before y");
    d.press(KeyCode::Char('n'));
    assert!(!d.has_call("POST /admin/users/7/actions"));
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('u'));
    assert!(d.check().contains("Unlock Sam Brown's account?"));
    d.press(KeyCode::Char('y'));
    assert_eq!(d.body("POST /admin/users/7/actions"), json!({"action": "unlock"}));
    d.answer(
        "POST /admin/users/7/actions",
        200,
        &json!({"message": "Unlocked Sam Brown's account.", "user": account(7, "Sam Brown", json!({})), "sessions_ended": 0}),
    );
    let text = d.check();
    assert!(text.contains("Unlocked Sam Brown's account."), "{text}");
    assert!(!staff(&d).items()[0].locked, "the row shows what the server now has");
}

#[test]
fn a_refusal_is_the_servers_sentence_and_changes_nothing() {
    let mut d = on_staff();
    d.press(KeyCode::Char('j'));
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('o'));
    d.press(KeyCode::Char('j'));
    d.press(KeyCode::Enter);
    assert!(d.check().contains("Make Lee Lead a DSL?"));
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("POST /admin/users/8/actions"),
        json!({"action": "set_role", "role": "dsl"})
    );
    d.answer(
        "POST /admin/users/8/actions",
        409,
        &json!({"error": {"code": "conflict", "message": "Lee Lead is the last active admin: make another admin first."}}),
    );
    assert!(d.check().contains("the last active admin"));
}

#[test]
fn a_new_accounts_temporary_password_is_shown_once_and_forgotten() {
    let mut d = on_staff();
    d.press(KeyCode::Char('n'));
    assert!(d.has_call("GET /admin/access/groups"));
    d.keys("Pat New");
    d.press(KeyCode::Tab);
    d.keys("pat@school.test");
    d.press(KeyCode::Tab);
    d.keys("Teacher");
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    d.press(KeyCode::Right);
    d.press(KeyCode::Enter);
    assert!(d.check().contains("Create a Pastoral lead account for Pat New"));
    d.press(KeyCode::Char('y'));
    let body = d.body("POST /admin/users");
    assert_eq!(body["role"], "pastoral_lead");
    assert_eq!(body["kind"], "staff");
    let created =
        json!({"user": account(20, "Pat New", json!({"temporary_password": true})), "temporary_password": PASSWORD});
    d.answer("POST /admin/users", 201, &created);
    let text = d.check();
    assert!(text.contains(PASSWORD), "{text}");
    assert!(client_support::words(&text).contains("72 hours"), "{text}");
    assert!(!format!("{:?}", d.app).contains(PASSWORD), "not in the App's Debug");
    assert!(
        !format!("{:?}", staff(&d)).contains(PASSWORD),
        "not in the page's Debug"
    );
    // No global key leaves it.
    d.press(KeyCode::Char('d'));
    assert!(d.check().contains(PASSWORD));
    d.press(KeyCode::Enter);
    assert!(d.check().contains("Have you given it to them?"));
    d.press(KeyCode::Char('y'));
    let text = d.check();
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(matches!(staff(&d).mode, Mode::List));
}

#[test]
fn a_cover_account_sends_its_kind_end_and_groups() {
    let mut d = on_staff();
    d.press(KeyCode::Char('n'));
    d.answer(
        "GET /admin/access/groups",
        200,
        &json!({"items": [{"scope": "year", "name": "Year 9", "individuals": 60}, {"scope": "group", "name": "9B", "individuals": 28}]}),
    );
    d.keys("Sue Supply");
    d.press(KeyCode::Tab);
    d.keys("sue@agency.test");
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    d.press(KeyCode::Char(' '));
    d.press(KeyCode::Tab);
    d.keys("tomorrow 16:00");
    d.press(KeyCode::Tab);
    d.press(KeyCode::Char(' '));
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(d.check().contains("supply cover account"));
    d.press(KeyCode::Char('y'));
    let body = d.body("POST /admin/users");
    assert_eq!(body["kind"], "supply");
    assert_eq!(body["role"], "staff");
    assert_eq!(body["groups"], json!(["9B"]));
    assert_eq!(body["expires_at"], "2026-12-02T16:00:00Z");
    d.answer(
        "POST /admin/users",
        422,
        &json!({"error": {"code": "invalid", "message": "The email is already an account."}}),
    );
    let text = d.check();
    assert!(text.contains("The email is already an account."), "{text}");
    assert!(text.contains("sue@agency.test"), "nothing typed is lost");
}

#[test]
fn the_import_checks_the_file_first_and_shows_the_passwords_once() {
    let dir = std::env::temp_dir().join(format!("bsmart-admin-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("staff.csv");
    std::fs::write(&file, "name,email,role\nAnn One,ann@school.test,staff\n").unwrap();
    let mut d = on_staff();
    d.press(KeyCode::Char('b'));
    d.enter("/nonexistent/staff.csv");
    assert!(d.check().contains("Check the path"));
    d.press_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
    d.enter(&file.to_string_lossy());
    let body = d.body("POST /admin/users/import");
    assert_eq!(body["dry_run"], true);
    assert!(body["csv"].as_str().unwrap().contains("Ann One"));
    let row = json!({"line": 2, "display_name": "Ann One", "email": "ann@school.test", "role": "staff"});
    d.answer(
        "POST /admin/users/import",
        200,
        &json!({"dry_run": true, "created": 0, "rows": [row]}),
    );
    assert!(d.check().contains("1 accounts would be created"));
    d.press(KeyCode::Char('y'));
    assert_eq!(d.body("POST /admin/users/import")["dry_run"], false);
    let mut done = row.clone();
    done["temporary_password"] = json!(PASSWORD);
    d.answer(
        "POST /admin/users/import",
        200,
        &json!({"dry_run": false, "created": 1, "rows": [done]}),
    );
    let text = d.check();
    assert!(text.contains(PASSWORD) && text.contains("Ann One"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The Staff list with `csv` saved in a file of its own and given to the import (the dry run
/// is on its way): the file's folder (removed when dropped), its path and the driver.
fn importing(csv: &str) -> (tempfile::TempDir, std::path::PathBuf, Driver) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("staff.csv");
    std::fs::write(&file, csv).unwrap();
    let mut d = on_staff();
    d.press(KeyCode::Char('b'));
    d.enter(&file.to_string_lossy());
    (dir, file, d)
}

#[test]
fn an_import_with_a_bad_line_offers_no_y() {
    let (_dir, _file, mut d) = importing("name,email,role\nAnn One,not-an-email,staff\n");
    let row = json!({"line": 2, "display_name": "Ann One", "email": "not-an-email", "role": "staff",
                     "problem": "email: \"not-an-email\" is not an email address."});
    d.answer(
        "POST /admin/users/import",
        200,
        &json!({"dry_run": true, "created": 0, "rows": [row]}),
    );
    let text = client_support::words(&d.check());
    assert!(text.contains("nothing would be created"), "{text}");
    assert!(!text.contains("y create"), "the hint offers no y: {text}");
    assert!(text.contains("n/Esc back to the path"), "{text}");
    d.press(KeyCode::Char('y'));
    assert!(!d.has_call("POST /admin/users/import") || d.body("POST /admin/users/import")["dry_run"] == true);
    let text = client_support::words(&d.check());
    assert!(
        text.contains("Nothing can be created while a line has a problem"),
        "{text}"
    );
}

#[test]
fn sessions_end_one_after_asking() {
    let mut d = signed_in(true, vec![(80, 24)]);
    d.press(KeyCode::Char('A'));
    d.press(KeyCode::Char('x'));
    let s = json!({"id": 77, "user": {"id": 7, "name": "Sam Brown"}, "client": "bsmart/0.1", "address": "10.0.0.8",
                   "since": "2026-12-01T08:00:00Z", "last_seen_at": "2026-12-01T10:40:00Z",
                   "idle_expires_at": "2026-12-01T11:10:00Z", "current": false});
    d.answer("GET /admin/sessions", 200, &json!({"items": [s]}));
    let text = d.check();
    assert!(
        text.contains("Sam Brown") && text.contains("10.0.0.8") && text.contains("01/12/26 10:40"),
        "{text}"
    );
    d.press(KeyCode::Char('e'));
    assert!(d.check().contains("End Sam Brown's session from 10.0.0.8"));
    assert!(!d.has_call("DELETE /admin/sessions/77"));
    d.press(KeyCode::Char('y'));
    d.answer(
        "DELETE /admin/sessions/77",
        200,
        &json!({"message": "Ended Sam Brown's session."}),
    );
    assert!(d.check().contains("Ended Sam Brown's session."));
}

#[test]
fn roles_say_what_each_may_do() {
    let mut d = signed_in(true, vec![(80, 24)]);
    d.press(KeyCode::Char('A'));
    d.press(KeyCode::Char('o'));
    d.answer(
        "GET /admin/roles",
        200,
        &json!({"items": [{"role": "dsl", "description": "Sees everything.", "accounts": 2,
            "permissions": {"view_analytics": true, "administer": false, "delete_incidents": true, "see_all_individuals": true}}]}),
    );
    let text = d.check();
    assert!(
        text.contains("DSL (2 accounts)") && text.contains("delete incidents"),
        "{text}"
    );
}

#[test]
fn too_small_says_so() {
    let mut d = on_staff();
    d.check();
    let small = client_support::buffer_text(d.terminals[1].backend().buffer());
    assert!(client_support::words(&small).contains("Window too small"), "{small}");
}

#[test]
fn an_import_whose_answer_never_came_says_it_may_be_done_and_checks_again() {
    let (_dir, file, mut d) = importing("name,email,role\nAnn One,ann@school.test,staff\n");
    let row = json!({"line": 2, "display_name": "Ann One", "email": "ann@school.test", "role": "staff"});
    let review = json!({"dry_run": true, "created": 0, "rows": [row]});
    d.answer("POST /admin/users/import", 200, &review);
    d.press(KeyCode::Char('y'));
    assert_eq!(d.body("POST /admin/users/import")["dry_run"], false);
    d.dropped("POST /admin/users/import");
    let text = client_support::words(&d.check());
    assert!(
        text.contains("Not known if the accounts were made"),
        "never 'nothing changed': {text}"
    );
    assert!(text.contains(&*file.to_string_lossy()), "the path is kept: {text}");
    d.press(KeyCode::Enter);
    assert_eq!(
        d.body("POST /admin/users/import")["dry_run"],
        true,
        "Enter checks again, never sends blind"
    );

    // Unreached (nothing went out): it says so and that it can be tried again.
    d.answer("POST /admin/users/import", 200, &review);
    d.press(KeyCode::Char('y'));
    d.unreachable("POST /admin/users/import");
    let text = client_support::words(&d.check());
    assert!(text.contains("It never reached the server; try again"), "{text}");
}
