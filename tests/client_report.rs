//! The Incident Report and Physical Intervention form (issue 11) driven by hand at 80x24, every
//! call answered by the test: a full report with PILD goes through the outbox and says its
//! reference, a physical intervention needs its own page, Ctrl-S on an incomplete form says
//! what is missing, the language check highlights a phrase, the idle lock saves the draft and
//! unlock gives every word back, a refused submit keeps the form, a submit while the server is
//! unreachable waits and is recorded once, and leaving asks first. (The same form against the
//! real server, and the real binary killed mid-form, are in `client_report_server.rs`.)

mod client_support;

use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::client::call::PendingCall;
use bsmart::client::screens::report::{Report, State};
use client_support::{Driver, DriverOpts, user_json};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

fn driver() -> Driver {
    let mut d = Driver::new(DriverOpts::default());
    d.signed_in(json!([]), json!([]));
    d
}

/// The body of a waiting call.
fn body(call: &PendingCall) -> Value {
    let bytes = call.request().body.as_ref().map(|b| b.to_vec()).unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// The newest waiting call whose line starts with `prefix`, taken out.
fn take(d: &mut Driver, prefix: &str) -> PendingCall {
    let at = d
        .pending
        .iter()
        .rposition(|c| c.line().starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} call in {:?}", d.pending));
    d.pending.remove(at)
}

fn has(d: &Driver, prefix: &str) -> bool {
    d.pending.iter().any(|c| c.line().starts_with(prefix))
}

/// Open the form with `r` then `key`, and answer its lists.
fn open(d: &mut Driver, key: char) {
    d.press(KeyCode::Char('r'));
    d.press(KeyCode::Char(key));
    d.answer(
        "GET /locations",
        200,
        &json!({"items": [{"id": 4, "name": "Corridor B"}, {"id": 5, "name": "Hall"}]}),
    );
    d.answer(
        "GET /incident-categories",
        200,
        &json!({"items": [{"id": 1, "name": "Disruption"}]}),
    );
    d.answer(
        "GET /staff",
        200,
        &json!({"items": [{"id": 6, "name": "Sam Support"}, {"id": 7, "name": "Lee Lead"}]}),
    );
    d.answer("GET /periods", 200, &json!({"items": []}));
    if key == 'p' {
        d.answer(
            "GET /techniques",
            200,
            &json!({"deescalation": [{"id": 1, "name": "Calm, low voice"}, {"id": 2, "name": "Offering choices"}],
                    "physical": [{"id": 9, "name": "Friendly hold"}]}),
        );
    }
}

/// Pick the first individual on the Individuals field (Enter opens the picker).
fn pick_individual(d: &mut Driver) {
    d.press(KeyCode::Enter);
    d.answer(
        "GET /individuals",
        200,
        &json!({"items": [{"id": 12, "name": "Ann Smith", "year_group": "Year 9", "group_name": "9B"}]}),
    );
    d.press(KeyCode::Enter);
}

/// Fill in what a standard report requires: who, where, what happened.
fn fill_required(d: &mut Driver, what: &str) {
    pick_individual(d);
    d.press(KeyCode::Tab); // When (pre-filled with now)
    d.press(KeyCode::Tab); // Location
    d.press(KeyCode::Enter);
    d.press(KeyCode::Enter); // the first location; on to Category
    d.press(KeyCode::Tab); // What happened
    d.act(Action::Paste(what.into()));
}

fn report(d: &Driver) -> &Report {
    d.app.page::<Report>().expect("the report form is open")
}

/// The incident the server would answer for `sent`.
fn stored(sent: &Value, reference: &str) -> Value {
    json!({
        "reference": reference, "id": sent["id"], "kind": sent["kind"],
        "individuals": [{"id": 12, "name": "Ann Smith"}], "occurred_at": sent["occurred_at"],
        "location": {"id": 4, "name": "Corridor B"}, "category": {"id": 1, "name": "Disruption"},
        "what_happened": sent["what_happened"], "staff_present": [], "others_involved": [],
        "others_withheld": 0, "injury": sent["injury"], "pild": sent["pild"],
        "reported_by": {"id": 5, "name": "Tess Teacher"}, "created_at": "2026-12-01T10:42:00Z",
        "updated_at": "2026-12-01T10:42:00Z", "revision": 1, "accounts": [], "notified": [],
        "revisions": [], "can": {"edit": true, "delete": false, "add_account": false}
    })
}

#[test]
fn a_full_report_with_pild_goes_through_the_outbox_and_says_its_reference() {
    let mut d = driver();
    open(&mut d, 'i');
    let text = d.check();
    assert!(text.contains("Page 1 of 3"), "{text}");
    assert!(text.contains("Individual(s) *"), "{text}");
    fill_required(&mut d, "Left the lesson and shouted in the corridor.");
    // The PILD page: the individual's perspective.
    d.press(KeyCode::PageDown);
    let text = d.check();
    assert!(text.contains("Page 2 of 3"), "{text}");
    d.act(Action::Paste("Felt the room was too loud.".into()));
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let sent = take(&mut d, "POST /incidents");
    let sent_body = body(&sent);
    assert_eq!(sent_body["kind"], "standard");
    assert_eq!(sent_body["individual_ids"], json!([12]));
    assert_eq!(sent_body["location_id"], 4);
    assert_eq!(
        sent_body["what_happened"],
        "Left the lesson and shouted in the corridor."
    );
    assert_eq!(sent_body["pild"]["perspective"], "Felt the room was too loud.");
    assert_eq!(sent_body["pild"]["exclusion"], "none");
    assert_eq!(sent_body["occurred_at"], "2026-12-01T10:42:00Z");
    assert_eq!(report(&d).state, State::Sending);
    assert!(d.check().contains("Waiting for the server"));
    // Landed: the form asks again (idempotent) for its reference, then says it.
    d.act(sent.respond(201, &serde_json::to_vec(&stored(&sent_body, "besmart-10281")).unwrap()));
    let again = take(&mut d, "POST /incidents");
    assert_eq!(
        body(&again)["id"],
        sent_body["id"],
        "the same report, so nothing new is recorded"
    );
    d.act(again.respond(200, &serde_json::to_vec(&stored(&sent_body, "besmart-10281")).unwrap()));
    assert!(d.app.page::<Report>().is_none(), "the form closed");
    assert!(d.check().contains("Recorded besmart-10281"));
}

#[test]
fn ctrl_s_on_an_incomplete_form_says_what_is_missing_and_o_goes_there() {
    let mut d = driver();
    open(&mut d, 'i');
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(!has(&d, "POST /incidents"), "nothing is sent");
    let text = d.check();
    assert!(text.contains("Page 3 of 3"), "{text}");
    assert!(text.contains("3 things to put right"), "{text}");
    assert!(text.contains("Individual(s) is required. (page 1)"), "{text}");
    assert!(text.contains("What happened is required."), "{text}");
    d.press(KeyCode::Char('o'));
    assert_eq!(report(&d).page, 0);
    let text = d.check();
    assert!(
        text.contains("Individual(s) is required."),
        "the problem shows beside the field: {text}"
    );
}

#[test]
fn the_language_check_highlights_a_phrase_and_suggests_wording() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "He kicked off when asked and was being naughty.");
    let text = d.check();
    assert!(
        text.contains("\"kicked off\":"),
        "the finding shows under the field: {text}"
    );
    // The words are marked in the box itself.
    let buffer = d.buffer().clone();
    let marked: String = buffer
        .content
        .iter()
        .filter(|c| c.modifier.contains(ratatui::style::Modifier::UNDERLINED))
        .map(|c| c.symbol())
        .collect();
    assert!(marked.contains("kicked"), "marked: {marked:?}");
    assert!(marked.contains("naughty"), "marked: {marked:?}");
    // The review page lists both, with suggestions, and never changes the text.
    d.press(KeyCode::PageDown);
    d.press(KeyCode::PageDown);
    let text = d.check();
    assert!(text.contains("Language check: 2 to look at"), "{text}");
    assert_eq!(
        report(&d)
            .form
            .text(bsmart::client::screens::report::fields::Key::WhatHappened),
        "He kicked off when asked and was being naughty."
    );
}

