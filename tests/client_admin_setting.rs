//! Administration's Access, Access review, Setting lists and Audit log (issue 12), as tests of
//! the real App driven by hand at 80x24 (and the too-small message at 40x12): every call is
//! made as the route table of `wire::admin` says, every change asks first and says what it
//! did, refusals show the server's words, pupil names go through privacy, and the audit
//! export is a 0600 file that never overwrites.

mod client_support;

use client_support::{Driver, DriverOpts, words};
use crossterm::event::KeyCode;
use serde_json::{Value, json};

fn admin_user(id: i64, name: &str, email: &str) -> Value {
    json!({"id": id, "email": email, "display_name": name, "job_title": "", "role": "staff", "kind": "staff",
           "active": true, "expired": false, "locked": false, "failed_attempts": 0, "totp_enabled": true,
           "temporary_password": false, "live_sessions": 0, "created_at": "2026-09-01T08:00:00Z"})
}

fn signed_in(o: DriverOpts) -> Driver {
    let mut d = Driver::new(o);
    d.signed_in_admin();
    d.press(KeyCode::Char('A'));
    d
}

fn status(d: &mut Driver) -> String {
    words(&d.text())
}

fn review_json(confirmed: bool) -> Value {
    let last = if confirmed {
        json!({"by": {"id": 1, "name": "Ada Admin"}, "at": "2026-12-01T10:42:00Z", "visible": 31})
    } else {
        Value::Null
    };
    let mut sam = json!({"user": {"id": 7, "name": "Sam Brown"}, "role": "staff", "kind": "staff",
                         "summary": "9B and 1 individual", "visible": 31, "due": !confirmed});
    if confirmed {
        sam["last_review"] = last;
    }
    json!({"items": [sam,
        {"user": {"id": 8, "name": "Kim Lee"}, "role": "dsl", "kind": "staff", "summary": "everyone (role)",
         "visible": 400, "due": false,
         "last_review": {"by": {"id": 1, "name": "Ada Admin"}, "at": "2026-03-04T09:00:00Z", "visible": 398}}],
        "due": if confirmed { 0 } else { 12 }})
}

