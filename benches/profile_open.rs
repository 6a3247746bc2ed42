//! Opening a profile with `--scale 10` demo data (6,000 individuals, ten times the incidents,
//! clicks and communications): `GET /individuals/{id}` and `GET /individuals/{id}/overview`
//! for the individual with the most incidents, signed in as the pastoral lead (who sees
//! everyone). Times are round trips on loopback, so the server's own share is a little less.
//! Target: both together under 50 ms.

use bsmart::server::testing::{TestOptions, TestServer};
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
        let token = server
            .bearer(
                "lead@demo.test",
                "demo-lead-passphrase",
                Some("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"),
            )
            .await;
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
