//! Profiles and Behaviour Communications (issue 10), as tests of the real App driven by hand:
//! the list and its filter, every tab at 80x24 (and 200x60), the clicker and a communication
//! from a profile, text another user wrote drawn clean, privacy mode in the list.

mod client_support;

use bsmart::client::screens::compose::Compose;
use bsmart::client::screens::profiles::Profiles;
use bsmart::client::screens::profiles::profile::Tab;
use client_support::{Driver, DriverOpts, words};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

fn individuals() -> Value {
    json!({"items": [
        {"id": 12, "name": "Amy Brown", "year_group": "Year 9", "group_name": "9B"},
        {"id": 13, "name": "Jo Smith", "year_group": "Year 8", "group_name": "8C", "last_recorded_by_me": "2026-12-01T10:00:00Z"}
    ]})
}

/// Text written by another user, with an escape sequence and a bidi override in it.
const HOSTILE: &str = "Great \u{1b}]0;pwned\u{7}work \u{202e}today\u{1b}[2J";

fn details() -> Value {
    json!({
        "id": 13, "name": "Jo Smith", "first_name": "Joanna", "last_name": "Smith", "preferred_name": "Jo",
        "date_of_birth": "2012-03-04", "year_group": "Year 8", "group_name": "8C", "sen_status": "SEN support",
        "notes": "Likes drawing.",
        "key_contacts": [{"name": "Kim Smith", "relationship": "Mother", "phone": "07700 900123", "email": "kim@example.com", "priority": 1}],
        "access": [
            {"staff": {"id": 3, "name": "Sarah Whitfield"}, "role": "staff", "level": "record", "key_staff": true},
            {"staff": {"id": 2, "name": "Daniel Okafor"}, "role": "pastoral_lead", "level": "all", "key_staff": false}
        ]
    })
}

fn overview() -> Value {
    let comm = json!({
        "id": "00000000-0000-4000-8000-000000000007", "individual": {"id": 13, "name": "Jo Smith"},
        "author": {"id": 9, "name": "Mo Author"}, "tone": "positive", "message": HOSTILE,
        "created_at": "2026-11-30T09:00:00Z", "recipients": [{"id": 3, "name": "Sarah Whitfield"}],
        "responses": [{"id": "00000000-0000-4000-8000-000000000008", "author": {"id": 3, "name": "Sarah Whitfield"},
                       "message": "Thanks \u{202e}for telling me", "created_at": "2026-11-30T10:00:00Z"}]
    });
    json!({
        "individual": {"id": 13, "name": "Jo Smith"},
        "incidents": [{"reference": "besmart-10281", "occurred_at": "2026-11-30T10:42:00Z",
                       "individual": {"id": 13, "name": "Jo Smith"}, "kind": "physical_intervention",
                       "category": "Disruption to learning", "location": "Corridor B", "flagged": true, "parents_informed": false}],
        "incident_total": 1,
        "plans": [{"id": "p1", "individual": {"id": 13, "name": "Jo Smith"}, "title": "Calm start plan", "strategies": "Meet at the gate", "review_on": "2026-12-14",
                   "source_incident_reference": "besmart-10281", "created_by": {"id": 2, "name": "Daniel Okafor"},
                   "updated_at": "2026-11-30T12:00:00Z"}],
        "communications": [comm],
        "clicks_last_30_days": (0..30).map(|n| n % 4).collect::<Vec<u32>>(),
        "click_counts": [{"day": "2026-12-01", "behaviour_id": 1, "count": 3}, {"day": "2026-11-24", "behaviour_id": 9, "count": 2}],
        "recent_clicks": [{"id": "00000000-0000-4000-8000-000000000009", "individual_id": 13, "behaviour_id": 1,
                           "recorded_by": {"id": 3, "name": "Sarah Whitfield"}, "occurred_at": "2026-12-01T09:00:00Z",
                           "recorded_at": "2026-12-01T09:00:00Z"}]
    })
}

fn behaviours() -> Value {
    json!({"items": [
        {"id": 1, "name": "On task", "sentiment": "positive", "position": 1},
        {"id": 9, "name": "Shouting out", "sentiment": "negative", "position": 2}
    ]})
}

/// Signed in, `p`, the list answered, `Enter` on the most recent: the profile with its data.
fn profile(o: DriverOpts) -> Driver {
    let mut d = Driver::new(o);
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('p'));
    d.answer("GET /individuals", 200, &individuals());
    d.press(KeyCode::Enter);
    d.answer("GET /individuals/13", 200, &details());
    d.answer("GET /individuals/13/overview", 200, &overview());
    d.answer("GET /behaviours", 200, &behaviours());
    d
}

