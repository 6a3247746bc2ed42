//! `POST /incidents` from 16 concurrent clients over loopback on a file database: each post a
//! whole report (Post-Incident Learning filled in, a member of staff present, so notifications
//! and an audit row), its reference number taken in the write transaction. Beside it, in the
//! same run and on the same file, the bare one-INSERT handler of `benches/server_clicks.rs`
//! (shared in `benches/common`). Criterion times a burst of 16 x 25 posts; the per-request
//! latencies are collected here and printed as posts/s, p50 and p99.

mod common;

use std::sync::Arc;

use bsmart::server::store::Viewer;
use bsmart::server::testing::{TestOptions, TestServer};
use common::{CLIENTS, Target, bare_server, burst, click_body, compare, file_system};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Reports each client submits, one after another, in a burst.
const PER_CLIENT: usize = 25;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (server, ours, bare) = rt.block_on(async {
        let server = TestServer::start_with(TestOptions {
            rate_limit: false,
            ..TestOptions::default()
        })
        .await;
        let token = server
            .bearer("teacher@demo.test", "demo-teacher-passphrase", None)
            .await;
        let individuals = server
            .store
            .visible_individual_ids(Viewer {
                user_id: 3,
                sees_all: false,
            })
            .await
            .unwrap();
        let at = server.clock.now() - chrono::Duration::minutes(5);
        let bare_url = bare_server(&server.db_path).await;
        let pupils = individuals.clone();
        let ours = Arc::new(Target {
            url: server.api("/incidents"),
            token: Some(token),
            body: Arc::new(move |n, k| {
                serde_json::json!({
                    "id": uuid::Uuid::new_v4(),
                    "kind": "standard",
                    "individual_ids": [pupils[(n * PER_CLIENT + k) % pupils.len()]],
                    "occurred_at": at,
                    "location_id": 1 + (k % 5) as i64,
                    "what_happened": "Left the classroom without permission and refused to return; \
                                      followed at a distance and talked down in the corridor.",
                    "staff_present_ids": [10 + (n % 20) as i64],
                    "injury": { "occurred": false },
                    "pild": {
                        "perspective": "Felt picked on when asked to move seats.",
                        "feelings": "Angry, then embarrassed.",
                        "next_time": "Ask for a time-out card.",
                        "triggers": "Seating change without warning.",
                        "adjustments": "Warn of seating changes the day before."
                    }
                })
            }),
        });
        let bare = Arc::new(Target {
            url: bare_url,
            token: None,
            body: click_body(individuals, at, PER_CLIENT),
        });
        (server, ours, bare)
    });
    println!(
        "database {} on: {}",
        server.db_path.display(),
        file_system(&server.db_path)
    );
    let clients: Vec<reqwest::Client> = (0..CLIENTS).map(|_| reqwest::Client::new()).collect();
    compare(
        &rt,
        &clients,
        [("bsmart POST /incidents", &ours), ("bare INSERT handler", &bare)],
        PER_CLIENT,
        8,
    );

    let mut group = c.benchmark_group("incident reports, 16 clients");
    group.sample_size(10);
    group.throughput(Throughput::Elements((CLIENTS * PER_CLIENT) as u64));
    group.bench_function("bsmart POST /incidents", |b| {
        b.iter(|| rt.block_on(burst(&clients, &ours, PER_CLIENT)))
    });
    group.bench_function("bare INSERT handler", |b| {
        b.iter(|| rt.block_on(burst(&clients, &bare, PER_CLIENT)))
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, bench);
criterion_main!(benches);