#[test]
fn the_idle_lock_saves_the_draft_and_unlock_gives_every_word_back() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "First part of the account.");
    let words = "x".repeat(9_000);
    d.act(Action::Paste(format!(" {words}")));
    // Idle past the lock: the draft goes out although the client locks.
    d.clock.advance(Duration::from_secs(60 * 60));
    d.act(Action::Deadline);
    let text = d.check();
    assert!(
        !text.contains("First part"),
        "nothing of the form shows while locked: {text}"
    );
    let save = take(&mut d, "PUT /drafts/");
    assert!(save.request().body.is_some());
    let draft = body(&save);
    assert_eq!(draft["kind"], "incident");
    let saved = draft["content"]["fields"]["WhatHappened"].as_str().unwrap_or_default();
    assert!(saved.starts_with("First part of the account.") && saved.ends_with(&words));
    // Unlock: the form is exactly as it was.
    d.enter("my-long-password");
    let ok = json!({"status": "ok", "token": "t2", "user": user_json("Tess Teacher")});
    d.answer("POST /auth/reauth", 200, &ok);
    let r = report(&d);
    assert_eq!(
        r.form
            .text(bsmart::client::screens::report::fields::Key::WhatHappened)
            .len(),
        26 + 9_001
    );
    let text = d.check();
    assert!(text.contains("Page 1 of 3") && text.contains("xxxxxxxx"), "{text}");
}

