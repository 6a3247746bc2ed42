//! The Behaviour Clicker and its outbox (issue 10), as tests of the real App driven by hand:
//! every call it makes is answered by the test, decoded exactly as the server's bytes would be,
//! so a server that is down, slow or refusing can be played at will. The same flows against a
//! real server on loopback are in `tests/client_clicker_server.rs`.

mod client_support;

use std::time::Duration;

use bsmart::client::action::Action;
use bsmart::client::screens::clicker::{Clicker, Step};
use client_support::{Driver, DriverOpts, words};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

/// Tuesday 1 December 2026, 10:42 UTC: the Driver's clock.
const NOW: &str = "2026-12-01T10:42:00Z";

fn individuals() -> Value {
    json!({"items": [
        {"id": 11, "name": "Zac Adams", "year_group": "Year 9", "group_name": "9B"},
        {"id": 12, "name": "Amy Brown", "year_group": "Year 9", "group_name": "9B", "last_recorded_by_me": "2026-12-01T09:00:00Z"},
        {"id": 13, "name": "Jo Smith", "year_group": "Year 8", "group_name": "8C", "last_recorded_by_me": "2026-12-01T10:00:00Z"},
        {"id": 14, "name": "Bea Clark", "year_group": "Year 7", "group_name": "7A"}
    ]})
}

fn behaviours() -> Value {
    json!({"items": [
        {"id": 1, "name": "On task", "sentiment": "positive", "position": 1},
        {"id": 2, "name": "Helping others", "sentiment": "positive", "position": 2},
        {"id": 9, "name": "Shouting out", "sentiment": "negative", "position": 3},
        {"id": 10, "name": "Off task", "sentiment": "negative", "position": 4}
    ]})
}

fn periods() -> Value {
    json!({"items": [
        {"number": 1, "name": "Period 1", "starts": "08:50:00", "ends": "09:50:00"},
        {"number": 2, "name": "Period 2", "starts": "09:50:00", "ends": "10:50:00"},
        {"number": 3, "name": "Period 3", "starts": "11:10:00", "ends": "12:10:00"}
    ]})
}

/// Signed in on the dashboard, then `c`: the clicker's pick step with its lists answered.
fn at_pick_step() -> Driver {
    at_pick_step_with(DriverOpts::default())
}

/// [`at_pick_step`] with the driver's options.
fn at_pick_step_with(o: DriverOpts) -> Driver {
    let mut d = Driver::new(o);
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('c'));
    d.answer("GET /individuals", 200, &individuals());
    d.answer("GET /behaviours", 200, &behaviours());
    d.answer("GET /periods", 200, &periods());
    d
}

/// Answer every `GET /clicks` waiting (today's counts) with `items`.
fn answer_counts(d: &mut Driver, items: Value) {
    while d.has_call("GET /clicks") {
        d.answer("GET /clicks", 200, &json!({ "items": items.clone() }));
    }
}

/// The bodies of every waiting `POST /clicks`, oldest first (left waiting).
fn posted(d: &Driver) -> Vec<Value> {
    d.pending
        .iter()
        .filter(|c| c.line() == "POST /clicks")
        .map(|c| serde_json::from_slice(c.request().body.as_deref().unwrap()).unwrap())
        .collect()
}

fn clicker(d: &Driver) -> &Clicker {
    d.app.page::<Clicker>().expect("the clicker is shown")
}

#[test]
fn from_the_dashboard_a_behaviour_is_logged_in_three_keys_and_confirmed_before_the_server_answers() {
    let mut d = at_pick_step();
    let text = d.check();
    assert!(text.contains("Jo Smith"), "{text}");
    // c (above), Enter on the most recent individual, then the behaviour's key.
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    d.press(KeyCode::Char('3'));
    let bodies = posted(&d);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["individual_id"], 13, "the most recent individual comes first");
    assert_eq!(bodies[0]["behaviour_id"], 9);
    assert_eq!(bodies[0]["occurred_at"], NOW, "the time of the key press");
    let text = d.check();
    assert!(
        words(&text).contains("Logged Shouting out for Jo Smith at 10:42 — u undo"),
        "confirmed at once, before any answer:\n{text}"
    );
    assert!(text.contains("1 pending"), "the status bar counts what waits:\n{text}");
    let id = bodies[0]["id"].as_str().unwrap().to_string();
    let click = json!({"id": id, "individual_id": 13, "behaviour_id": 9, "recorded_by": {"id": 5, "name": "Tess"},
                       "occurred_at": NOW, "recorded_at": NOW});
    d.answer("POST /clicks", 201, &click);
    let text = d.check();
    assert!(!text.contains("pending"), "{text}");
    assert_eq!(clicker(&d).count(9), 1);
    // The screen stays on the individual: a repeated behaviour is one key each.
    d.press(KeyCode::Char('3'));
    d.press(KeyCode::Char('3'));
    assert_eq!(posted(&d).len(), 2);
    assert_eq!(clicker(&d).count(9), 3);
}

