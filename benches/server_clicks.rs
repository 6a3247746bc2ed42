//! Durable `POST /clicks` from 16 concurrent clients over loopback: our server (a real session
//! token, the access check, the audit row, group commit) beside a bare axum handler doing one
//! `INSERT … ON CONFLICT(id) DO NOTHING` per post on the same database file in the same run
//! (both `synchronous=FULL`, WAL). Criterion times a burst of 16 x 100 posts; the per-request
//! latencies are collected here and printed as posts/s, p50 and p99 (the target: at least 0.8
//! of the bare figure, p99 under 10 ms). The database sits in the system's temporary folder,
//! which on the project's machine is the same disk as everything else (not a tmpfs); the
//! benchmark prints which file system it is on. The shared parts are in `benches/common`.

mod common;

use std::sync::Arc;

use bsmart::server::store::Viewer;
use bsmart::server::testing::{TestOptions, TestServer};
use common::{CLIENTS, Target, bare_server, burst, click_body, compare, file_system};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Posts each client sends, one after another, in a burst.
const PER_CLIENT: usize = 100;

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
        let at = server.clock.now();
        let bare_url = bare_server(&server.db_path).await;
        let ours = Arc::new(Target {
            url: server.api("/clicks"),
            token: Some(token),
            body: click_body(individuals.clone(), at, PER_CLIENT),
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
        [("bsmart POST /clicks", &ours), ("bare INSERT handler", &bare)],
        PER_CLIENT,
        8,
    );

    let mut group = c.benchmark_group("durable clicks, 16 clients");
    group.sample_size(10);
    group.throughput(Throughput::Elements((CLIENTS * PER_CLIENT) as u64));
    group.bench_function("bsmart POST /clicks", |b| {
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