#[test]
fn the_review_counts_those_due_and_y_confirms_after_asking() {
    let mut d = signed_in(DriverOpts::default());
    d.press(KeyCode::Char('w'));
    d.answer("GET /admin/access/review", 200, &review_json(false));
    let text = words(&d.check());
    for w in [
        "Access review (12 due)",
        "Sam Brown",
        "never",
        "04/03/26 by Ada Admin",
        "9B and 1 individual",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    d.press(KeyCode::Char('y'));
    let text = words(&d.check());
    assert!(
        text.contains("Confirm that Sam Brown's access (31 individuals) is right?"),
        "{text}"
    );
    // No: nothing is sent.
    d.press(KeyCode::Char('n'));
    assert!(!d.has_call("POST /admin/access/review/7"));
    d.press(KeyCode::Char('y'));
    d.press(KeyCode::Char('y'));
    d.answer(
        "POST /admin/access/review/7",
        200,
        &json!({"message": "Confirmed Sam Brown's access (31 individuals)."}),
    );
    assert!(status(&mut d).contains("Confirmed Sam Brown's access"));
    d.answer("GET /admin/access/review", 200, &review_json(true));
    let text = words(&d.check());
    assert!(
        text.contains("Access review (0 due)") && text.contains("01/12/26 by Ada Admin"),
        "{text}"
    );
    // Enter opens their access.
    d.press(KeyCode::Enter);
    assert!(d.has_call("GET /admin/access/users/7"));
}

#[test]
fn a_refused_confirmation_shows_the_servers_words() {
    let mut d = signed_in(DriverOpts::default());
    d.press(KeyCode::Char('w'));
    d.answer("GET /admin/access/review", 200, &review_json(false));
    d.press(KeyCode::Char('y'));
    d.press(KeyCode::Char('y'));
    d.answer(
        "POST /admin/access/review/7",
        403,
        &json!({"error": {"code": "forbidden", "message": "Only an admin with 2FA may do this."}}),
    );
    let text = words(&d.check());
    assert!(text.contains("Only an admin with 2FA may do this."), "{text}");
}

fn access_json() -> Value {
    json!({"user": {"id": 7, "name": "Sam Brown"}, "role": "staff", "sees_all": false, "visible": 31,
           "grants": [
               {"scope": "group", "value": "9B", "individuals": 30, "granted_by": {"id": 1, "name": "Ada Admin"},
                "granted_at": "2026-09-01T08:00:00Z"},
               {"scope": "individual", "value": "", "individual": {"id": 13, "name": "Jo Smith"}, "individuals": 1,
                "granted_at": "2026-09-02T08:00:00Z"}],
           "key_staff_of": [{"id": 13, "name": "Jo Smith"}]})
}

/// Access, the staff listed, Sam chosen by a fuzzy filter, their access answered.
fn access(o: DriverOpts) -> Driver {
    let mut d = signed_in(o);
    d.press(KeyCode::Char('g'));
    d.answer(
        "GET /admin/users",
        200,
        &json!({"items": [admin_user(6, "Amy Khan", "amy@x.test"), admin_user(7, "Sam Brown", "sam@x.test")],
                "truncated": false}),
    );
    d.answer(
        "GET /admin/access/groups",
        200,
        &json!({"items": [{"scope": "year", "name": "Year 9", "individuals": 180},
                          {"scope": "group", "name": "9B", "individuals": 30}]}),
    );
    let text = words(&d.check());
    assert!(text.contains("Amy Khan") && text.contains("Sam Brown"), "{text}");
    d.keys("sbr");
    let text = words(&d.check());
    assert!(!text.contains("Amy Khan"), "{text}");
    d.press(KeyCode::Enter);
    d.answer("GET /admin/access/users/7", 200, &access_json());
    d
}

#[test]
fn a_pressed_before_the_groups_came_opens_the_choice_when_they_do() {
    let mut d = signed_in(DriverOpts::default());
    d.press(KeyCode::Char('g'));
    d.answer(
        "GET /admin/users",
        200,
        &json!({"items": [admin_user(7, "Sam Brown", "sam@x.test")], "truncated": false}),
    );
    d.press(KeyCode::Enter);
    d.answer("GET /admin/access/users/7", 200, &access_json());
    d.press(KeyCode::Char('a'));
    assert!(words(&d.check()).contains("Loading the groups…"));
    d.answer(
        "GET /admin/access/groups",
        200,
        &json!({"items": [{"scope": "year", "name": "Year 9", "individuals": 180}]}),
    );
    let text = words(&d.check());
    assert!(
        text.contains("Grant which group or year?") && text.contains("Year 9 (180 individuals)"),
        "{text}"
    );
}

#[test]
fn access_shows_what_they_see_and_why_and_grants_a_year_after_asking() {
    let mut d = access(DriverOpts::default());
    let text = words(&d.check());
    for w in [
        "Access: Sam Brown",
        "Can see 31 individuals",
        "Never confirmed",
        "9B",
        "30 individuals",
        "Jo Smith",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    d.press(KeyCode::Char('a'));
    let text = words(&d.check());
    assert!(text.contains("Year 9 (180 individuals)"), "{text}");
    d.press(KeyCode::Enter);
    let text = words(&d.check());
    assert!(text.contains("Let Sam Brown see year Year 9"), "{text}");
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("POST /admin/access"),
        json!({"user_id": 7, "scope": "year", "value": "Year 9"})
    );
    d.answer(
        "POST /admin/access",
        422,
        &json!({"error": {"code": "invalid", "message": "value: no individual is in Year 9 now."}}),
    );
    let text = words(&d.check());
    assert!(text.contains("no individual is in Year 9 now"), "{text}");
}

#[test]
fn removing_a_grant_asks_and_names_the_pupil_through_privacy() {
    let mut d = access(DriverOpts {
        privacy: true,
        ..DriverOpts::default()
    });
    let text = words(&d.check());
    assert!(!text.contains("Jo Smith") && text.contains("J. S."), "{text}");
    d.press(KeyCode::Char('j'));
    d.press(KeyCode::Char('x'));
    let text = words(&d.check());
    assert!(
        text.contains("Remove Sam Brown's access to J. S. (1 individual)?"),
        "{text}"
    );
    assert!(!text.contains("Jo Smith"), "{text}");
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("POST /admin/access/revoke"),
        json!({"user_id": 7, "scope": "individual", "value": "", "individual_id": 13})
    );
    d.answer(
        "POST /admin/access/revoke",
        200,
        &json!({"message": "Sam Brown no longer sees J. S."}),
    );
    assert!(status(&mut d).contains("no longer sees"));
    assert!(d.has_call("GET /admin/access/users/7"), "the access is loaded again");
}

