//! A pupil's chronology over HTTP (`GET /individuals/{id}/chronology`, SECURITY.md rule 73),
//! checked against what this test reads itself from the raw tables: the incidents the
//! individual is one of those it is about (primary or subject, not deleted, every subject
//! visible to the reader), their clicks (not undone) and the communications about them. Paging
//! walks everything once while clicks arrive; an individual the teacher may not open is the 404
//! of a missing one and never named; reads are audited without names; bad limits and cursors
//! are refused with a sentence.

mod common;

use std::collections::HashSet;

use bsmart::wire::{ChronologyEntry, ChronologyItem, ChronologyPage, IncidentKind, StaffRef, Tone};
use chrono::{DateTime, Duration, Utc};
use common::reports::report;
use common::*;
use serde_json::{Value, json};
use sqlx::Row;

/// The demo teacher's user id.
const TEACHER_ID: i64 = 3;

/// A click body about `individual` of `behaviour` at `at`.
fn click(id: uuid::Uuid, individual: i64, behaviour: i64, at: DateTime<Utc>) -> Value {
    json!({ "id": id, "individual_id": individual, "behaviour_id": behaviour, "occurred_at": at })
}

/// Every page of the chronology of `individual` for `token`, `limit` a page.
async fn walk(api: &Api, token: &str, individual: i64, limit: u32) -> Vec<ChronologyEntry> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => format!("/individuals/{individual}/chronology?limit={limit}"),
            Some(c) => format!("/individuals/{individual}/chronology?limit={limit}&cursor={c}"),
        };
        let r = api.get(&path, Some(token)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page: ChronologyPage = serde_json::from_str(&r.text).unwrap();
        assert!(page.items.len() <= limit as usize);
        items.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return items,
        }
    }
}

/// The entries of `items` as sorted JSON texts: equal for equal multisets.
fn canon(items: &[ChronologyEntry]) -> Vec<String> {
    let mut texts: Vec<String> = items.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    texts.sort();
    texts
}

