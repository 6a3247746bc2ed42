//! Individuals and profiles over HTTP (SECURITY.md rules 28 and 50): the teacher lists only
//! their own individuals, the lead all; an individual one may not see is 404 with the very
//! body of an unknown id on every route that takes an id, and their name is in no answer; a
//! grant removed applies at the next request; reads are audited without names.

mod common;

use std::collections::HashSet;

use bsmart::wire::{IndividualDetails, IndividualOverview, IndividualPage, PeriodList};
use chrono::Timelike;
use common::*;
use serde_json::json;

/// Every page of `/individuals` for `token` with `query`.
async fn all_individuals(api: &Api, token: &str, query: &str) -> Vec<bsmart::wire::IndividualSummary> {
    let mut items = Vec::new();
    let mut path = format!("/individuals?limit=1000{query}");
    loop {
        let r = api.get(&path, Some(token)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page: IndividualPage = serde_json::from_str(&r.text).unwrap();
        items.extend(page.items);
        match page.next_cursor {
            Some(cursor) => path = format!("/individuals?limit=1000{query}&cursor={cursor}"),
            None => return items,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn teacher_lists_only_their_individuals_and_the_lead_lists_everyone() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let admin = api.sign_in(ADMIN).await;
    let grants = query_text(
        &api.srv.db_path,
        "SELECT individual_id FROM access_permissions WHERE user_id = 3",
    )
    .await;
    let granted: HashSet<i64> = grants.iter().map(|r| r[0].1.parse().unwrap()).collect();
    let mine: HashSet<i64> = all_individuals(&api, &teacher, "").await.iter().map(|i| i.id).collect();
    assert_eq!(mine, granted);
    let everyone = api.count("SELECT COUNT(*) FROM individuals WHERE active = 1").await as usize;
    assert!(granted.len() * 5 < everyone, "the teacher sees more than a fifth");
    for token in [&lead, &admin] {
        assert_eq!(all_individuals(&api, token, "").await.len(), everyone);
    }
    let small: IndividualPage =
        serde_json::from_str(&api.get("/individuals?limit=10", Some(&lead)).await.text).unwrap();
    assert_eq!(small.items.len(), 10);
    assert!(small.items.windows(2).all(|w| w[0].id < w[1].id));
    for bad in [
        "/individuals?cursor=%%%",
        "/individuals?limit=0",
        "/individuals?limit=1001",
    ] {
        api.get(bad, Some(&lead)).await.assert_error(422, "invalid_request");
    }
    let long = format!("/individuals?query={}", "a".repeat(101));
    api.get(&long, Some(&lead)).await.assert_error(422, "invalid_request");
}

#[tokio::test(flavor = "multi_thread")]
async fn search_is_any_case_and_wildcards_are_plain_characters() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let last = api.value("SELECT last_name FROM individuals WHERE id = 1").await;
    let upper = last.to_uppercase();
    let found = all_individuals(&api, &lead, &format!("&query={upper}")).await;
    assert!(found.iter().any(|i| i.id == 1));
    assert!(
        found
            .iter()
            .all(|i| i.name.unmasked().to_lowercase().contains(&last.to_lowercase()))
    );
    for wildcard in ["%25", "_", "%25%25"] {
        assert!(
            all_individuals(&api, &lead, &format!("&query={wildcard}"))
                .await
                .is_empty()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_individual_one_may_not_see_is_404_like_an_unknown_one_on_every_route() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (_, hidden, names) = api.teacher_individuals().await;
    let unknown = 999_999;
    // A communication and a click about the hidden individual, by the lead.
    let communication = uuid::Uuid::new_v4();
    let made = api
        .post(
            "/communications",
            &json!({ "id": communication, "individual_id": hidden, "tone": "na", "message": "Seen at break." }),
            Some(&lead),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let click = uuid::Uuid::new_v4();
    let clicked = api
        .post(
            "/clicks",
            &json!({ "id": click, "individual_id": hidden, "behaviour_id": 1, "occurred_at": api.clock().now() }),
            Some(&lead),
        )
        .await;
    assert_eq!(clicked.status, 201, "{}", clicked.text);
    let before = api.count("SELECT COUNT(*) FROM clicks").await;

    let at = api.clock().now();
    let for_individual = |id: i64| {
        vec![
            ("GET", format!("/individuals/{id}"), None),
            ("GET", format!("/individuals/{id}/overview"), None),
            ("GET", format!("/clicks?individual_id={id}"), None),
            ("GET", format!("/communications?individual_id={id}"), None),
            (
                "POST",
                "/clicks".to_string(),
                Some(json!({ "id": uuid::Uuid::new_v4(), "individual_id": id, "behaviour_id": 1, "occurred_at": at })),
            ),
            (
                "POST",
                "/communications".to_string(),
                Some(
                    json!({ "id": uuid::Uuid::new_v4(), "individual_id": id, "tone": "positive", "message": "Hello" }),
                ),
            ),
        ]
    };
    let by_record = |click: uuid::Uuid, communication: uuid::Uuid| {
        vec![
            ("DELETE", format!("/clicks/{click}"), None),
            (
                "POST",
                format!("/communications/{communication}/responses"),
                Some(json!({ "id": uuid::Uuid::new_v4(), "message": "Thanks" })),
            ),
        ]
    };
    let hidden_calls = for_individual(hidden)
        .into_iter()
        .chain(by_record(click, communication));
    let unknown_calls = for_individual(unknown)
        .into_iter()
        .chain(by_record(uuid::Uuid::new_v4(), uuid::Uuid::new_v4()));
    let mut checked = 0;
    for ((method, path, body), (_, unknown_path, unknown_body)) in hidden_calls.zip(unknown_calls) {
        let send = |path: String, body: Option<serde_json::Value>| {
            let (api, teacher) = (&api, &teacher);
            async move {
                match (method, body) {
                    ("GET", _) => api.get(&path, Some(teacher)).await,
                    ("DELETE", _) => api.delete(&path, Some(teacher)).await,
                    (_, body) => api.post(&path, &body.unwrap(), Some(teacher)).await,
                }
            }
        };
        let seen = send(path.clone(), body).await;
        let missing = send(unknown_path, unknown_body).await;
        seen.assert_error(404, "not_found");
        assert_eq!(
            seen.text, missing.text,
            "{method} {path}: not the answer of an unknown id"
        );
        for name in &names {
            assert!(
                !seen.text.contains(name.as_str()),
                "{method} {path} names the individual"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
    assert_eq!(
        api.count("SELECT COUNT(*) FROM clicks").await,
        before,
        "a refused click was recorded"
    );
    assert_eq!(
        api.count(&format!("SELECT deleted_at IS NULL FROM clicks WHERE id = '{click}'"))
            .await,
        1,
        "the teacher undid a click they may not see"
    );
    // Nor does any list or the notifications name them.
    for path in [
        "/individuals?limit=1000",
        "/clicks?limit=1000",
        "/communications?limit=200",
        "/notifications",
    ] {
        let r = api.get(path, Some(&teacher)).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(!r.text.contains(&format!("\"individual_id\":{hidden},")), "{path}");
        for name in &names {
            assert!(
                !r.text.contains(&format!("\"{name}\"")),
                "{path} names the hidden individual"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_grant_applies_at_the_next_request() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    assert_eq!(
        api.get(&format!("/individuals/{seen}"), Some(&teacher)).await.status,
        200
    );
    execute_sql(
        &api.srv.db_path,
        &format!("DELETE FROM access_permissions WHERE user_id = 3 AND individual_id = {seen}"),
    )
    .await;
    for path in [format!("/individuals/{seen}"), format!("/individuals/{seen}/overview")] {
        api.get(&path, Some(&teacher)).await.assert_error(404, "not_found");
    }
    let click = json!({ "id": uuid::Uuid::new_v4(), "individual_id": seen, "behaviour_id": 1, "occurred_at": api.clock().now() });
    api.post("/clicks", &click, Some(&teacher))
        .await
        .assert_error(404, "not_found");
    assert!(all_individuals(&api, &teacher, "").await.iter().all(|i| i.id != seen));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_lists_contacts_and_everyone_who_may_see_them_key_staff_first() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let key = api
        .count("SELECT individual_id FROM key_staff WHERE user_id = 3 LIMIT 1")
        .await;
    let mark = api.audit_mark().await;
    let r = api.get(&format!("/individuals/{key}"), Some(&teacher)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let details: IndividualDetails = serde_json::from_str(&r.text).unwrap();
    let contacts = api
        .count(&format!(
            "SELECT COUNT(*) FROM key_contacts WHERE individual_id = {key}"
        ))
        .await;
    assert_eq!(details.key_contacts.len() as i64, contacts);
    assert!(details.key_contacts.windows(2).all(|w| w[0].priority <= w[1].priority));
    let firsts: Vec<bool> = details.access.iter().map(|a| a.key_staff).collect();
    assert!(
        firsts.windows(2).all(|w| w[0] >= w[1]),
        "key staff are not first: {firsts:?}"
    );
    let teacher_entry = details.access.iter().find(|a| a.staff.id == 3).expect("the teacher");
    assert!(teacher_entry.key_staff && teacher_entry.level == "record");
    let lead_entry = details.access.iter().find(|a| a.staff.id == 2).expect("the lead");
    assert_eq!(lead_entry.level, "all");
    assert!(
        details.access.iter().all(|a| a.staff.id != 4),
        "the new starter may not see 9B"
    );
    let granted = api
        .count(&format!(
            "SELECT COUNT(*) FROM access_permissions a JOIN users u ON u.id = a.user_id
             WHERE a.individual_id = {key} AND u.role = 'staff' AND u.active = 1"
        ))
        .await;
    let all_seeing = api
        .count("SELECT COUNT(*) FROM users WHERE role <> 'staff' AND active = 1")
        .await;
    assert_eq!(details.access.len() as i64, granted + all_seeing);
    let rows = api.audit_since(mark).await;
    let view = rows
        .iter()
        .find(|r| r.get("action") == "individual.view")
        .expect("audited");
    assert_eq!(view.get("target"), format!("individual:{key}"));
    assert!(!view.all_text().contains(&details.last_name.unmasked().to_lowercase()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overview_holds_the_profile_and_the_clicks_just_recorded() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let id = api
        .count("SELECT individual_id FROM incidents GROUP BY individual_id ORDER BY COUNT(*) DESC LIMIT 1")
        .await;
    let before: IndividualOverview =
        serde_json::from_str(&api.get(&format!("/individuals/{id}/overview"), Some(&lead)).await.text).unwrap();
    for n in 0..3 {
        let body = json!({ "id": uuid::Uuid::new_v4(), "individual_id": id, "behaviour_id": 3, "occurred_at": api.clock().now() });
        assert_eq!(api.post("/clicks", &body, Some(&lead)).await.status, 201, "click {n}");
    }
    let mark = api.audit_mark().await;
    let r = api.get(&format!("/individuals/{id}/overview"), Some(&lead)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after: IndividualOverview = serde_json::from_str(&r.text).unwrap();
    assert_eq!(after.individual.id, id);
    let incidents = api
        .count(&format!(
            "SELECT COUNT(*) FROM incidents WHERE individual_id = {id} AND deleted_at IS NULL"
        ))
        .await;
    assert_eq!(after.incident_total as i64, incidents);
    assert!(after.incidents.iter().all(|i| i.individual.id == id));
    assert!(after.incidents.windows(2).all(|w| w[0].occurred_at >= w[1].occurred_at));
    assert_eq!(after.clicks_last_30_days.len(), 30);
    assert_eq!(
        after.clicks_last_30_days[29],
        before.clicks_last_30_days[29] + 3,
        "today is last"
    );
    let today = api.clock().now().date_naive();
    let counted = after
        .click_counts
        .iter()
        .find(|c| c.day == today && c.behaviour_id == 3)
        .map(|c| c.count);
    assert!(counted >= Some(3), "{counted:?}");
    assert!(after.recent_clicks.len() <= 200 && after.recent_clicks.iter().all(|c| c.individual_id == id));
    assert!(after.communications.iter().all(|c| c.individual.id == id));
    let plans = api
        .count(&format!(
            "SELECT COUNT(*) FROM smart_plans WHERE individual_id = {id} AND deleted_at IS NULL"
        ))
        .await;
    assert_eq!(after.plans.len() as i64, plans);
    let rows = api.audit_since(mark).await;
    assert!(
        rows.iter()
            .any(|r| r.get("action") == "individual.overview" && r.get("target") == format!("individual:{id}"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn last_recorded_by_me_is_my_latest_click_communication_or_incident() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    execute_sql(&api.srv.db_path, "DELETE FROM clicks WHERE user_id = 3").await;
    api.advance(20 * 60);
    let body = json!({ "id": uuid::Uuid::new_v4(), "individual_id": seen, "behaviour_id": 1, "occurred_at": api.clock().now() });
    assert_eq!(api.post("/clicks", &body, Some(&teacher)).await.status, 201);
    let mine = all_individuals(&api, &teacher, "").await;
    let entry = mine.iter().find(|i| i.id == seen).unwrap();
    assert_eq!(
        entry.last_recorded_by_me,
        Some(api.clock().now().with_nanosecond(0).unwrap())
    );
    assert!(
        mine.iter()
            .filter_map(|i| i.last_recorded_by_me)
            .all(|t| t <= api.clock().now())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn behaviours_and_periods_need_a_session() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    for path in ["/behaviours", "/periods"] {
        api.get(path, None).await.assert_error(401, "unauthenticated");
    }
    let periods: PeriodList = serde_json::from_str(&api.get("/periods", Some(&teacher)).await.text).unwrap();
    assert_eq!(periods.items.len(), 6);
    assert!(periods.items.windows(2).all(|w| w[0].ends <= w[1].starts));
    assert!(
        periods.items[2].starts > periods.items[1].ends,
        "no break before period 3"
    );
    let behaviours: bsmart::wire::BehaviourList =
        serde_json::from_str(&api.get("/behaviours", Some(&teacher)).await.text).unwrap();
    assert_eq!(behaviours.items.len(), 20);
    assert!(behaviours.items.windows(2).all(|w| w[0].position <= w[1].position));
}
