//! Smart Plans (`s`, issue 11), as tests of the real App driven by hand at 80x24 (and 40x12):
//! the list with its fuzzy filter, a plan's view, editing it in the builder (`PUT`), a new
//! plan for a picked individual (`POST` with a client id and the default title), delete with
//! a reason (refused without the permission), the builder pre-filled from an incident's PILD
//! on top of the current plan, `Esc` asking first, and a profile's Plans tab.

mod client_support;

use bsmart::client::screens::plans::Plans;
use bsmart::client::screens::plans::builder::Builder;
use bsmart::client::screens::plans::view::PlanView;
use client_support::{Driver, DriverOpts, words};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

const PLAN_ID: &str = "00000000-0000-4000-8000-0000000000a1";

fn staff(id: i64, name: &str) -> Value {
    json!({"id": id, "name": name})
}

fn summary(id: &str, pupil: &str, title: &str) -> Value {
    json!({"id": id, "individual": {"id": 13, "name": pupil}, "title": title, "strategies": "Meet at the gate",
           "review_on": "2027-02-28", "source_incident_reference": "besmart-10281",
           "created_by": staff(2, "Daniel Okafor"), "updated_at": "2026-11-30T12:00:00Z"})
}

fn plan(can_delete: bool) -> Value {
    json!({"id": PLAN_ID, "individual": {"id": 13, "name": "Jo Smith"}, "title": "Calm start plan",
           "strategies": "Meet at the gate", "reasonable_adjustments": "Movement breaks",
           "agreed_responses": "Offer the quiet room", "follow_up": "Call home on Fridays",
           "review_on": "2027-02-28", "source_incident_reference": "besmart-10281",
           "created_by": staff(2, "Daniel Okafor"), "created_at": "2026-11-01T09:00:00Z",
           "updated_by": staff(5, "Tess Teacher"), "updated_at": "2026-11-30T12:00:00Z", "can_delete": can_delete})
}

fn sizes() -> DriverOpts {
    DriverOpts {
        sizes: vec![(80, 24), (40, 12)],
        ..DriverOpts::default()
    }
}

fn status(d: &mut Driver) -> String {
    words(&d.text())
}

/// Signed in, `s`, the list answered.
fn plans(o: DriverOpts) -> Driver {
    let mut d = Driver::new(o);
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('s'));
    d.answer("GET /drafts", 200, &json!({"items": []}));
    d.answer(
        "GET /plans",
        200,
        &json!({"items": [summary(PLAN_ID, "Jo Smith", "Calm start plan"),
                          summary("00000000-0000-4000-8000-0000000000a2", "Amy Brown", "Lunchtime plan")]}),
    );
    d
}

