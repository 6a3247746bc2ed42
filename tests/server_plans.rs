//! Smart Plans over HTTP (issue 11; SECURITY.md rule 61): create (idempotent by id), read,
//! edit, delete by permission with a reason (hidden, never erased), the source incident rules,
//! and 404 for a plan the reader may not see, exactly as for a missing one.

mod common;

use bsmart::wire::{Plan, PlanList};
use common::reports::report;
use common::*;
use serde_json::{Value, json};

/// A plan body.
fn plan(id: uuid::Uuid, individual: i64) -> Value {
    json!({
        "id": id,
        "individual_id": individual,
        "title": "Calm start to the day",
        "strategies": "Meet at the gate; five minutes in the quiet room before registration."
    })
}

/// The body of a reply as a plan.
fn parsed(r: &Reply) -> Plan {
    assert!(r.status == 200 || r.status == 201, "{}: {}", r.status, r.text);
    serde_json::from_str(&r.text).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn plans_are_written_once_edited_and_listed() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let id = uuid::Uuid::new_v4();
    let body = plan(id, seen);
    let r = api.post("/plans", &body, Some(&teacher)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let created = parsed(&r);
    assert_eq!(created.individual.id, seen);
    assert!(!created.can_delete);
    assert_eq!(api.post("/plans", &body, Some(&teacher)).await.status, 200);
    let mut other = body.clone();
    other["title"] = json!("Another plan");
    api.post("/plans", &other, Some(&teacher))
        .await
        .assert_error(409, "conflict");

    let r = api.get(&format!("/plans?individual_id={seen}"), Some(&teacher)).await;
    let list: PlanList = serde_json::from_str(&r.text).unwrap();
    assert_eq!(list.items[0].id, id.to_string(), "newest change first");
    let r = api.get(&format!("/individuals/{seen}/overview"), Some(&teacher)).await;
    assert!(r.text.contains(&id.to_string()));

    // Anyone who may see the individual edits it.
    let lead = api.sign_in(LEAD).await;
    let mut edit = body.clone();
    edit["follow_up"] = json!("Tutor phones home on Fridays.");
    let r = api.put(&format!("/plans/{id}"), &edit, Some(&lead)).await;
    let edited = parsed(&r);
    assert_eq!(edited.updated_by.id, 2);
    assert_eq!(edited.created_by.id, 3);
    assert_eq!(edited.follow_up, "Tutor phones home on Fridays.");
    let mut moved = edit.clone();
    moved["individual_id"] = json!(seen + 1);
    assert_eq!(api.put(&format!("/plans/{id}"), &moved, Some(&lead)).await.status, 422);
    let mut other_id = edit.clone();
    other_id["id"] = json!(uuid::Uuid::new_v4());
    assert_eq!(
        api.put(&format!("/plans/{id}"), &other_id, Some(&lead)).await.status,
        422
    );

    let r = api.get(&format!("/plans/{id}/markdown"), Some(&teacher)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.json.unwrap()["markdown"]
            .as_str()
            .unwrap()
            .contains("# Smart Plan: Calm start to the day")
    );
    for action in ["plan.create", "plan.edit", "plan.export"] {
        assert!(
            api.audit().await.iter().any(|row| row.get("action") == action),
            "{action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_fields_and_source_incidents_are_checked() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (seen, hidden, _) = api.teacher_individuals().await;
    let today = api.clock().now().date_naive();
    let cases: Vec<(&str, Value, u16)> = vec![
        ("empty title", json!({ "title": "" }), 422),
        ("long title", json!({ "title": "x".repeat(201) }), 422),
        ("empty plan", json!({ "strategies": "" }), 422),
        ("control", json!({ "strategies": "a\u{7}b" }), 422),
        ("long text", json!({ "strategies": "é".repeat(10_001) }), 422),
        (
            "past review",
            json!({ "review_on": today - chrono::Duration::days(1) }),
            422,
        ),
        (
            "far review",
            json!({ "review_on": today + chrono::Duration::days(800) }),
            422,
        ),
        ("hidden individual", json!({ "individual_id": hidden }), 404),
        ("unknown individual", json!({ "individual_id": 99_999_999 }), 404),
        ("bad reference", json!({ "source_incident_reference": "abc" }), 422),
    ];
    for (what, change, status) in cases {
        let mut body = plan(uuid::Uuid::new_v4(), seen);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let r = api.post("/plans", &body, Some(&teacher)).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
    }
    // The source incident: visible, not deleted, about the same individual.
    let about_seen = api
        .create_incident(&report(uuid::Uuid::new_v4(), &[seen], api.recently()), &teacher)
        .await;
    let two = api
        .create_incident(&report(uuid::Uuid::new_v4(), &[seen, hidden], api.recently()), &lead)
        .await;
    let mut body = plan(uuid::Uuid::new_v4(), seen);
    body["source_incident_reference"] = json!(two.reference);
    api.post("/plans", &body, Some(&teacher))
        .await
        .assert_error(422, "invalid_request");
    let mut body = plan(uuid::Uuid::new_v4(), seen + 1);
    body["source_incident_reference"] = json!(about_seen.reference);
    api.post("/plans", &body, Some(&lead))
        .await
        .assert_error(422, "invalid_request");
    let mut body = plan(uuid::Uuid::new_v4(), seen);
    body["source_incident_reference"] = json!(about_seen.reference);
    body["review_on"] = json!(today + chrono::Duration::days(30));
    let r = api.post("/plans", &body, Some(&teacher)).await;
    assert_eq!(
        parsed(&r).source_incident_reference.as_deref(),
        Some(about_seen.reference.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_the_reader_may_not_see_is_404_and_deleting_needs_the_permission() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (seen, hidden, names) = api.teacher_individuals().await;
    let hidden_plan = uuid::Uuid::new_v4();
    parsed(&api.post("/plans", &plan(hidden_plan, hidden), Some(&lead)).await);
    let missing = uuid::Uuid::new_v4();
    let reason = json!({ "reason": "Replaced by the new plan" });
    for (method, tail) in [("GET", ""), ("GET", "/markdown"), ("PUT", ""), ("DELETE", "")] {
        let call = |id: String| {
            let path = format!("/plans/{id}{tail}");
            let body = plan(hidden_plan, hidden);
            let api = &api;
            let teacher = &teacher;
            let reason = &reason;
            async move {
                match method {
                    "GET" => api.get(&path, Some(teacher)).await,
                    "PUT" => api.put(&path, &body, Some(teacher)).await,
                    _ => api.delete_with(&path, reason, Some(teacher)).await,
                }
            }
        };
        let absent = call(missing.to_string()).await;
        absent.assert_error(404, "not_found");
        let r = call(hidden_plan.to_string()).await;
        assert_eq!((r.status, &r.text), (404, &absent.text), "{method} {tail}");
        for name in &names {
            assert!(!r.text.contains(name.as_str()));
        }
        assert_eq!(call("not-a-uuid".to_string()).await.status, 404);
    }
    api.get(&format!("/plans?individual_id={hidden}"), Some(&teacher))
        .await
        .assert_error(404, "not_found");
    let r = api.get("/plans", Some(&teacher)).await;
    assert!(!r.text.contains(&hidden_plan.to_string()));

    // Delete: the teacher may not (403), the lead may (204), then it is gone for everyone.
    let id = uuid::Uuid::new_v4();
    parsed(&api.post("/plans", &plan(id, seen), Some(&teacher)).await);
    api.delete_with(&format!("/plans/{id}"), &reason, Some(&teacher))
        .await
        .assert_error(403, "forbidden");
    let r = api.delete_with(&format!("/plans/{id}"), &reason, Some(&lead)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    for token in [&teacher, &lead] {
        api.get(&format!("/plans/{id}"), Some(token))
            .await
            .assert_error(404, "not_found");
        let r = api.get(&format!("/individuals/{seen}/overview"), Some(token)).await;
        assert!(!r.text.contains(&id.to_string()));
    }
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM smart_plans WHERE id = '{id}' AND deleted_by = 2"
        ))
        .await,
        1
    );
    let row = api
        .audit()
        .await
        .into_iter()
        .rev()
        .find(|r| r.get("action") == "plan.delete" && r.get("outcome") == "success")
        .unwrap();
    assert!(row.get("detail").contains("Replaced by the new plan"));
}
