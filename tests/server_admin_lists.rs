//! The setting's lists as the admin edits them (issue 12): retired behaviours keep their clicks
//! and names but are offered no more, names are unique in any case and checked, moves keep the
//! positions 1..n under a burst, retired categories are no longer offered, and the bell times.

mod common;

use common::{ADMIN, Api, TEACHER};
use serde_json::{Value, json};

/// The entries of `list`, as the admin sees them.
async fn entries(api: &Api, token: &str, list: &str) -> Vec<Value> {
    let r = api.get(&format!("/admin/lists/{list}"), Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.unwrap()["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retired_behaviour_keeps_its_clicks_and_is_offered_no_more() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let behaviour = entries(&api, &admin, "behaviours").await[0].clone();
    let id = behaviour["id"].as_i64().unwrap();
    let click = |at: chrono::DateTime<chrono::Utc>| json!({ "id": uuid::Uuid::new_v4(), "individual_id": seen, "behaviour_id": id, "occurred_at": at });
    let r = api.post("/clicks", &click(api.clock().now()), Some(&teacher)).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let change = json!({ "name": behaviour["name"], "active": false });
    let r = api
        .put(&format!("/admin/lists/behaviours/{id}"), &change, Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json.as_ref().unwrap()["active"], false);
    assert!(r.json.unwrap()["uses"].as_i64().unwrap() >= 1);

    let offered = api.get("/behaviours", Some(&teacher)).await.json.unwrap();
    assert!(offered["items"].as_array().unwrap().iter().all(|b| b["id"] != id));
    let retired = offered["retired"].as_array().unwrap();
    assert!(
        retired.iter().any(|b| b["id"] == id && b["name"] == behaviour["name"]),
        "old clicks keep the name"
    );
    let r = api.post("/clicks", &click(api.clock().now()), Some(&teacher)).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let kept = api
        .count(&format!("SELECT COUNT(*) FROM clicks WHERE behaviour_id = {id}"))
        .await;
    assert!(kept >= 1, "history stays");
    assert!(
        api.audit()
            .await
            .iter()
            .any(|r| r.get("action") == "admin.lists.behaviours.update")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn names_are_unique_in_any_case_and_checked() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let existing = entries(&api, &admin, "locations").await[0]["name"]
        .as_str()
        .unwrap()
        .to_uppercase();
    let r = api
        .post("/admin/lists/locations", &json!({ "name": existing }), Some(&admin))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("choose another name"), "{}", r.text);
    for (body, words) in [
        (json!({ "name": "" }), "1 to 100"),
        (json!({ "name": "x".repeat(101) }), "1 to 100"),
        (json!({ "name": "Hall\u{1b}[2J" }), "U+001B"),
        (json!({ "name": "Hall\u{202e}moor" }), "U+202E"),
        (
            json!({ "name": "Hall", "sentiment": "positive" }),
            "only for behaviours",
        ),
        (json!({ "name": "Hall", "position": 0 }), "`position`"),
    ] {
        let r = api.post("/admin/lists/locations", &body, Some(&admin)).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(r.text.contains(words), "{body}: {}", r.text);
    }
    let r = api
        .post("/admin/lists/behaviours", &json!({ "name": "Kindness" }), Some(&admin))
        .await;
    assert_eq!(r.status, 422, "a behaviour needs a sentiment: {}", r.text);
    assert_eq!(api.get("/admin/lists/nonsense", Some(&admin)).await.status, 404);
    let teacher = api.sign_in(TEACHER).await;
    assert_eq!(api.get("/admin/lists/locations", Some(&teacher)).await.status, 403);
    let r = api
        .post("/admin/lists/locations", &json!({ "name": "Roof" }), Some(&teacher))
        .await;
    assert_eq!(r.status, 403);
    let r = api
        .put("/admin/lists/locations/1", &json!({ "name": "Roof" }), Some(&teacher))
        .await;
    assert_eq!(r.status, 403);
    let day = json!({ "items": [{ "number": 1, "name": "P1", "starts": "09:00:00", "ends": "10:00:00" }] });
    assert_eq!(api.put("/admin/bell-times", &day, Some(&teacher)).await.status, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_moves_never_leaves_two_entries_at_one_place() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let r = api
        .post(
            "/admin/lists/locations",
            &json!({ "name": "Library annex", "position": 1 }),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let list = entries(&api, &admin, "locations").await;
    assert_eq!(list[0]["name"], "Library annex", "placed first, the others moved down");
    let moves = list.iter().enumerate().take(20).map(|(n, entry)| {
        let id = entry["id"].as_i64().unwrap();
        let body = json!({ "name": entry["name"], "position": (n * 7 % list.len()) + 1 });
        let admin = admin.clone();
        let api = &api;
        async move {
            api.put(&format!("/admin/lists/locations/{id}"), &body, Some(&admin))
                .await
        }
    });
    for r in futures::future::join_all(moves).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let mut positions: Vec<i64> = entries(&api, &admin, "locations")
        .await
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=list.len() as i64).collect::<Vec<_>>());

    // The offered list follows the order.
    let teacher = api.sign_in(TEACHER).await;
    let offered = api.get("/locations", Some(&teacher)).await.json.unwrap();
    let first_offered = offered["items"][0]["id"].clone();
    assert_eq!(first_offered, entries(&api, &admin, "locations").await[0]["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retired_category_is_offered_no_more() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let category = entries(&api, &admin, "incident_categories").await[0].clone();
    let id = category["id"].as_i64().unwrap();
    let change = json!({ "name": category["name"], "active": false });
    let r = api
        .put(&format!("/admin/lists/incident_categories/{id}"), &change, Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let offered = api.get("/incident-categories", Some(&teacher)).await.json.unwrap();
    assert!(offered["items"].as_array().unwrap().iter().all(|c| c["id"] != id));
    let back = json!({ "name": category["name"], "active": true });
    api.put(&format!("/admin/lists/incident_categories/{id}"), &back, Some(&admin))
        .await;
    let offered = api.get("/incident-categories", Some(&teacher)).await.json.unwrap();
    assert!(offered["items"].as_array().unwrap().iter().any(|c| c["id"] == id));
}

#[tokio::test(flavor = "multi_thread")]
async fn bell_times_are_checked_and_shown_at_once() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let period = |n: u32, starts: &str, ends: &str| json!({ "number": n, "name": format!("Lesson {n}"), "starts": starts, "ends": ends });
    let day = json!({ "items": [period(1, "08:50:00", "09:50:00"), period(2, "09:50:00", "10:45:00")] });
    let r = api.put("/admin/bell-times", &day, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let periods = api.get("/periods", Some(&teacher)).await.json.unwrap();
    let items = periods["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["name"], "Lesson 2");
    assert!(items[0]["starts"].as_str().unwrap().starts_with("08:50"));

    let many: Vec<Value> = (1..=21).map(|n| period(n, "08:00:00", "08:01:00")).collect();
    for (items, words) in [
        (
            vec![period(1, "09:00:00", "10:00:00"), period(2, "09:30:00", "11:00:00")],
            "overlap",
        ),
        (vec![period(1, "10:00:00", "09:00:00")], "end after it starts"),
        (vec![period(2, "09:00:00", "10:00:00")], "in order"),
        (vec![], "1 to 20"),
        (many, "1 to 20"),
    ] {
        let r = api
            .put("/admin/bell-times", &json!({ "items": items }), Some(&admin))
            .await;
        assert_eq!(r.status, 422, "{words}: {}", r.text);
        assert!(r.text.contains(words), "{}", r.text);
    }
    assert_eq!(
        api.get("/periods", Some(&teacher)).await.json.unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
