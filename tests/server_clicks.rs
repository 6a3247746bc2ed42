//! The Behaviour Clicker over HTTP (SECURITY.md rules 46 to 49): a click is idempotent by its
//! client-made id, even under parallel bursts; its time is checked against the server's clock;
//! it is recorded with its audit row (ids only); and only its author may undo it, within a
//! minute.

mod common;

use std::collections::HashSet;

use bsmart::wire::{Click, ClickPage};
use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use serde_json::{Value, json};

/// A click body about `individual` of behaviour 1 at `at`.
fn click(id: uuid::Uuid, individual: i64, at: DateTime<Utc>) -> Value {
    json!({ "id": id, "individual_id": individual, "behaviour_id": 1, "occurred_at": at })
}

/// The server's time now.
fn now(api: &Api) -> DateTime<Utc> {
    api.clock().now()
}

/// The rows of `clicks` with this id.
async fn rows_of(api: &Api, id: uuid::Uuid) -> i64 {
    api.count(&format!("SELECT COUNT(*) FROM clicks WHERE id = '{id}'"))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_click_twice_is_one_record_and_another_body_is_409() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let id = uuid::Uuid::new_v4();
    let body = click(id, seen, now(&api));
    let first = api.post("/clicks", &body, Some(&teacher)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let created: Click = serde_json::from_str(&first.text).unwrap();
    assert_eq!((created.id, created.individual_id), (id, seen));
    api.advance(5);
    let again = api.post("/clicks", &body, Some(&teacher)).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(
        serde_json::from_str::<Click>(&again.text).unwrap(),
        created,
        "not the first record"
    );
    let mut other = body.clone();
    other["behaviour_id"] = json!(2);
    let conflict = api.post("/clicks", &other, Some(&teacher)).await;
    conflict.assert_error(409, "conflict");
    assert!(conflict.text.contains("nothing was recorded"), "{}", conflict.text);
    let lead = api.sign_in(LEAD).await;
    api.post("/clicks", &body, Some(&lead))
        .await
        .assert_error(409, "conflict");
    assert_eq!(rows_of(&api, id).await, 1);
    let behaviour = api
        .value(&format!("SELECT behaviour_id FROM clicks WHERE id = '{id}'"))
        .await;
    assert_eq!(behaviour, "1", "the conflicting body changed the record");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_one_id_from_50_tasks_records_one_click() {
    let api = std::sync::Arc::new(Api::start().await);
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let id = uuid::Uuid::new_v4();
    let body = click(id, seen, now(&api));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (api, body, teacher) = (api.clone(), body.clone(), teacher.clone());
            tokio::spawn(async move { api.post("/clicks", &body, Some(&teacher)).await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut records = HashSet::new();
    for task in tasks {
        let reply = task.await.unwrap();
        statuses.push(reply.status);
        records.insert(reply.text);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 201), "{statuses:?}");
    assert_eq!(records.len(), 1, "the answers differ: {records:?}");
    assert_eq!(rows_of(&api, id).await, 1);
    let created = api
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'click.create' AND target = 'click:{id}' AND outcome = 'success'"
        ))
        .await;
    assert_eq!(created, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_200_distinct_clicks_records_200_rows_and_200_audit_rows() {
    let api = std::sync::Arc::new(Api::start().await);
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let before = api.count("SELECT COUNT(*) FROM clicks").await;
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'click.create' AND outcome = 'success'";
    let audit_before = api.count(audited).await;
    let at = now(&api);
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (api, teacher) = (api.clone(), teacher.clone());
            tokio::spawn(async move {
                api.post("/clicks", &click(uuid::Uuid::new_v4(), seen, at), Some(&teacher))
                    .await
                    .status
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    assert_eq!(api.count("SELECT COUNT(*) FROM clicks").await, before + 200);
    assert_eq!(api.count(audited).await, audit_before + 200);
    let chain = api
        .count("SELECT COUNT(DISTINCT prev_hash) - COUNT(*) FROM audit_log")
        .await;
    assert_eq!(chain, 0, "the audit chain forked under the burst");
}

#[tokio::test(flavor = "multi_thread")]
async fn click_times_are_checked_against_the_server_clock() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let post = |at: DateTime<Utc>| {
        let body = click(uuid::Uuid::new_v4(), seen, at);
        let (api, teacher) = (&api, &teacher);
        async move { api.post("/clicks", &body, Some(teacher)).await }
    };
    let ahead = post(now(&api) + TimeDelta::minutes(3)).await;
    ahead.assert_error(422, "invalid_request");
    assert!(
        ahead.text.contains("2 minutes ahead") && ahead.text.contains("clock"),
        "{}",
        ahead.text
    );
    let old = post(now(&api) - TimeDelta::days(7) - TimeDelta::minutes(1)).await;
    old.assert_error(422, "invalid_request");
    assert!(old.text.contains("7 days"), "{}", old.text);
    assert_eq!(
        post(now(&api) + TimeDelta::minutes(1)).await.status,
        201,
        "a minute ahead"
    );
    assert_eq!(post(now(&api) - TimeDelta::days(6)).await.status, 201, "six days back");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_click_bodies_are_refused() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let base = click(uuid::Uuid::new_v4(), seen, now(&api));
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let unknown_behaviour = api
        .post("/clicks", &with("behaviour_id", json!(9999)), Some(&teacher))
        .await;
    unknown_behaviour.assert_error(422, "invalid_request");
    assert!(
        unknown_behaviour.text.contains("behaviour"),
        "{}",
        unknown_behaviour.text
    );
    execute_sql(&api.srv.db_path, "UPDATE behaviours SET active = 0 WHERE id = 2").await;
    api.post("/clicks", &with("behaviour_id", json!(2)), Some(&teacher))
        .await
        .assert_error(422, "invalid_request");
    api.post("/clicks", &with("individual_id", json!(999_999)), Some(&teacher))
        .await
        .assert_error(404, "not_found");
    for body in [
        with("individual_id", json!("seven")),
        with("occurred_at", json!(12)),
        with("id", json!("not-a-uuid")),
        with("extra", json!(true)),
        json!({ "id": uuid::Uuid::new_v4(), "individual_id": seen }),
        json!([base.clone()]),
    ] {
        api.post("/clicks", &body, Some(&teacher))
            .await
            .assert_error(422, "invalid_request");
    }
    api.post("/clicks", &base, None)
        .await
        .assert_error(401, "unauthenticated");
    let offered = api.get("/behaviours", Some(&teacher)).await.json.unwrap();
    assert!(
        offered["items"].as_array().unwrap().iter().all(|b| b["id"] != 2),
        "a retired behaviour is offered"
    );
    assert_eq!(rows_of(&api, base["id"].as_str().unwrap().parse().unwrap()).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_works_for_a_minute_for_its_author_only() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let post = |token: &str| {
        let body = click(uuid::Uuid::new_v4(), seen, now(&api));
        let (api, token) = (&api, token.to_string());
        async move {
            let reply = api.post("/clicks", &body, Some(&token)).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            body["id"].as_str().unwrap().to_string()
        }
    };
    let first = post(&teacher).await;
    api.advance(59);
    assert_eq!(
        api.delete(&format!("/clicks/{first}"), Some(&teacher)).await.status,
        204
    );
    assert_eq!(
        api.delete(&format!("/clicks/{first}"), Some(&teacher)).await.status,
        204,
        "a retried undo"
    );
    let undone = api
        .value(&format!(
            "SELECT deleted_by FROM clicks WHERE id = '{first}' AND deleted_at IS NOT NULL"
        ))
        .await;
    assert_eq!(undone, "3");
    let page: ClickPage = serde_json::from_str(
        &api.get(&format!("/clicks?individual_id={seen}"), Some(&teacher))
            .await
            .text,
    )
    .unwrap();
    assert!(
        page.items.iter().all(|c| c.id.to_string() != first),
        "an undone click is listed"
    );

    let late = post(&teacher).await;
    api.advance(61);
    let too_late = api.delete(&format!("/clicks/{late}"), Some(&teacher)).await;
    too_late.assert_error(409, "too_late");
    assert!(too_late.text.contains("a minute"), "{}", too_late.text);

    let leads = post(&lead).await;
    api.delete(&format!("/clicks/{leads}"), Some(&teacher))
        .await
        .assert_error(403, "forbidden");
    api.delete(&format!("/clicks/{}", uuid::Uuid::new_v4()), Some(&teacher))
        .await
        .assert_error(404, "not_found");
    api.delete("/clicks/not-a-uuid", Some(&teacher))
        .await
        .assert_error(404, "not_found");
    assert_eq!(api.delete(&format!("/clicks/{leads}"), Some(&lead)).await.status, 204);
    let audited = api
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'click.undo' AND target = 'click:{first}' AND outcome = 'success'"
        ))
        .await;
    assert_eq!(audited, 1, "one undo, one audit row");
}

#[tokio::test(flavor = "multi_thread")]
async fn click_lists_page_newest_first_and_refuse_bad_queries() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let mut seen_ids = Vec::new();
    let mut path = format!("/clicks?limit=7&individual_id={seen}");
    loop {
        let r = api.get(&path, Some(&teacher)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page: ClickPage = serde_json::from_str(&r.text).unwrap();
        assert!(page.items.windows(2).all(|w| w[0].occurred_at >= w[1].occurred_at));
        seen_ids.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(cursor) => path = format!("/clicks?limit=7&individual_id={seen}&cursor={cursor}"),
            None => break,
        }
    }
    let stored = api
        .count(&format!(
            "SELECT COUNT(*) FROM clicks WHERE individual_id = {seen} AND deleted_at IS NULL"
        ))
        .await;
    assert_eq!(seen_ids.len() as i64, stored);
    assert_eq!(
        seen_ids.iter().collect::<HashSet<_>>().len(),
        seen_ids.len(),
        "a click twice"
    );
    let all: ClickPage = serde_json::from_str(&api.get("/clicks?limit=1000", Some(&teacher)).await.text).unwrap();
    let grants = query_text(
        &api.srv.db_path,
        "SELECT individual_id FROM access_permissions WHERE user_id = 3",
    )
    .await;
    let granted: HashSet<i64> = grants.iter().map(|r| r[0].1.parse().unwrap()).collect();
    assert!(all.items.iter().all(|c| granted.contains(&c.individual_id)));
    for bad in [
        "/clicks?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
        "/clicks?cursor=garbage!",
        "/clicks?limit=0",
        "/clicks?limit=1001",
        "/clicks?individual_id=x",
    ] {
        api.get(bad, Some(&teacher)).await.assert_error(422, "invalid_request");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wal_is_copied_back_beside_the_writers_not_by_a_commit() {
    // Commits never checkpoint (`wal_autocheckpoint=0`), so nothing but the server's
    // checkpointer writes the main file: its modification time moving after a run of clicks
    // shows the WAL is being copied back, and so cannot grow for as long as the server runs.
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let written = || std::fs::metadata(&api.srv.db_path).unwrap().modified().unwrap();
    let before = written();
    for _ in 0..50 {
        let posted = api
            .post("/clicks", &click(uuid::Uuid::new_v4(), seen, now(&api)), Some(&teacher))
            .await;
        assert_eq!(posted.status, 201, "{}", posted.text);
    }
    let waited = std::time::Instant::now();
    while written() == before {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(20),
            "the main file was not written for 20 s after 50 clicks: nothing checkpoints the WAL"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
