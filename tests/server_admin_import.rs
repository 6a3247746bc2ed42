//! `POST /admin/users/import` against a real server and database: a dry run creates nothing, a
//! good file creates every account with its own one-time temporary password and an audit row
//! each, one bad row refuses the whole file and names the row, files that are not a CSV of
//! `name,email,role` (or too big) are refused with a sentence, and two admins importing the
//! same file at once create each account once.

mod common;

use bsmart::wire::AuthStep;
use common::{ADMIN, Api, TEACHER};
use futures::future::join_all;
use serde_json::{Value, json};

/// Import `csv` as `token` (a dry run or not).
async fn import(api: &Api, token: &str, csv: &str, dry_run: bool) -> common::Reply {
    api.post(
        "/admin/users/import",
        &json!({ "csv": csv, "dry_run": dry_run }),
        Some(token),
    )
    .await
}

/// The number of accounts.
async fn accounts(api: &Api) -> i64 {
    api.count("SELECT COUNT(*) FROM users").await
}

const GOOD: &str = "name,email,role\n\
                    Ann Lee,Ann.Lee@School.test,staff\n\
                    \"Okafor, Daniel\",d.okafor@school.test,Pastoral lead\n\
                    Priya Shah,p.shah@school.test,DSL\n";

#[tokio::test]
async fn a_dry_run_says_what_would_happen_and_creates_nothing() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let before = accounts(&api).await;
    let mark = api.audit_mark().await;
    let reply = import(&api, &admin, GOOD, true).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let report = reply.json.unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["created"], 0);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["email"], "ann.lee@school.test");
    assert_eq!(rows[1]["display_name"], "Okafor, Daniel");
    assert_eq!(rows[1]["role"], "pastoral_lead");
    assert_eq!(rows[2]["role"], "dsl");
    assert!(
        rows.iter()
            .all(|r| r.get("problem").is_none() && r.get("temporary_password").is_none())
    );
    assert_eq!(accounts(&api).await, before);
    assert!(
        api.audit_since(mark)
            .await
            .iter()
            .all(|r| !r.get("action").starts_with("admin.user"))
    );
}

#[tokio::test]
async fn a_good_file_creates_every_account_with_its_own_temporary_password() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let before = accounts(&api).await;
    let mark = api.audit_mark().await;
    let reply = import(&api, &admin, GOOD, false).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let report = reply.json.unwrap();
    assert_eq!(report["created"], 3);
    assert_eq!(accounts(&api).await, before + 3);
    let passwords: Vec<String> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["temporary_password"].as_str().unwrap().to_string())
        .collect();
    assert!(passwords.iter().all(|p| p.len() >= 20));
    assert_ne!(passwords[0], passwords[1], "each account has its own password");
    let audit = api.audit_since(mark).await;
    assert_eq!(
        audit.iter().filter(|r| r.get("action") == "admin.user.create").count(),
        3
    );
    assert_eq!(
        audit.iter().filter(|r| r.get("action") == "admin.user.import").count(),
        1
    );
    for row in &audit {
        for password in &passwords {
            assert!(
                !row.all_text().contains(&password.to_lowercase()),
                "secret in the audit log"
            );
        }
    }
    let role = api
        .value("SELECT role FROM users WHERE email = 'p.shah@school.test'")
        .await;
    assert_eq!(role, "dsl");
    // Each is a temporary password: the first sign-in must change it.
    match api.login("ann.lee@school.test", &passwords[0]).await.step() {
        AuthStep::PasswordChangeRequired { .. } => {}
        other => panic!("wanted a forced change, got {other:?}"),
    }
    // Imported again, every row is refused as existing and nothing more is made.
    let again = import(&api, &admin, GOOD, false).await.json.unwrap();
    assert_eq!(again["created"], 0);
    assert!(
        again["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["problem"].as_str().unwrap().contains("already exists"))
    );
    assert_eq!(accounts(&api).await, before + 3);
}

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file_and_is_named() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let before = accounts(&api).await;
    let cases: &[(&str, &str)] = &[
        ("Bad Email,not-an-email,staff", "email"),
        ("Head,head@school.test,headteacher", "role"),
        ("\u{1b}[2JWiper,wiper@school.test,staff", "name"),
        ("Ann Again,ANN.LEE@school.test,staff", "earlier line"),
        (",blank@school.test,staff", "name"),
        ("Existing,teacher@demo.test,staff", "already exists"),
    ];
    for (row, problem) in cases {
        let csv = format!("{GOOD}{row}\n");
        let reply = import(&api, &admin, &csv, false).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let report = reply.json.unwrap();
        assert_eq!(report["created"], 0, "{row}");
        let rows = report["rows"].as_array().unwrap();
        let last = rows.last().unwrap();
        assert_eq!(last["line"], 5, "{row}");
        let said = last["problem"].as_str().unwrap_or_default();
        assert!(said.contains(problem), "{row}: {said}");
        assert!(rows[..3].iter().all(|r| r.get("problem").is_none()));
        assert!(!reply.text.contains('\u{1b}'), "an escape is never echoed");
    }
    assert_eq!(accounts(&api).await, before, "nothing was created");
}

#[tokio::test]
async fn files_that_are_not_a_csv_of_accounts_are_refused_with_a_sentence() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let many: String = (0..201).map(|i| format!("Name {i},n{i}@school.test,staff\n")).collect();
    let cases = [
        "".to_string(),
        "name,email,role\n".to_string(),
        "Ann Lee,ann@school.test,staff\n".to_string(),
        "name,email\nAnn Lee,ann@school.test\n".to_string(),
        format!("name,email,role\n{many}"),
    ];
    for csv in &cases {
        let reply = import(&api, &admin, csv, true).await;
        reply.assert_error(422, "invalid_request");
        assert!(reply.envelope().error.message.ends_with('.'), "{}", reply.text);
    }
    let wrong = api
        .post(
            "/admin/users/import",
            &json!({ "csv": 7, "dry_run": "yes" }),
            Some(&admin),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    // Over 1 MiB is refused before it is read; 200 rows at the limit are fine.
    let huge = format!("name,email,role\n{}", "x".repeat(1024 * 1024 + 1));
    assert_eq!(import(&api, &admin, &huge, true).await.status, 413);
    let most: String = (0..200).map(|i| format!("Name {i},n{i}@school.test,staff\n")).collect();
    let fine = import(&api, &admin, &format!("name,email,role\n{most}"), true).await;
    assert_eq!(fine.status, 200, "{}", fine.text);
    // A member of staff may not import.
    let teacher = api.sign_in(TEACHER).await;
    assert_eq!(import(&api, &teacher, GOOD, true).await.status, 403);
}

/// Two admins send the same file at once, four times over: every account exists once, and each
/// import made all of its accounts or none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_imports_of_one_file_create_each_account_once() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let before = accounts(&api).await;
    let replies: Vec<common::Reply> = join_all((0..4).map(|_| import(&api, &admin, GOOD, false))).await;
    let created: Vec<i64> = replies
        .iter()
        .map(|r| match r.status {
            200 => r.json.as_ref().map_or(0, |j: &Value| j["created"].as_i64().unwrap()),
            409 => 0,
            other => panic!("unexpected {other}: {}", r.text),
        })
        .collect();
    assert!(
        created.iter().all(|c| *c == 0 || *c == 3),
        "all or nothing: {created:?}"
    );
    assert_eq!(created.iter().sum::<i64>(), 3, "{created:?}");
    assert_eq!(accounts(&api).await, before + 3);
}
