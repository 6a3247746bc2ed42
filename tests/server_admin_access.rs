//! Access as the admin manages it (issue 12): grants by group, year and individual apply at the
//! user's next request, revokes too (404 exactly like an unknown id), group grants cover later
//! joiners, the visible count is what the user's own list holds, parallel grants make one row,
//! key staff must see the individual, and the yearly access review.

mod common;

use common::{ADMIN, Api, LEAD, TEACHER};
use serde_json::{Value, json};

/// The teacher's user id in the demo data.
const TEACHER_ID: i64 = 3;

/// Every individual id the token's `GET /individuals` lists.
async fn listed(api: &Api, token: &str) -> Vec<i64> {
    let r = api.get("/individuals?limit=1000", Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = r.json.unwrap();
    assert!(page["next_cursor"].is_null(), "more than one page");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

fn grant(scope: &str, value: &str, individual: Option<i64>) -> Value {
    json!({ "user_id": TEACHER_ID, "scope": scope, "value": value, "individual_id": individual })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grant_and_a_revoke_apply_at_the_next_request() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let (_, hidden, names) = api.teacher_individuals().await;
    let unknown = api.get("/individuals/99999999", Some(&teacher)).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        api.get(&format!("/individuals/{hidden}"), Some(&teacher)).await.text,
        unknown.text
    );

    let r = api
        .post("/admin/access", &grant("individual", "", Some(hidden)), Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        api.get(&format!("/individuals/{hidden}"), Some(&teacher)).await.status,
        200
    );
    assert!(listed(&api, &teacher).await.contains(&hidden));
    let again = api
        .post("/admin/access", &grant("individual", "", Some(hidden)), Some(&admin))
        .await;
    assert!(again.text.contains("nothing changed"), "{}", again.text);

    let r = api
        .post(
            "/admin/access/revoke",
            &grant("individual", "", Some(hidden)),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after = api.get(&format!("/individuals/{hidden}"), Some(&teacher)).await;
    assert_eq!(
        (after.status, &after.text),
        (404, &unknown.text),
        "a revoked individual is an unknown one"
    );
    assert!(!listed(&api, &teacher).await.contains(&hidden));
    for name in names {
        assert!(!after.text.contains(&name));
    }
    let rows = api.audit().await;
    assert!(
        rows.iter()
            .any(|r| r.get("action") == "admin.access.grant" && r.get("outcome") == "success")
    );
    assert!(
        rows.iter()
            .any(|r| r.get("action") == "admin.access.revoke" && r.get("outcome") == "success")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_year_grant_covers_later_joiners_and_the_count_is_the_users_list() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let year = api
        .value("SELECT year_group FROM individuals WHERE active = 1 GROUP BY year_group ORDER BY year_group LIMIT 1")
        .await;
    let before = listed(&api, &teacher).await.len();
    let r = api
        .post("/admin/access", &grant("year", &year, None), Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let seen = listed(&api, &teacher).await;
    assert!(seen.len() > before);
    let access = api
        .get(&format!("/admin/access/users/{TEACHER_ID}"), Some(&admin))
        .await;
    assert_eq!(access.status, 200, "{}", access.text);
    let access = access.json.unwrap();
    assert_eq!(
        access["visible"].as_i64().unwrap(),
        seen.len() as i64,
        "visible is what their list shows"
    );
    assert_eq!(access["grants"][0]["scope"], "year", "groups and years come first");

    // Someone joins the year later: the grant covers them at once.
    let (_, hidden, _) = api.teacher_individuals().await;
    assert!(!seen.contains(&hidden));
    common::execute_sql(
        &api.srv.db_path,
        &format!("UPDATE individuals SET year_group = '{year}' WHERE id = {hidden}"),
    )
    .await;
    assert!(listed(&api, &teacher).await.contains(&hidden));
    // The profile's Access tab says how the teacher sees them.
    let profile = api
        .get(&format!("/individuals/{hidden}"), Some(&admin))
        .await
        .json
        .unwrap();
    let entry = profile["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["staff"]["id"] == TEACHER_ID)
        .cloned();
    assert_eq!(entry.unwrap()["level"], "year");
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_name_the_problem() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    for (body, words) in [
        (
            json!({ "user_id": 999_999, "scope": "group", "value": "9B" }),
            "not an active account",
        ),
        (grant("group", "No such group", None), "not a tutor group"),
        (grant("individual", "", Some(99_999_999)), "not an individual"),
        (grant("individual", "", None), "`individual_id` is missing"),
        (grant("group", "", None), "`value` must name"),
        (
            json!({ "user_id": 2, "scope": "year", "value": "Year 9" }),
            "sees every individual already",
        ),
    ] {
        let r = api.post("/admin/access", &body, Some(&admin)).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(r.text.contains(words), "{body}: {}", r.text);
    }
    // Only an admin: every route of this module refuses the teacher.
    for path in [
        "/admin/access/users/3",
        "/admin/access/groups",
        "/admin/access/review",
        "/admin/key-staff/1",
    ] {
        assert_eq!(api.get(path, Some(&teacher)).await.status, 403, "{path}");
    }
    assert_eq!(
        api.post("/admin/access", &grant("year", "Year 9", None), Some(&teacher))
            .await
            .status,
        403
    );
    assert_eq!(
        api.post("/admin/access/review/3", &json!({}), Some(&teacher))
            .await
            .status,
        403
    );
    let change = json!({ "individual_id": 1, "user_id": 3, "key_staff": true });
    assert_eq!(api.put("/admin/key-staff", &change, Some(&teacher)).await.status, 403);
    assert_eq!(
        api.count("SELECT COUNT(*) FROM access_groups WHERE user_id = 3").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_grants_and_revokes_leave_one_consistent_row() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let body = grant("year", "Year 9", None);
    let grants = (0..20).map(|_| api.post("/admin/access", &body, Some(&admin)));
    for r in futures::future::join_all(grants).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        api.count("SELECT COUNT(*) FROM access_groups WHERE user_id = 3").await,
        1
    );
    let successes = api
        .audit()
        .await
        .into_iter()
        .filter(|r| r.get("action") == "admin.access.grant" && r.get("outcome") == "success")
        .count();
    assert_eq!(successes, 1, "one grant, nineteen no-ops");
    let mixed = (0..20).map(|n| {
        let path = if n % 2 == 0 {
            "/admin/access"
        } else {
            "/admin/access/revoke"
        };
        api.post(path, &body, Some(&admin))
    });
    for r in futures::future::join_all(mixed).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert!(api.count("SELECT COUNT(*) FROM access_groups WHERE user_id = 3").await <= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_staff_must_see_the_individual_and_get_the_next_communication() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let lead = api.sign_in(LEAD).await;
    let teacher = api.sign_in(TEACHER).await;
    let (_, hidden, _) = api.teacher_individuals().await;
    let change = json!({ "individual_id": hidden, "user_id": TEACHER_ID, "key_staff": true });
    let r = api.put("/admin/key-staff", &change, Some(&admin)).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("grant them access first"), "{}", r.text);

    api.post("/admin/access", &grant("individual", "", Some(hidden)), Some(&admin))
        .await;
    let r = api.put("/admin/key-staff", &change, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = api
        .get(&format!("/admin/key-staff/{hidden}"), Some(&admin))
        .await
        .json
        .unwrap();
    assert!(list["items"].as_array().unwrap().iter().any(|s| s["id"] == TEACHER_ID));

    let before = api.count("SELECT COUNT(*) FROM notifications WHERE user_id = 3").await;
    let message = json!({
        "id": uuid::Uuid::new_v4(), "individual_id": hidden, "tone": "negative",
        "message": "Please keep an eye on lunchtimes this week."
    });
    let sent = api.post("/communications", &message, Some(&lead)).await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(
        api.count("SELECT COUNT(*) FROM notifications WHERE user_id = 3").await,
        before + 1
    );
    assert_eq!(api.get("/notifications", Some(&teacher)).await.status, 200);

    // A revoke takes the key-staff place with it: the fan-out must not reach someone who
    // cannot see the individual.
    let r = api
        .post(
            "/admin/access/revoke",
            &grant("individual", "", Some(hidden)),
            Some(&admin),
        )
        .await;
    assert!(r.text.contains("no longer key staff"), "{}", r.text);
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM key_staff WHERE user_id = 3 AND individual_id = {hidden}"
        ))
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_access_review_is_due_yearly() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let row_of = |review: &Value| {
        review["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user"]["id"] == TEACHER_ID)
            .cloned()
            .unwrap()
    };
    let review = api.get("/admin/access/review", Some(&admin)).await.json.unwrap();
    assert_eq!(row_of(&review)["due"], true, "never confirmed");
    assert_eq!(review["items"][0]["due"], true, "due first");
    let r = api
        .post(&format!("/admin/access/review/{TEACHER_ID}"), &json!({}), Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let review = api.get("/admin/access/review", Some(&admin)).await.json.unwrap();
    let teacher = row_of(&review);
    assert_eq!(teacher["due"], false);
    assert_eq!(teacher["last_review"]["visible"], teacher["visible"]);
    assert!(
        review["items"]
            .as_array()
            .unwrap()
            .iter()
            .skip_while(|r| r["due"] == true)
            .all(|r| r["due"] == false)
    );
    assert!(
        api.audit()
            .await
            .iter()
            .any(|r| r.get("action") == "admin.access.review")
    );

    api.advance(366 * 24 * 3600);
    let admin = api.sign_in(ADMIN).await;
    let review = api.get("/admin/access/review", Some(&admin)).await.json.unwrap();
    assert_eq!(row_of(&review)["due"], true, "confirmed over a year ago");
}
