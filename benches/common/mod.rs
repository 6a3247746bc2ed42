//! What the server benchmarks share (`benches/server_clicks.rs`, `benches/server_incidents.rs`):
//! bursts of posts from 16 concurrent clients over loopback with every latency kept, the bare
//! one-INSERT axum handler they are measured beside, quantiles and the report line.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Concurrent clients.
pub const CLIENTS: usize = 16;

/// The body of post `k` of client `n`.
pub type Body = dyn Fn(usize, usize) -> serde_json::Value + Send + Sync;

/// Where a burst goes.
pub struct Target {
    /// URL posted to.
    pub url: String,
    /// Bearer token, if any.
    pub token: Option<String>,
    /// The bodies.
    pub body: Arc<Body>,
}

/// The body of the bare handler.
#[derive(serde::Deserialize)]
struct BareClick {
    id: uuid::Uuid,
    individual_id: i64,
    behaviour_id: i64,
    occurred_at: DateTime<Utc>,
}

/// A click body for the bare handler (or `POST /clicks`): post `k` of client `n`.
pub fn click_body(individuals: Vec<i64>, at: DateTime<Utc>, per_client: usize) -> Arc<Body> {
    Arc::new(move |n, k| {
        serde_json::json!({
            "id": uuid::Uuid::new_v4(),
            "individual_id": individuals[(n * per_client + k) % individuals.len()],
            "behaviour_id": 1 + (k % 8) as i64,
            "occurred_at": at,
        })
    })
}

/// A bare axum handler: one INSERT per post on a pool of one connection (the fastest of the
/// anchors' shapes) to `db`; answers its URL.
pub async fn bare_server(db: &std::path::Path) -> String {
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

/// Each of the clients posts `per_client` bodies in turn; every latency.
pub async fn burst(http: &[reqwest::Client], target: &Arc<Target>, per_client: usize) -> Vec<Duration> {
    let tasks: Vec<_> = http
        .iter()
        .enumerate()
        .map(|(n, client)| {
            let (client, target) = (client.clone(), Arc::clone(target));
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                for k in 0..per_client {
                    let mut request = client.post(&target.url).json(&(target.body)(n, k));
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
    let mut all = Vec::with_capacity(http.len() * per_client);
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

/// The `q` quantile of sorted `values`.
pub fn quantile(values: &[Duration], q: f64) -> Duration {
    values[((values.len() as f64 - 1.0) * q).round() as usize]
}

/// The file system `path` is on, as `df` says it.
pub fn file_system(path: &std::path::Path) -> String {
    std::process::Command::new("df")
        .args(["--output=fstype,target"])
        .arg(path)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).replace('\n', " "))
        .unwrap_or_default()
}

/// Alternate `rounds` bursts of each target (so both see the same disk and load) and print
/// posts/s (median, min, max) and p50/p99 of each, and the ratio of the medians.
pub fn compare(
    rt: &tokio::runtime::Runtime,
    clients: &[reqwest::Client],
    targets: [(&str, &Arc<Target>); 2],
    per_client: usize,
    rounds: usize,
) {
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut latencies: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    rt.block_on(async {
        for _ in 0..rounds {
            for (n, (_, target)) in targets.iter().enumerate() {
                let started = Instant::now();
                let round = burst(clients, target, per_client).await;
                rates[n].push(round.len() as f64 / started.elapsed().as_secs_f64());
                latencies[n].extend(round);
            }
        }
    });
    for (n, (name, _)) in targets.iter().enumerate() {
        rates[n].sort_by(f64::total_cmp);
        latencies[n].sort();
        println!(
            "{name}: median {:.0} posts/s over {rounds} rounds of {} (min {:.0}, max {:.0}); p50 {:.2} ms, p99 {:.2} ms",
            rates[n][rates[n].len() / 2],
            clients.len() * per_client,
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
}