fn tab(d: &Driver) -> Tab {
    d.app
        .page::<Profiles>()
        .and_then(|p| p.open.as_ref())
        .map(|p| p.tab)
        .unwrap()
}

#[test]
fn every_tab_draws_its_data_at_80x24_and_200x60_with_other_users_text_clean() {
    let mut d = profile(DriverOpts {
        sizes: vec![(80, 24), (200, 60)],
        ..DriverOpts::default()
    });
    let expect: [(&str, &[&str]); 8] = [
        (
            "1",
            &[
                "Clicks over the last 30 days",
                "besmart-10281",
                "Calm start plan",
                "Mo Author",
            ],
        ),
        ("2", &["besmart-10281", "PI: Disruption", "Corridor B"]),
        ("3", &["Calm start plan", "14/12/26", "Meet at the gate"]),
        (
            "4",
            &["Mo Author", "Great", "Sarah Whitfield responded", "Enter responds"],
        ),
        (
            "5",
            &["On task", "Shouting out", "This week", "Last week", "Sarah Whitfield"],
        ),
        ("6", &["Joanna Smith", "4 March 2012", "SEN support", "Likes drawing."]),
        ("7", &["Kim Smith", "Mother", "07700 900123"]),
        ("8", &["Sarah Whitfield", "Daniel Okafor", "see everyone (role)", "yes"]),
    ];
    for (key, words_expected) in expect {
        d.keys(key);
        // `check` draws every size and fails on any control, escape or bidi character.
        let text = d.check();
        for w in words_expected {
            assert!(text.contains(w), "tab {key}: {w} missing:\n{text}");
        }
        assert!(!text.contains("pwned") && !text.contains("]0;"), "{text}");
    }
    assert_eq!(tab(&d), Tab::Access);
    d.press(KeyCode::Tab);
    assert_eq!(tab(&d), Tab::Overview, "Tab wraps");
    d.press(KeyCode::BackTab);
    assert_eq!(tab(&d), Tab::Access);
    d.press(KeyCode::Esc);
    assert!(
        d.app.page::<Profiles>().unwrap().open.is_none(),
        "Esc goes back to the list"
    );
}

#[test]
fn a_profile_not_available_says_so_without_a_name() {
    let mut d = Driver::new(DriverOpts::default());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('p'));
    d.answer("GET /individuals", 200, &individuals());
    d.press(KeyCode::Enter);
    let gone = json!({"error": {"code": "not_found", "message": "There is nothing here."}});
    d.answer("GET /individuals/13", 404, &gone);
    d.answer("GET /individuals/13/overview", 404, &gone);
    let text = words(&d.check());
    assert!(text.contains("This profile is not available to you"), "{text}");
}

#[test]
fn the_list_filters_after_slash_and_privacy_mode_shows_initials_until_a_profile_is_opened() {
    let mut d = Driver::new(DriverOpts {
        privacy: true,
        ..DriverOpts::default()
    });
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('p'));
    d.answer("GET /individuals", 200, &individuals());
    let text = d.check();
    assert!(
        text.contains("J. S.") && text.contains("A. B.") && !text.contains("Amy Brown"),
        "{text}"
    );
    d.press(KeyCode::Char('/'));
    d.keys("abr");
    let text = d.check();
    assert!(
        text.contains("A. B.") && !text.contains("J. S."),
        "the filter matches full names: {text}"
    );
    d.press(KeyCode::Enter);
    d.answer("GET /individuals/12", 200, &details());
    let text = d.check();
    assert!(text.contains("Amy Brown"), "opened on purpose: the full name\n{text}");
}