#[test]
fn the_draft_is_saved_a_few_seconds_after_typing_and_not_again_when_nothing_changed() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "Typed.");
    assert!(!has(&d, "PUT /drafts/"), "not a request per key");
    d.clock.advance(Duration::from_secs(4));
    d.act(Action::Deadline);
    let save = take(&mut d, "PUT /drafts/");
    assert_eq!(body(&save)["content"]["fields"]["WhatHappened"], "Typed.");
    let saved = json!({"id": report(&d).autosave.id(), "kind": "incident", "started_at": "2026-12-01T10:42:00Z",
                       "saved_at": "2026-12-01T10:42:04Z", "content": {}});
    d.act(save.respond(201, &serde_json::to_vec(&saved).unwrap()));
    assert!(d.check().contains("Draft saved at 10:42"));
    d.clock.advance(Duration::from_secs(10));
    d.act(Action::Deadline);
    assert!(!has(&d, "PUT /drafts/"), "nothing changed, nothing sent");
}

#[test]
fn a_submit_while_the_server_is_unreachable_waits_and_is_recorded_once() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "Recorded once.");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    d.unreachable("POST /incidents");
    assert_eq!(report(&d).state, State::Sending, "the form waits; the outbox keeps it");
    assert!(d.check().contains("1 pending"), "the status bar counts it");
    d.clock.advance(Duration::from_secs(2));
    d.act(Action::Deadline);
    let retry = take(&mut d, "POST /incidents");
    let sent = body(&retry);
    d.act(retry.respond(201, &serde_json::to_vec(&stored(&sent, "besmart-10282")).unwrap()));
    let ask = take(&mut d, "POST /incidents");
    assert_eq!(body(&ask)["id"], sent["id"]);
    d.act(ask.respond(200, &serde_json::to_vec(&stored(&sent, "besmart-10282")).unwrap()));
    assert!(d.check().contains("Recorded besmart-10282"));
    assert!(!has(&d, "POST /incidents"));
}

#[test]
fn a_refused_submit_keeps_every_word_and_says_why() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "Kept after a refusal.");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let refused = json!({"error": {"code": "not_found", "message": "No such individual."}});
    d.answer("POST /incidents", 404, &refused);
    let r = report(&d);
    assert_eq!(r.state, State::Writing);
    assert_eq!(
        r.form.text(bsmart::client::screens::report::fields::Key::WhatHappened),
        "Kept after a refusal."
    );
    assert!(d.check().contains("No such individual"));
}

#[test]
fn a_physical_intervention_has_its_page_with_times_and_ratings() {
    let mut d = driver();
    open(&mut d, 'p');
    let text = d.check();
    assert!(text.contains("Page 1 of 4"), "{text}");
    fill_required(&mut d, "Held to stop a fall.");
    d.press(KeyCode::PageDown);
    let text = d.check();
    assert!(text.contains("Physical intervention"), "{text}");
    d.keys("-15m");
    d.press(KeyCode::Tab);
    d.keys("-10m");
    // To the de-escalation techniques: rate the first 4, the second 2.
    while report(&d).form.fields[report(&d).focus].key != bsmart::client::screens::report::fields::Key::StaffResponse {
        d.press(KeyCode::Tab);
    }
    d.act(Action::Paste("Gave space, then a friendly hold.".into()));
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    d.press(KeyCode::Char('4'));
    d.press(KeyCode::Char('2'));
    let text = d.check();
    assert!(text.contains("[4] Calm, low voice"), "{text}");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let sent = body(&take(&mut d, "POST /incidents"));
    assert_eq!(sent["kind"], "physical_intervention");
    let physical = &sent["physical"];
    assert_eq!(physical["staff_response"], "Gave space, then a friendly hold.");
    assert_eq!(
        physical["deescalation"],
        json!([{"technique_id": 1, "effectiveness": 4}, {"technique_id": 2, "effectiveness": 2}])
    );
    assert_eq!(physical["started_at"], "2026-12-01T10:27:00Z");
    assert_eq!(physical["ended_at"], "2026-12-01T10:32:00Z");
}