#[test]
fn todays_counts_are_the_servers_and_this_screens_each_click_once() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    d.press(KeyCode::Char('1'));
    let made = posted(&d)[0]["id"].as_str().unwrap().to_string();
    let listed = |id: &str| {
        json!({"id": id, "individual_id": 13, "behaviour_id": 1, "recorded_by": {"id": 5, "name": "T"},
                                    "occurred_at": NOW, "recorded_at": NOW})
    };
    // The server's list of today already has the click just made, and one from earlier.
    answer_counts(
        &mut d,
        json!([listed(&made), listed("00000000-0000-4000-8000-000000000001")]),
    );
    assert_eq!(clicker(&d).count(1), 2, "the click made here is not counted twice");
    let text = d.check();
    assert!(text.contains("On task"), "{text}");
}

#[test]
fn a_group_marked_with_space_gets_one_click_each() {
    let mut d = at_pick_step();
    d.press(KeyCode::Char(' '));
    d.press(KeyCode::Char(' '));
    d.press(KeyCode::Char(' '));
    let text = d.check();
    assert!(text.contains("3 marked"), "{text}");
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    assert_eq!(clicker(&d).group().len(), 3);
    d.press(KeyCode::Char('1'));
    let who: Vec<i64> = posted(&d)
        .iter()
        .map(|b| b["individual_id"].as_i64().unwrap())
        .collect();
    assert_eq!(who, [13, 12, 11]);
    let ids: std::collections::HashSet<String> = posted(&d)
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3, "each click has its own id");
    assert!(words(&d.check()).contains("Logged On task for 3 individuals"));
}

#[test]
fn the_filter_is_fuzzy_and_typing_goes_to_it() {
    let mut d = at_pick_step();
    d.keys("bcl");
    let text = d.check();
    assert!(text.contains("Bea Clark") && !text.contains("Zac Adams"), "{text}");
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    assert_eq!(clicker(&d).group()[0].id, 14);
}

#[test]
fn backdating_takes_minutes_ago_a_clock_time_or_a_period_and_refuses_the_future() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    for (typed, expected) in [
        ("-20m", "2026-12-01T10:22:00Z"),
        ("10:15", "2026-12-01T10:15:00Z"),
        ("p2", "2026-12-01T09:50:00Z"),
    ] {
        d.press(KeyCode::Char('t'));
        d.press_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
        d.enter(typed);
        assert!(clicker(&d).backdate().is_some(), "{typed}: {}", d.check());
        d.press(KeyCode::Char('1'));
        let last = posted(&d).pop().unwrap();
        assert_eq!(last["occurred_at"], expected, "{typed}");
    }
    // The time stays for the next clicks, until Esc.
    d.press(KeyCode::Char('2'));
    assert_eq!(posted(&d).pop().unwrap()["occurred_at"], "2026-12-01T09:50:00Z");
    d.press(KeyCode::Esc);
    assert!(clicker(&d).backdate().is_none());
    assert_eq!(clicker(&d).step, Step::Log, "the first Esc only clears the time");
    d.press(KeyCode::Char('2'));
    assert_eq!(posted(&d).pop().unwrap()["occurred_at"], NOW);
    for (typed, said) in [
        ("11:00", "later than now"),
        ("p3", "has not started yet today"),
        ("-8d", "more than 7 days ago"),
        ("whenever", "-20m, 10:15, p3"),
    ] {
        d.press(KeyCode::Char('t'));
        d.press_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
        d.enter(typed);
        let text = words(&d.check());
        assert!(text.contains(said), "{typed}: {text}");
        assert!(clicker(&d).backdate().is_none(), "{typed} was refused");
        d.press(KeyCode::Esc);
    }
}