#[test]
fn key_staff_are_removed_with_put_after_asking() {
    let mut d = access(DriverOpts::default());
    d.press(KeyCode::Tab);
    d.press(KeyCode::Char('x'));
    let text = words(&d.check());
    assert!(text.contains("Sam Brown stops being key staff of Jo Smith?"), "{text}");
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("PUT /admin/key-staff"),
        json!({"individual_id": 13, "user_id": 7, "key_staff": false})
    );
}

fn behaviours() -> Value {
    json!({"list": "behaviours", "items": [
        {"id": 1, "name": "Kind act", "sentiment": "positive", "position": 1, "active": true, "uses": 12},
        {"id": 2, "name": "Shouting out", "sentiment": "negative", "position": 2, "active": false, "uses": 4}]})
}

fn lists() -> Driver {
    let mut d = signed_in(DriverOpts::default());
    d.press(KeyCode::Char('l'));
    d.answer("GET /admin/lists/behaviours", 200, &behaviours());
    d
}

#[test]
fn lists_show_retired_entries_and_add_one_after_asking() {
    let mut d = lists();
    let text = words(&d.check());
    for w in [
        "Lists: Behaviours",
        "Kind act",
        "(praise)",
        "retired; kept on 4 records",
        "Bell times",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    d.press(KeyCode::Char('n'));
    d.keys("Helped a friend");
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    d.press(KeyCode::Enter);
    let text = words(&d.check());
    assert!(
        text.contains("Add the behaviour \"Helped a friend\" (neutral), placed last?"),
        "{text}"
    );
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("POST /admin/lists/behaviours"),
        json!({"name": "Helped a friend", "sentiment": "neutral", "active": true})
    );
    // Refused: the server's words, and what was typed is still there.
    d.answer(
        "POST /admin/lists/behaviours",
        422,
        &json!({"error": {"code": "invalid", "message": "name: \"Helped a friend\" is in the list already."}}),
    );
    let text = words(&d.check());
    assert!(
        text.contains("is in the list already") && text.contains("Helped a friend"),
        "{text}"
    );
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('y'));
    d.answer(
        "POST /admin/lists/behaviours",
        201,
        &json!({"id": 3, "name": "Helped a friend", "sentiment": "neutral", "position": 3, "active": true, "uses": 0}),
    );
    assert!(status(&mut d).contains("Added the behaviour \"Helped a friend\""));
    assert!(d.has_call("GET /admin/lists/behaviours"));
    // The list comes back with it, and the selection is on it, ready for the next key.
    let mut reloaded = behaviours();
    reloaded["items"].as_array_mut().unwrap().push(
        json!({"id": 3, "name": "Helped a friend", "sentiment": "neutral", "position": 3, "active": true, "uses": 0}),
    );
    d.answer("GET /admin/lists/behaviours", 200, &reloaded);
    let text = d.check();
    assert!(
        text.lines().any(|l| l.contains('▶') && l.contains("Helped a friend")),
        "{text}"
    );
}

#[test]
fn lists_move_retire_and_bring_back_with_put() {
    let mut d = lists();
    d.press(KeyCode::Char('J'));
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("PUT /admin/lists/behaviours/1"),
        json!({"name": "Kind act", "sentiment": "positive", "position": 2, "active": true})
    );
    d.answer(
        "PUT /admin/lists/behaviours/1",
        200,
        &json!({"id": 1, "name": "Kind act", "sentiment": "positive", "position": 2, "active": true, "uses": 12}),
    );
    assert!(status(&mut d).contains("Moved \"Kind act\" to place 2."));
    d.answer("GET /admin/lists/behaviours", 200, &behaviours());
    d.press(KeyCode::Char('j'));
    d.press(KeyCode::Char('x'));
    let text = words(&d.check());
    assert!(text.contains("Bring \"Shouting out\" back"), "{text}");
    d.press(KeyCode::Char('y'));
    assert_eq!(d.body("PUT /admin/lists/behaviours/2")["active"], json!(true));
}

