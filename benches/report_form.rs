//! The report form's speed (issue 11; figures in the README): a key press in a page holding
//! 10,000 characters with the language check over it, to the frame that shows it, at 80x24
//! (target under 2 ms):
//! - `form_key_10k`: a key typed into "What happened" (9,990 characters with twenty phrases
//!   the check finds), the update and the frame;
//! - `review_frame_10k`: a frame of the review page, which checks and highlights every field.
//!
//! Criterion reports the median of each; the key benchmark also prints p50 and p99.

#[path = "../tests/client_support/mod.rs"]
mod client_support;

use std::time::{Duration, Instant};

use bsmart::client::action::Action;
use bsmart::client::screens::report::Report;
use bsmart::client::screens::report::fields::Key;
use client_support::{Driver, DriverOpts};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

/// A realistic account of 9,990 characters with twenty phrases the language check finds.
fn account() -> String {
    let sentence = "After lunch he kicked off in the corridor and was refusing to comply when asked to walk \
                    back to class; staff gave him space and he calmed after a few minutes. ";
    let mut text = String::new();
    while text.chars().count() < 9_990 {
        text.push_str(sentence);
    }
    text.chars().take(9_990).collect()
}

/// A driven App on the form's first page, the cursor at the end of "What happened".
fn form() -> Driver {
    let mut d = Driver::new(DriverOpts::default());
    d.signed_in(json!([]), json!([]));
    d.press(KeyCode::Char('r'));
    d.press(KeyCode::Char('i'));
    d.answer(
        "GET /locations",
        200,
        &json!({"items": [{"id": 4, "name": "Corridor B"}]}),
    );
    d.answer("GET /incident-categories", 200, &json!({"items": []}));
    d.answer("GET /staff", 200, &json!({"items": []}));
    d.answer("GET /periods", 200, &json!({"items": []}));
    for _ in 0..4 {
        d.press(KeyCode::Tab);
    }
    d.act(Action::Paste(account()));
    assert!(
        d.app
            .page::<Report>()
            .is_some_and(|r| r.form.text(Key::WhatHappened).len() == 9_990)
    );
    d
}

/// p50 and p99 of `samples`, printed under `name`.
fn percentiles(name: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name}: {} key presses, p50 {:.3} ms, p99 {:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

fn form_key_10k(c: &mut Criterion) {
    let mut d = form();
    let mut samples = Vec::new();
    let mut typed = false;
    c.bench_function("form_key_10k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Type a letter, then take it back: the text stays at the limit's edge.
                let code = if typed { KeyCode::Backspace } else { KeyCode::Char('a') };
                typed = !typed;
                let started = Instant::now();
                d.act(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
                let app = &mut d.app;
                d.terminals[0].draw(|f| app.render(f)).unwrap();
                let took = started.elapsed();
                total += took;
                samples.push(took);
            }
            total
        })
    });
    percentiles("form_key_10k", &mut samples);
}

fn review_frame_10k(c: &mut Criterion) {
    let mut d = form();
    d.press(KeyCode::PageDown);
    d.press(KeyCode::PageDown);
    c.bench_function("review_frame_10k", |b| {
        b.iter(|| {
            let app = &mut d.app;
            d.terminals[0].draw(|f| app.render(f)).unwrap();
        })
    });
}

criterion_group!(benches, form_key_10k, review_frame_10k);
criterion_main!(benches);
