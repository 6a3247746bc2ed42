//! The audit log for the admin (issue 12): filters and the cursor, the chain's verification
//! after tampering, and the CSV export (parsed back, formulas neutralised, itself audited).

mod common;

use common::{ADMIN, Api, TEACHER, execute_sql};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn the_log_filters_and_pages_newest_first() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    api.sign_in(TEACHER).await;
    let page = api.get("/admin/audit?action=login.&limit=1", Some(&admin)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let page = page.json.unwrap();
    let first = &page["items"][0];
    assert!(first["action"].as_str().unwrap().starts_with("login."));
    let cursor = page["next_cursor"].as_i64().expect("more rows");
    let next = api
        .get(
            &format!("/admin/audit?action=login.&limit=1&before={cursor}"),
            Some(&admin),
        )
        .await;
    let next = next.json.unwrap();
    assert!(next["items"][0]["id"].as_i64().unwrap() < first["id"].as_i64().unwrap());

    let all = api
        .get("/admin/audit?actor_id=3&limit=1000", Some(&admin))
        .await
        .json
        .unwrap();
    let items = all["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|r| r["actor_id"] == 3));
    let ids: Vec<i64> = items.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");

    let today = api.clock().now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let r = api
        .get(&format!("/admin/audit?from={today}&to={today}"), Some(&admin))
        .await
        .json
        .unwrap();
    assert!(!r["items"].as_array().unwrap().is_empty());
    let r = api
        .get(&format!("/admin/audit?to={yesterday}"), Some(&admin))
        .await
        .json
        .unwrap();
    assert!(
        r["items"].as_array().unwrap().is_empty(),
        "nothing happened before today"
    );
    let bad = api
        .get(&format!("/admin/audit?from={today}&to={yesterday}"), Some(&admin))
        .await;
    assert_eq!(bad.status, 422);
    let long = "x".repeat(101);
    assert_eq!(
        api.get(&format!("/admin/audit?target={long}"), Some(&admin))
            .await
            .status,
        422
    );
    let teacher = api.sign_in(TEACHER).await;
    for path in ["/admin/audit", "/admin/audit/verify", "/admin/audit/export"] {
        assert_eq!(api.get(path, Some(&teacher)).await.status, 403, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_names_the_first_tampered_row() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let ok = api.get("/admin/audit/verify", Some(&admin)).await.json.unwrap();
    assert_eq!(ok["intact"], true);
    assert_eq!(ok["rows"], ok["verified_up_to"]);
    api.sign_in(TEACHER).await;
    let victim = api.audit_mark().await - 1;
    assert!(victim > 1);
    execute_sql(&api.srv.db_path, "DROP TRIGGER audit_log_no_update").await;
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE audit_log SET detail = detail || 'x' WHERE id = {victim}"),
    )
    .await;
    let broken = api.get("/admin/audit/verify", Some(&admin)).await.json.unwrap();
    assert_eq!(broken["intact"], false);
    assert_eq!(broken["first_bad_row"], victim);
    assert_eq!(broken["verified_up_to"], victim - 1);
    assert_eq!(broken["rows"], victim - 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_is_csv_with_formulas_neutralised_and_is_audited() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    execute_sql(
        &api.srv.db_path,
        "INSERT INTO audit_log (at, actor_id, actor, action, target, client_addr, outcome, detail, prev_hash, hash)
         VALUES (strftime('%s','now'), NULL, '=HYPERLINK(\"http://x\")', '@SUM(A1)', '+1', '-2', 'ok', char(9) || 'tab', 'p', 'h')",
    )
    .await;
    let json = api.get("/admin/audit?limit=1000", Some(&admin)).await.json.unwrap();
    let r = api.get("/admin/audit/export", Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let export = r.json.unwrap();
    assert_eq!(export["truncated"], false);
    assert!(export["filename"].as_str().unwrap().starts_with("audit-"));
    let mut reader = csv::Reader::from_reader(export["csv"].as_str().unwrap().as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for field in [
        "id",
        "at",
        "actor",
        "actor_id",
        "action",
        "target",
        "client_addr",
        "outcome",
        "detail",
    ] {
        assert!(header.contains(&field.to_string()), "{field}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as i64, export["rows"].as_i64().unwrap());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(rows.len(), items.len());
    let plain = |cell: &str| cell.strip_prefix('\'').unwrap_or(cell).to_string();
    for (row, item) in rows.iter().zip(items) {
        assert_eq!(row[col("id")], item["id"].as_i64().unwrap().to_string());
        for field in ["actor", "action", "target", "client_addr", "outcome", "detail"] {
            assert_eq!(plain(&row[col(field)]), item[field].as_str().unwrap(), "{field}");
        }
        assert_eq!(
            row[col("actor_id")],
            item["actor_id"].as_i64().map(|v| v.to_string()).unwrap_or_default()
        );
    }
    let hostile = &rows[0];
    assert_eq!(&hostile[col("actor")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&hostile[col("action")], "'@SUM(A1)");
    assert_eq!(&hostile[col("target")], "'+1");
    assert_eq!(&hostile[col("client_addr")], "'-2");
    assert!(hostile[col("detail")].starts_with('\''));
    for row in &rows {
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell}");
        }
    }
    let audited: Vec<Value> = api
        .get("/admin/audit?action=admin.audit.export", Some(&admin))
        .await
        .json
        .unwrap()["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(audited.len(), 1);
    assert!(
        audited[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("rows={}", rows.len()))
    );
}
