//! The report form against the real server on loopback (issue 11): a full incident with PILD
//! is recorded once with a gap-free reference and its draft is gone; the idle lock mid-form
//! saves the draft on the server; switching user mid-form leaves the draft to its author only,
//! and signing in again as that author offers it back, resumes it and submits it.

mod client_support;
mod common;

use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::client::screens::report::Report;
use bsmart::client::screens::report::fields::Key;
use client_support::{Harness, TEACHER};
use common::{Api, LEAD};
use crossterm::event::{KeyCode, KeyModifiers};

/// Open the form (`r` then `i`) and fill in who (the first of the picker), where (the first
/// location) and what happened.
async fn write_report(h: &mut Harness, what: &str) {
    h.press(KeyCode::Char('r'));
    h.press(KeyCode::Char('i'));
    h.wait_text("Page 1 of 3").await;
    h.press(KeyCode::Enter);
    h.wait_for("the individuals", |t| !t.contains("loading")).await;
    h.press(KeyCode::Enter);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    // The setting's lists come with the form.
    for _ in 0..100 {
        if h.runner
            .app
            .page::<Report>()
            .is_some_and(|r| !r.lists.locations.is_empty())
        {
            break;
        }
        h.runner.pump(Duration::from_millis(50)).await.unwrap();
    }
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter);
    h.press(KeyCode::Tab);
    h.act(Action::Paste(what.into()));
    let r = h.runner.app.page::<Report>().expect("the form");
    assert_eq!(r.form.text(Key::WhatHappened), what, "{}", h.text());
}

/// Wait until the App has nothing left in its outbox and no call in flight for the form.
async fn settle(h: &mut Harness) {
    for _ in 0..50 {
        h.runner.pump(Duration::from_millis(100)).await.unwrap();
        if h.runner.app.pending() == 0 && h.runner.app.page::<Report>().is_none() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_report_is_recorded_once_with_its_reference_and_the_draft_is_gone() {
    let api = Api::start().await;
    let before = api.count("SELECT COUNT(*) FROM incidents").await;
    let next = api.count("SELECT next_incident_number FROM setting").await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    write_report(&mut h, "Left the lesson and walked to the hall.").await;
    // A pause: the draft is saved on the server.
    h.clock.advance(Duration::from_secs(4));
    h.act(Action::Deadline);
    h.wait_text("Draft saved at").await;
    assert_eq!(api.count("SELECT COUNT(*) FROM drafts").await, 1);
    h.press(KeyCode::PageDown);
    h.act(Action::Paste("Said it was too loud.".into()));
    h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    let text = h.wait_text(&format!("Recorded besmart-{next}")).await;
    assert!(text.contains("have been told"), "{text}");
    settle(&mut h).await;
    assert_eq!(
        api.count("SELECT COUNT(*) FROM incidents").await,
        before + 1,
        "recorded once"
    );
    assert_eq!(
        api.count("SELECT COUNT(*) FROM drafts").await,
        0,
        "the draft went with the submit"
    );
    let stored = api
        .value(&format!("SELECT pild_perspective FROM incidents WHERE number = {next}"))
        .await;
    assert_eq!(stored, "Said it was too loud.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_user_mid_form_keeps_the_draft_for_its_author_only_who_resumes_and_submits_it() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    write_report(&mut h, "Half written when the bell went.").await;
    // Lock (the draft goes to the server), then switch user from the lock screen.
    h.ctrl('l');
    h.runner.pump(Duration::from_secs(2)).await.unwrap();
    for _ in 0..20 {
        if api.count("SELECT COUNT(*) FROM drafts").await == 1 {
            break;
        }
        h.runner.pump(Duration::from_millis(100)).await.unwrap();
    }
    assert_eq!(api.count("SELECT COUNT(*) FROM drafts").await, 1, "saved on lock");
    h.ctrl('s');
    h.wait_text("Sign in").await;
    // Nobody else sees it.
    let lead = api.sign_in(LEAD).await;
    let theirs = api.get("/drafts", Some(&lead)).await;
    assert_eq!(theirs.json.unwrap()["items"], serde_json::json!([]));
    // The author signs in again: offered, resumed, submitted.
    h.submit_login(TEACHER.0, TEACHER.1).await;
    h.wait_text("Resume the incident report you started at").await;
    h.press(KeyCode::Enter);
    h.wait_text("Resumed from your draft").await;
    let r = h.runner.app.page::<Report>().expect("the form");
    assert_eq!(r.form.text(Key::WhatHappened), "Half written when the bell went.");
    h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    h.wait_text("Recorded besmart-").await;
    settle(&mut h).await;
    assert_eq!(api.count("SELECT COUNT(*) FROM drafts").await, 0);
    assert_eq!(
        api.count("SELECT COUNT(*) FROM incidents WHERE what_happened = 'Half written when the bell went.'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn its_author_edits_a_report_from_the_incidents_page_and_the_change_is_a_revision() {
    let api = Api::start().await;
    let next = api.count("SELECT next_incident_number FROM setting").await;
    let reference = format!("besmart-{next}");
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    write_report(&mut h, "Walked out of the lesson.").await;
    h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    h.wait_text(&format!("Recorded {reference}")).await;
    settle(&mut h).await;
    // Incidents, the report found by its reference, then `e`.
    h.press(KeyCode::Char('i'));
    h.wait_words(&reference).await;
    h.press(KeyCode::Char('/'));
    h.type_text(&reference);
    h.press(KeyCode::Enter);
    h.wait_words(&format!("Incident {reference}")).await;
    h.wait_words("About:").await;
    h.press(KeyCode::Char('e'));
    h.wait_text(&format!("Editing {reference}")).await;
    for _ in 0..100 {
        if h.runner
            .app
            .page::<Report>()
            .is_some_and(|r| !r.lists.locations.is_empty())
        {
            break;
        }
        h.runner.pump(Duration::from_millis(50)).await.unwrap();
    }
    let r = h.runner.app.page::<Report>().expect("the form, on the incident");
    assert_eq!(r.form.text(Key::WhatHappened), "Walked out of the lesson.");
    // To "What happened" (the fifth field), and add to it.
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.press(KeyCode::End);
    h.type_text(" Came back after ten minutes.");
    h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    h.wait_text(&format!("Recorded {reference}")).await;
    let teacher = api.sign_in(common::TEACHER).await;
    let got = api.get(&format!("/incidents/{reference}"), Some(&teacher)).await;
    let got: bsmart::wire::Incident = serde_json::from_str(&got.text).unwrap();
    assert_eq!(got.revision, 2, "one edit, one revision");
    assert_eq!(
        got.what_happened,
        "Walked out of the lesson. Came back after ten minutes."
    );
    let change = &got.revisions[0].changes;
    assert_eq!(change.len(), 1, "only what changed: {change:?}");
    assert_eq!(change[0].field, "what_happened");
}
