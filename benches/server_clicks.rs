//! Durable `POST /clicks` from 16 concurrent clients over loopback: our server (a real session
//! token, the access check, the audit row, group commit) beside a bare axum handler doing one
//! `INSERT … ON CONFLICT(id) DO NOTHING` per post on the same database file in the same run
//! (both `synchronous=FULL`, WAL). Criterion times a burst of 16 x 100 posts; the per-request
//! latencies are collected here and printed as posts/s, p50 and p99 (the target: at least 0.8
//! of the bare figure, p99 under 10 ms). The database sits in the system's temporary folder,
//! which on the project's machine is the same disk as everything else (not a tmpfs); the
//! benchmark prints which file system it is on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bsmart::server::store::Viewer;
use bsmart::server::testing::{TestOptions, TestServer};
use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Concurrent clients.
const CLIENTS: usize = 16;
/// Posts each client sends, one after another, in a burst.
const PER_CLIENT: usize = 100;

/// Where a burst goes.
struct Target {
    url: String,
    token: Option<String>,
    individuals: Vec<i64>,
    at: DateTime<Utc>,
}

/// The body of the bare handler.
#[derive(serde::Deserialize)]
struct BareClick {
    id: uuid::Uuid,
    individual_id: i64,
    behaviour_id: i64,
    occurred_at: DateTime<Utc>,
}

/// A bare axum handler: one INSERT per post on a pool of one connection (the fastest of the
/// anchors' shapes) to `db`; answers its URL.
async fn bare_server(db: &std::path::Path) -> String {
    let options = SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let app = axum::Router::new()
        .route(
            "/bare",
            axum::routing::post(
                |axum::extract::State(pool): axum::extract::State<sqlx::SqlitePool>,
                 axum::Json(click): axum::Json<BareClick>| async move {
                    sqlx::query(
                        "INSERT INTO clicks (id, individual_id, behaviour_id, user_id, occurred_at, recorded_at)
                         VALUES (?1, ?2, ?3, 3, ?4, ?4) ON CONFLICT(id) DO NOTHING",
                    )
                    .bind(click.id.to_string())
                    .bind(click.individual_id)
                    .bind(click.behaviour_id)
                    .bind(click.occurred_at.timestamp())
                    .execute(&pool)
                    .await
                    .map(|_| axum::http::StatusCode::CREATED)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
                },
            ),
        )
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bare", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// 16 clients each post [`PER_CLIENT`] new clicks in turn; every latency.
async fn burst(http: &[reqwest::Client], target: &Arc<Target>) -> Vec<Duration> {
    let tasks: Vec<_> = http
        .iter()
        .enumerate()
        .map(|(n, client)| {
            let (client, target) = (client.clone(), Arc::clone(target));
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(PER_CLIENT);
                for k in 0..PER_CLIENT {
                    let body = serde_json::json!({
                        "id": uuid::Uuid::new_v4(),
                        "individual_id": target.individuals[(n * PER_CLIENT + k) % target.individuals.len()],
                        "behaviour_id": 1 + (k % 8) as i64,
                        "occurred_at": target.at,
                    });
                    let mut request = client.post(&target.url).json(&body);
                    if let Some(token) = &target.token {
                        request = request.bearer_auth(token);
                    }
                    let started = Instant::now();
                    let response = request.send().await.expect("post");
                    assert_eq!(response.status(), 201);
                    latencies.push(started.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::with_capacity(CLIENTS * PER_CLIENT);
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

/// The `q` quantile of sorted `values`.
fn quantile(values: &[Duration], q: f64) -> Duration {
    values[((values.len() as f64 - 1.0) * q).round() as usize]
}

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
            individuals: individuals.clone(),
            at,
        });
        let bare = Arc::new(Target {
            url: bare_url,
            token: None,
            individuals,
            at,
        });
        (server, ours, bare)
    });
    let fs = std::process::Command::new("df")
        .args(["--output=fstype,target"])
        .arg(&server.db_path)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).replace('\n', " "))
        .unwrap_or_default();
    println!("database {} on: {fs}", server.db_path.display());
    let clients: Vec<reqwest::Client> = (0..CLIENTS).map(|_| reqwest::Client::new()).collect();

    // Our own figures: alternate rounds of each, so both see the same disk and load.
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut latencies: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    rt.block_on(async {
        for _ in 0..8 {
            for (n, target) in [&ours, &bare].into_iter().enumerate() {
                let started = Instant::now();
                let round = burst(&clients, target).await;
                rates[n].push(round.len() as f64 / started.elapsed().as_secs_f64());
                latencies[n].extend(round);
            }
        }
    });
    for (n, name) in ["bsmart POST /clicks", "bare INSERT handler"].into_iter().enumerate() {
        rates[n].sort_by(f64::total_cmp);
        latencies[n].sort();
        println!(
            "{name}: median {:.0} posts/s over 8 rounds of {} (min {:.0}, max {:.0}); p50 {:.2} ms, p99 {:.2} ms",
            rates[n][rates[n].len() / 2],
            CLIENTS * PER_CLIENT,
            rates[n][0],
            rates[n][rates[n].len() - 1],
            quantile(&latencies[n], 0.5).as_secs_f64() * 1e3,
            quantile(&latencies[n], 0.99).as_secs_f64() * 1e3,
        );
    }
    println!(
        "ratio of the medians: {:.2}",
        rates[0][rates[0].len() / 2] / rates[1][rates[1].len() / 2]
    );

    let mut group = c.benchmark_group("durable clicks, 16 clients");
    group.sample_size(10);
    group.throughput(Throughput::Elements((CLIENTS * PER_CLIENT) as u64));
    group.bench_function("bsmart POST /clicks", |b| {
        b.iter(|| rt.block_on(burst(&clients, &ours)))
    });
    group.bench_function("bare INSERT handler", |b| {
        b.iter(|| rt.block_on(burst(&clients, &bare)))
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, bench);
criterion_main!(benches);