#[test]
fn undo_takes_a_waiting_click_back_or_deletes_a_landed_one_within_ten_seconds() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    // The server cannot be reached: the click waits, and undo simply takes it out.
    d.press(KeyCode::Char('1'));
    d.unreachable("POST /clicks");
    assert!(d.check().contains("1 pending"));
    d.clock.advance(Duration::from_secs(3));
    d.press(KeyCode::Char('u'));
    assert!(words(&d.check()).contains("Undone: On task for Jo Smith (it had not been sent yet)"));
    assert_eq!(d.app.pending(), 0);
    assert_eq!(clicker(&d).count(1), 0);
    // A click that landed is undone on the server.
    d.clock.advance(Duration::from_secs(30));
    d.act(Action::Deadline);
    d.press(KeyCode::Char('1'));
    let id = posted(&d)[0]["id"].as_str().unwrap().to_string();
    d.answer(
        "POST /clicks",
        201,
        &json!({"id": id, "individual_id": 13, "behaviour_id": 1, "recorded_by": {"id": 5, "name": "T"},
                "occurred_at": NOW, "recorded_at": NOW}),
    );
    d.press(KeyCode::Char('u'));
    let undo = d.call(&format!("DELETE /clicks/{id}"));
    let action = undo.respond(204, b"");
    d.act(action);
    assert_eq!(d.app.pending(), 0);
    // After ten seconds there is nothing to undo, and the confirmation no longer offers it.
    d.press(KeyCode::Char('2'));
    d.clock.advance(Duration::from_secs(11));
    d.act(Action::Deadline);
    let text = words(&d.check());
    assert!(
        text.contains("Logged Helping others") && !text.contains("u undo"),
        "{text}"
    );
    d.press(KeyCode::Char('u'));
    assert!(words(&d.check()).contains("Nothing to undo"));
    assert!(!d.has_call(&format!("DELETE /clicks/{id}")));
}

#[test]
fn an_undo_of_a_click_on_its_way_waits_for_it_to_land() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    d.press(KeyCode::Char('1'));
    let id = posted(&d)[0]["id"].as_str().unwrap().to_string();
    d.press(KeyCode::Char('u'));
    assert!(
        !d.has_call(&format!("DELETE /clicks/{id}")),
        "not before its click landed"
    );
    d.answer(
        "POST /clicks",
        201,
        &json!({"id": id, "individual_id": 13, "behaviour_id": 1, "recorded_by": {"id": 5, "name": "T"},
                "occurred_at": NOW, "recorded_at": NOW}),
    );
    assert!(d.has_call(&format!("DELETE /clicks/{id}")));
}

#[test]
fn twenty_clicks_offline_wait_and_land_once_each_with_their_own_times_and_quitting_asks() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    for n in 0..20 {
        d.press(KeyCode::Char('1'));
        d.clock.advance(Duration::from_secs(5));
        // Whatever went out meets a server that is down.
        while d.has_call("POST /clicks") {
            d.unreachable("POST /clicks");
        }
        assert_eq!(d.app.pending(), n + 1);
    }
    let text = d.check();
    assert!(text.contains("20 pending"), "{text}");
    // Locking does not stop it, and quitting asks first, saying what would be lost.
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert!(d.app.is_locked());
    assert!(d.app.next_deadline().is_some(), "the retry is due even while locked");
    // The server is back: the retries go out (at most eight at a time) and land, each once.
    let mut landed = std::collections::HashMap::new();
    for _ in 0..20 {
        d.clock.advance(Duration::from_secs(31));
        d.act(Action::Deadline);
        while d.has_call("POST /clicks") {
            let call = d.call("POST /clicks");
            let body: Value = serde_json::from_slice(call.request().body.as_deref().unwrap()).unwrap();
            let id = body["id"].as_str().unwrap().to_string();
            *landed
                .entry((id, body["occurred_at"].as_str().unwrap().to_string()))
                .or_insert(0) += 1;
            let mut reply = body.clone();
            reply["recorded_by"] = json!({"id": 5, "name": "T"});
            reply["recorded_at"] = json!(NOW);
            let action = call.respond(201, &serde_json::to_vec(&reply).unwrap());
            d.act(action);
        }
        if d.app.pending() == 0 {
            break;
        }
    }
    assert_eq!(landed.len(), 20, "every click landed");
    // Each kept the time of its key press, five seconds apart from 10:42:00.
    let mut times: Vec<String> = landed.keys().map(|(_, at)| at.clone()).collect();
    times.sort();
    let expected: Vec<String> = (0..20)
        .map(|n| format!("2026-12-01T10:{:02}:{:02}Z", 42 + n * 5 / 60, n * 5 % 60))
        .collect();
    assert_eq!(times, expected);
    assert!(landed.values().all(|n| *n == 1), "and each once: {landed:?}");
    assert_eq!(d.app.pending(), 0);
}