#[test]
fn the_list_filters_fuzzily_and_opens_a_plan_with_every_field() {
    let mut d = plans(sizes());
    let text = words(&d.check());
    for w in [
        "Smart Plans (2)",
        "Jo Smith",
        "Calm start plan",
        "28/02/27",
        "besmart-10281",
        "Amy Brown",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    d.press(KeyCode::Char('/'));
    d.keys("abrn");
    let text = words(&d.check());
    assert!(
        text.contains("(1 of 2)") && text.contains("Amy Brown") && !text.contains("Jo Smith"),
        "{text}"
    );
    d.press(KeyCode::Esc);
    d.press(KeyCode::Enter);
    assert!(d.app.page::<PlanView>().is_some());
    d.answer(&format!("GET /plans/{PLAN_ID}"), 200, &plan(false));
    let mut seen = String::new();
    for _ in 0..4 {
        seen.push_str(&words(&d.check()));
        d.press(KeyCode::PageDown);
    }
    for w in [
        "Calm start plan",
        "For: Jo Smith",
        "Sunday 28 February 2027",
        "From incident: besmart-10281",
        "Meet at the gate",
        "Movement breaks",
        "Offer the quiet room",
        "Call home on Fridays",
        "Tess Teacher",
    ] {
        assert!(seen.contains(w), "{w} never shown:\n{seen}");
    }
    d.press(KeyCode::Char('D'));
    assert!(status(&mut d).contains("needs the delete permission"));
}

#[test]
fn editing_a_plan_puts_it_back_with_its_own_id() {
    let mut d = plans(sizes());
    d.press(KeyCode::Enter);
    d.answer(&format!("GET /plans/{PLAN_ID}"), 200, &plan(false));
    d.press(KeyCode::Char('e'));
    assert!(d.app.page::<Builder>().is_some());
    let text = words(&d.check());
    assert!(
        text.contains("updates the current plan") && text.contains("Sunday 28 February 2027"),
        "{text}"
    );
    d.press(KeyCode::Tab);
    d.press(KeyCode::End);
    d.press(KeyCode::Enter);
    d.keys("Greet by name");
    d.check();
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let b = d.body(&format!("PUT /plans/{PLAN_ID}"));
    assert_eq!(b["id"], PLAN_ID);
    assert_eq!(b["strategies"], "Meet at the gate\nGreet by name");
    assert_eq!(b["review_on"], "2027-02-28");
    let mut saved = plan(false);
    saved["strategies"] = json!("Meet at the gate\nGreet by name");
    d.answer(&format!("PUT /plans/{PLAN_ID}"), 200, &saved);
    let text = status(&mut d);
    assert!(
        text.contains("Smart Plan \"Calm start plan\" saved, to be reviewed on 28/02/2027."),
        "{text}"
    );
}

#[test]
fn a_new_plan_for_a_picked_individual_is_posted_with_a_client_id() {
    let mut d = plans(sizes());
    d.press(KeyCode::Char('n'));
    d.answer(
        "GET /individuals",
        200,
        &json!({"items": [{"id": 13, "name": "Jo Smith", "year_group": "Year 8", "group_name": "8C"}]}),
    );
    d.check();
    d.press(KeyCode::Enter);
    assert!(d.app.page::<Builder>().is_some());
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        status(&mut d).contains("Write at least one of"),
        "an empty plan is not sent"
    );
    d.press(KeyCode::Tab);
    d.keys("Calm corner");
    for _ in 0..4 {
        d.press(KeyCode::Tab);
    }
    d.keys("yesterday");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(status(&mut d).contains("is not a date"));
    for _ in 0..9 {
        d.press(KeyCode::Backspace);
    }
    d.keys("+6w");
    assert!(status(&mut d).contains("Tuesday 12 January 2027"));
    d.check();
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let b = d.body("POST /plans");
    assert_eq!(b["title"], "Smart Plan");
    assert_eq!(b["individual_id"], 13);
    assert_eq!(b["review_on"], "2027-01-12");
    assert!(uuid::Uuid::parse_str(b["id"].as_str().unwrap()).is_ok());
    d.unreachable("POST /plans");
    let text = status(&mut d);
    assert!(text.contains("Not saved") && text.contains("still here"), "{text}");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(d.body("POST /plans")["id"], b["id"], "the same id again");
    // Esc with something typed asks first.
    d.press(KeyCode::Esc);
    assert!(status(&mut d).contains("Leave? What you typed will be lost."));
    d.press(KeyCode::Char('n'));
    assert!(d.app.page::<Builder>().is_some());
}

#[test]
fn delete_asks_for_a_reason_when_allowed() {
    let mut d = plans(sizes());
    d.press(KeyCode::Enter);
    d.answer(&format!("GET /plans/{PLAN_ID}"), 200, &plan(true));
    d.press(KeyCode::Char('D'));
    d.press(KeyCode::Enter);
    assert!(status(&mut d).contains("Say why it is deleted"));
    d.keys("Replaced by the new plan");
    d.check();
    d.press(KeyCode::Enter);
    assert_eq!(
        d.body(&format!("DELETE /plans/{PLAN_ID}"))["reason"],
        "Replaced by the new plan"
    );
    let action = d.call(&format!("DELETE /plans/{PLAN_ID}")).respond(204, b"");
    d.act(action);
    assert!(status(&mut d).contains("Smart Plan deleted"));
    assert!(d.app.page::<Plans>().is_some());
}

#[test]
fn the_builder_from_an_incident_builds_on_the_current_plan_with_the_pild_marked() {
    let mut d = Driver::new(sizes());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('i'));
    d.answer(
        "GET /incidents",
        200,
        &json!({"items": [{"reference": "besmart-10281", "occurred_at": "2026-11-30T10:42:00Z",
                           "individual": {"id": 13, "name": "Jo Smith"}, "kind": "standard", "category": "Disruption",
                           "location": "Corridor B", "flagged": false, "parents_informed": false}], "total": 1}),
    );
    d.press(KeyCode::Enter);
    let incident = json!({
        "reference": "besmart-10281", "id": "00000000-0000-4000-8000-000000000001", "kind": "standard",
        "individuals": [{"id": 13, "name": "Jo Smith"}], "occurred_at": "2026-11-30T10:42:00Z",
        "location": {"id": 2, "name": "Corridor B"}, "category": {"id": 3, "name": "Disruption"},
        "what_happened": "Left the room.", "staff_present": [], "others_involved": [], "others_withheld": 0,
        "injury": {"occurred": false}, "pild": {"triggers": "Noise in the hall", "adjustments": "Quiet space at lunch",
                                                 "next_time": "Ask for a break card"},
        "reported_by": staff(5, "Tess Teacher"), "created_at": "2026-11-30T11:00:00Z",
        "updated_at": "2026-11-30T11:00:00Z", "revision": 1, "accounts": [], "notified": [], "revisions": [],
        "can": {"edit": true, "delete": false, "add_account": false}
    });
    d.answer("GET /incidents/besmart-10281", 200, &incident);
    d.press(KeyCode::Char('n'));
    assert!(d.app.page::<Builder>().is_some());
    d.answer(
        "GET /plans",
        200,
        &json!({"items": [summary(PLAN_ID, "Jo Smith", "Calm start plan")]}),
    );
    d.answer(&format!("GET /plans/{PLAN_ID}"), 200, &plan(false));
    let text = status(&mut d);
    assert!(
        text.contains("Built on the current plan \"Calm start plan\": Ctrl-S updates it."),
        "{text}"
    );
    d.check();
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let b = d.body(&format!("PUT /plans/{PLAN_ID}"));
    assert_eq!(
        b["strategies"],
        "Meet at the gate\n\nFrom besmart-10281 (likely triggers): Noise in the hall"
    );
    assert_eq!(
        b["reasonable_adjustments"],
        "Movement breaks\n\nFrom besmart-10281 (adjustments): Quiet space at lunch"
    );
    assert_eq!(
        b["agreed_responses"],
        "Offer the quiet room\n\nFrom besmart-10281 (next time): Ask for a break card"
    );
    assert_eq!(b["source_incident_reference"], "besmart-10281");
}

