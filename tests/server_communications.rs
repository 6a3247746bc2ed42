//! Behaviour Communications over HTTP (SECURITY.md rules 51 to 53): sent to the individual's
//! key staff only (never the author), responses to the author and the other recipients (never
//! the responder), idempotent by id, text checked (length in characters, control characters
//! refused and named), notifications marked read only by their owner, every write audited
//! without names or text.

mod common;

use std::collections::HashSet;

use bsmart::wire::{
    Communication, CommunicationPage, CommunicationResponse, Notification, NotificationKind, NotificationList,
};
use common::*;
use serde_json::{Value, json};

/// A 9B pupil: the teacher is their key staff.
async fn key_pupil(api: &Api) -> i64 {
    api.count("SELECT individual_id FROM key_staff WHERE user_id = 3 ORDER BY individual_id LIMIT 1")
        .await
}

/// A communication body.
fn message(id: uuid::Uuid, individual: i64, text: &str) -> Value {
    json!({ "id": id, "individual_id": individual, "tone": "positive", "message": text })
}

/// The users notified about communication `id` (responses included when `responses`).
async fn notified(api: &Api, id: uuid::Uuid, responses: bool) -> HashSet<i64> {
    let filter = if responses { "IS NOT NULL" } else { "IS NULL" };
    query_text(
        &api.srv.db_path,
        &format!("SELECT user_id FROM notifications WHERE communication_id = '{id}' AND response_id {filter}"),
    )
    .await
    .into_iter()
    .map(|row| row[0].1.parse().unwrap())
    .collect()
}

