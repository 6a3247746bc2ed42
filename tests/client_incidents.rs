//! Incidents (`i`, issue 11), as tests of the real App driven by hand at 80x24 (and 40x12,
//! which says the window is too small and never panics): the list and its filters (each key
//! makes the query it says), paging as the user scrolls, privacy mode, an incident's view with
//! every section, and its actions: parents informed, a flag refused and kept, an account that
//! survives a failed send with the same id, delete (allowed and not), the Markdown download
//! written 0600 with its path shown.

mod client_support;

use bsmart::client::screens::incidents::Incidents;
use bsmart::client::screens::incidents::detail::IncidentView;
use client_support::{Driver, DriverOpts, words};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

fn summary(number: u32, pupil: &str, more: u32) -> Value {
    json!({
        "reference": format!("besmart-{number}"), "occurred_at": "2026-11-30T10:42:00Z",
        "individual": {"id": 13, "name": pupil}, "kind": if number.is_multiple_of(2) { "physical_intervention" } else { "standard" },
        "category": "Disruption to learning", "location": "Corridor B", "flagged": false,
        "parents_informed": false, "more_individuals": more
    })
}

fn staff(id: i64, name: &str) -> Value {
    json!({"id": id, "name": name})
}

/// A whole physical intervention, with every section filled.
fn incident(can_delete: bool) -> Value {
    json!({
        "reference": "besmart-10281", "id": "00000000-0000-4000-8000-000000000001", "kind": "physical_intervention",
        "individuals": [{"id": 13, "name": "Jo Smith"}, {"id": 14, "name": "Amy Brown"}],
        "occurred_at": "2026-11-30T10:42:00Z",
        "location": {"id": 2, "name": "Corridor B"}, "category": {"id": 3, "name": "Disruption"},
        "what_happened": "Left the room without asking.\nCame back after ten minutes.",
        "staff_present": [staff(7, "Sam Present")],
        "others_involved": [{"id": 15, "name": "Kai Other"}], "others_withheld": 1,
        "injury": {"occurred": true, "details": "Grazed knee, cleaned."},
        "pild": {"perspective": "Felt the room was too loud.", "feelings": "Angry", "next_time": "Ask for a break card.",
                 "triggers": "Noise in the hall", "adjustments": "Quiet space at lunch", "comments": "None",
                 "discriminatory": true, "discriminatory_details": "A name-calling remark", "exclusion": "suspension"},
        "physical": {"started_at": "2026-11-30T10:45:00Z", "ended_at": "2026-11-30T10:57:00Z",
                     "low_behaviours": "Pacing", "medium_behaviours": "Shouting", "high_behaviours": "Throwing a chair",
                     "staff_response": "Gave space.", "alternative_responses": "Offer the quiet room sooner.",
                     "deescalation": [{"technique": {"id": 1, "name": "Calm, low voice"}, "effectiveness": 4}],
                     "physical_techniques": [{"technique": {"id": 9, "name": "Friendly hold"}, "effectiveness": 2}]},
        "reported_by": staff(5, "Tess Teacher"), "created_at": "2026-11-30T11:00:00Z", "updated_at": "2026-11-30T12:00:00Z",
        "revision": 2,
        "accounts": [{"id": "00000000-0000-4000-8000-000000000002", "author": staff(8, "Ola Witness"),
                      "text": "I saw it from the door.", "created_at": "2026-11-30T11:30:00Z"}],
        "notified": [staff(7, "Sam Present"), staff(2, "Daniel Okafor")],
        "revisions": [{"revision": 2, "edited_by": staff(5, "Tess Teacher"), "edited_at": "2026-11-30T12:00:00Z",
                       "changes": [{"field": "pild.triggers", "before": "Noise", "after": "Noise in the hall"}]}],
        "can": {"edit": true, "delete": can_delete, "add_account": true}
    })
}

