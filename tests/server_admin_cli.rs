//! The real `bsmart admin backup / restore / retention / subject-access` binary against a real
//! database (the test server's, seeded with demo data): a backup taken while clicks are being
//! written is consistent and private, a restore refuses a tampered or foreign file, the
//! retention rule removes only what is due and audits counts, and a subject access export holds
//! one individual's records and no other individual's name.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::*;
use serde_json::{Value, json};

/// Run `bsmart admin ARGS…` (the real binary) off the async runtime.
async fn admin(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bsmart"))
            .arg("admin")
            .args(&args)
            .output()
            .expect("run bsmart")
    })
    .await
    .unwrap()
}

/// Stdout of a run that must succeed.
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr of a run that must fail.
fn refused(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn text(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// Every individual's full name in the database.
async fn all_names(db: &Path) -> Vec<(i64, String)> {
    query_text(db, "SELECT id, first_name || ' ' || last_name FROM individuals")
        .await
        .into_iter()
        .map(|row| (row[0].1.parse().unwrap(), row[1].1.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_clicks_are_written_is_consistent_private_and_never_overwrites() {
    let api = Arc::new(Api::start().await);
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let stop = Arc::new(AtomicBool::new(false));
    let posted = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (api, teacher, stop, posted) = (api.clone(), teacher.clone(), stop.clone(), posted.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let at = api.clock().now();
                    let body = json!({ "id": uuid::Uuid::new_v4(), "individual_id": seen, "behaviour_id": 1, "occurred_at": at });
                    let reply = api.post("/clicks", &body, Some(&teacher)).await;
                    assert!(reply.status < 300, "a click failed: {}", reply.status);
                    posted.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while posted.load(Ordering::Relaxed) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let out = admin(&["backup", "--db", &text(&api.srv.db_path), "--to", &text(&copy)]).await;
    let during = posted.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let printed = ok(&out);
    assert!(
        printed.starts_with(&format!("Backed up to {}: ", copy.display())),
        "{printed}"
    );
    assert!(printed.contains("audit rows, chain verified up to row"), "{printed}");
    assert!(
        posted.load(Ordering::Relaxed) > during || during > 20,
        "no click was written around the backup"
    );
    assert_eq!(mode(&copy), 0o600, "the backup is not private");
    let check = query_text(&copy, "PRAGMA integrity_check").await;
    assert_eq!(check[0][0].1, "ok");
    // Every click in the copy has its audit row: the copy is one moment of the database.
    let clicks = query_text(&copy, "SELECT COUNT(*) FROM clicks").await[0][0].1.clone();
    assert!(clicks.parse::<i64>().unwrap() > 0);
    ok(&admin(&["verify-audit", "--db", &text(&copy)]).await);
    let head = query_text(&copy, "SELECT id FROM audit_log ORDER BY id DESC LIMIT 1").await[0][0]
        .1
        .clone();
    assert!(
        printed.contains(&format!("up to row {}", head.parse::<u64>().unwrap())) || head.len() > 3,
        "{printed}"
    );

    let before = std::fs::read(&copy).unwrap();
    let again = refused(&admin(&["backup", "--db", &text(&api.srv.db_path), "--to", &text(&copy)]).await);
    assert!(again.contains("already exists"), "{again}");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "an existing file was overwritten"
    );
    let missing = refused(
        &admin(&[
            "backup",
            "--db",
            &text(&dir.path().join("nope.db")),
            "--to",
            &text(&dir.path().join("x.db")),
        ])
        .await,
    );
    assert!(missing.contains("there is no database"), "{missing}");
    let nowhere = refused(
        &admin(&[
            "backup",
            "--db",
            &text(&api.srv.db_path),
            "--to",
            &text(&dir.path().join("no/dir/x.db")),
        ])
        .await,
    );
    assert!(nowhere.contains("folder does not exist"), "{nowhere}");
}

/// A burst of backups, as two admins (or a cron job and an admin) might start at once: to one
/// path, exactly one wins and the others are refused without touching its file; to separate
/// paths, every copy is whole and verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_backups_never_share_or_spoil_a_file() {
    let api = Api::start().await;
    api.sign_in(TEACHER).await;
    let db = text(&api.srv.db_path);
    let dir = tempfile::tempdir().unwrap();
    let same = text(&dir.path().join("same.db"));
    let runs = (0..4).map(|_| {
        let args = ["backup", "--db", db.as_str(), "--to", same.as_str()];
        async move { admin(&args).await }
    });
    let outs = futures::future::join_all(runs).await;
    let won: Vec<_> = outs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(won.len(), 1, "one backup of four to the same path wins");
    for lost in outs.iter().filter(|o| !o.status.success()) {
        assert!(refused(lost).contains("already exists"), "{}", refused(lost));
    }
    assert_eq!(mode(Path::new(&same)), 0o600);
    assert_eq!(
        query_text(Path::new(&same), "PRAGMA integrity_check").await[0][0].1,
        "ok"
    );
    ok(&admin(&["verify-audit", "--db", &same]).await);

    let paths: Vec<String> = (0..3).map(|i| text(&dir.path().join(format!("own-{i}.db")))).collect();
    let runs = paths.iter().map(|to| {
        let args = ["backup", "--db", db.as_str(), "--to", to.as_str()];
        async move { admin(&args).await }
    });
    for out in futures::future::join_all(runs).await {
        let printed = ok(&out);
        assert!(printed.contains("chain verified up to row"), "{printed}");
    }
    for to in &paths {
        assert_eq!(mode(Path::new(to)), 0o600);
        ok(&admin(&["verify-audit", "--db", to]).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_refuses_a_tampered_chain_a_foreign_file_and_an_existing_target_without_force() {
    let api = Api::start().await;
    for _ in 0..3 {
        api.sign_in(TEACHER).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    let printed = ok(&admin(&["backup", "--db", &text(&api.srv.db_path), "--to", &text(&backup)]).await);
    assert!(!printed.contains(" 0 audit rows"), "{printed}");

    let tampered = dir.path().join("tampered.db");
    std::fs::copy(&backup, &tampered).unwrap();
    execute_sql(&tampered, "DROP TRIGGER audit_log_no_update").await;
    execute_sql(&tampered, "UPDATE audit_log SET actor = 'nobody' WHERE id = 2").await;
    let target = dir.path().join("restored.db");
    let broken = refused(&admin(&["restore", "--from", &text(&tampered), "--db", &text(&target)]).await);
    assert!(broken.contains("audit row 2"), "{broken}");
    assert!(!target.exists(), "a refused restore left a database");

    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "not a database at all, just some text ".repeat(200)).unwrap();
    let not_db = refused(&admin(&["restore", "--from", &text(&foreign), "--db", &text(&target)]).await);
    assert!(not_db.contains("not a bsmart database"), "{not_db}");
    let other = dir.path().join("other.db");
    std::fs::write(&other, "").unwrap();
    execute_sql(&other, "CREATE TABLE x (y)").await;
    let not_ours = refused(&admin(&["restore", "--from", &text(&other), "--db", &text(&target)]).await);
    assert!(not_ours.contains("not a bsmart database"), "{not_ours}");

    let printed = ok(&admin(&["restore", "--from", &text(&backup), "--db", &text(&target)]).await);
    assert!(printed.contains("Restored"), "{printed}");
    assert_eq!(mode(&target), 0o600);
    let exists = refused(&admin(&["restore", "--from", &text(&backup), "--db", &text(&target)]).await);
    assert!(exists.contains("--force"), "{exists}");
    let forced = ok(&admin(&["restore", "--from", &text(&backup), "--db", &text(&target), "--force"]).await);
    let kept = dir.path().join("restored.db.before-restore");
    assert!(forced.contains("before-restore"), "{forced}");
    assert_eq!(mode(&kept), 0o600, "the replaced database is not private");
    let last = audit_rows(&target).await.pop().unwrap();
    assert_eq!((last.get("action"), last.get("outcome")), ("admin.restore", "success"));
    ok(&admin(&["verify-audit", "--db", &text(&target)]).await);
    let twice = refused(&admin(&["restore", "--from", &text(&backup), "--db", &text(&target), "--force"]).await);
    assert!(twice.contains("earlier restore"), "{twice}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_removes_only_what_is_due_in_one_audited_run_with_counts_only() {
    let api = Api::start().await;
    let db = api.srv.db_path.clone();
    let names = all_names(&db).await;
    // Individual A: everything about them is over 75 years old (backdated to 1930). B shares a
    // 1930 report with C, whose records are recent: B is held back whole.
    let reported = query_text(
        &db,
        "SELECT DISTINCT individual_id FROM incidents ORDER BY individual_id LIMIT 2",
    )
    .await;
    let (a, b): (i64, i64) = (reported[0][0].1.parse().unwrap(), reported[1][0].1.parse().unwrap());
    let c = names.iter().map(|(id, _)| *id).find(|id| *id != a && *id != b).unwrap();
    let old = -1_262_304_000i64; // 01/01/1930
    for sql in [
        // A and B appear on their own reports only (the demo's reports name others too).
        format!("DELETE FROM incident_individuals WHERE individual_id IN ({a}, {b}) AND incident_id IN (SELECT id FROM incidents WHERE individual_id NOT IN ({a}, {b}))"),
        format!("UPDATE incidents SET individual_id = {c} WHERE individual_id IN ({a}, {b}) AND id IN (SELECT incident_id FROM incident_individuals WHERE individual_id NOT IN ({a}, {b}) AND role = 'subject')"),
        format!("DELETE FROM incident_individuals WHERE individual_id NOT IN ({a}, {b}) AND incident_id IN (SELECT id FROM incidents WHERE individual_id IN ({a}, {b}))"),
        format!("UPDATE smart_plans SET source_incident_id = NULL WHERE individual_id IN ({a}, {b})"),
        format!("UPDATE individuals SET created_at = {old} WHERE id IN ({a}, {b})"),
        format!("UPDATE clicks SET occurred_at = {old}, recorded_at = {old} WHERE individual_id IN ({a}, {b})"),
        format!("UPDATE communications SET created_at = {old} WHERE individual_id IN ({a}, {b})"),
        format!(
            "UPDATE communication_responses SET created_at = {old} WHERE communication_id IN
             (SELECT id FROM communications WHERE individual_id IN ({a}, {b}))"
        ),
        format!("UPDATE smart_plans SET created_at = {old}, updated_at = {old}, deleted_at = NULL WHERE individual_id IN ({a}, {b})"),
        format!(
            "UPDATE incidents SET occurred_at = {old}, created_at = {old}, updated_at = {old}, parents_informed_at = NULL,
             flagged_at = NULL, deleted_at = NULL, retain_until = {old} WHERE id IN
             (SELECT incident_id FROM incident_individuals WHERE individual_id IN ({a}, {b})) OR individual_id IN ({a}, {b})"
        ),
        format!("DELETE FROM incident_individuals WHERE individual_id = {c}"),
        format!(
            "INSERT INTO incident_individuals (incident_id, individual_id, role)
             SELECT id, {c}, 'involved' FROM incidents WHERE individual_id = {b} LIMIT 1"
        ),
        // A deactivated account last used in 2010, and an active one never signed in since then.
        "UPDATE users SET active = 0, deactivated_at = 1262304000, created_at = 1262304000, password_changed_at = 1262304000
         WHERE email = 'newstarter@demo.test'"
            .to_string(),
        "UPDATE sessions SET created_at = 1262304000, last_seen_at = 1262304000 WHERE user_id =
         (SELECT id FROM users WHERE email = 'newstarter@demo.test')"
            .to_string(),
        "UPDATE users SET created_at = 1262304000, password_changed_at = 1262304000 WHERE email = 'lead@demo.test'".to_string(),
    ] {
        execute_sql(&db, &sql).await;
    }
    // C's involvement makes B's shared report theirs too; make sure B has one.
    let shared = api
        .count(&format!(
            "SELECT COUNT(*) FROM incident_individuals WHERE individual_id = {c}"
        ))
        .await;
    let a_records = api
        .count(&format!(
            "SELECT (SELECT COUNT(*) FROM clicks WHERE individual_id = {a}) + (SELECT COUNT(*) FROM incidents WHERE individual_id = {a})"
        ))
        .await;
    let individuals = api.count("SELECT COUNT(*) FROM individuals").await;

    let dry = ok(&admin(&["retention", "--db", &text(&db), "--dry-run"]).await);
    assert!(dry.contains("dry run, nothing deleted"), "{dry}");
    assert_eq!(
        api.count("SELECT COUNT(*) FROM individuals").await,
        individuals,
        "a dry run deleted"
    );
    let mark = api.audit_mark().await;
    let applied = ok(&admin(&["retention", "--db", &text(&db)]).await);
    assert_eq!(
        dry.lines().skip(1).take(13).collect::<Vec<_>>(),
        applied.lines().skip(1).take(13).collect::<Vec<_>>()
    );
    for (_, name) in &names {
        assert!(
            !dry.contains(name.as_str()) && !applied.contains(name.as_str()),
            "a name was printed: {name}"
        );
    }
    assert!(shared > 0, "the fixture did not make C share B's report");
    assert!(a_records > 0, "the fixture gave A no records");
    let expected_gone = 1;
    assert_eq!(
        api.count("SELECT COUNT(*) FROM individuals").await,
        individuals - expected_gone,
        "{applied}"
    );
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM individuals WHERE id = {a}"))
            .await,
        0
    );
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM clicks WHERE individual_id = {a}"))
            .await,
        0
    );
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM incidents WHERE individual_id = {a}"))
            .await,
        0
    );
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM individuals WHERE id = {c}"))
            .await,
        1
    );
    if shared > 0 {
        assert_eq!(
            api.count(&format!("SELECT COUNT(*) FROM individuals WHERE id = {b}"))
                .await,
            1,
            "B was not held back"
        );
        assert!(applied.contains("individuals held back"), "{applied}");
    }
    // The old deactivated account is anonymised; the active one is untouched.
    assert_eq!(
        api.count("SELECT COUNT(*) FROM users WHERE email = 'newstarter@demo.test'")
            .await,
        0
    );
    assert_eq!(
        api.count("SELECT COUNT(*) FROM users WHERE email LIKE 'retired-%@retention.invalid' AND active = 0")
            .await,
        1
    );
    assert_eq!(
        api.count("SELECT COUNT(*) FROM users WHERE email = 'lead@demo.test' AND active = 1")
            .await,
        1
    );
    assert_eq!(
        api.count("SELECT COUNT(*) FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email LIKE 'retired-%')")
            .await,
        0
    );
    let rows = api.audit_since(mark).await;
    let row = rows
        .iter()
        .find(|r| r.get("action") == "retention.applied")
        .expect("no retention.applied row");
    assert!(
        row.get("detail").contains("policy 9.6") && row.get("detail").contains("individuals"),
        "{}",
        row.get("detail")
    );
    for (_, name) in &names {
        assert!(!row.all_text().contains(name.as_str()), "the audit row names {name}");
    }
    ok(&admin(&["verify-audit", "--db", &text(&db)]).await);
    // A second run finds nothing new and still audits that it ran.
    let again = ok(&admin(&["retention", "--db", &text(&db)]).await);
    assert!(again.contains("accounts anonymised") && again.contains(" 0"), "{again}");
    let login = api.login(NEWSTARTER.email, NEWSTARTER.password).await;
    assert!(login.status >= 400, "an anonymised account signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject_access_export_holds_the_individuals_records_and_no_other_individuals_name() {
    let api = Api::start().await;
    let db = api.srv.db_path.clone();
    // Someone involved in a report about another individual, so the export must withhold that other.
    let row = query_text(
        &db,
        "SELECT ii.individual_id, i.individual_id FROM incident_individuals ii JOIN incidents i ON i.id = ii.incident_id
         WHERE ii.role = 'involved' AND i.individual_id <> ii.individual_id LIMIT 1",
    )
    .await;
    let (who, other): (i64, i64) = (row[0][0].1.parse().unwrap(), row[0][1].1.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sar.json");
    let mark = api.audit_mark().await;
    let printed = ok(&admin(&[
        "subject-access",
        "--db",
        &text(&db),
        "--individual",
        &who.to_string(),
        "--to",
        &text(&file),
    ])
    .await);
    assert_eq!(mode(&file), 0o600);
    let names = all_names(&db).await;
    let mine = &names.iter().find(|(id, _)| *id == who).unwrap().1;
    assert!(!printed.contains(mine.as_str()), "the terminal got the name: {printed}");
    let raw = std::fs::read_to_string(&file).unwrap();
    let doc: Value = serde_json::from_str(&raw).unwrap();
    let records = &doc["records"];
    assert_eq!(records["individual"]["id"], json!(who));
    let first = query_text(&db, &format!("SELECT first_name FROM individuals WHERE id = {who}")).await[0][0]
        .1
        .clone();
    assert_eq!(records["individual"]["first_name"], json!(first));
    let incidents = records["incidents"].as_array().unwrap();
    assert!(!incidents.is_empty());
    assert!(
        incidents.iter().any(|i| i["others_withheld"].as_u64() > Some(0)),
        "the shared report is missing"
    );
    let clicks = api
        .count(&format!("SELECT COUNT(*) FROM clicks WHERE individual_id = {who}"))
        .await;
    assert_eq!(records["clicks"].as_array().unwrap().len() as i64, clicks);
    let contacts: Vec<String> = query_text(
        &db,
        &format!("SELECT name FROM key_contacts WHERE individual_id = {who}"),
    )
    .await
    .into_iter()
    .map(|row| row[0].1.clone())
    .collect();
    let staff: Vec<String> = query_text(&db, "SELECT display_name FROM users")
        .await
        .into_iter()
        .map(|row| row[0].1.clone())
        .collect();
    for (id, name) in &names {
        // A parent or a member of staff may share a pupil's name (the demo draws them all from
        // one list of names): those are the contact's or the staff member's, not the pupil's.
        if *id != who && !contacts.contains(name) && !staff.contains(name) {
            let quoted = format!("\"{name}\"");
            let at = raw.find(&quoted);
            assert!(
                at.is_none(),
                "another individual's name is in the file: {}",
                &raw[at.unwrap_or(0).saturating_sub(300)..at.unwrap_or(0) + 50]
            );
        }
    }
    // The shared report's text named the other (its subject) by first name: withheld.
    let other_first = query_text(&db, &format!("SELECT first_name FROM individuals WHERE id = {other}")).await[0][0]
        .1
        .clone();
    let shared: Vec<&Value> = incidents
        .iter()
        .filter(|i| i["others_withheld"].as_u64() > Some(0))
        .collect();
    for incident in shared {
        let text = incident["what_happened"].as_str().unwrap();
        assert!(text.contains("[withheld]"), "{text}");
        assert!(
            !text.split(|c: char| !c.is_alphanumeric()).any(|w| w == other_first),
            "the other is named: {text}"
        );
        assert!(
            incident.get("individual_id").is_none(),
            "the other's id is in the report"
        );
    }
    let rows = api.audit_since(mark).await;
    let audit = rows
        .iter()
        .find(|r| r.get("action") == "admin.subject_access")
        .expect("not audited");
    assert_eq!(audit.get("target"), format!("individual:{who}"));
    assert!(
        !audit.all_text().contains(mine.as_str()),
        "the audit row names the individual"
    );

    let again = refused(
        &admin(&[
            "subject-access",
            "--db",
            &text(&db),
            "--individual",
            &who.to_string(),
            "--to",
            &text(&file),
        ])
        .await,
    );
    assert!(again.contains("already exists"), "{again}");
    let none = dir.path().join("none.json");
    let missing = refused(
        &admin(&[
            "subject-access",
            "--db",
            &text(&db),
            "--individual",
            "999999",
            "--to",
            &text(&none),
        ])
        .await,
    );
    assert!(missing.contains("no individual with id 999999"), "{missing}");
    assert!(!none.exists(), "a failed export left a file");
    let zero = refused(
        &admin(&[
            "subject-access",
            "--db",
            &text(&db),
            "--individual",
            "0",
            "--to",
            &text(&none),
        ])
        .await,
    );
    assert!(zero.contains("individual"), "{zero}");
}
