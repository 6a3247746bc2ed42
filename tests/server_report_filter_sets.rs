//! Saved report filter sets over HTTP (`/report-filter-sets`, SECURITY.md rule 72), against a
//! real server on loopback with a real SQLite file: a set is its owner's alone (another user's is
//! invisible and 404 like a missing one), the same name replaces, the limit of 50 and the
//! one-set-per-name rule hold under parallel bursts, hostile input is refused with a sentence and
//! stores nothing, an individual the user may not open is 404 and never named, a set read after
//! the user lost access to one of its individuals drops and counts them, and the audit rows never
//! hold a set's name.

mod common;

use std::sync::Arc;

use common::{ADMIN, Api, LEAD, Reply, TEACHER};
use serde_json::{Value, json};

/// The teacher's user id in the demo data.
const TEACHER_ID: i64 = 3;

/// `POST /report-filter-sets` of `name` with `filters`.
async fn save(api: &Api, token: &str, name: &str, filters: Value) -> Reply {
    api.post(
        "/report-filter-sets",
        &json!({ "name": name, "filters": filters }),
        Some(token),
    )
    .await
}

/// The sets `GET /report-filter-sets` lists for `token`.
async fn listed(api: &Api, token: &str) -> Vec<Value> {
    let r = api.get("/report-filter-sets", Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.unwrap()["items"].as_array().unwrap().clone()
}

/// How many sets are stored, for every user.
async fn stored(api: &Api) -> i64 {
    api.count("SELECT COUNT(*) FROM report_filter_sets").await
}

/// A `POST`/`DELETE /admin/access…` grant of individual `id` to the teacher.
fn grant(id: i64) -> Value {
    json!({ "user_id": TEACHER_ID, "scope": "individual", "value": "", "individual_id": id })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_set_round_trips_by_name_and_is_its_owners_alone() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let teacher = api.sign_in(TEACHER).await;
    let location = api
        .count("SELECT id FROM locations WHERE active = 1 ORDER BY id LIMIT 1")
        .await;
    let behaviour = api.count("SELECT id FROM behaviours ORDER BY id LIMIT 1").await;
    let staff = api
        .count("SELECT id FROM users WHERE active = 1 ORDER BY id LIMIT 1")
        .await;
    let pupil = api.count("SELECT id FROM individuals ORDER BY id LIMIT 1").await;
    let pupil_name = api
        .value(&format!(
            "SELECT first_name || ' ' || last_name FROM individuals WHERE id = {pupil}"
        ))
        .await;
    let mark = api.audit_mark().await;

    // The name holds a pupil's name, as staff may write it: it must stay out of the audit log.
    let name = format!("Watch {pupil_name}");
    let filters = json!({ "period": { "kind": "this_term" }, "individual_ids": [pupil, pupil],
        "behaviour_ids": [behaviour], "location_ids": [location, location], "staff_ids": [staff] });
    let r = save(&api, &lead, &format!("  {name}  "), filters).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let set = r.json.unwrap();
    let id = set["id"].as_i64().unwrap();
    assert_eq!(set["name"], name.as_str(), "the name is trimmed");
    assert_eq!(set["filters"]["individual_ids"], json!([pupil]), "repeats collapse");
    assert_eq!(set["filters"]["location_ids"], json!([location]));
    assert_eq!(set["filters"]["period"], json!({ "kind": "this_term" }));
    assert_eq!(set["individuals"][0]["id"], pupil);
    assert_eq!(set["hidden"], 0);

    // The same name in another case replaces the set (200, same id), whatever it held.
    let dates = json!({ "period": { "kind": "dates", "from": "2026-09-01", "to": "2026-10-31" } });
    let r = save(&api, &lead, &name.to_uppercase(), dates.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json.as_ref().unwrap()["id"], id);
    for other in ["beta", "Alpha", "charlie"] {
        assert_eq!(save(&api, &lead, other, json!({})).await.status, 201);
    }
    let sets = listed(&api, &lead).await;
    let names: Vec<&str> = sets.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Alpha", "beta", "charlie", name.to_uppercase().as_str()],
        "by name, ignoring case"
    );
    assert_eq!(sets[3]["filters"]["period"], dates["period"]);
    assert!(sets[3]["individuals"].as_array().unwrap().is_empty());

    // Another user sees none of them, and deleting one is a 404 exactly like a missing id.
    assert!(listed(&api, &teacher).await.is_empty());
    let theirs = api.delete(&format!("/report-filter-sets/{id}"), Some(&teacher)).await;
    let missing = api.delete("/report-filter-sets/99999999", Some(&teacher)).await;
    theirs.assert_error(404, "not_found");
    assert_eq!(theirs.text, missing.text);
    assert_eq!(
        api.delete("/report-filter-sets/not-an-id", Some(&teacher)).await.text,
        missing.text
    );
    assert_eq!(
        listed(&api, &lead).await.len(),
        4,
        "the other user's delete changed nothing"
    );
    assert_eq!(api.get("/report-filter-sets", None).await.status, 401);

    let r = api.delete(&format!("/report-filter-sets/{id}"), Some(&lead)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        api.delete(&format!("/report-filter-sets/{id}"), Some(&lead))
            .await
            .status,
        404
    );
    assert_eq!(listed(&api, &lead).await.len(), 3);

    // Each save and the delete is audited, with ids and counts, never the set's name.
    let rows = api.audit_since(mark).await;
    let saves: Vec<_> = rows
        .iter()
        .filter(|r| r.get("action") == "report_filter_set.save")
        .collect();
    assert_eq!(saves.len(), 5);
    assert!(
        saves
            .iter()
            .any(|r| r.get("target") == format!("report_filter_set:{id}")
                && r.get("detail").contains(&format!("individuals={pupil}")))
    );
    assert!(
        rows.iter()
            .any(|r| r.get("action") == "report_filter_set.delete"
                && r.get("target") == format!("report_filter_set:{id}"))
    );
    let last = pupil_name.split(' ').next_back().unwrap().to_lowercase();
    for row in &rows {
        let text = row.all_text();
        assert!(
            !text.contains("watch") && !text.contains(&last),
            "a name in the audit log: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_saves_keep_fifty_and_one_set_of_a_name() {
    let api = Arc::new(Api::start().await);
    let lead = api.sign_in(LEAD).await;
    let burst = |names: Vec<String>| {
        let barrier = Arc::new(tokio::sync::Barrier::new(names.len()));
        let requests = names.into_iter().map(|name| {
            let request = api
                .http
                .post(api.srv.api("/report-filter-sets"))
                .bearer_auth(&lead)
                .json(&json!({ "name": name, "filters": {} }));
            let (api, barrier) = (Arc::clone(&api), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                api.send(request).await
            })
        });
        futures::future::join_all(requests)
    };
    let replies: Vec<Reply> = burst((0..60).map(|n| format!("set {n}")).collect())
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let created = replies.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = replies.iter().filter(|r| r.status == 409).collect();
    assert_eq!(
        (created, refused.len()),
        (50, 10),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in refused {
        r.assert_error(409, "conflict");
        assert!(r.text.contains("Delete one"), "{}", r.text);
    }
    assert_eq!(stored(&api).await, 50);
    assert_eq!(listed(&api, &lead).await.len(), 50);

    // Replacing one of the fifty is still allowed at the limit.
    let kept = listed(&api, &lead).await[0]["name"].as_str().unwrap().to_uppercase();
    assert_eq!(save(&api, &lead, &kept, json!({})).await.status, 200);
    for set in listed(&api, &lead).await {
        let id = set["id"].as_i64().unwrap();
        assert_eq!(
            api.delete(&format!("/report-filter-sets/{id}"), Some(&lead))
                .await
                .status,
            204
        );
    }

    let replies: Vec<Reply> = burst(vec!["Same".to_string(); 20])
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 19, "{statuses:?}");
    assert_eq!(stored(&api).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_input_is_refused_with_a_sentence_and_nothing_is_stored() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let too_many: Vec<i64> = (1..=101).collect();
    let dates = |from: &str, to: &str| json!({ "period": { "kind": "dates", "from": from, "to": to } });
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "name": "", "filters": {} }), 400, "Give the set a name"),
        (json!({ "name": " \t  ", "filters": {} }), 400, "Give the set a name"),
        (
            json!({ "name": "x".repeat(61), "filters": {} }),
            400,
            "longer than 60 characters",
        ),
        (json!({ "name": "a\u{0}b", "filters": {} }), 400, "control"),
        (json!({ "name": "a\nb", "filters": {} }), 400, "control"),
        (
            json!({ "name": "abc\u{202E}fdp", "filters": {} }),
            400,
            "text-direction",
        ),
        (
            json!({ "name": "n", "filters": { "individual_ids": too_many } }),
            400,
            "more than 100 ids",
        ),
        (
            json!({ "name": "n", "filters": { "staff_ids": too_many } }),
            400,
            "more than 100 ids",
        ),
        (
            json!({ "name": "n", "filters": { "individual_ids": [-3] } }),
            400,
            "ids from 1 up",
        ),
        (
            json!({ "name": "n", "filters": { "location_ids": [0] } }),
            400,
            "ids from 1 up",
        ),
        (
            json!({ "name": "n", "filters": { "location_ids": [999999] } }),
            400,
            "There is no location 999999: choose from the list.",
        ),
        (
            json!({ "name": "n", "filters": { "staff_ids": [999999] } }),
            400,
            "There is no member of staff 999999",
        ),
        (
            json!({ "name": "n", "filters": { "behaviour_ids": [999999] } }),
            400,
            "There is no behaviour 999999",
        ),
        (
            json!({ "name": "n", "filters": dates("2026-10-01", "2026-09-01") }),
            400,
            "`from` is after `to`",
        ),
        (
            json!({ "name": "n", "filters": dates("2015-01-01", "2026-01-01") }),
            400,
            "longer than 10 years",
        ),
        (
            json!({ "name": "n", "filters": dates("1899-12-31", "1900-01-02") }),
            400,
            "outside the years 1900 to 2200",
        ),
        (json!({ "name": 5, "filters": {} }), 422, ""),
        (json!({ "name": "n" }), 422, ""),
        (json!({ "name": "n", "filters": { "individual_ids": "1,2" } }), 422, ""),
        (json!({ "name": "n", "filters": { "individual_ids": [1e30] } }), 422, ""),
        (
            json!({ "name": "n", "filters": { "period": { "kind": "next_century" } } }),
            422,
            "",
        ),
        (
            json!({ "name": "n", "filters": dates("2026-02-30", "2026-03-01") }),
            422,
            "",
        ),
        (json!([]), 422, ""),
    ];
    for (body, status, sentence) in cases {
        let r = api.post("/report-filter-sets", &body, Some(&lead)).await;
        r.assert_error(status, "invalid_request");
        assert!(r.text.contains(sentence), "{body}: {}", r.text);
    }
    assert_eq!(stored(&api).await, 0, "nothing refused was stored");

    // Exactly sixty characters, and exactly a hundred ids, are allowed.
    let pupils: Vec<i64> = common::query_text(&api.srv.db_path, "SELECT id FROM individuals ORDER BY id LIMIT 100")
        .await
        .iter()
        .map(|row| row[0].1.parse().unwrap())
        .collect();
    assert_eq!(pupils.len(), 100, "the demo data has a hundred individuals");
    let r = save(&api, &lead, &"é".repeat(60), json!({ "individual_ids": pupils })).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json.unwrap()["individuals"].as_array().unwrap().len(), 100);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_individual_the_user_cannot_open_is_never_saved_nor_named() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, hidden, names) = api.teacher_individuals().await;
    let no_name = |r: &Reply| {
        for name in &names {
            assert!(!r.text.contains(name.as_str()), "{name} named: {}", r.text);
        }
    };

    // Saving a set with an individual outside their access is 404, like an unknown id.
    let r = save(&api, &teacher, "mine", json!({ "individual_ids": [seen, hidden] })).await;
    let unknown = save(&api, &teacher, "mine", json!({ "individual_ids": [seen, 99999999] })).await;
    r.assert_error(404, "not_found");
    assert_eq!(r.text, unknown.text);
    no_name(&r);
    assert_eq!(stored(&api).await, 0);

    // Granted, the teacher saves it; revoked, the set drops the individual and only counts them.
    let r = api.post("/admin/access", &grant(hidden), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = save(&api, &teacher, "mine", json!({ "individual_ids": [seen, hidden] })).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json.unwrap()["individuals"].as_array().unwrap().len(), 2);
    let r = api.post("/admin/access/revoke", &grant(hidden), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = api.get("/report-filter-sets", Some(&teacher)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    no_name(&r);
    let set = &r.json.as_ref().unwrap()["items"][0];
    assert_eq!(set["filters"]["individual_ids"], json!([seen]));
    assert_eq!(set["individuals"].as_array().unwrap().len(), 1);
    assert_eq!(set["individuals"][0]["id"], seen);
    assert_eq!(set["hidden"], 1);

    // The lead, who sees everyone, never reads the teacher's set.
    let lead = api.sign_in(LEAD).await;
    assert!(listed(&api, &lead).await.is_empty());
}