fn sizes() -> DriverOpts {
    DriverOpts {
        sizes: vec![(80, 24), (40, 12)],
        ..DriverOpts::default()
    }
}

fn has(q: &[(String, String)], key: &str, value: &str) -> bool {
    q.iter().any(|(k, v)| k == key && v == value)
}

/// Signed in, `i`, its first page (`items`) and the locations answered.
fn incidents(o: DriverOpts, items: Vec<Value>, next: Option<&str>) -> Driver {
    let mut d = Driver::new(o);
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('i'));
    let q = d.query("GET /incidents");
    assert!(has(&q, "since", "2026-11-01T10:42:00Z"), "30 days by default: {q:?}");
    d.answer(
        "GET /locations",
        200,
        &json!({"items": [{"id": 2, "name": "Corridor B"}, {"id": 4, "name": "Dining hall"}]}),
    );
    d.answer("GET /periods", 200, &json!({"items": []}));
    let total = items.len();
    let mut page = json!({"items": items, "total": total + if next.is_some() { 300 } else { 0 }});
    if let Some(next) = next {
        page["next_cursor"] = json!(next);
    }
    d.answer("GET /incidents", 200, &page);
    d
}

fn status(d: &mut Driver) -> String {
    words(&d.text())
}

#[test]
fn the_list_shows_the_table_and_each_filter_key_makes_its_query() {
    let mut d = incidents(
        sizes(),
        vec![summary(10281, "Jo Smith", 1), summary(10282, "Amy Brown", 0)],
        None,
    );
    let text = words(&d.check());
    for w in [
        "besmart-10281",
        "Jo Smith +1",
        "PI: Disruption",
        "Corridor",
        "Showing: last 30 days",
        "(2)",
    ] {
        assert!(text.contains(w), "{w} missing:\n{text}");
    }
    let steps: [(char, &str, &str); 6] = [
        ('t', "since", "2026-09-01T00:00:00Z"),
        ('y', "kind", "standard"),
        ('f', "flagged", "true"),
        ('P', "parents_informed", "true"),
        ('m', "mine", "true"),
        ('l', "location_id", "2"),
    ];
    for (key, k, v) in steps {
        d.press(KeyCode::Char(key));
        let q = d.query("GET /incidents");
        assert!(has(&q, k, v), "{key}: {k}={v} not in {q:?}");
        d.check();
    }
    let text = status(&mut d);
    for w in [
        "this term",
        "standard reports",
        "flagged",
        "parents informed",
        "mine",
        "Corridor B",
    ] {
        assert!(text.contains(w), "{w} not shown in the filters:\n{text}");
    }
    // `?` lists every filter key.
    d.press(KeyCode::Char('?'));
    let help = words(&d.text());
    assert!(
        help.contains("only mine") && help.contains("clear the filters"),
        "{help}"
    );
    d.press(KeyCode::Esc);
    // The answer to the last query: none match, and the page says what to do.
    d.answer("GET /incidents", 200, &json!({"items": [], "total": 0}));
    let text = words(&d.check());
    assert!(
        text.contains("No incidents match these filters. x clears them."),
        "{text}"
    );
    d.press(KeyCode::Char('x'));
    let q = d.query("GET /incidents");
    assert_eq!(q.len(), 2, "limit and since only: {q:?}");
    d.answer("GET /incidents", 200, &json!({"items": [], "total": 0}));
    assert!(status(&mut d).contains("No incidents in the last 30 days. t shows a longer period."));
}

