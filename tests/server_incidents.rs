//! Incident reports over HTTP (issue 11; SECURITY.md rules 57 to 62): every field checked,
//! idempotent by id, gap-free references under concurrency, the access rule on every route
//! taking a reference (404 exactly as a missing one, no name in any body), edits as revisions
//! with compare-and-set, parents informed, flags, staff accounts, deletion, notifications and
//! the Markdown download.

mod common;

use std::collections::HashSet;

use bsmart::wire::{Incident, IncidentPage, MarkdownExport, NotificationList};
use common::reports::{incident, physical_report, report};
use common::*;
use serde_json::{Value, json};

/// The number of a reference.
fn number(reference: &str) -> i64 {
    reference.rsplit_once('-').unwrap().1.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_is_recorded_once_under_its_id() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let id = uuid::Uuid::new_v4();
    let body = physical_report(id, seen, api.recently());
    let before = api.count("SELECT next_incident_number FROM setting").await;
    let first = api.create_incident(&body, &teacher).await;
    assert_eq!(number(&first.reference), before);
    assert_eq!(first.revision, 1);
    assert_eq!(first.individuals[0].id, seen);
    let physical = first.physical.as_ref().expect("the physical page");
    assert_eq!(physical.deescalation[0].technique.name, "Calm, low voice");
    assert_eq!(physical.physical_techniques[0].effectiveness, 3);
    assert!(first.can.edit && !first.can.delete && !first.can.add_account);

    let again = api.post("/incidents", &body, Some(&teacher)).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(incident(&again).reference, first.reference);
    let mut other = body.clone();
    other["what_happened"] = json!("Something else entirely.");
    api.post("/incidents", &other, Some(&teacher))
        .await
        .assert_error(409, "conflict");
    assert_eq!(
        api.count("SELECT next_incident_number FROM setting").await,
        before + 1,
        "a repeat or a conflict takes no number"
    );

    // Another user sending the same id and body: 409, nothing of the record shown.
    let lead = api.sign_in(LEAD).await;
    let r = api.post("/incidents", &body, Some(&lead)).await;
    r.assert_error(409, "conflict");
    assert!(!r.text.contains(&first.reference));

    // Eight parallel posts of a new id: one record, every answer the same reference.
    let id = uuid::Uuid::new_v4();
    let body = report(id, &[seen], api.recently());
    let answers = futures::future::join_all((0..8).map(|_| api.post("/incidents", &body, Some(&teacher)))).await;
    let refs: HashSet<String> = answers.iter().map(|r| incident(r).reference).collect();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(answers.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM incidents WHERE id = '{id}'"))
            .await,
        1
    );

    let got = api
        .get(&format!("/incidents/{}", first.reference), Some(&teacher))
        .await;
    let got: Incident = incident(&got);
    assert_eq!(got.id, first.id);
    let view = api
        .audit()
        .await
        .into_iter()
        .rev()
        .find(|r| r.get("action") == "incident.view")
        .expect("the view is audited");
    assert_eq!(view.get("target"), format!("incident:{}", first.id));
}

