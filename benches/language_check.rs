//! The language check's speed (`client::language`), run at every key press of an incident
//! report:
//! - `check_10k`: `Lexicon::check` over a realistic 10,000-character incident text with about
//!   20 findings (target well under 1 ms);
//! - `highlight_10k`: `highlight` of every line of that text with its findings (what one frame
//!   of the form costs).

use bsmart::client::language::{Lexicon, highlight};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::style::{Modifier, Style};

/// Paragraphs of plain factual wording, with a judging phrase in some of them.
fn incident_text() -> String {
    let factual = [
        "At 10:42 in the science lab, Sam was asked by Ms Patel to return to his seat. ",
        "He walked to the window and stood there for about two minutes, looking outside. ",
        "Jo said that Sam had taken her pencil case at the start of the lesson. ",
        "I spoke quietly to Sam by the door and offered him time in the calm room. ",
        "He answered that he did not want to go and sat back down at 10:48.\n",
        "Later, at 11:05, the class moved to group work on the circuits task. ",
        "Sam pushed his chair back, stood up and said \u{201c}this is pointless\u{201d} twice. ",
        "The teaching assistant sat with the group and the task carried on. ",
        "At the end of the lesson Sam helped to put the equipment away.\n",
    ];
    let judging = [
        "He kicked off ",
        "and was really rude ",
        "as usual ",
        "for no reason. ",
        "She was attention\nseeking ",
        "and defiant, ",
        "then had a meltdown. ",
        "He is always ",
        "playing up and ",
        "refused to comply.\n",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.chars().count() < 10_000 {
        text.push_str(factual[i % factual.len()]);
        if i % 6 == 5 {
            text.push_str(judging[(i / 4) % judging.len()]);
        }
        i += 1;
    }
    text.chars().take(10_000).collect()
}

fn bench(c: &mut Criterion) {
    let lexicon = Lexicon::bundled();
    let text = incident_text();
    let findings = lexicon.check(&text);
    eprintln!("{} characters, {} findings", text.chars().count(), findings.len());
    c.bench_function("check_10k", |b| b.iter(|| lexicon.check(std::hint::black_box(&text))));
    let style = Style::new().add_modifier(Modifier::UNDERLINED);
    c.bench_function("highlight_10k", |b| {
        b.iter(|| {
            let mut start = 0;
            let mut spans = 0;
            for line in text.split('\n') {
                spans += highlight(line, start, &findings, style).len();
                start += line.len() + 1;
            }
            spans
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
