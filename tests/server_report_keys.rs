//! Report keys (SECURITY.md rule 44) and `bsmart report` from a shell: a key reads exactly the
//! reports its member of staff may read, only on `/reports`, until it expires or is revoked or
//! its account is disabled; every use and every refusal is audited; the real binary prints the
//! report as CSV or JSON from a key file that only its owner can read, and refuses any other.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use bsmart::server::report_keys::{MOST_DAYS, issue, revoke};
use bsmart::wire::Report;
use common::*;
use secrecy::ExposeSecret;

/// A key for `email`, issued now (by the server's clock).
async fn key_for(api: &Api, email: &str) -> (i64, String) {
    let now = api.clock().now().timestamp();
    let issued = issue(&api.srv.store, email, "governors' return", 30, "test", now)
        .await
        .unwrap();
    (issued.id, issued.key.expose_secret().to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_reads_what_its_member_of_staff_may_read_and_nothing_else() {
    let api = Api::start().await;
    let (id, key) = key_for(&api, TEACHER.email).await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let path = "/reports/global?by=individual&from=2025-12-01&to=2026-11-30";
    let through_key = api.get(path, Some(&key)).await;
    assert_eq!(through_key.status, 200, "{}", through_key.text);
    let as_teacher = api.get(path, Some(&teacher)).await;
    let as_lead = api.get(path, Some(&lead)).await;
    assert_eq!(
        through_key.json, as_teacher.json,
        "the key reads as its member of staff"
    );
    assert_ne!(through_key.json, as_lead.json, "not as anyone who sees more");
    for other in ["/me", "/incidents", "/individuals", "/notifications", "/admin/users"] {
        api.get(other, Some(&key)).await.assert_error(401, "unauthenticated");
    }
    let rows = api.audit().await;
    let used = rows
        .iter()
        .find(|r| r.get("action") == "report.view" && r.get("detail").contains(&format!("via=report_key:{id}")))
        .expect("the use is audited with the key");
    assert_eq!(used.get("actor"), TEACHER.email);
    assert!(!used.all_text().contains(&key), "the key itself is never written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_or_expired_key_or_one_of_a_disabled_account_is_refused_and_audited() {
    let api = Api::start().await;
    let (id, key) = key_for(&api, TEACHER.email).await;
    assert_eq!(api.get("/reports/clicker", Some(&key)).await.status, 200);
    let now = api.clock().now().timestamp();
    assert!(revoke(&api.srv.store, id, "test", now).await.unwrap());
    assert!(!revoke(&api.srv.store, id, "test", now).await.unwrap(), "revoked once");
    api.get("/reports/clicker", Some(&key))
        .await
        .assert_error(401, "unauthenticated");

    let (_, key) = key_for(&api, TEACHER.email).await;
    api.advance(31 * 86_400);
    api.get("/reports/clicker", Some(&key))
        .await
        .assert_error(401, "unauthenticated");

    let (_, key) = key_for(&api, LEAD.email).await;
    assert_eq!(api.get("/reports/clicker", Some(&key)).await.status, 200);
    execute_sql(
        &api.srv.db_path,
        "UPDATE users SET active = 0 WHERE email = 'lead@demo.test'",
    )
    .await;
    api.get("/reports/clicker", Some(&key))
        .await
        .assert_error(401, "unauthenticated");
    api.get("/reports/clicker", Some("bsrk_not-a-key"))
        .await
        .assert_error(401, "unauthenticated");

    let reasons: Vec<String> = api
        .audit()
        .await
        .iter()
        .filter(|r| r.get("action") == "report_key.rejected")
        .map(|r| r.get("detail").to_string())
        .collect();
    for reason in [
        "revoked key",
        "expired key",
        "account locked, disabled or expired",
        "unknown key",
    ] {
        assert!(reasons.iter().any(|r| r == reason), "{reason} not in {reasons:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_lives_a_year_at_most_and_says_what_it_is_for() {
    let api = Api::start().await;
    let now = api.clock().now().timestamp();
    let store = &api.srv.store;
    let long = issue(store, TEACHER.email, "return", MOST_DAYS + 1, "test", now)
        .await
        .unwrap_err();
    assert!(long.contains("a year at most"), "{long}");
    let empty = issue(store, TEACHER.email, " ", 30, "test", now).await.unwrap_err();
    assert!(empty.contains("what the key is for"), "{empty}");
    let nobody = issue(store, "nobody@demo.test", "return", 30, "test", now)
        .await
        .unwrap_err();
    assert!(nobody.contains("no active account"), "{nobody}");
    let stored = api.count("SELECT COUNT(*) FROM report_keys").await;
    assert_eq!(stored, 0, "nothing was issued");
    let (_, key) = key_for(&api, TEACHER.email).await;
    let hashes = api.value("SELECT key_hash FROM report_keys").await;
    assert!(!hashes.contains(&key) && hashes.len() == 64, "stored as a hash");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_uses_is_each_audited() {
    let api = Api::start().await;
    let (id, key) = key_for(&api, TEACHER.email).await;
    let mark = api.audit_mark().await;
    let replies = futures::future::join_all((0..20).map(|_| api.get("/reports/communication", Some(&key)))).await;
    assert!(replies.iter().all(|r| r.status == 200));
    let uses = api
        .audit_since(mark)
        .await
        .iter()
        .filter(|r| r.get("detail").contains(&format!("via=report_key:{id}")))
        .count();
    assert_eq!(uses, 20);
}

/// A config file for the binary naming `server` and the key file `key`.
fn config(dir: &std::path::Path, server: &str, key: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!("server_url = \"{server}\"\nreport_key_file = \"{}\"\n", key.display()),
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_prints_a_report_from_a_private_key_file_and_refuses_a_readable_one() {
    let api = Api::start().await;
    let (_, key) = key_for(&api, TEACHER.email).await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("report.key");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = config(dir.path(), &api.srv.url, &key_file);
    let run = |args: &[&str]| {
        let cfg = cfg.clone();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        async move {
            tokio::task::spawn_blocking(move || {
                Command::new(env!("CARGO_BIN_EXE_bsmart"))
                    .arg("report")
                    .args(&args)
                    .arg("--config")
                    .arg(&cfg)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let csv = run(&["global", "--from", "2025-12-01", "--to", "2026-11-30"]).await;
    assert!(csv.status.success(), "{}", String::from_utf8_lossy(&csv.stderr));
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with("Category,Incidents,Previous,Change %\n"), "{text}");
    let printout = run(&["global", "--text", "--from", "2025-12-01", "--to", "2026-11-30"]).await;
    assert!(
        printout.status.success(),
        "{}",
        String::from_utf8_lossy(&printout.stderr)
    );
    let printout = String::from_utf8(printout.stdout).unwrap();
    assert!(
        printout.contains("01/12/2025") && printout.contains("30/11/2026"),
        "UK dates: {printout}"
    );
    let first_row = text.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    assert!(printout.contains(&first_row), "the CSV's rows: {printout}");
    assert!(
        printout.lines().any(|l| l.starts_with("---")),
        "a ruled table: {printout}"
    );
    let json = run(&["clicker", "--json", "--by", "hour"]).await;
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let report: Report = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report.rows.len(), 24);
    let bad = run(&["global", "--from", "2026-13-01"]).await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
    assert!(!text.contains(&key), "the key is never printed");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let readable = run(&["global"]).await;
    assert!(!readable.status.success());
    let said = String::from_utf8_lossy(&readable.stderr);
    assert!(said.contains("chmod 600") && !said.contains(&key), "{said}");
}