#[test]
fn bell_times_are_edited_as_periods_and_sent_whole() {
    let mut d = lists();
    for list in ["locations", "incident_categories"] {
        d.press(KeyCode::Tab);
        d.answer(
            &format!("GET /admin/lists/{list}"),
            200,
            &json!({"list": list, "items": []}),
        );
    }
    d.press(KeyCode::Tab);
    d.answer(
        "GET /periods",
        200,
        &json!({"items": [{"number": 1, "name": "Period 1", "starts": "09:00:00", "ends": "09:50:00"}]}),
    );
    let text = words(&d.check());
    assert!(text.contains("Period 1") && text.contains("09:00–09:50"), "{text}");
    d.press(KeyCode::Char('n'));
    d.keys("Period 2");
    d.press(KeyCode::Tab);
    d.keys("9:55");
    d.press(KeyCode::Tab);
    d.keys("25:00");
    d.press(KeyCode::Enter);
    let text = words(&d.check());
    assert!(text.contains("Ends: \"25:00\" is not a time of day"), "{text}");
    for _ in 0..5 {
        d.press(KeyCode::Backspace);
    }
    d.keys("10:45");
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('y'));
    assert_eq!(
        d.body("PUT /admin/bell-times"),
        json!({"items": [{"number": 1, "name": "Period 1", "starts": "09:00:00", "ends": "09:50:00"},
                         {"number": 2, "name": "Period 2", "starts": "09:55:00", "ends": "10:45:00"}]})
    );
    d.answer(
        "PUT /admin/bell-times",
        200,
        &json!({"message": "Saved the bell times (2 periods)."}),
    );
    assert!(status(&mut d).contains("Saved the bell times (2 periods)."));
}

fn audit_row(id: i64) -> Value {
    json!({"id": id, "at": "2026-12-01T09:00:00Z", "actor": "ada@x.test", "actor_id": 1,
           "action": "admin.user.unlock", "target": format!("user:{id}"), "client_addr": "127.0.0.1",
           "outcome": "ok", "detail": ""})
}

fn audit(o: DriverOpts) -> Driver {
    let mut d = signed_in(o);
    d.press(KeyCode::Char('t'));
    d.answer(
        "GET /admin/audit",
        200,
        &json!({"items": (0..30).map(|i| audit_row(10_412 - i)).collect::<Vec<_>>(), "next_cursor": 10_383}),
    );
    d
}