#[test]
fn typed_dates_and_an_individual_narrow_the_list() {
    let mut d = incidents(sizes(), vec![summary(10281, "Jo Smith", 0)], None);
    d.press(KeyCode::Char('T'));
    d.keys("02/11");
    d.press(KeyCode::Enter);
    d.keys("tomorrow");
    d.press(KeyCode::Enter);
    assert!(status(&mut d).contains("is not"), "a bad date is refused in words");
    for _ in 0..8 {
        d.press(KeyCode::Backspace);
    }
    d.keys("20/11/26 12:00");
    d.press(KeyCode::Enter);
    let q = d.query("GET /incidents");
    assert!(
        has(&q, "since", "2026-11-02T00:00:00Z") && has(&q, "until", "2026-11-20T12:00:00Z"),
        "{q:?}"
    );
    d.press(KeyCode::Char('I'));
    d.answer(
        "GET /individuals",
        200,
        &json!({"items": [{"id": 13, "name": "Jo Smith", "year_group": "Year 8", "group_name": "8C"}]}),
    );
    d.check();
    d.keys("jo");
    d.press(KeyCode::Enter);
    let q = d.query("GET /incidents");
    assert!(has(&q, "individual_id", "13"), "{q:?}");
    assert!(status(&mut d).contains("Jo Smith"));
}

#[test]
fn the_next_page_is_asked_for_as_the_user_scrolls() {
    let items: Vec<Value> = (0..30).map(|n| summary(10000 + n, "Jo Smith", 0)).collect();
    let mut d = incidents(DriverOpts::default(), items, Some("c2"));
    d.check();
    assert!(!d.has_call("GET /incidents"), "the first page fills the window");
    for _ in 0..14 {
        d.press(KeyCode::Char('j'));
    }
    let q = d.query("GET /incidents");
    assert!(has(&q, "cursor", "c2"), "{q:?}");
    let more: Vec<Value> = (30..40).map(|n| summary(10000 + n, "Jo Smith", 0)).collect();
    d.answer("GET /incidents", 200, &json!({"items": more, "total": 40}));
    d.press(KeyCode::Char('G'));
    assert_eq!(d.app.page::<Incidents>().unwrap().selected(), 39);
    assert!(status(&mut d).contains("besmart-10039"));
}

#[test]
fn privacy_mode_shows_initials_in_the_list_and_the_full_name_in_the_opened_view() {
    let mut d = incidents(
        DriverOpts {
            privacy: true,
            ..DriverOpts::default()
        },
        vec![summary(10281, "Jo Smith", 1)],
        None,
    );
    let text = d.check();
    assert!(text.contains("J. S. +1") && !text.contains("Jo Smith"), "{text}");
    d.press(KeyCode::Enter);
    d.answer("GET /incidents/besmart-10281", 200, &incident(false));
    let text = words(&d.check());
    assert!(text.contains("About: Jo Smith, Amy Brown"), "{text}");
    assert!(text.contains("Others involved: K. O., 1 more you may not see") || !text.contains("Kai Other"));
}

/// The list, then the view of besmart-10281 with its data.
fn view(can_delete: bool, o: DriverOpts) -> Driver {
    let mut d = incidents(
        o,
        vec![summary(10281, "Jo Smith", 1), summary(10283, "Amy Brown", 0)],
        None,
    );
    d.press(KeyCode::Enter);
    assert!(d.app.page::<IncidentView>().is_some());
    d.answer("GET /periods", 200, &json!({"items": []}));
    d.answer("GET /incidents/besmart-10281", 200, &incident(can_delete));
    d
}

