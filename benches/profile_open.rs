//! Opening a profile with `--scale 10` demo data (6,000 individuals, ten times the incidents,
//! clicks and communications): `GET /individuals/{id}` and `GET /individuals/{id}/overview`
//! for the individual with the most incidents, signed in as the pastoral lead (who sees
//! everyone). Times are round trips on loopback, so the server's own share is a little less.
//! Target: both together under 50 ms.

use bsmart::server::testing::{TestOptions, TestServer, totp_now};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let (server, token, id) = rt.block_on(async {
        let server = TestServer::start_with(TestOptions {
            scale: 10,
            rate_limit: false,
            ..TestOptions::default()
        })
        .await;
        let step: serde_json::Value = http
            .post(server.api("/auth/login"))
            .json(&serde_json::json!({ "email": "lead@demo.test", "password": "demo-lead-passphrase" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = totp_now("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU", &server.clock);
        let step: serde_json::Value = http
            .post(server.api("/auth/totp"))
            .json(&serde_json::json!({ "challenge": step["challenge"], "code": code }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = step["token"].as_str().unwrap().to_string();
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", server.db_path.display()))
            .await
            .unwrap();
        let (id,): (i64,) =
            sqlx::query_as("SELECT individual_id FROM incidents GROUP BY individual_id ORDER BY COUNT(*) DESC LIMIT 1")
                .fetch_one(&pool)
                .await
                .unwrap();
        pool.close().await;
        (server, token, id)
    });
    let get = |path: String| {
        let (http, token) = (&http, &token);
        async move {
            let response = http.get(path).bearer_auth(token).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().await.unwrap().len()
        }
    };
    let details = server.api(&format!("/individuals/{id}"));
    let overview = server.api(&format!("/individuals/{id}/overview"));
    println!(
        "individual {id}: details {} bytes, overview {} bytes",
        rt.block_on(get(details.clone())),
        rt.block_on(get(overview.clone()))
    );
    let mut group = c.benchmark_group("profile open, scale 10");
    group.bench_function("GET /individuals/{id}", |b| {
        b.iter(|| rt.block_on(get(details.clone())))
    });
    group.bench_function("GET /individuals/{id}/overview", |b| {
        b.iter(|| rt.block_on(get(overview.clone())))
    });
    group.bench_function("both", |b| {
        b.iter(|| rt.block_on(async { get(details.clone()).await + get(overview.clone()).await }))
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, bench);
criterion_main!(benches);