/// A token's notifications.
async fn notifications(api: &Api, token: &str) -> Vec<Notification> {
    let r = api.get("/notifications", Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str::<NotificationList>(&r.text).unwrap().items
}

#[tokio::test(flavor = "multi_thread")]
async fn a_communication_notifies_key_staff_but_not_its_author() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let teacher = api.sign_in(TEACHER).await;
    let pupil = key_pupil(&api).await;
    let key: HashSet<i64> = query_text(
        &api.srv.db_path,
        &format!("SELECT user_id FROM key_staff WHERE individual_id = {pupil}"),
    )
    .await
    .into_iter()
    .map(|row| row[0].1.parse().unwrap())
    .collect();
    assert!(key.contains(&2) && key.contains(&3) && key.len() >= 3, "{key:?}");
    let id = uuid::Uuid::new_v4();
    let mark = api.audit_mark().await;
    let r = api
        .post(
            "/communications",
            &message(id, pupil, "  A great effort in PE today.\n"),
            Some(&lead),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent: Communication = serde_json::from_str(&r.text).unwrap();
    assert_eq!(sent.message, "A great effort in PE today.", "not trimmed");
    let recipients: HashSet<i64> = sent.recipients.iter().map(|s| s.id).collect();
    let expected: HashSet<i64> = key.iter().copied().filter(|u| *u != 2).collect();
    assert_eq!(recipients, expected, "key staff but the author");
    assert_eq!(notified(&api, id, false).await, expected);
    let teachers = notifications(&api, &teacher).await;
    let note = teachers
        .iter()
        .find(|n| n.communication_id == Some(id))
        .expect("the teacher is told");
    assert_eq!(note.kind, NotificationKind::Communication);
    assert_eq!(note.individual.as_ref().map(|i| i.id), Some(pupil));
    assert!(
        notifications(&api, &lead)
            .await
            .iter()
            .all(|n| n.communication_id != Some(id))
    );
    let rows = api.audit_since(mark).await;
    let row = rows
        .iter()
        .find(|r| r.get("action") == "communication.create")
        .expect("audited");
    assert_eq!(row.get("target"), format!("communication:{id}"));
    assert!(!row.all_text().contains("great effort"), "the text is in the audit log");
    let listed: CommunicationPage = serde_json::from_str(
        &api.get(&format!("/communications?individual_id={pupil}"), Some(&teacher))
            .await
            .text,
    )
    .unwrap();
    assert_eq!(listed.items.first().map(|c| c.id), Some(id), "newest first");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_response_notifies_the_author_and_other_recipients_but_not_the_responder() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let teacher = api.sign_in(TEACHER).await;
    let pupil = key_pupil(&api).await;
    let id = uuid::Uuid::new_v4();
    let r = api
        .post(
            "/communications",
            &message(id, pupil, "Please keep an eye on lunchtimes."),
            Some(&lead),
        )
        .await;
    let sent: Communication = serde_json::from_str(&r.text).unwrap();
    let response = uuid::Uuid::new_v4();
    let body = json!({ "id": response, "message": "Will do." });
    let r = api
        .post(&format!("/communications/{id}/responses"), &body, Some(&teacher))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let answer: CommunicationResponse = serde_json::from_str(&r.text).unwrap();
    assert_eq!((answer.id, answer.author.id), (response, 3));
    let mut expected: HashSet<i64> = sent.recipients.iter().map(|s| s.id).collect();
    expected.insert(2);
    expected.remove(&3);
    assert_eq!(notified(&api, id, true).await, expected);
    let leads = notifications(&api, &lead).await;
    let note = leads
        .iter()
        .find(|n| n.communication_id == Some(id))
        .expect("the author is told");
    assert_eq!(note.kind, NotificationKind::CommunicationResponse);
    assert!(
        notifications(&api, &teacher)
            .await
            .iter()
            .all(|n| n.kind != NotificationKind::CommunicationResponse || n.communication_id != Some(id))
    );
    let again = api
        .post(&format!("/communications/{id}/responses"), &body, Some(&teacher))
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(
        serde_json::from_str::<CommunicationResponse>(&again.text).unwrap(),
        answer
    );
    let other = json!({ "id": response, "message": "Something else." });
    api.post(&format!("/communications/{id}/responses"), &other, Some(&teacher))
        .await
        .assert_error(409, "conflict");
    assert_eq!(notified(&api, id, true).await, expected, "a retry notified again");
    let thread: CommunicationPage = serde_json::from_str(
        &api.get(&format!("/communications?individual_id={pupil}"), Some(&lead))
            .await
            .text,
    )
    .unwrap();
    let listed = thread.items.iter().find(|c| c.id == id).unwrap();
    assert_eq!(listed.responses, vec![answer]);
    api.post(
        &format!("/communications/{}/responses", uuid::Uuid::new_v4()),
        &body,
        Some(&teacher),
    )
    .await
    .assert_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn communications_are_idempotent_by_id() {
    let api = std::sync::Arc::new(Api::start().await);
    let lead = api.sign_in(LEAD).await;
    let pupil = key_pupil(&api).await;
    let id = uuid::Uuid::new_v4();
    let body = message(id, pupil, "Settled well after a difficult start.");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (api, body, lead) = (api.clone(), body.clone(), lead.clone());
            tokio::spawn(async move { api.post("/communications", &body, Some(&lead)).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 201), "{statuses:?}");
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM communications WHERE id = '{id}'"))
            .await,
        1
    );
    let key = api
        .count(&format!(
            "SELECT COUNT(*) FROM key_staff WHERE individual_id = {pupil} AND user_id <> 2"
        ))
        .await;
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM notifications WHERE communication_id = '{id}'"
        ))
        .await,
        key
    );
    let mut other = body.clone();
    other["tone"] = json!("negative");
    api.post("/communications", &other, Some(&lead))
        .await
        .assert_error(409, "conflict");
    let teacher = api.sign_in(TEACHER).await;
    api.post("/communications", &body, Some(&teacher))
        .await
        .assert_error(409, "conflict");
}

