//! The setting's sections of Administration (issue 12) in the real client against a real
//! server on loopback at 80x24: ending a session, the roles table, granting access, key staff,
//! the yearly access review, the behaviour list, the bell times and the audit log's export. Each change is asked first
//! on screen and then seen through the API as the people it affects would see it.

mod admin_support;
mod client_support;
mod common;

use admin_support::{admin_client, open_section};
use client_support::{Harness, words};
use common::{Api, TEACHER};
use crossterm::event::KeyCode;

/// On a list whose `e`/`y`-style key asks about the selected row: move down until `key` asks
/// a question containing `wanted`, answering no to the others; the question asked.
async fn ask_about(h: &mut Harness, key: char, wanted: &str) -> String {
    for _ in 0..12 {
        h.press(KeyCode::Char(key));
        let text = h.wait_words("?").await;
        if text.contains(wanted) {
            return text;
        }
        h.press(KeyCode::Char('n'));
        h.press(KeyCode::Char('j'));
    }
    panic!("no row asked about {wanted}; the screen was:\n{}", h.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_the_teachers_session_signs_them_out_there_only() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let mut h = admin_client(&api).await;
    let text = open_section(&mut h, 'x', "Sessions (").await;
    assert!(
        text.contains("Sarah Whitfield") && text.contains("(you, here)"),
        "{text}"
    );
    ask_about(&mut h, 'e', "End Sarah Whitfield's session from 127.0.0.1").await;
    assert_eq!(api.me(&teacher).await.status, 200, "nothing happens before y");
    h.press(KeyCode::Char('y'));
    h.wait_words("Ended Sarah Whitfield's session.").await;
    api.me(&teacher).await.assert_error(401, "unauthenticated");
    let text = h.wait_words("Sessions (1)").await;
    assert_eq!(
        text.matches("Sarah Whitfield").count(),
        1,
        "only the status line names her: {text}"
    );
    let ended = "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.session.end' AND outcome = 'success'";
    assert_eq!(api.count(ended).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_roles_table_counts_the_accounts_of_each_role() {
    let api = Api::start().await;
    let mut h = admin_client(&api).await;
    let top = open_section(&mut h, 'o', "accounts)").await;
    assert!(top.contains("Roles (more below: j/↓)"), "{top}");
    h.press(KeyCode::Char('G'));
    let bottom = words(&h.text());
    assert!(
        bottom.contains("Admin (") && !bottom.contains("more below"),
        "the last role can be scrolled to: {bottom}"
    );
    let text = format!("{top} {bottom}");
    for (role, label) in [("dsl", "DSL"), ("pastoral_lead", "Pastoral lead"), ("admin", "Admin")] {
        let n = api
            .count(&format!(
                "SELECT COUNT(*) FROM users WHERE role = '{role}' AND active = 1"
            ))
            .await;
        let accounts = if n == 1 {
            "1 account".to_string()
        } else {
            format!("{n} accounts")
        };
        assert!(text.contains(&format!("{label} ({accounts})")), "{label}: {text}");
    }
    assert!(text.contains("delete incidents"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granting_a_tutor_group_lets_the_teacher_open_its_pupils() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let admin = api.sign_in(common::ADMIN).await;
    // The first group or year the picker offers that holds a pupil the teacher cannot open.
    let groups = api.get("/admin/access/groups", Some(&admin)).await;
    let groups = groups.json.unwrap()["items"].as_array().unwrap().clone();
    let mut target = None;
    for (at, g) in groups.iter().enumerate() {
        let column = if g["scope"] == "year" {
            "year_group"
        } else {
            "group_name"
        };
        let name = g["name"].as_str().unwrap();
        let pupil = api
            .count(&format!(
                "SELECT COALESCE(MAX(id), 0) FROM individuals WHERE {column} = '{name}'
                 AND id NOT IN (SELECT individual_id FROM access_permissions WHERE user_id = 3)"
            ))
            .await;
        if pupil > 0 && api.get(&format!("/individuals/{pupil}"), Some(&teacher)).await.status == 404 {
            target = Some((at, g.clone(), pupil));
            break;
        }
    }
    let (at, group, pupil) = target.expect("a group with a pupil the teacher cannot see");
    let mut h = admin_client(&api).await;
    open_section(&mut h, 'g', "Access").await;
    h.type_text("whitfield");
    h.wait_words("Whose access? (1 of").await;
    h.press(KeyCode::Enter);
    h.wait_words("Can see").await;
    h.press(KeyCode::Char('a'));
    h.wait_words("Grant which group or year?").await;
    for _ in 0..at {
        h.press(KeyCode::Char('j'));
    }
    h.press(KeyCode::Enter);
    let name = group["name"].as_str().unwrap();
    h.wait_words(&format!(
        "Let Sarah Whitfield see {} {name}",
        group["scope"].as_str().unwrap()
    ))
    .await;
    assert_eq!(
        api.get(&format!("/individuals/{pupil}"), Some(&teacher)).await.status,
        404
    );
    h.press(KeyCode::Char('y'));
    h.wait_words("Sarah Whitfield may now see").await;
    assert_eq!(
        api.get(&format!("/individuals/{pupil}"), Some(&teacher)).await.status,
        200,
        "the grant applies to the teacher's live session"
    );
    let granted = "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.access.grant' AND target = 'user:3'";
    assert_eq!(api.count(granted).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_a_member_of_staffs_access_records_the_review() {
    let api = Api::start().await;
    let mut h = admin_client(&api).await;
    let text = open_section(&mut h, 'w', "Access review (").await;
    let due: i64 = text
        .split("Access review (")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("how many are due: {text}"));
    h.press(KeyCode::Char('y'));
    let asked = h.wait_words("Confirm that").await;
    let name = asked
        .split("Confirm that ")
        .nth(1)
        .and_then(|t| t.split("'s access").next())
        .unwrap()
        .to_string();
    let reviews = format!(
        "SELECT COUNT(*) FROM access_reviews r JOIN users u ON u.id = r.user_id
         WHERE u.display_name = '{name}' AND r.confirmed_by = 1"
    );
    assert_eq!(api.count(&reviews).await, 0, "nothing before the second y");
    h.press(KeyCode::Char('y'));
    h.wait_words(&format!("Confirmed what {name} sees")).await;
    assert_eq!(api.count(&reviews).await, 1);
    h.wait_words(&format!("Access review ({} due)", due - 1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_behaviour_added_then_retired_comes_and_goes_from_the_clicker_list() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let offered = |r: common::Reply| {
        r.json.unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "Helped a friend")
    };
    let mut h = admin_client(&api).await;
    open_section(&mut h, 'l', "Behaviours").await;
    h.press(KeyCode::Char('n'));
    h.type_text("Helped a friend");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Enter);
    h.wait_words("Add the behaviour \"Helped a friend\"").await;
    assert!(!offered(api.get("/behaviours", Some(&teacher)).await));
    h.press(KeyCode::Char('y'));
    h.wait_words("Added the behaviour \"Helped a friend\"").await;
    assert!(
        offered(api.get("/behaviours", Some(&teacher)).await),
        "the clicker offers it"
    );
    // The selection follows the new entry once the list comes back.
    h.wait_for("the new entry selected", |t| {
        t.lines().any(|l| l.contains('▶') && l.contains("Helped a friend"))
    })
    .await;
    h.press(KeyCode::Char('x'));
    h.wait_words("Retire \"Helped a friend\"?").await;
    h.press(KeyCode::Char('y'));
    h.wait_words("Retired \"Helped a friend\"").await;
    assert!(
        !offered(api.get("/behaviours", Some(&teacher)).await),
        "a retired behaviour is no longer offered"
    );
    let kept = "SELECT COUNT(*) FROM behaviours WHERE name = 'Helped a friend'";
    assert_eq!(api.count(kept).await, 1, "retired, not deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_export_is_a_0600_csv_of_the_rows_and_is_itself_audited() {
    let api = Api::start().await;
    let mut h = admin_client(&api).await;
    open_section(&mut h, 't', "Audit log (").await;
    h.wait_words("verified up to row").await;
    h.press(KeyCode::Char('w'));
    h.wait_words("Export the audit rows").await;
    h.press(KeyCode::Char('y'));
    let text = h.wait_words("Saved").await;
    let files: Vec<_> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        text.contains(&files[0].display().to_string()),
        "the path is shown: {text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut reader = csv::Reader::from_path(&files[0]).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert!(headers.iter().any(|h| h == "action"), "{headers:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let action = headers.iter().position(|h| h == "action").unwrap();
    assert!(
        rows.iter().any(|r| &r[action] == "login.totp"),
        "the admin's own sign-in is there"
    );
    assert!(text.contains(&format!("Saved {} rows", rows.len())), "{text}");
    let exported = "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.audit.export' AND outcome = 'success'";
    assert_eq!(api.count(exported).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_teacher_as_key_staff_is_asked_then_recorded() {
    let api = Api::start().await;
    let key_staff = "SELECT COUNT(*) FROM key_staff WHERE user_id = 3";
    let before = api.count(key_staff).await;
    assert!(before > 0, "the demo teacher is key staff of some pupils");
    let mut h = admin_client(&api).await;
    open_section(&mut h, 'g', "Access").await;
    h.type_text("whitfield");
    h.wait_words("Whose access? (1 of").await;
    h.press(KeyCode::Enter);
    h.wait_words(&format!("Key staff of ({before})")).await;
    h.press(KeyCode::Tab);
    h.press(KeyCode::Char('x'));
    h.wait_words("Sarah Whitfield stops being key staff of").await;
    assert_eq!(api.count(key_staff).await, before, "nothing before y");
    h.press(KeyCode::Char('y'));
    h.wait_words(&format!("Key staff of ({})", before - 1)).await;
    assert_eq!(api.count(key_staff).await, before - 1);
    let removed = "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.key_staff.remove' AND outcome = 'success'";
    assert_eq!(api.count(removed).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seventh_period_added_is_the_teachers_to_backdate_to() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let periods = |r: common::Reply| r.json.unwrap()["items"].as_array().unwrap().clone();
    assert_eq!(periods(api.get("/periods", Some(&teacher)).await).len(), 6);
    let mut h = admin_client(&api).await;
    open_section(&mut h, 'l', "Behaviours").await;
    for _ in 0..3 {
        h.press(KeyCode::Tab);
    }
    h.wait_words("Period 6").await;
    h.press(KeyCode::Char('n'));
    h.type_text("Period 7");
    h.press(KeyCode::Tab);
    h.type_text("16:05");
    h.press(KeyCode::Tab);
    h.type_text("16:55");
    h.press(KeyCode::Enter);
    h.wait_words("?").await;
    assert_eq!(
        periods(api.get("/periods", Some(&teacher)).await).len(),
        6,
        "nothing before y"
    );
    h.press(KeyCode::Char('y'));
    h.wait_words("The school day now has 7 periods.").await;
    h.wait_for("the new period selected", |t| {
        t.lines().any(|l| l.contains('▶') && l.contains("Period 7"))
    })
    .await;
    let now = periods(api.get("/periods", Some(&teacher)).await);
    assert_eq!(now.len(), 7);
    assert_eq!(now[6]["name"], "Period 7");
    assert_eq!(now[6]["starts"], "16:05:00");
    let saved = "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.bell_times.replace' AND outcome = 'success'";
    assert_eq!(api.count(saved).await, 1);
}
