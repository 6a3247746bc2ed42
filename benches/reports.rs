//! Analytics: each report type server side with `--scale 10` and `--scale 100` demo data
//! (target under 200 ms at scale 100; the growth from 10 to 100 should be no worse than
//! linear), a school year of records, signed in as the pastoral lead (who sees everyone, so
//! every record is counted); and one frame of a 100,000-row report at 200x60 (target under
//! 2 ms; only the visible slice is drawn). Times are round trips on loopback.

use std::hint::black_box;

use bsmart::client::connection::Connection;
use bsmart::client::dates::Dates;
use bsmart::client::glyphs::Glyphs;
use bsmart::client::privacy::Privacy;
use bsmart::client::screens::analytics::Analytics;
use bsmart::client::screens::{Ctx, Page};
use bsmart::client::theme::Theme;
use bsmart::server::testing::{TestOptions, TestServer};
use bsmart::wire::{ColumnKind, Dimension, Report, ReportColumn, ReportKind, ReportRow, ReportSeries, ReportTotal};
use chrono::{Duration, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Each report type at `scale`.
fn server(c: &mut Criterion, scale: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let (server, token) = rt.block_on(async {
        let server = TestServer::start_with(TestOptions {
            scale,
            rate_limit: false,
            ..TestOptions::default()
        })
        .await;
        let token = server
            .bearer(
                "lead@demo.test",
                "demo-lead-passphrase",
                Some("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"),
            )
            .await;
        (server, token)
    });
    let today = Utc::now().date_naive();
    let from = today - Duration::days(364);
    let mut group = c.benchmark_group(format!("reports, scale {scale}, a year"));
    group.sample_size(20);
    for kind in ReportKind::ALL {
        let url = server.api(&format!("/reports/{}?from={from}&to={today}", kind.slug()));
        let get = || {
            let (http, token, url) = (&http, &token, &url);
            async move {
                let response = http.get(url).bearer_auth(token).send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap().len()
            }
        };
        println!("{} at scale {scale}: {} bytes", kind.slug(), rt.block_on(get()));
        group.bench_function(kind.slug(), |b| b.iter(|| rt.block_on(get())));
    }
    group.finish();
    drop(server);
}

fn scale_10(c: &mut Criterion) {
    server(c, 10);
}

fn scale_100(c: &mut Criterion) {
    server(c, 100);
}

/// A report of `n` individual rows.
fn big_report(n: usize) -> Report {
    let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let column = |title: &str, kind| ReportColumn {
        title: title.into(),
        kind,
    };
    Report {
        kind: ReportKind::Global,
        title: ReportKind::Global.title().into(),
        by: Dimension::Individual,
        from: day - Duration::days(364),
        to: day,
        previous_from: day - Duration::days(729),
        previous_to: day - Duration::days(365),
        totals: vec![ReportTotal {
            label: "Incidents".into(),
            value: n as f64,
            previous: n as f64 / 2.0,
            kind: ColumnKind::Count,
        }],
        label: "Individual".into(),
        columns: vec![
            column("Incidents", ColumnKind::Count),
            column("Previous", ColumnKind::Count),
            column("Change %", ColumnKind::Change),
        ],
        rows: (0..n)
            .map(|i| ReportRow {
                key: Some(format!("individual:{i}")),
                label: format!("Pupil {i} Surname{}", i % 97),
                figures: vec![Some((n - i) as f64), Some((i % 50) as f64), Some(12.5)],
            })
            .collect(),
        bucket: "week".into(),
        buckets: (0..52).map(|w| (day - Duration::weeks(51 - w)).to_string()).collect(),
        series: vec![ReportSeries {
            name: "Incidents".into(),
            points: (0..52).map(|w| (w * 7 % 23) as u64).collect(),
        }],
        grid: None,
    }
}

fn frame(c: &mut Criterion) {
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
    let mut page = Analytics::showing(big_report(100_000));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("analytics 100k rows 200x60: frame", |b| {
        b.iter(|| {
            terminal.draw(|f| page.render(f, f.area(), &ctx)).unwrap();
            black_box(terminal.backend().buffer().area);
        })
    });
}

criterion_group!(benches, frame, scale_10, scale_100);
criterion_main!(benches);
