//! Drafts of long forms over HTTP (issue 11; SECURITY.md rule 62): only their author ever
//! reads, replaces or deletes one (another user's id is 404 and untouched), creation and
//! deletion are audited but saves are not, a submitted report deletes its draft, at most 10 a
//! user, and parallel saves of a new id make one draft.

mod common;

use bsmart::wire::{Draft, DraftList};
use common::reports::report;
use common::*;
use serde_json::json;

/// A draft body.
fn draft(text: &str) -> serde_json::Value {
    json!({ "kind": "incident", "content": { "what_happened": text } })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_is_its_authors_only() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let id = uuid::Uuid::new_v4();
    let path = format!("/drafts/{id}");
    let mark = api.audit_mark().await;
    let r = api.put(&path, &draft("Started typing"), Some(&teacher)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api.put(&path, &draft("Typed some more"), Some(&teacher)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let saved: Draft = serde_json::from_str(&r.text).unwrap();
    assert_eq!(saved.content["what_happened"], "Typed some more");
    let actions: Vec<String> = api
        .audit_since(mark)
        .await
        .iter()
        .map(|r| r.get("action").to_string())
        .collect();
    assert_eq!(actions, ["draft.create"], "creation audited, saves not");

    // Another user: 404 on every route, and nothing overwritten.
    api.get(&path, Some(&lead)).await.assert_error(404, "not_found");
    api.put(&path, &draft("Overwritten!"), Some(&lead))
        .await
        .assert_error(404, "not_found");
    api.delete(&path, Some(&lead)).await.assert_error(404, "not_found");
    let r = api.get("/drafts", Some(&lead)).await;
    assert!(!r.text.contains(&id.to_string()));
    let r = api.get(&path, Some(&teacher)).await;
    let mine: Draft = serde_json::from_str(&r.text).unwrap();
    assert_eq!(mine.content["what_happened"], "Typed some more");
    api.get("/drafts/not-a-uuid", Some(&teacher))
        .await
        .assert_error(404, "not_found");
    api.put(&path, &json!({ "kind": "incident", "content": [1, 2] }), Some(&teacher))
        .await
        .assert_error(422, "invalid_request");
    let big = json!({ "kind": "plan", "content": { "x": "y".repeat(600 * 1024) } });
    api.put(&path, &big, Some(&teacher))
        .await
        .assert_error(413, "payload_too_large");

    let r = api.delete(&path, Some(&teacher)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    api.get(&path, Some(&teacher)).await.assert_error(404, "not_found");
    assert!(api.audit().await.iter().any(|r| r.get("action") == "draft.delete"));
}

#[tokio::test(flavor = "multi_thread")]
async fn submitting_deletes_the_draft_and_ten_is_the_most() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let ids: Vec<uuid::Uuid> = (0..10).map(|_| uuid::Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        api.advance(1);
        let r = api
            .put(&format!("/drafts/{id}"), &draft(&format!("draft {n}")), Some(&teacher))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = api.get("/drafts", Some(&teacher)).await;
    let list: DraftList = serde_json::from_str(&r.text).unwrap();
    assert_eq!(list.items.len(), 10);
    assert_eq!(list.items[0].id, ids[9], "newest save first");
    let eleventh = api
        .put(
            &format!("/drafts/{}", uuid::Uuid::new_v4()),
            &draft("one too many"),
            Some(&teacher),
        )
        .await;
    eleventh.assert_error(409, "conflict");
    assert!(eleventh.text.contains("10 drafts"));
    // Submitting the report under a draft's id deletes the draft.
    api.create_incident(&report(ids[0], &[seen], api.recently()), &teacher)
        .await;
    api.get(&format!("/drafts/{}", ids[0]), Some(&teacher))
        .await
        .assert_error(404, "not_found");
    // Drafts unsaved for 30 days go when the list is read.
    api.advance(31 * 86_400);
    let teacher = api.sign_in(TEACHER).await;
    let r = api.get("/drafts", Some(&teacher)).await;
    let list: DraftList = serde_json::from_str(&r.text).unwrap();
    assert!(list.items.is_empty(), "{:?}", list.items);
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_saves_of_a_new_id_make_one_draft() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let id = uuid::Uuid::new_v4();
    let path = format!("/drafts/{id}");
    let answers = futures::future::join_all((0..16).map(|n| {
        let body = draft(&format!("save {n}"));
        let api = &api;
        let path = &path;
        let teacher = &teacher;
        async move { api.put(path, &body, Some(teacher)).await }
    }))
    .await;
    assert!(answers.iter().all(|r| r.status == 200 || r.status == 201));
    assert_eq!(answers.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM drafts WHERE id = '{id}'"))
            .await,
        1
    );
}