/// The chronology of `individual` for a reader who may see `visible` (every individual when
/// `None`), read from the raw tables with this test's own SQL.
async fn expected(api: &Api, individual: i64, visible: Option<&HashSet<i64>>) -> Vec<ChronologyEntry> {
    let mut db = open_read_only(&api.srv.db_path).await;
    let prefix: String = sqlx::query("SELECT incident_prefix FROM setting")
        .fetch_one(&mut db)
        .await
        .unwrap()
        .get(0);
    let seen = |id: i64| visible.is_none_or(|v| v.contains(&id));
    let mut entries = Vec::new();
    let incidents = sqlx::query(
        "SELECT i.id, i.number, i.kind, c.name, l.name, i.flagged, i.occurred_at, i.reported_by, u.display_name,
                i.individual_id
           FROM incidents i JOIN incident_categories c ON c.id = i.category_id
           JOIN locations l ON l.id = i.location_id JOIN users u ON u.id = i.reported_by
          WHERE i.deleted_at IS NULL",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let subjects = sqlx::query("SELECT incident_id, individual_id FROM incident_individuals WHERE role = 'subject'")
        .fetch_all(&mut db)
        .await
        .unwrap();
    for r in incidents {
        let id: String = r.get(0);
        let mut about: Vec<i64> = vec![r.get(9)];
        about.extend(
            subjects
                .iter()
                .filter(|s| s.get::<String, _>(0) == id)
                .map(|s| s.get::<i64, _>(1)),
        );
        if !about.contains(&individual) || !about.iter().all(|who| seen(*who)) {
            continue;
        }
        let kind: IncidentKind = serde_json::from_value(json!(r.get::<String, _>(2))).unwrap();
        entries.push(ChronologyEntry {
            at: DateTime::from_timestamp(r.get(6), 0).unwrap(),
            by: StaffRef {
                id: r.get(7),
                name: r.get(8),
            },
            item: ChronologyItem::Incident {
                reference: format!("{prefix}-{}", r.get::<i64, _>(1)),
                kind,
                category: r.get(3),
                location: r.get(4),
                flagged: r.get::<i64, _>(5) == 1,
            },
        });
    }
    for r in sqlx::query(
        "SELECT k.occurred_at, k.user_id, u.display_name, b.name FROM clicks k
           JOIN users u ON u.id = k.user_id JOIN behaviours b ON b.id = k.behaviour_id
          WHERE k.individual_id = ?1 AND k.deleted_at IS NULL",
    )
    .bind(individual)
    .fetch_all(&mut db)
    .await
    .unwrap()
    {
        entries.push(ChronologyEntry {
            at: DateTime::from_timestamp(r.get(0), 0).unwrap(),
            by: StaffRef {
                id: r.get(1),
                name: r.get(2),
            },
            item: ChronologyItem::Click { behaviour: r.get(3) },
        });
    }
    for r in sqlx::query(
        "SELECT m.created_at, m.author_id, u.display_name, m.sentiment, m.message FROM communications m
           JOIN users u ON u.id = m.author_id WHERE m.individual_id = ?1",
    )
    .bind(individual)
    .fetch_all(&mut db)
    .await
    .unwrap()
    {
        let tone: Tone = serde_json::from_value(json!(r.get::<String, _>(3))).unwrap();
        let message: String = r.get(4);
        entries.push(ChronologyEntry {
            at: DateTime::from_timestamp(r.get(0), 0).unwrap(),
            by: StaffRef {
                id: r.get(1),
                name: r.get(2),
            },
            item: ChronologyItem::Communication {
                tone,
                message: message.split('\n').next().unwrap().chars().take(200).collect(),
            },
        });
    }
    entries
}

/// The individuals the demo teacher may see.
async fn teacher_visible(api: &Api) -> HashSet<i64> {
    query_text(
        &api.srv.db_path,
        &format!("SELECT individual_id FROM access_permissions WHERE user_id = {TEACHER_ID}"),
    )
    .await
    .iter()
    .map(|r| r[0].1.parse().unwrap())
    .collect()
}

/// The individual the teacher may see with the most clicks and communications (a key pupil of
/// the teacher's, so the teacher may write to them), and another the teacher may see.
async fn busy_pupil(api: &Api) -> (i64, i64) {
    let busy = api
        .count(&format!(
            "SELECT k.individual_id FROM key_staff k JOIN access_permissions a
                ON a.individual_id = k.individual_id AND a.user_id = {TEACHER_ID}
              WHERE k.user_id = {TEACHER_ID}
              ORDER BY (SELECT COUNT(*) FROM clicks c WHERE c.individual_id = k.individual_id)
                     + (SELECT COUNT(*) FROM communications m WHERE m.individual_id = k.individual_id) DESC,
                       k.individual_id
              LIMIT 1"
        ))
        .await;
    let other = api
        .count(&format!(
            "SELECT individual_id FROM access_permissions WHERE user_id = {TEACHER_ID} AND individual_id <> {busy}
              ORDER BY individual_id LIMIT 1"
        ))
        .await;
    (busy, other)
}

/// Incidents that only the subject rule, the involved rule and the access rule tell apart, a
/// communication of two lines, and a click: what the raw rows must agree on.
async fn add_records(api: &Api, teacher: &str, lead: &str, pupil: i64, other: i64, hidden: i64) {
    // The pupil is the second subject (not the primary individual).
    api.create_incident(&report(uuid::Uuid::new_v4(), &[other, pupil], api.recently()), teacher)
        .await;
    // The pupil is only involved: not theirs.
    let mut involved = report(uuid::Uuid::new_v4(), &[other], api.recently());
    involved["others_involved_ids"] = json!([pupil]);
    api.create_incident(&involved, teacher).await;
    // About the pupil and an individual the teacher may not see: the lead's only.
    api.create_incident(&report(uuid::Uuid::new_v4(), &[pupil, hidden], api.recently()), lead)
        .await;
    let text = format!(
        "{}\nThe second line stays out of the chronology.",
        "Settled well. ".repeat(20)
    );
    let r = api
        .post(
            "/communications",
            &json!({ "id": uuid::Uuid::new_v4(), "individual_id": pupil, "tone": "positive", "message": text }),
            Some(teacher),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            "/clicks",
            &click(uuid::Uuid::new_v4(), pupil, 2, api.recently()),
            Some(teacher),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chronology_holds_exactly_the_raw_records_of_the_individual_newest_first() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (pupil, other) = busy_pupil(&api).await;
    let (_, hidden, _) = api.teacher_individuals().await;
    add_records(&api, &teacher, &lead, pupil, other, hidden).await;
    let visible = teacher_visible(&api).await;
    for (token, visible) in [(&teacher, Some(&visible)), (&lead, None)] {
        let want = expected(&api, pupil, visible).await;
        let got = walk(&api, token, pupil, 500).await;
        assert_eq!(canon(&got), canon(&want), "the chronology is not the raw records");
        assert!(got.windows(2).all(|w| w[0].at >= w[1].at), "not newest first");
        let kinds = |f: fn(&ChronologyItem) -> bool| got.iter().filter(|e| f(&e.item)).count();
        assert!(kinds(|i| matches!(i, ChronologyItem::Incident { .. })) >= 1);
        assert!(kinds(|i| matches!(i, ChronologyItem::Click { .. })) >= 2);
        assert!(kinds(|i| matches!(i, ChronologyItem::Communication { .. })) >= 1);
        // The communication is its first line, cut to 200 characters.
        assert!(got.iter().any(|e| matches!(&e.item,
            ChronologyItem::Communication { message, .. } if message.chars().count() == 200 && message.starts_with("Settled well."))));
        assert!(
            !got.iter()
                .any(|e| serde_json::to_string(e).unwrap().contains("second line"))
        );
    }
    // The hidden co-subject's incident is the lead's only.
    let teachers = walk(&api, &teacher, pupil, 500).await;
    let leads = walk(&api, &lead, pupil, 500).await;
    let incidents = |items: &[ChronologyEntry]| {
        items
            .iter()
            .filter(|e| matches!(e.item, ChronologyItem::Incident { .. }))
            .count()
    };
    assert_eq!(incidents(&leads), incidents(&teachers) + 1);
    // The default page is 100 entries.
    let page: ChronologyPage = serde_json::from_str(
        &api.get(&format!("/individuals/{pupil}/chronology"), Some(&lead))
            .await
            .text,
    )
    .unwrap();
    assert_eq!(page.items.len(), leads.len().min(100));
    assert_eq!(page.next_cursor.is_some(), leads.len() >= 100);
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_by_seven_walks_every_entry_once_while_clicks_arrive() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let (pupil, _) = busy_pupil(&api).await;
    // Ten clicks of one second: page boundaries fall inside entries of the same time.
    let tied = api.recently() - Duration::hours(1);
    for _ in 0..10 {
        let r = api
            .post("/clicks", &click(uuid::Uuid::new_v4(), pupil, 1, tied), Some(&teacher))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let start = api.clock().now();
    let want = expected(&api, pupil, None).await;
    assert!(want.len() > 21, "too few entries to page: {}", want.len());
    assert!(want.iter().all(|e| e.at < start));
    // The lead walks pages of 7 while the teacher keeps clicking (newer than every page), and
    // one more click arrives between each two pages.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            None => format!("/individuals/{pupil}/chronology?limit=7"),
            Some(c) => format!("/individuals/{pupil}/chronology?limit=7&cursor={c}"),
        };
        let arriving = click(uuid::Uuid::new_v4(), pupil, 1, start);
        let (r, posted) = tokio::join!(
            api.get(&path, Some(&lead)),
            api.post("/clicks", &arriving, Some(&teacher))
        );
        assert_eq!(posted.status, 201, "{}", posted.text);
        let r2 = api
            .post("/clicks", &click(uuid::Uuid::new_v4(), pupil, 2, start), Some(&teacher))
            .await;
        assert_eq!(r2.status, 201, "{}", r2.text);
        assert_eq!(r.status, 200, "{}", r.text);
        let page: ChronologyPage = serde_json::from_str(&r.text).unwrap();
        assert!(page.items.len() <= 7);
        pages += 1;
        seen.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert!(pages >= 4, "{pages} pages");
    assert!(seen.windows(2).all(|w| w[0].at >= w[1].at), "not newest first");
    let old: Vec<ChronologyEntry> = seen.iter().filter(|e| e.at < start).cloned().collect();
    assert_eq!(canon(&old), canon(&want), "an entry was repeated or skipped");
    let tied_seen = seen
        .iter()
        .filter(|e| e.at.timestamp() == tied.timestamp() && matches!(e.item, ChronologyItem::Click { .. }))
        .count();
    assert!(tied_seen >= 10, "entries of one time were skipped: {tied_seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_individual_the_teacher_may_not_open_is_the_404_of_a_missing_one_and_never_named() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, hidden, names) = api.teacher_individuals().await;
    let missing = api.count("SELECT MAX(id) + 1000 FROM individuals").await;
    let mark = api.audit_mark().await;
    let hidden_reply = api
        .get(&format!("/individuals/{hidden}/chronology"), Some(&teacher))
        .await;
    hidden_reply.assert_error(404, "not_found");
    for path in [
        format!("/individuals/{missing}/chronology"),
        "/individuals/abc/chronology".to_string(),
        format!("/individuals/{hidden}/chronology?limit=7"),
    ] {
        let r = api.get(&path, Some(&teacher)).await;
        assert_eq!((r.status, &r.text), (404, &hidden_reply.text), "{path}");
    }
    for name in &names {
        assert!(!hidden_reply.text.contains(name.as_str()));
    }
    // The individual they may open: audited with the id, no name.
    let r = api
        .get(&format!("/individuals/{seen}/chronology"), Some(&teacher))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rows = api.audit_since(mark).await;
    let read = rows
        .iter()
        .find(|r| r.get("action") == "individual.chronology")
        .expect("the read is audited");
    assert_eq!(read.get("target"), format!("individual:{seen}"));
    assert_eq!(
        rows.iter()
            .filter(|r| r.get("action") == "individual.chronology")
            .count(),
        1,
        "a refused read is not a read"
    );
    let own = query_text(
        &api.srv.db_path,
        &format!("SELECT first_name, last_name FROM individuals WHERE id = {seen}"),
    )
    .await;
    for row in rows.iter() {
        for name in names.iter().chain(own[0].iter().map(|(_, v)| v)) {
            assert!(!row.all_text().contains(&name.to_lowercase()), "the audit names {name}");
        }
    }
    api.get(&format!("/individuals/{seen}/chronology"), None)
        .await
        .assert_error(401, "unauthenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn undone_clicks_and_deleted_incidents_are_left_out() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let admin = api.sign_in(ADMIN).await;
    let (pupil, _) = busy_pupil(&api).await;
    let at = api.recently() - Duration::minutes(3);
    let id = uuid::Uuid::new_v4();
    let r = api.post("/clicks", &click(id, pupil, 1, at), Some(&teacher)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let incident = api
        .create_incident(&report(uuid::Uuid::new_v4(), &[pupil], at), &teacher)
        .await;
    let at_click = |items: &[ChronologyEntry]| {
        items
            .iter()
            .filter(|e| e.at == at && matches!(e.item, ChronologyItem::Click { .. }))
            .count()
    };
    let has_incident = |items: &[ChronologyEntry]| {
        items
            .iter()
            .any(|e| matches!(&e.item, ChronologyItem::Incident { reference, .. } if *reference == incident.reference))
    };
    let before = walk(&api, &teacher, pupil, 500).await;
    assert_eq!(at_click(&before), 1);
    assert!(has_incident(&before));
    let r = api.delete(&format!("/clicks/{id}"), Some(&teacher)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = api
        .delete_with(
            &format!("/incidents/{}", incident.reference),
            &json!({ "reason": "Recorded twice." }),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let after = walk(&api, &teacher, pupil, 500).await;
    assert_eq!(at_click(&after), 0, "an undone click is shown");
    assert!(!has_incident(&after), "a deleted incident is shown");
    assert_eq!(after.len(), before.len() - 2);
    assert_eq!(
        canon(&after),
        canon(&expected(&api, pupil, Some(&teacher_visible(&api).await)).await)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_limits_and_cursors_are_refused_with_a_sentence() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let forged = data_encoding::BASE64URL_NOPAD.encode(b"1.plan.00000000-0000-0000-0000-000000000000");
    for (query, words) in [
        ("limit=0", "`limit` must be between 1 and 500"),
        ("limit=501", "`limit` must be between 1 and 500"),
        ("limit=-1", "query parameters are not valid"),
        ("limit=seven", "query parameters are not valid"),
        ("cursor=%25%25%25", "`cursor` is not valid"),
        (&format!("cursor={forged}") as &str, "`cursor` is not valid"),
    ] {
        let r = api
            .get(&format!("/individuals/{seen}/chronology?{query}"), Some(&teacher))
            .await;
        r.assert_error(422, "invalid_request");
        assert!(r.text.contains(words), "{query}: {}", r.text);
    }
    let r = api
        .get(&format!("/individuals/{seen}/chronology?limit=500"), Some(&teacher))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