#[test]
fn a_profiles_plans_tab_opens_the_plan_and_n_opens_the_builder() {
    let mut d = Driver::new(sizes());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('p'));
    d.answer(
        "GET /individuals",
        200,
        &json!({"items": [{"id": 13, "name": "Jo Smith", "year_group": "Year 8", "group_name": "8C"}]}),
    );
    d.press(KeyCode::Enter);
    let mut overview = json!({
        "individual": {"id": 13, "name": "Jo Smith"}, "incidents": [], "incident_total": 0,
        "plans": [summary(PLAN_ID, "Jo Smith", "Calm start plan")], "communications": [],
        "clicks_last_30_days": [], "click_counts": [], "recent_clicks": []
    });
    overview["plans"][0].as_object_mut().unwrap().remove("individual");
    overview["plans"][0]["individual"] = json!({"id": 13, "name": "Jo Smith"});
    d.answer("GET /individuals/13/overview", 200, &overview);
    d.keys("3");
    d.press(KeyCode::Enter);
    assert!(d.app.page::<PlanView>().is_some());
    d.answer(&format!("GET /plans/{PLAN_ID}"), 200, &plan(false));
    assert!(status(&mut d).contains("Call home on Fridays"));
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('n'));
    assert!(d.app.page::<Builder>().is_some());
    assert!(status(&mut d).contains("For Jo Smith"));
}

#[test]
fn a_plan_started_earlier_is_offered_and_resumed_from_its_draft() {
    let mut d = Driver::new(sizes());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('s'));
    let draft = "00000000-0000-4000-8000-0000000000d1";
    d.answer(
        "GET /drafts",
        200,
        &json!({"items": [
            {"id": "00000000-0000-4000-8000-0000000000d0", "kind": "incident", "started_at": "2026-12-01T08:00:00Z", "saved_at": "2026-12-01T08:05:00Z"},
            {"id": draft, "kind": "plan", "started_at": "2026-12-01T09:15:00Z", "saved_at": "2026-12-01T09:20:00Z"}
        ]}),
    );
    d.answer("GET /plans", 200, &json!({"items": []}));
    let text = status(&mut d);
    assert!(
        text.contains("You started a Smart Plan at 01/12/26 09:15: R resumes it."),
        "{text}"
    );
    assert!(
        text.contains("No Smart Plans yet that you may see. n starts one."),
        "{text}"
    );
    d.press(KeyCode::Char('R'));
    d.answer(
        &format!("GET /drafts/{draft}"),
        200,
        &json!({"id": draft, "kind": "plan", "started_at": "2026-12-01T09:15:00Z", "saved_at": "2026-12-01T09:20:00Z",
                "content": {"individual": {"id": 13, "name": "Jo Smith"}, "title": "Morning plan",
                            "strategies": "Meet at the gate", "reasonable_adjustments": "", "agreed_responses": "",
                            "follow_up": "", "review": "+6w", "existing": null, "source_incident_reference": null}}),
    );
    assert!(d.app.page::<Builder>().is_some());
    let text = words(&d.check());
    assert!(
        text.contains("Title: Morning plan") && text.contains("For Jo Smith"),
        "{text}"
    );
    assert!(text.contains("Draft saved at 09:20"), "{text}");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let b = d.body("POST /plans");
    assert_eq!(
        b["id"], draft,
        "submitted with the draft's id, so the server deletes the draft"
    );
    assert_eq!(b["strategies"], "Meet at the gate");
}