#[tokio::test(flavor = "multi_thread")]
async fn sixteen_concurrent_creators_get_consecutive_references() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let start = api.count("SELECT next_incident_number FROM setting").await;
    let at = api.recently();
    let rounds = 4;
    let mut numbers = Vec::new();
    for round in 0..rounds {
        let posts = (0..16).map(|n| {
            let body = report(uuid::Uuid::new_v4(), &[1 + n], at);
            let lead = lead.clone();
            let api = &api;
            async move { api.post("/incidents", &body, Some(&lead)).await }
        });
        let answers = futures::future::join_all(posts).await;
        for r in &answers {
            assert_eq!(r.status, 201, "{}", r.text);
            numbers.push(number(&incident(r).reference));
        }
        if round == 1 {
            // A refused post in between takes no number.
            let mut bad = report(uuid::Uuid::new_v4(), &[1], at);
            bad["location_id"] = json!(999_999);
            api.post("/incidents", &bad, Some(&lead))
                .await
                .assert_error(422, "invalid_request");
            let missing = report(uuid::Uuid::new_v4(), &[999_999], at);
            api.post("/incidents", &missing, Some(&lead))
                .await
                .assert_error(404, "not_found");
        }
    }
    numbers.sort_unstable();
    let expected: Vec<i64> = (start..start + 16 * rounds).collect();
    assert_eq!(numbers, expected, "no gap and no repeat");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_field_is_checked() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, hidden, names) = api.teacher_individuals().await;
    let now = api.clock().now();
    let at = api.recently();
    let base = report(uuid::Uuid::new_v4(), &[seen], at);
    let long = "é".repeat(10_001);
    let cases: Vec<(&str, Value, u16)> = vec![
        ("no individual", json!({ "individual_ids": [] }), 422),
        ("twice the same", json!({ "individual_ids": [seen, seen] }), 422),
        ("one hidden", json!({ "individual_ids": [seen, hidden] }), 404),
        ("unknown", json!({ "individual_ids": [99_999_999] }), 404),
        ("hidden other", json!({ "others_involved_ids": [hidden] }), 404),
        ("subject also other", json!({ "others_involved_ids": [seen] }), 422),
        (
            "future",
            json!({ "occurred_at": now + chrono::Duration::minutes(5) }),
            422,
        ),
        (
            "ancient",
            json!({ "occurred_at": now - chrono::Duration::days(400) }),
            422,
        ),
        ("unknown location", json!({ "location_id": 999 }), 422),
        ("unknown category", json!({ "category_id": 999 }), 422),
        ("empty text", json!({ "what_happened": "  " }), 422),
        ("long text", json!({ "what_happened": long }), 422),
        ("escape", json!({ "what_happened": "a\u{1b}[2Jb" }), 422),
        ("carriage return", json!({ "pild": { "triggers": "a\rb" } }), 422),
        ("injury without details", json!({ "injury": { "occurred": true } }), 422),
        (
            "discriminatory without details",
            json!({ "pild": { "discriminatory": true } }),
            422,
        ),
        ("author present", json!({ "staff_present_ids": [3] }), 422),
        ("unknown staff", json!({ "staff_present_ids": [99_999] }), 422),
        (
            "physical page on a standard report",
            json!({ "physical": physical_report(uuid::Uuid::new_v4(), seen, at)["physical"] }),
            422,
        ),
        (
            "physical kind without the page",
            json!({ "kind": "physical_intervention" }),
            422,
        ),
        ("wrong type", json!({ "location_id": "1" }), 422),
        ("unknown field", json!({ "surprise": 1 }), 422),
    ];
    let start = api.count("SELECT next_incident_number FROM setting").await;
    for (what, change, status) in cases {
        let mut body = base.clone();
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let r = api.post("/incidents", &body, Some(&teacher)).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        r.envelope();
        for name in &names {
            assert!(!r.text.contains(name.as_str()), "{what} names the hidden individual");
        }
    }
    let ph = physical_report(uuid::Uuid::new_v4(), seen, at);
    let physical_cases: Vec<(&str, Value)> = vec![
        (
            "ended before started",
            json!({ "ended_at": at - chrono::Duration::minutes(1) }),
        ),
        ("over a day", json!({ "ended_at": at + chrono::Duration::hours(25) })),
        (
            "effectiveness 6",
            json!({ "deescalation": [{ "technique_id": 1, "effectiveness": 6 }] }),
        ),
        (
            "effectiveness 0",
            json!({ "deescalation": [{ "technique_id": 1, "effectiveness": 0 }] }),
        ),
        (
            "wrong list",
            json!({ "deescalation": [{ "technique_id": 8, "effectiveness": 3 }] }),
        ),
        (
            "twice",
            json!({ "deescalation": [{ "technique_id": 1, "effectiveness": 3 }, { "technique_id": 1, "effectiveness": 2 }] }),
        ),
        ("no staff response", json!({ "staff_response": "" })),
        (
            "parents told before it happened",
            json!({ "parents_informed": { "at": at - chrono::Duration::hours(1), "how": "Phone" } }),
        ),
    ];
    for (what, change) in physical_cases {
        let mut body = ph.clone();
        for (key, value) in change.as_object().unwrap() {
            body["physical"][key] = value.clone();
        }
        let r = api.post("/incidents", &body, Some(&teacher)).await;
        assert_eq!(r.status, 422, "{what}: {}", r.text);
    }
    assert_eq!(
        api.count("SELECT next_incident_number FROM setting").await,
        start,
        "no refused report took a number"
    );

    // Ten 10,000-character fields of multi-byte text are over 64 KiB: accepted here.
    let mut big = report(uuid::Uuid::new_v4(), &[seen], at);
    let text = "é".repeat(10_000);
    big["what_happened"] = json!(text);
    for field in [
        "perspective",
        "feelings",
        "next_time",
        "triggers",
        "adjustments",
        "comments",
    ] {
        big["pild"][field] = json!(text);
    }
    big["injury"] = json!({ "occurred": true, "details": text });
    let r = api.post("/incidents", &big, Some(&teacher)).await;
    assert_eq!(r.status, 201, "{}", &r.text[..r.text.len().min(300)]);
    // Over 1 MiB is 413 with the envelope; over 64 KiB elsewhere too.
    let mut huge = report(uuid::Uuid::new_v4(), &[seen], at);
    huge["what_happened"] = json!("x".repeat(1024 * 1024 + 1));
    // (Each through a client of its own: the server closes the connection of a refused body.)
    let fresh = |path: &str, body: &Value| http_client().post(api.srv.api(path)).bearer_auth(&teacher).json(body);
    api.send(fresh("/incidents", &huge))
        .await
        .assert_error(413, "payload_too_large");
    let message =
        json!({ "id": uuid::Uuid::new_v4(), "individual_id": seen, "tone": "positive", "message": "x".repeat(70_000) });
    api.send(fresh("/communications", &message))
        .await
        .assert_error(413, "payload_too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incident_the_reader_may_not_see_is_404_on_every_route() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (seen, hidden, hidden_names) = api.teacher_individuals().await;
    let (demo_hidden, demo_names) = api.hidden_incident().await;
    // A report about two individuals, one of whom the teacher may not see.
    let mut two = report(uuid::Uuid::new_v4(), &[seen, hidden], api.recently());
    two["staff_present_ids"] = json!([3]);
    let two = api.create_incident(&two, &lead).await;
    let prefix = two.reference.rsplit_once('-').unwrap().0.to_string();
    let missing = format!("{prefix}-99999999");
    let at = api.recently();
    let bodies: Vec<(&str, &str, Value)> = vec![
        ("GET", "", Value::Null),
        ("GET", "/markdown", Value::Null),
        (
            "PUT",
            "",
            json!({ "base_revision": 1, "report": report(uuid::Uuid::new_v4(), &[seen], at) }),
        ),
        ("DELETE", "", json!({ "reason": "Duplicate" })),
        ("POST", "/flag", json!({ "flagged": true, "reason": "Worrying" })),
        ("POST", "/parents-informed", json!({ "at": at, "how": "Phone call" })),
        (
            "POST",
            "/accounts",
            json!({ "id": uuid::Uuid::new_v4(), "text": "I saw it." }),
        ),
    ];
    let mut names: Vec<String> = hidden_names.clone();
    names.extend(demo_names);
    for (method, tail, body) in &bodies {
        let call = |reference: String| {
            let path = format!("/incidents/{reference}{tail}");
            let api = &api;
            let teacher = &teacher;
            async move {
                match *method {
                    "GET" => api.get(&path, Some(teacher)).await,
                    "PUT" => api.put(&path, body, Some(teacher)).await,
                    "DELETE" => api.delete_with(&path, body, Some(teacher)).await,
                    _ => api.post(&path, body, Some(teacher)).await,
                }
            }
        };
        let absent = call(missing.clone()).await;
        absent.assert_error(404, "not_found");
        for reference in [format!("{prefix}-{demo_hidden}"), two.reference.clone()] {
            let r = call(reference.clone()).await;
            assert_eq!(r.status, 404, "{method} {reference}{tail}: {}", r.text);
            assert_eq!(
                r.text, absent.text,
                "{method} {tail}: the body differs from a missing one"
            );
            for name in &names {
                assert!(!r.text.contains(name.as_str()));
            }
        }
        for bad in [
            "abc",
            "besmart-0",
            "other-12",
            &format!("{prefix}-99999999999999999999999"),
        ] {
            let r = call(bad.to_string()).await;
            assert_eq!(r.status, 404, "{method} {bad}{tail}: {}", r.text);
        }
    }
    // Lists leave both out, and the filters agree.
    let (items, _) = api.all_incidents(&teacher, "").await;
    let refs: HashSet<String> = items.iter().map(|i| i.reference.clone()).collect();
    assert!(!refs.contains(&two.reference) && !refs.contains(&format!("{prefix}-{demo_hidden}")));
    let r = api
        .get(&format!("/incidents?individual_id={seen}"), Some(&teacher))
        .await;
    let page: IncidentPage = serde_json::from_str(&r.text).unwrap();
    assert!(page.items.iter().all(|i| i.reference != two.reference));
    let r = api
        .get(&format!("/incidents?individual_id={hidden}"), Some(&teacher))
        .await;
    r.assert_error(404, "not_found");
    let r = api.get(&format!("/individuals/{seen}/overview"), Some(&teacher)).await;
    assert!(!r.text.contains(&two.reference));
    // The lead sees it, with its second subject counted on the list.
    let r = api
        .get(&format!("/incidents?individual_id={hidden}&limit=1000"), Some(&lead))
        .await;
    let page: IncidentPage = serde_json::from_str(&r.text).unwrap();
    let row = page
        .items
        .iter()
        .find(|i| i.reference == two.reference)
        .expect("listed");
    assert_eq!(row.more_individuals, 1);
    // The teacher was named present but never hears of it.
    let r = api.get("/notifications", Some(&teacher)).await;
    let list: NotificationList = serde_json::from_str(&r.text).unwrap();
    assert!(
        list.items
            .iter()
            .all(|n| n.incident_reference.as_deref() != Some(&two.reference))
    );
    for name in &hidden_names {
        assert!(!r.text.contains(name.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn others_involved_the_reader_may_not_see_are_withheld() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (seen, hidden, names) = api.teacher_individuals().await;
    let mut body = report(uuid::Uuid::new_v4(), &[seen], api.recently());
    body["others_involved_ids"] = json!([hidden]);
    let created = api.create_incident(&body, &lead).await;
    assert_eq!(created.others_involved.len(), 1);
    let r = api
        .get(&format!("/incidents/{}", created.reference), Some(&teacher))
        .await;
    let seen_by_teacher = incident(&r);
    assert!(seen_by_teacher.others_involved.is_empty());
    assert_eq!(seen_by_teacher.others_withheld, 1);
    let markdown = api
        .get(&format!("/incidents/{}/markdown", created.reference), Some(&teacher))
        .await;
    for text in [&r.text, &markdown.text] {
        for name in &names {
            assert!(!text.contains(name.as_str()), "a withheld individual is named");
        }
    }
    // An edit by the lead removing the hidden individual names them to nobody who may not see them.
    let mut edit = body.clone();
    edit["others_involved_ids"] = json!([]);
    let r = api
        .put(
            &format!("/incidents/{}", created.reference),
            &json!({ "base_revision": 1, "report": edit }),
            Some(&lead),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .get(&format!("/incidents/{}", created.reference), Some(&teacher))
        .await;
    let revised = incident(&r);
    let change = &revised.revisions[0].changes[0];
    assert_eq!(change.field, "others_involved");
    assert_eq!(change.before, "1 other not shown");
    for name in &names {
        assert!(!r.text.contains(name.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_keeps_the_others_involved_the_editor_may_no_longer_see() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let grants = "SELECT individual_id FROM access_permissions WHERE user_id = 3 ORDER BY individual_id";
    let subject = api.count(&format!("{grants} LIMIT 1")).await;
    let other = api.count(&format!("{grants} LIMIT 1 OFFSET 1")).await;
    let mut body = report(uuid::Uuid::new_v4(), &[subject], api.recently());
    body["others_involved_ids"] = json!([other]);
    let created = api.create_incident(&body, &teacher).await;
    // The teacher's access to the other individual ends; then the teacher edits the report.
    execute_sql(
        &api.srv.db_path,
        &format!("DELETE FROM access_permissions WHERE user_id = 3 AND individual_id = {other}"),
    )
    .await;
    let mut edit = body.clone();
    edit["others_involved_ids"] = json!([]);
    edit["what_happened"] = json!("Threw a chair across the corridor after break, then sat down.");
    let r = api
        .put(
            &format!("/incidents/{}", created.reference),
            &json!({ "base_revision": 1, "report": edit }),
            Some(&teacher),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(&format!("/incidents/{}", created.reference), Some(&lead)).await;
    let stored = incident(&r);
    assert_eq!(
        stored.others_involved.iter().map(|i| i.id).collect::<Vec<_>>(),
        [other],
        "an individual the editor was not shown is not dropped by their edit"
    );
    let changed: Vec<&str> = stored.revisions[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(changed, ["what_happened"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_are_revisions_from_the_current_revision_only() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let id = uuid::Uuid::new_v4();
    let body = report(id, &[seen], api.recently());
    let created = api.create_incident(&body, &teacher).await;
    let path = format!("/incidents/{}", created.reference);
    let unchanged = api
        .put(&path, &json!({ "base_revision": 1, "report": body }), Some(&teacher))
        .await;
    assert_eq!(
        incident(&unchanged).revision,
        1,
        "an edit changing nothing makes no revision"
    );
    let mut edit = body.clone();
    edit["location_id"] = json!(2);
    edit["what_happened"] = json!("Threw a chair; nobody was hit.");
    edit["injury"] = json!({ "occurred": true, "details": "Graze on the hand, cleaned." });
    let r = api
        .put(&path, &json!({ "base_revision": 1, "report": edit }), Some(&teacher))
        .await;
    let edited = incident(&r);
    assert_eq!(edited.revision, 2);
    let changes = &edited.revisions[0].changes;
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        ["location", "what_happened", "injury.occurred", "injury.details"]
    );
    let location_names: Vec<String> = query_text(
        &api.srv.db_path,
        "SELECT name FROM locations WHERE id IN (1, 2) ORDER BY id",
    )
    .await
    .into_iter()
    .map(|row| row[0].1.clone())
    .collect();
    assert_eq!(changes[0].before, location_names[0]);
    assert_eq!(changes[0].after, location_names[1]);
    assert_eq!((changes[2].before.as_str(), changes[2].after.as_str()), ("No", "Yes"));
    // From a stale base: 409, nothing changed.
    let mut stale = edit.clone();
    stale["what_happened"] = json!("Overwrites the other edit.");
    api.put(&path, &json!({ "base_revision": 1, "report": stale }), Some(&teacher))
        .await
        .assert_error(409, "conflict");
    // The id and kind must be the stored ones.
    let mut wrong = edit.clone();
    wrong["kind"] = json!("physical_intervention");
    wrong["physical"] = physical_report(id, seen, api.recently())["physical"].clone();
    api.put(&path, &json!({ "base_revision": 2, "report": wrong }), Some(&teacher))
        .await
        .assert_error(422, "invalid_request");
    // Two parallel edits from the same base: exactly one wins.
    let edits = ["First parallel edit.", "Second parallel edit."].map(|text| {
        let mut e = edit.clone();
        e["what_happened"] = json!(text);
        json!({ "base_revision": 2, "report": e })
    });
    let (a, b) = tokio::join!(
        api.put(&path, &edits[0], Some(&teacher)),
        api.put(&path, &edits[1], Some(&teacher))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM incident_revisions WHERE incident_id = '{id}'"
        ))
        .await,
        2
    );
    // Someone who may see it but did not write it: 403; the lead (edits every incident): 200.
    let (_, other) = api.other_staff("other.teacher@demo.test", &[seen]).await;
    let mut theirs = edit.clone();
    theirs["what_happened"] = json!("Not mine to change.");
    api.put(
        &path,
        &json!({ "base_revision": 3, "report": theirs.clone() }),
        Some(&other),
    )
    .await
    .assert_error(403, "forbidden");
    let lead = api.sign_in(LEAD).await;
    let (added, _) = api.other_staff("added.later@demo.test", &[seen]).await;
    theirs["staff_present_ids"] = json!([added]);
    let r = api
        .put(&path, &json!({ "base_revision": 3, "report": theirs }), Some(&lead))
        .await;
    let revised = incident(&r);
    assert_eq!(revised.revision, 4);
    let staff_change = revised.revisions[2]
        .changes
        .iter()
        .find(|c| c.field == "staff_present")
        .expect("staff present changed");
    assert_eq!(
        (staff_change.before.as_str(), staff_change.after.as_str()),
        ("None", "Test Staff")
    );
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM notifications WHERE user_id = {added} AND incident_id = '{id}' AND kind = 'collaboration_invite'"
        ))
        .await,
        1,
        "staff added by an edit are invited"
    );
    let audited = api
        .audit()
        .await
        .into_iter()
        .filter(|r| r.get("action") == "incident.edit" && r.get("outcome") == "success")
        .count();
    assert_eq!(audited, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_needs_the_permission_and_hides_the_incident_from_everyone() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let admin = api.sign_in(ADMIN).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let created = api
        .create_incident(&report(uuid::Uuid::new_v4(), &[seen], api.recently()), &teacher)
        .await;
    let path = format!("/incidents/{}", created.reference);
    let reason = json!({ "reason": "Duplicate of an earlier report \"x\"\n" });
    for token in [&teacher, &lead] {
        api.delete_with(&path, &reason, Some(token))
            .await
            .assert_error(403, "forbidden");
    }
    api.delete_with(&path, &json!({ "reason": "" }), Some(&admin))
        .await
        .assert_error(422, "invalid_request");
    let r = api.delete_with(&path, &reason, Some(&admin)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    for token in [&teacher, &lead, &admin] {
        api.get(&path, Some(token)).await.assert_error(404, "not_found");
        let (items, _) = api.all_incidents(token, "").await;
        assert!(items.iter().all(|i| i.reference != created.reference));
        let r = api.get(&format!("/individuals/{seen}/overview"), Some(token)).await;
        assert!(!r.text.contains(&created.reference));
    }
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM incidents WHERE id = '{}' AND deleted_at IS NOT NULL AND deleted_by = 1",
            created.id
        ))
        .await,
        1,
        "hidden, never erased"
    );
    let row = api
        .audit()
        .await
        .into_iter()
        .rev()
        .find(|r| r.get("action") == "incident.delete" && r.get("outcome") == "success")
        .expect("audited");
    assert_eq!(row.get("actor"), ADMIN.email);
    assert!(
        row.get("detail").contains("Duplicate of an earlier report"),
        "{}",
        row.get("detail")
    );
    assert!(!row.get("detail").contains('\n'), "the reason is escaped");
}

#[tokio::test(flavor = "multi_thread")]
async fn parents_informed_flags_and_staff_accounts() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    // A 9B pupil: the teacher and the lead are among their key staff.
    let pupil = api
        .count("SELECT individual_id FROM key_staff WHERE user_id = 3 ORDER BY individual_id LIMIT 1")
        .await;
    let (other_id, other) = api.other_staff("present@demo.test", &[pupil]).await;
    let at = api.recently();
    let mut body = report(uuid::Uuid::new_v4(), &[pupil], at);
    body["staff_present_ids"] = json!([other_id]);
    let created = api.create_incident(&body, &teacher).await;
    let path = format!("/incidents/{}", created.reference);
    // Notifications: the present staff member is invited; key staff (not the author) told.
    let kinds = query_text(
        &api.srv.db_path,
        &format!(
            "SELECT user_id, kind FROM notifications WHERE incident_id = '{}'",
            created.id
        ),
    )
    .await;
    let kinds: HashSet<(i64, String)> = kinds
        .into_iter()
        .map(|row| (row[0].1.parse().unwrap(), row[1].1.clone()))
        .collect();
    assert!(
        kinds.contains(&(other_id, "collaboration_invite".to_string())),
        "{kinds:?}"
    );
    assert!(kinds.contains(&(2, "incident_reported".to_string())), "{kinds:?}");
    assert!(kinds.iter().all(|(user, _)| *user != 3), "never the author");
    let notified: HashSet<i64> = created.notified.iter().map(|s| s.id).collect();
    assert!(notified.contains(&other_id) && notified.contains(&2));
    let r = api.get("/notifications", Some(&other)).await;
    assert!(
        r.text.contains(&created.reference) && r.text.contains("collaboration_invite"),
        "{}",
        r.text
    );
    let r = api.get("/notifications", Some(&lead)).await;
    let list: NotificationList = serde_json::from_str(&r.text).unwrap();
    let told = list
        .items
        .iter()
        .find(|n| n.incident_reference.as_deref() == Some(&created.reference))
        .expect("the lead, key staff, is told");
    assert_eq!(told.kind, bsmart::wire::NotificationKind::IncidentReported);
    assert_eq!(told.individual.as_ref().map(|i| i.id), Some(pupil));

    // Parents informed: not in the future, not before the incident.
    let informed = |at: chrono::DateTime<chrono::Utc>, how: &str| json!({ "at": at, "how": how });
    let url = format!("{path}/parents-informed");
    api.post(&url, &informed(at - chrono::Duration::hours(1), "Phone"), Some(&lead))
        .await
        .assert_error(422, "invalid_request");
    api.post(
        &url,
        &informed(api.clock().now() + chrono::Duration::minutes(5), "Phone"),
        Some(&lead),
    )
    .await
    .assert_error(422, "invalid_request");
    api.post(&url, &informed(at, ""), Some(&lead))
        .await
        .assert_error(422, "invalid_request");
    let r = api.post(&url, &informed(at, "Phone call to mother"), Some(&lead)).await;
    let told = incident(&r).parents_informed.expect("recorded");
    assert_eq!((told.how.as_str(), told.by.id), ("Phone call to mother", 2));

    // Flag: a reason is needed; DSLs and key staff hear of it, never the flagger.
    let url = format!("{path}/flag");
    api.post(&url, &json!({ "flagged": true }), Some(&other))
        .await
        .assert_error(422, "invalid_request");
    let r = api
        .post(
            &url,
            &json!({ "flagged": true, "reason": "Third this week" }),
            Some(&other),
        )
        .await;
    let flag = incident(&r).flag.expect("flagged");
    assert_eq!(flag.by.id, other_id);
    let flagged: HashSet<i64> = query_text(
        &api.srv.db_path,
        &format!(
            "SELECT user_id FROM notifications WHERE incident_id = '{}' AND kind = 'incident_flagged'",
            created.id
        ),
    )
    .await
    .into_iter()
    .map(|row| row[0].1.parse().unwrap())
    .collect();
    let key: HashSet<i64> = query_text(
        &api.srv.db_path,
        &format!("SELECT user_id FROM key_staff WHERE individual_id = {pupil}"),
    )
    .await
    .into_iter()
    .map(|row| row[0].1.parse().unwrap())
    .collect();
    let dsls: HashSet<i64> = [7, 8].into();
    let expected: HashSet<i64> = key.union(&dsls).copied().filter(|u| *u != other_id).collect();
    assert_eq!(flagged, expected);
    let r = api.post(&url, &json!({ "flagged": false }), Some(&other)).await;
    assert!(incident(&r).flag.is_none());

    // Accounts: only staff named present, once.
    let account = json!({ "id": uuid::Uuid::new_v4(), "text": "I was on duty by the door." });
    let url = format!("{path}/accounts");
    api.post(&url, &account, Some(&lead))
        .await
        .assert_error(403, "forbidden");
    let before = incident(&api.get(&path, Some(&other)).await);
    assert!(before.can.add_account);
    let r = api.post(&url, &account, Some(&other)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let after = incident(&r);
    assert_eq!(after.accounts.len(), 1);
    assert!(!after.can.add_account);
    assert_eq!(api.post(&url, &account, Some(&other)).await.status, 200);
    api.post(
        &url,
        &json!({ "id": uuid::Uuid::new_v4(), "text": "A second account." }),
        Some(&other),
    )
    .await
    .assert_error(409, "conflict");
    for action in ["incident.parents_informed", "incident.flag", "incident.account"] {
        assert!(api.audit().await.iter().any(|r| r.get("action") == action), "{action}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_filters_narrow_the_list() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let at = api.recently();
    let physical = api
        .create_incident(&physical_report(uuid::Uuid::new_v4(), seen, at), &teacher)
        .await;
    let (all, total) = api.all_incidents(&teacher, "").await;
    assert_eq!(all.len() as u64, total);
    let (mine, _) = api.all_incidents(&teacher, "&mine=true").await;
    assert!(mine.iter().any(|i| i.reference == physical.reference));
    assert!(mine.len() < all.len());
    let (kind, _) = api.all_incidents(&teacher, "&kind=physical_intervention").await;
    assert!(
        kind.iter()
            .all(|i| i.kind == bsmart::wire::IncidentKind::PhysicalIntervention)
    );
    assert!(kind.iter().any(|i| i.reference == physical.reference));
    let (flagged, _) = api.all_incidents(&teacher, "&flagged=true").await;
    assert!(flagged.iter().all(|i| i.flagged));
    let (informed, _) = api.all_incidents(&teacher, "&parents_informed=false").await;
    assert!(informed.iter().all(|i| !i.parents_informed));
    let (located, _) = api.all_incidents(&teacher, "&location_id=1").await;
    assert!(located.iter().any(|i| i.reference == physical.reference));
    let since = (at - chrono::Duration::minutes(1)).to_rfc3339().replace('+', "%2B");
    let until = (at + chrono::Duration::minutes(1)).to_rfc3339().replace('+', "%2B");
    let (window, _) = api
        .all_incidents(&teacher, &format!("&since={since}&until={until}"))
        .await;
    assert!(window.iter().any(|i| i.reference == physical.reference));
    api.get(&format!("/incidents?since={until}&until={since}"), Some(&teacher))
        .await
        .assert_error(422, "invalid_request");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_markdown_download_is_readable_clean_and_audited() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let number = api.seen_incident().await;
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE incidents SET what_happened = 'Shouted' || char(27) || '[2J' || char(7) || ' loudly' WHERE number = {number}"),
    )
    .await;
    let r = api.get("/setting", None).await;
    let prefix = r
        .json
        .as_ref()
        .and_then(|v| v["incident_prefix"].as_str())
        .unwrap_or("besmart")
        .to_string();
    let reference = format!("{prefix}-{number}");
    let r = api
        .get(&format!("/incidents/{reference}/markdown"), Some(&teacher))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let export: MarkdownExport = serde_json::from_str(&r.text).unwrap();
    assert_eq!(export.filename, format!("{reference}.md"));
    assert!(export.markdown.starts_with(&format!("# Incident {reference}")));
    assert!(export.markdown.contains("Shouted[2J loudly"));
    assert!(!export.markdown.chars().any(|c| c.is_control() && c != '\n'));
    assert!(export.markdown.contains("## Post-Incident Learning"));
    let row = api.audit().await.into_iter().last().unwrap();
    assert_eq!(row.get("action"), "incident.export");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lists_a_report_names() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    for path in ["/locations", "/incident-categories", "/staff"] {
        let r = api.get(path, Some(&teacher)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert!(!r.json.unwrap()["items"].as_array().unwrap().is_empty(), "{path}");
        api.get(path, None).await.assert_error(401, "unauthenticated");
    }
    let r = api.get("/techniques", Some(&teacher)).await;
    let lists: bsmart::wire::TechniqueLists = serde_json::from_str(&r.text).unwrap();
    assert!(lists.deescalation.iter().any(|t| t.name == "Offering choices"));
    assert!(lists.physical.iter().any(|t| t.name == "Figure of four"));
}