#[test]
fn leaving_with_words_typed_asks_and_may_keep_or_throw_the_draft() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "Half written.");
    d.press(KeyCode::Esc);
    assert!(d.check().contains("Leave the report?"));
    d.press(KeyCode::Char('n'));
    assert!(d.app.page::<Report>().is_some(), "n stays");
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('d'));
    assert!(d.app.page::<Report>().is_none());
    assert!(has(&d, "DELETE /drafts/"), "the draft is thrown away on the server too");
}

#[test]
fn every_page_draws_at_80x24_and_40x12_without_a_control_character() {
    let mut d = Driver::new(DriverOpts {
        sizes: vec![(80, 24), (40, 12), (200, 60)],
        ..DriverOpts::default()
    });
    d.signed_in(json!([]), json!([]));
    open(&mut d, 'p');
    fill_required(&mut d, "A\u{1b}[2J line \u{202e}with hostile paste");
    let text = d.check();
    assert!(
        text.contains("A line with hostile paste"),
        "the paste is cleaned: {text}"
    );
    for _ in 0..4 {
        d.press(KeyCode::PageDown);
        d.check();
    }
    // The review page scrolls to everything written.
    for _ in 0..12 {
        d.press(KeyCode::Char('j'));
    }
    let text = d.check();
    assert!(text.contains("A line with hostile paste"), "{text}");
}

#[test]
fn signing_in_offers_the_draft_back_and_resuming_gives_every_word() {
    let mut d = Driver::new(DriverOpts::default());
    d.start();
    d.answer("GET /setting", 200, &client_support::setting_json());
    let ok = json!({"status": "ok", "token": "t1", "user": user_json("Tess Teacher")});
    d.log_in("t@x.test", &ok);
    d.answer("GET /notifications", 200, &json!({"items": []}));
    d.answer("GET /incidents", 200, &json!({"items": [], "total": 0}));
    let id = "0b5e4a43-6a8e-4d62-9b7e-6f2d3c1a9e10";
    d.answer(
        "GET /drafts",
        200,
        &json!({"items": [{"id": id, "kind": "incident", "started_at": "2026-12-01T09:15:00Z",
                           "saved_at": "2026-12-01T09:20:00Z"}]}),
    );
    let text = d.check();
    assert!(
        text.contains("Resume the incident report you started at 01/12/26 09:15"),
        "{text}"
    );
    d.press(KeyCode::Enter);
    d.answer(
        &format!("GET /drafts/{id}"),
        200,
        &json!({"id": id, "kind": "incident", "started_at": "2026-12-01T09:15:00Z",
                "saved_at": "2026-12-01T09:20:00Z",
                "content": {"kind": "standard", "fields": {"WhatHappened": "Every word\nof it",
                            "Individuals": [{"id": 12, "name": "Ann Smith"}]}}}),
    );
    let r = report(&d);
    assert_eq!(
        r.autosave.id().to_string(),
        id,
        "submitted with the draft's id, so the server deletes it"
    );
    assert_eq!(
        r.form.text(bsmart::client::screens::report::fields::Key::WhatHappened),
        "Every word\nof it"
    );
    assert!(d.check().contains("Resumed from your draft"));
}

#[test]
fn b_on_the_review_page_submits_then_opens_the_smart_plan_builder_from_the_pild() {
    let mut d = driver();
    open(&mut d, 'i');
    fill_required(&mut d, "Pushed past another pupil at the door.");
    d.press(KeyCode::PageDown);
    for _ in 0..3 {
        d.press(KeyCode::Tab);
    }
    d.act(Action::Paste("Noise and crowds at the door".into()));
    d.press(KeyCode::PageDown);
    d.press(KeyCode::Char('b'));
    let sent = take(&mut d, "POST /incidents");
    let sent_body = body(&sent);
    assert_eq!(sent_body["pild"]["triggers"], "Noise and crowds at the door");
    d.act(sent.respond(201, &serde_json::to_vec(&stored(&sent_body, "besmart-10283")).unwrap()));
    let again = take(&mut d, "POST /incidents");
    d.act(again.respond(200, &serde_json::to_vec(&stored(&sent_body, "besmart-10283")).unwrap()));
    assert!(
        d.app
            .page::<bsmart::client::screens::plans::builder::Builder>()
            .is_some(),
        "the Smart Plan builder is open"
    );
    assert!(d.check().contains("Recorded besmart-10283"));
    // No current plan: a new one, pre-filled from the report's PILD.
    d.answer("GET /plans", 200, &json!({"items": []}));
    assert!(d.check().contains("from besmart-10283"));
    d.press(KeyCode::Tab);
    let text = d.check();
    assert!(text.contains("Noise and crowds at the door"), "{text}");
}
