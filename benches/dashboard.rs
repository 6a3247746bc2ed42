//! Frame time of the dashboard with 10,000 incidents at 200x60 (target under 0.5 ms, README
//! "Measuring performance"; rows are built only for the visible slice), drawn into a `TestBackend`:
//! a redraw with nothing changed, and a redraw after moving the selection one row.

use std::hint::black_box;

use bsmart::client::connection::Connection;
use bsmart::client::dates::Dates;
use bsmart::client::glyphs::Glyphs;
use bsmart::client::privacy::Privacy;
use bsmart::client::screens::dashboard::Dashboard;
use bsmart::client::screens::{Ctx, Page};
use bsmart::client::theme::Theme;
use bsmart::wire::{IncidentKind, IncidentSummary, IndividualRef, PupilName};
use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn incidents(n: usize) -> Vec<IncidentSummary> {
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap();
    let names = [
        "Ann Smith",
        "Bilal Khan",
        "Chloé Martin",
        "Dara O'Neill",
        "Ewa Nowak",
        "Femi Adebayo",
    ];
    let places = ["Playground", "Corridor B", "Dining hall", "Classroom 4", "Sports hall"];
    let kinds = [
        "Verbal abuse",
        "Disruption",
        "Physical aggression",
        "Refusal",
        "Leaving the room",
    ];
    (0..n)
        .map(|i| IncidentSummary {
            reference: format!("besmart-{}", 10_000 + n - i),
            occurred_at: start - Duration::minutes(37 * i as i64),
            individual: IndividualRef {
                id: (i % 600) as i64,
                name: PupilName::new(names[i % names.len()]),
            },
            kind: if i % 7 == 0 {
                IncidentKind::PhysicalIntervention
            } else {
                IncidentKind::Incident
            },
            category: kinds[i % kinds.len()].to_string(),
            location: places[i % places.len()].to_string(),
            flagged: i % 11 == 0,
            parents_informed: i % 2 == 0,
            more_individuals: 0,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let theme = Theme { mono: false };
    let url = url::Url::parse("https://school.example").unwrap();
    let connection = Connection::Online;
    let ctx = Ctx {
        theme: &theme,
        glyphs: Glyphs::UNICODE,
        dates: Dates::UTC,
        privacy: Privacy::default(),
        setting: None,
        server_url: &url,
        connection: &connection,
    };
    let mut dash = Dashboard::new();
    dash.set_incidents(incidents(10_000));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();

    c.bench_function("dashboard 10k rows 200x60: frame", |b| {
        b.iter(|| {
            terminal.draw(|f| dash.render(f, f.area(), &ctx)).unwrap();
            black_box(terminal.backend().buffer().area);
        })
    });
    c.bench_function("dashboard 10k rows 200x60: move selection + frame", |b| {
        let mut down = true;
        b.iter(|| {
            if dash.selected() == 0 {
                down = true;
            } else if dash.selected() >= 9_999 {
                down = false;
            }
            dash.move_by(if down { 1 } else { -1 });
            terminal.draw(|f| dash.render(f, f.area(), &ctx)).unwrap();
            black_box(dash.selected());
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