#[test]
fn from_a_profile_c_opens_the_clicker_for_them_and_m_a_communication_sent_through_the_outbox() {
    let mut d = profile(DriverOpts::default());
    d.press(KeyCode::Char('c'));
    assert!(d.has_call("GET /behaviours") && d.has_call("GET /clicks"));
    d.answer("GET /behaviours", 200, &behaviours());
    d.press(KeyCode::Char('1'));
    let body: Value = serde_json::from_slice(d.call("POST /clicks").request().body.as_deref().unwrap()).unwrap();
    assert_eq!(body["individual_id"], 13);
    d.press(KeyCode::Esc);
    assert!(
        d.has_call("GET /individuals"),
        "back to pick another: the list is asked for"
    );
    d.press(KeyCode::Esc);
    assert!(d.app.page::<Profiles>().is_some(), "back on the profile");
    d.press(KeyCode::Char('m'));
    assert!(d.app.page::<Compose>().is_some());
    // Without a tone it is not sent, and says what to do.
    d.press(KeyCode::Tab);
    d.keys("Settled quickly after lunch.");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(words(&d.check()).contains("Choose the tone first"));
    // The refusal put the keys on the tone.
    d.press(KeyCode::Char('p'));
    let text = d.check();
    assert!(text.contains("28 / 4,000"), "counted as you type:\n{text}");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let call = d.call("POST /communications");
    let body: Value = serde_json::from_slice(call.request().body.as_deref().unwrap()).unwrap();
    assert_eq!(body["individual_id"], 13);
    assert_eq!(body["tone"], "positive");
    assert_eq!(body["message"], "Settled quickly after lunch.");
    assert!(body["id"].as_str().is_some_and(|id| id.len() == 36));
    assert!(d.app.page::<Profiles>().is_some(), "the form closed");
    assert!(
        words(&d.check()).contains("2 pending"),
        "the click (not answered) and the communication"
    );
    // Offline: it waits, and goes again with the same id.
    let action = call.unreachable();
    d.act(action);
    d.clock.advance(std::time::Duration::from_secs(2));
    d.act(bsmart::client::action::Action::Deadline);
    let retry = d.call("POST /communications");
    let again: Value = serde_json::from_slice(retry.request().body.as_deref().unwrap()).unwrap();
    assert_eq!(again["id"], body["id"]);
    // Once it lands, the profile asks for its overview again, so the thread shows.
    assert!(!d.has_call("GET /individuals/13/overview"));
    let landed = retry.respond(201, b"{}");
    d.act(landed);
    assert!(d.has_call("GET /individuals/13/overview"));
}

#[test]
fn a_response_goes_to_the_thread_and_leaving_with_text_asks_first() {
    let mut d = profile(DriverOpts::default());
    d.keys("4");
    d.press(KeyCode::Enter);
    let text = words(&d.check());
    assert!(text.contains("Responding to Mo Author about Jo Smith"), "{text}");
    d.keys("Thank you");
    d.press(KeyCode::Esc);
    assert!(words(&d.check()).contains("Leave? What you typed will be lost"));
    d.press(KeyCode::Char('n'));
    d.press(KeyCode::Enter);
    d.keys("line two");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let call = d.call("POST /communications/00000000-0000-4000-8000-000000000007/responses");
    let body: Value = serde_json::from_slice(call.request().body.as_deref().unwrap()).unwrap();
    assert_eq!(body["message"], "Thank you\nline two");
}

#[test]
fn a_message_stops_at_four_thousand_characters() {
    let mut d = profile(DriverOpts::default());
    d.press(KeyCode::Char('m'));
    d.press(KeyCode::Char('n'));
    d.press(KeyCode::Tab);
    d.act(bsmart::client::action::Action::Paste("x".repeat(4_100)));
    let text = words(&d.check());
    assert!(text.contains("4,000 / 4,000"), "{text}");
    d.press(KeyCode::Char('y'));
    assert_eq!(d.app.page::<Compose>().unwrap().message().len(), 4_000);
}

#[test]
fn r_then_m_picks_who_first() {
    let mut d = Driver::new(DriverOpts::default());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('r'));
    assert!(words(&d.check()).contains("What do you want to record?"));
    d.press(KeyCode::Char('m'));
    d.answer("GET /individuals", 200, &individuals());
    d.keys("amy");
    d.press(KeyCode::Enter);
    let text = words(&d.check());
    assert!(text.contains("About Amy Brown"), "{text}");
    d.press(KeyCode::Esc);
    assert_eq!(d.app.depth(), 1, "back on the dashboard: the menu gave way to the form");
}

#[test]
fn opening_a_communication_notification_marks_it_read_and_shows_the_thread_on_the_profile() {
    let mut d = Driver::new(DriverOpts::default());
    let note = json!({
        "id": 41, "kind": "communication", "actor": "Mo Author",
        "individual": {"id": 13, "name": "Jo Smith"},
        "communication_id": "00000000-0000-4000-8000-000000000007",
        "created_at": "2026-11-30T09:00:00Z", "read": false
    });
    d.signed_in(json!([]), json!([note]));
    assert!(words(&d.check()).contains("Mo Author sent a communication about Jo Smith"));
    d.press(KeyCode::Tab);
    d.press(KeyCode::Enter);
    assert!(d.has_call("POST /notifications/41/read"), "opening it marks it read");
    d.answer("GET /individuals/13", 200, &details());
    d.answer("GET /individuals/13/overview", 200, &overview());
    assert_eq!(tab(&d), Tab::Communications);
    let text = d.check();
    assert!(text.contains("Mo Author") && text.contains("Year 8 · 8C"), "{text}");
    d.press(KeyCode::Esc);
    assert_eq!(d.app.depth(), 1, "Esc goes back to the dashboard it was opened from");
}