#[tokio::test(flavor = "multi_thread")]
async fn message_text_is_checked_in_characters_and_control_characters_are_named() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let pupil = key_pupil(&api).await;
    let send = |text: String| {
        let (api, teacher) = (&api, &teacher);
        async move {
            api.post(
                "/communications",
                &message(uuid::Uuid::new_v4(), pupil, &text),
                Some(teacher),
            )
            .await
        }
    };
    assert_eq!(send("é".repeat(4000)).await.status, 201, "4,000 two-byte characters");
    let long = send("a".repeat(4001)).await;
    long.assert_error(422, "invalid_request");
    assert!(
        long.text.contains("4,000") && long.text.contains("4001"),
        "{}",
        long.text
    );
    for blank in ["", "   ", "\n\t "] {
        send(blank.to_string()).await.assert_error(422, "invalid_request");
    }
    for (control, name) in [
        ("\u{1b}[2J", "U+001B"),
        ("a\0b", "U+0000"),
        ("a\rb", "U+000D"),
        ("a\u{85}b", "U+0085"),
        ("a\u{7f}", "U+007F"),
    ] {
        let r = send(format!("Hello {control} there")).await;
        r.assert_error(422, "invalid_request");
        assert!(r.text.contains(name), "{name}: {}", r.text);
    }
    assert_eq!(
        send("Line one\n\tLine two".to_string()).await.status,
        201,
        "new lines and tabs"
    );
    assert_eq!(
        send("Bidi \u{202e}text\u{202c} is drawn safely by the client".to_string())
            .await
            .status,
        201
    );
    for bad in [
        json!({ "id": uuid::Uuid::new_v4(), "individual_id": pupil, "tone": "cheerful", "message": "x" }),
        json!({ "id": uuid::Uuid::new_v4(), "individual_id": pupil, "tone": "na", "message": 5 }),
        json!({ "id": uuid::Uuid::new_v4(), "individual_id": pupil, "tone": "na", "message": "x", "to": [1] }),
    ] {
        api.post("/communications", &bad, Some(&teacher))
            .await
            .assert_error(422, "invalid_request");
    }
    let id = api
        .value("SELECT id FROM communications ORDER BY created_at DESC LIMIT 1")
        .await;
    let r = api
        .post(
            &format!("/communications/{id}/responses"),
            &json!({ "id": uuid::Uuid::new_v4(), "message": "\u{1b}]0;x\u{7}" }),
            Some(&teacher),
        )
        .await;
    r.assert_error(422, "invalid_request");
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_are_marked_read_only_by_their_owner() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let mine = notifications(&api, &teacher).await;
    let unread = mine.iter().find(|n| !n.read).expect("an unread notification");
    let path = format!("/notifications/{}/read", unread.id);
    let mark = api.audit_mark().await;
    assert_eq!(api.post(&path, &json!({}), Some(&teacher)).await.status, 204);
    let first = api
        .value(&format!("SELECT read_at FROM notifications WHERE id = {}", unread.id))
        .await;
    api.advance(30);
    assert_eq!(api.post(&path, &json!({}), Some(&teacher)).await.status, 204, "again");
    let second = api
        .value(&format!("SELECT read_at FROM notifications WHERE id = {}", unread.id))
        .await;
    assert_eq!(first, second, "the first read time changed");
    assert!(
        notifications(&api, &teacher)
            .await
            .iter()
            .any(|n| n.id == unread.id && n.read)
    );
    let leads = api
        .count("SELECT id FROM notifications WHERE user_id = 2 AND read_at IS NULL LIMIT 1")
        .await;
    let other = format!("/notifications/{leads}/read");
    let refused = api.post(&other, &json!({}), Some(&teacher)).await;
    let unknown = api
        .post("/notifications/99999999/read", &json!({}), Some(&teacher))
        .await;
    refused.assert_error(404, "not_found");
    assert_eq!(refused.text, unknown.text);
    api.post("/notifications/x/read", &json!({}), Some(&teacher))
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        api.value(&format!("SELECT read_at IS NULL FROM notifications WHERE id = {leads}"))
            .await,
        "1"
    );
    assert_eq!(api.post(&other, &json!({}), Some(&lead)).await.status, 204);
    let rows = api.audit_since(mark).await;
    let reads: Vec<_> = rows.iter().filter(|r| r.get("action") == "notification.read").collect();
    assert_eq!(reads.len(), 3);
    assert_eq!(reads[0].get("target"), format!("notification:{}", unread.id));
}