#[test]
fn quitting_or_switching_user_with_records_waiting_asks_and_says_what_is_lost() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    d.press(KeyCode::Char('1'));
    d.press(KeyCode::Char('2'));
    while d.has_call("POST /clicks") {
        d.unreachable("POST /clicks");
    }
    d.press_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let text = words(&d.check());
    assert!(text.contains("2 records have not reached the server yet"), "{text}");
    assert!(!d.app.quitting());
    d.press(KeyCode::Char('n'));
    assert!(!d.app.quitting());
    // Switching user on the lock screen asks too, then a second Ctrl-S switches.
    d.press_with(KeyCode::Char('l'), KeyModifiers::CONTROL);
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let text = words(&d.check());
    assert!(text.contains("2 records have not reached the server yet"), "{text}");
    assert!(d.app.user().is_some(), "not switched yet");
    d.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(d.app.user().is_none());
    assert_eq!(d.app.pending(), 0);
}

#[test]
fn a_refused_click_is_said_and_not_retried() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    d.press(KeyCode::Char('1'));
    d.answer(
        "POST /clicks",
        404,
        &json!({"error": {"code": "not_found", "message": "There is nothing here."}}),
    );
    let text = words(&d.check());
    assert!(
        text.contains("The server refused the click On task for Jo Smith"),
        "{text}"
    );
    assert_eq!(d.app.pending(), 0);
    assert_eq!(
        clicker(&d).count(1),
        0,
        "the count does not keep a click never recorded"
    );
}

#[test]
fn the_log_step_at_80x24_shows_every_behaviour_with_its_key_and_help_lists_them() {
    let mut d = at_pick_step();
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    let text = d.check();
    for expected in [
        "Positive",
        "Negative",
        "1 On task",
        "2 Helping others",
        "3 Shouting out",
        "4 Off task",
        "today",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    d.press(KeyCode::Char('?'));
    let help = words(&d.check());
    assert!(
        help.contains("log that behaviour now") && help.contains("undo the last click"),
        "{help}"
    );
    d.press(KeyCode::Esc);
    // On the log step the global letters are behaviours or nothing: `d` does not leave.
    d.press(KeyCode::Char('d'));
    assert!(d.app.page::<Clicker>().is_some());
    d.press(KeyCode::Char('q'));
    assert_eq!(clicker(&d).step, Step::Pick, "q goes back to pick another");
}

#[test]
fn at_40x12_the_pick_step_fits_and_the_log_step_says_what_size_it_needs() {
    let mut d = at_pick_step_with(DriverOpts {
        sizes: vec![(40, 12)],
        ..DriverOpts::default()
    });
    let text = d.check();
    assert!(text.contains("Jo Smith") && !text.contains("too small"), "{text}");
    d.press(KeyCode::Enter);
    answer_counts(&mut d, json!([]));
    let text = words(&d.check());
    assert!(text.contains("Window too small: needs at least 50×15"), "{text}");
    // The keys still work, and nothing typed or logged is lost at a small size.
    d.press(KeyCode::Char('1'));
    assert_eq!(posted(&d).len(), 1);
}

#[test]
fn records_wait_through_an_expired_session_and_go_when_the_same_user_signs_in_again() {
    let mut d = at_pick_step();
    expire_with_a_click_waiting(&mut d);
    let text = words(&d.check());
    assert!(
        text.contains("1 record has not reached the server yet: it is sent when you sign in again"),
        "{text}"
    );
    assert_eq!(d.app.pending(), 1);
    let ok = json!({"status": "ok", "token": "t2", "user": client_support::user_json("Tess Teacher")});
    d.log_in("t@x.test", &ok);
    assert!(d.has_call("POST /clicks"), "the same user: it goes");
    // Another user signing in on this computer never sends it under their name.
    let mut other = at_pick_step();
    expire_with_a_click_waiting(&mut other);
    let mut someone = client_support::user_json("Sam Other");
    someone["id"] = json!(99);
    other.log_in("s@x.test", &json!({"status": "ok", "token": "t3", "user": someone}));
    assert!(!other.has_call("POST /clicks"));
    assert_eq!(other.app.pending(), 0);
    assert!(words(&other.check()).contains("will not be sent under your name"));
}

/// Log one click on the most recent individual, and answer it "session expired".
fn expire_with_a_click_waiting(d: &mut Driver) {
    d.press(KeyCode::Enter);
    answer_counts(d, json!([]));
    d.press(KeyCode::Char('1'));
    d.answer(
        "POST /clicks",
        401,
        &json!({"error": {"code": "session_expired", "message": "Your session has expired."}}),
    );
}
