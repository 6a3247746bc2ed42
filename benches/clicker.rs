//! The Behaviour Clicker's speed (issue 10; figures in the README):
//! - `key_to_confirmation`: a behaviour key to the frame that confirms it, at 80x24 (the App's
//!   update, the outbox, the draw): it never waits on the server (target p99 under 1 ms);
//! - `key_to_ack`: a behaviour key to the click acknowledged by a real server on loopback
//!   (real session, access check, durable write) and the frame after it (target p99 under
//!   3 ms);
//! - `fuzzy_key_press`: one key typed into the filter over 5,000 names (target under 1 ms).
//!
//! Criterion reports the median of each; the two key benchmarks also print p50 and p99 of
//! every key press they timed.

#[path = "../tests/client_support/mod.rs"]
mod client_support;

use std::time::{Duration, Instant};

use bsmart::client::action::Action;
use bsmart::client::screens::clicker::Clicker;
use bsmart::client::screens::picker::Picker;
use bsmart::server::testing::TestServer;
use bsmart::wire::{IndividualSummary, PupilName};
use client_support::{Driver, DriverOpts, Harness, TEACHER};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn names(n: usize) -> Vec<IndividualSummary> {
    let first = [
        "Amelia", "Bilal", "Chloé", "Dara", "Ewa", "Femi", "Grace", "Hiro", "Isla", "Jo",
    ];
    let last = [
        "Smith", "Khan", "Martin", "O'Neill", "Nowak", "Adebayo", "Jones", "Tanaka", "Brown", "Li",
    ];
    (0..n)
        .map(|i| IndividualSummary {
            id: i as i64 + 1,
            name: PupilName::new(format!("{} {}{}", first[i % 10], last[(i / 10) % 10], i / 100)),
            year_group: format!("Year {}", 7 + i % 7),
            group_name: format!("{}{}", 7 + i % 7, ["A", "B", "C", "D"][i % 4]),
            last_recorded_by_me: None,
        })
        .collect()
}

/// p50 and p99 of `samples`, printed under `name`.
fn report(name: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name}: {} key presses, p50 {:.3} ms, p99 {:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

/// A driven App on the clicker's log step for one individual, with twenty behaviours.
fn logging() -> Driver {
    let mut d = Driver::new(DriverOpts::default());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('c'));
    let items: Vec<_> = names(600)
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name.unmasked(), "year_group": p.year_group, "group_name": p.group_name}))
        .collect();
    d.answer("GET /individuals", 200, &json!({ "items": items }));
    let behaviours: Vec<_> = (1..=20)
        .map(|i| json!({"id": i, "name": format!("Behaviour {i}"), "sentiment": if i <= 10 { "positive" } else { "negative" }, "position": i}))
        .collect();
    d.answer("GET /behaviours", 200, &json!({ "items": behaviours }));
    d.answer("GET /periods", 200, &json!({"items": []}));
    d.press(KeyCode::Enter);
    d.answer("GET /clicks", 200, &json!({"items": []}));
    d
}

fn key_to_confirmation(c: &mut Criterion) {
    let mut d = logging();
    let mut samples = Vec::new();
    c.bench_function("key_to_confirmation", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                d.act(Action::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE)));
                let app = &mut d.app;
                d.terminals[0].draw(|f| app.render(f)).unwrap();
                let took = started.elapsed();
                total += took;
                samples.push(took);
                // Untimed: the server's answer, so the outbox does not grow without end.
                let call = d.call("POST /clicks");
                let answered = call.respond(201, b"{}");
                d.act(answered);
            }
            total
        })
    });
    assert!(d.app.page::<Clicker>().is_some_and(|c| c.count(3) > 0));
    report("key_to_confirmation", &mut samples);
}

fn key_to_ack(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _inside = runtime.enter();
    let server = runtime.block_on(TestServer::start());
    let mut h = Harness::sized(&server.url, 80, 24);
    runtime.block_on(async {
        h.sign_in(TEACHER.0, TEACHER.1).await;
        h.press(KeyCode::Char('c'));
        h.wait_text("Behaviour Clicker: pick who").await;
        h.wait_for("the individuals", |t| !t.contains("loading")).await;
        h.press(KeyCode::Enter);
        h.wait_text("On task").await;
    });
    let mut samples = Vec::new();
    c.bench_function("key_to_ack", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                h.press(KeyCode::Char('1'));
                runtime.block_on(async {
                    while h.runner.app.pending() > 0 {
                        h.runner.pump(Duration::from_secs(5)).await.unwrap();
                    }
                });
                let took = started.elapsed();
                total += took;
                samples.push(took);
            }
            total
        })
    });
    report("key_to_ack", &mut samples);
    drop(server);
}

fn fuzzy_key_press(c: &mut Criterion) {
    let mut picker = Picker::new(true, true);
    picker.set_individuals(names(5_000));
    let typed = ['j', 's', 'm', 'i', 't'];
    let mut at = 0;
    c.bench_function("fuzzy_key_press_5000", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if at == typed.len() {
                    // Untimed: start the word again.
                    picker.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
                    at = 0;
                }
                let started = Instant::now();
                picker.type_filter(&typed[at].to_string());
                total += started.elapsed();
                at += 1;
            }
            total
        })
    });
    let (all, _) = picker.counts();
    assert_eq!(all, 5_000);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = key_to_confirmation, key_to_ack, fuzzy_key_press
}
criterion_main!(benches);