#[test]
fn the_audit_log_shows_the_chain_pages_on_and_filters() {
    let mut d = audit(DriverOpts::default());
    d.answer(
        "GET /admin/audit/verify",
        200,
        &json!({"intact": true, "rows": 10_412, "verified_up_to": 10_412, "head_hash": "ab"}),
    );
    let text = words(&d.check());
    for w in [
        "Audit chain verified up to row 10,412",
        "Audit log (30+ rows)",
        "admin.user.unlock",
        "01/12/26 09:00",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    // Scrolling towards the end asks for the older page, once.
    for _ in 0..20 {
        d.press(KeyCode::Char('j'));
    }
    assert_eq!(
        d.query("GET /admin/audit"),
        [("before".to_string(), "10383".to_string())]
    );
    assert_eq!(d.pending.iter().filter(|c| c.line() == "GET /admin/audit").count(), 1);
    d.answer("GET /admin/audit", 200, &json!({"items": [audit_row(10_383)]}));
    assert!(words(&d.check()).contains("Audit log (31 rows)"));
    // Typed filters, a bad date refused with what to type.
    d.press(KeyCode::Char('/'));
    d.keys("admin.");
    d.press(KeyCode::Tab);
    d.keys("user:7");
    d.press(KeyCode::Tab);
    d.keys("2026-11-01");
    d.press(KeyCode::Enter);
    assert!(words(&d.check()).contains("From: \"2026-11-01\" is not a date"));
    for _ in 0..10 {
        d.press(KeyCode::Backspace);
    }
    d.keys("01/11/26");
    d.press(KeyCode::Tab);
    d.keys("30/11/26");
    d.press(KeyCode::Enter);
    let q = d.query("GET /admin/audit");
    for pair in [
        ("action", "admin."),
        ("target", "user:7"),
        ("from", "2026-11-01"),
        ("to", "2026-11-30"),
    ] {
        assert!(q.contains(&(pair.0.to_string(), pair.1.to_string())), "{q:?}");
    }
    let text = words(&d.check());
    assert!(
        text.contains("action admin.") && text.contains("01/11/26 to 30/11/26"),
        "{text}"
    );
}

#[test]
fn a_broken_chain_is_said_in_the_error_colour() {
    let mut d = audit(DriverOpts::default());
    d.answer(
        "GET /admin/audit/verify",
        200,
        &json!({"intact": false, "rows": 10_412, "verified_up_to": 1000, "first_bad_row": 1001, "head_hash": "ab"}),
    );
    let text = words(&d.check());
    assert!(
        text.contains("Chain broken at row 1,001: verified up to row 1,000"),
        "{text}"
    );
    let buf = d.buffer();
    let y = (0..buf.area.height)
        .find(|&y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("Chain broken")
        })
        .unwrap();
    let x = (0..buf.area.width).find(|&x| buf[(x, y)].symbol() == "C").unwrap();
    assert_eq!(buf[(x, y)].fg, ratatui::style::Color::Red);
}

#[test]
fn the_audit_export_is_asked_first_and_saved_0600_without_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = audit(DriverOpts {
        export_dir: Some(dir.path().to_path_buf()),
        ..DriverOpts::default()
    });
    let csv = "id,at,actor,action\n10412,2026-12-01T09:00:00Z,ada@x.test,'=cmd\n10411,2026-12-01T09:00:00Z,ada@x.test,login\n";
    for _ in 0..2 {
        d.press(KeyCode::Char('w'));
        assert!(words(&d.check()).contains("Export the audit rows"));
        d.press(KeyCode::Char('y'));
        d.answer(
            "GET /admin/audit/export",
            200,
            &json!({"filename": "audit-2026-12-02.csv", "csv": csv, "rows": 2, "truncated": false}),
        );
    }
    let first = dir.path().join("audit-2026-12-02.csv");
    let second = dir.path().join("audit-2026-12-02 (2).csv");
    let text = status(&mut d);
    assert!(
        text.contains(&format!("Saved 2 rows to {}", second.display())),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&first).unwrap(), csv);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&first).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn every_section_says_when_the_window_is_too_small() {
    for key in ['g', 'w', 'l', 't'] {
        let mut d = signed_in(DriverOpts {
            sizes: vec![(40, 12)],
            ..DriverOpts::default()
        });
        d.press(KeyCode::Char(key));
        let text = words(&d.check());
        assert!(text.contains("Window too small"), "{key}: {text}");
    }
}

#[test]
fn the_hub_lists_the_sections_and_help_lists_their_keys() {
    let mut d = signed_in(DriverOpts::default());
    let text = words(&d.check());
    for w in [
        "Staff",
        "Roles",
        "Sessions",
        "Access",
        "Access review",
        "Lists",
        "Audit log",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    d.press(KeyCode::Char('?'));
    let text = words(&d.check());
    assert!(
        text.contains("u Staff: accounts") && text.contains("t Audit log: every change"),
        "the hub's help lists its section letters: {text}"
    );
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('t'));
    d.press(KeyCode::Char('?'));
    let text = words(&d.check());
    assert!(
        text.contains("only one member of staff") && text.contains("check the chain again"),
        "{text}"
    );
}

#[test]
fn a_narrow_hub_cuts_each_purpose_with_an_ellipsis() {
    let mut d = signed_in(DriverOpts {
        sizes: vec![(50, 20)],
        ..DriverOpts::default()
    });
    let text = d.check();
    let staff = text.lines().find(|l| l.contains("Staff")).unwrap();
    assert!(staff.contains('…') && !staff.contains("CSV import"), "{text}");
}