#[test]
fn the_view_shows_every_section_scrolled_at_80x24() {
    let mut d = view(false, sizes());
    let mut seen = String::new();
    for _ in 0..12 {
        seen.push_str(&words(&d.check()));
        seen.push('\n');
        d.press(KeyCode::PageDown);
    }
    for w in [
        "besmart-10281",
        "About: Jo Smith, Amy Brown",
        "Monday 30 November 2026, 10:42",
        "Location: Corridor B",
        "What happened",
        "Came back after ten minutes.",
        "Staff present: Sam Present",
        "Injury: yes: Grazed knee, cleaned.",
        "Post-Incident Learning (PILD)",
        "Likely triggers: Noise in the hall",
        "Discriminatory behaviour: yes: A name-calling remark",
        "Suspension or exclusion: Suspension",
        "Physical intervention",
        "(12 min)",
        "High-level behaviours: Throwing a chair",
        "Calm, low voice 4/5",
        "Friendly hold 2/5",
        "Staff accounts (2)",
        "Ola Witness",
        "I saw it from the door.",
        "Daniel Okafor",
        "Revisions (1)",
        "PILD: likely triggers: \"Noise\" → \"Noise in the hall\"",
        "Flagged: no",
        "Parents informed: not yet recorded",
    ] {
        assert!(seen.contains(w), "{w} never shown:\n{seen}");
    }
    d.press(KeyCode::Char('D'));
    assert!(status(&mut d).contains("needs the delete permission"));
    d.press(KeyCode::Esc);
    assert!(d.app.page::<Incidents>().is_some(), "Esc goes back to the list");
}

#[test]
fn parents_informed_and_a_refused_flag_keep_what_was_typed() {
    let mut d = view(false, sizes());
    d.press(KeyCode::Char('p'));
    d.press(KeyCode::Enter); // when: empty is now
    d.keys("Phone call to mother");
    d.check();
    d.press(KeyCode::Enter);
    let b = d.body("POST /incidents/besmart-10281/parents-informed");
    assert_eq!(b["how"], "Phone call to mother");
    assert_eq!(b["at"], "2026-12-01T10:42:00Z");
    let mut told = incident(false);
    told["parents_informed"] =
        json!({"at": "2026-12-01T10:42:00Z", "how": "Phone call to mother", "by": staff(5, "Tess Teacher")});
    d.answer("POST /incidents/besmart-10281/parents-informed", 200, &told);
    let text = status(&mut d);
    assert!(text.contains("besmart-10281: parents informed recorded."), "{text}");
    assert!(text.contains("Phone call to mother"), "{text}");

    d.press(KeyCode::Char('f'));
    d.press(KeyCode::Enter);
    assert!(status(&mut d).contains("Say why it needs attention."));
    d.keys("Third this week");
    d.press(KeyCode::Enter);
    assert_eq!(d.body("POST /incidents/besmart-10281/flag")["flagged"], true);
    d.answer(
        "POST /incidents/besmart-10281/flag",
        403,
        &json!({"error": {"code": "forbidden", "message": "You may not flag this incident."}}),
    );
    let text = status(&mut d);
    assert!(text.contains("Refused: You may not flag this incident."), "{text}");
    assert!(text.contains("Third this week"), "what was typed stays:\n{text}");
    d.check();
}

#[test]
fn an_account_survives_a_failed_send_and_goes_again_with_the_same_id() {
    let mut d = view(false, sizes());
    d.press(KeyCode::Char('a'));
    d.keys("I was at the door.");
    d.press(KeyCode::Enter);
    d.keys("He left calmly.");
    let text = status(&mut d);
    assert!(text.contains("34 / 10,000"), "counted:\n{text}");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let first = d.body("POST /incidents/besmart-10281/accounts");
    assert_eq!(first["text"], "I was at the door.\nHe left calmly.");
    d.unreachable("POST /incidents/besmart-10281/accounts");
    let text = status(&mut d);
    assert!(text.contains("Not sent") && text.contains("He left calmly."), "{text}");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let again = d.body("POST /incidents/besmart-10281/accounts");
    assert_eq!(again["id"], first["id"], "the same client id: recorded once");
    let mut added = incident(false);
    added["accounts"].as_array_mut().unwrap().push(json!({
        "id": first["id"], "author": staff(5, "Tess Teacher"), "text": "I was at the door.\nHe left calmly.",
        "created_at": "2026-12-01T10:42:00Z"}));
    added["can"]["add_account"] = json!(false);
    d.answer("POST /incidents/besmart-10281/accounts", 201, &added);
    let text = status(&mut d);
    assert!(text.contains("your account is added"), "{text}");
    d.press(KeyCode::Char('a'));
    assert!(status(&mut d).contains("Only staff named as present"));
}

