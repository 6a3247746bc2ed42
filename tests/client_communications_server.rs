//! A communication written by one user and read by another (issue 10), end to end on a real
//! server on loopback: the lead writes about a pupil over the API (an escape sequence is refused
//! there; bidi overrides and invisible characters are accepted, as text in other scripts needs
//! them), and the teacher, a key member of staff, reads it in the real client: the dashboard
//! names it, `Enter` opens the thread on the profile and marks it read, and what is drawn holds
//! no control, bidi or invisible character.

mod client_support;
mod common;

use client_support::{Harness, TEACHER, assert_clean, words};
use common::{Api, LEAD};
use crossterm::event::KeyCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_with_escapes_and_bidi_overrides_from_one_user_is_drawn_clean_for_another() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let pupil = api
        .count(
            "SELECT individual_id FROM key_staff WHERE user_id = 3
             INTERSECT SELECT individual_id FROM access_permissions WHERE user_id = 3
             ORDER BY individual_id LIMIT 1",
        )
        .await;
    let escaped = api
        .post(
            "/communications",
            &json!({"id": uuid::Uuid::new_v4(), "individual_id": pupil, "tone": "negative",
                    "message": "Call me \u{1b}]0;pwned\u{7} now"}),
            Some(&lead),
        )
        .await;
    assert_eq!(
        escaped.status, 422,
        "an escape sequence is never stored: {}",
        escaped.text
    );
    let written = api
        .post(
            "/communications",
            &json!({"id": uuid::Uuid::new_v4(), "individual_id": pupil, "tone": "positive",
                    "message": "Brilliant \u{202e}reading\u{202c} in class\u{200b} today"}),
            Some(&lead),
        )
        .await;
    assert_eq!(written.status, 201, "{}", written.text);

    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    let text = words(&h.text());
    assert!(text.contains("Daniel Okafor sent a communication about"), "{text}");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Enter);
    let text = h.wait_words("Brilliant reading in class today").await;
    assert!(text.contains("Communications"), "{text}");
    assert_clean(h.runner.terminal.backend().buffer());

    // Opening it marked it read, on the server.
    let teacher = api.sign_in(common::TEACHER).await;
    let list = api.get("/notifications", Some(&teacher)).await;
    let items = list.json.as_ref().and_then(|v| v["items"].as_array().cloned()).unwrap();
    let newest = &items[0];
    assert_eq!(newest["kind"], "communication");
    assert_eq!(newest["read"], true, "{newest}");
}