#[test]
fn delete_asks_for_a_reason_and_a_confirmation_and_the_row_leaves_the_list() {
    let mut d = view(true, sizes());
    d.press(KeyCode::Char('D'));
    d.press(KeyCode::Enter);
    assert!(status(&mut d).contains("Say why it is deleted"));
    d.keys("Recorded twice");
    d.press(KeyCode::Enter);
    assert!(status(&mut d).contains("y deletes"));
    d.check();
    d.press(KeyCode::Char('y'));
    assert_eq!(d.body("DELETE /incidents/besmart-10281")["reason"], "Recorded twice");
    let action = d.call("DELETE /incidents/besmart-10281").respond(204, b"");
    d.act(action);
    let text = status(&mut d);
    assert!(text.contains("Deleted besmart-10281"), "{text}");
    assert!(d.app.page::<Incidents>().is_some());
    assert!(!text.contains("besmart-10281 "), "the row is gone:\n{text}");
    assert_eq!(d.app.page::<Incidents>().unwrap().items().len(), 1);
}

#[test]
fn a_download_is_written_0600_with_its_path_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = view(
        false,
        DriverOpts {
            sizes: vec![(200, 24)],
            export_dir: Some(dir.path().to_path_buf()),
            ..DriverOpts::default()
        },
    );
    for _ in 0..2 {
        d.press(KeyCode::Char('w'));
        d.answer(
            "GET /incidents/besmart-10281/markdown",
            200,
            &json!({"filename": "besmart-10281.md", "markdown": "# besmart-10281\n\nLeft the room."}),
        );
    }
    let path = dir.path().join("besmart-10281.md");
    let second = dir.path().join("besmart-10281 (2).md");
    let text = status(&mut d);
    assert!(text.contains(&format!("Saved to {}", second.display())), "{text}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# besmart-10281\n\nLeft the room."
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn slash_filters_the_rows_loaded_and_e_opens_the_report_form_on_the_incident() {
    let mut d = incidents(
        sizes(),
        vec![summary(10281, "Jo Smith", 0), summary(10282, "Amy Brown", 0)],
        None,
    );
    d.press(KeyCode::Char('/'));
    d.keys("abrn");
    let text = words(&d.check());
    assert!(text.contains("Amy Brown") && !text.contains("Jo Smith"), "{text}");
    assert!(text.contains("Text filter: abrn"), "{text}");
    d.press(KeyCode::Enter);
    assert!(
        d.app.page::<IncidentView>().is_some(),
        "Enter opens the row the filter left"
    );
    d.answer("GET /incidents/besmart-10282", 200, &incident(false));
    d.press(KeyCode::Char('e'));
    let text = status(&mut d);
    assert!(
        text.contains("Editing besmart-10281"),
        "the report form, on the incident:\n{text}"
    );
}

#[test]
fn on_an_ascii_terminal_without_colour_every_state_draws_plain_symbols() {
    let mut d = view(
        false,
        DriverOpts {
            sizes: vec![(80, 24), (40, 12)],
            mono: true,
            glyphs: bsmart::client::glyphs::Glyphs::ASCII,
            ..DriverOpts::default()
        },
    );
    let mut seen = String::new();
    for key in ['G', 'p'] {
        d.press(KeyCode::Char(key));
        seen.push_str(&d.check());
    }
    d.press(KeyCode::Esc);
    d.press(KeyCode::Char('a'));
    seen.push_str(&d.check());
    d.press(KeyCode::Esc);
    d.press(KeyCode::Esc);
    seen.push_str(&d.check());
    for glyph in ['…', '—', '→', '▶', '·', '⚑'] {
        assert!(!seen.contains(glyph), "{glyph} drawn on an ASCII terminal:\n{seen}");
    }
    assert!(seen.contains("\"Noise\" -> \"Noise in the hall\""), "{seen}");
}
