//! A real server on loopback for integration tests and benchmarks (not a mock): demo data in a
//! real SQLite file, the real router, and an injected [`TestClock`].
//!
//! The demo data is seeded once per test process and seed into a template file; each
//! [`TestServer`] copies the template, so starting one takes milliseconds after the first.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, OnceLock};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use super::clock::TestClock;
use super::state::{AppState, ServerKey};
use super::store::Store;

/// How to start a [`TestServer`].
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Seed of the demo data (default 2026).
    pub seed: u64,
    /// The per-address limiter of the sign-in routes (default on, as in the demo).
    pub rate_limit: bool,
    /// Make the setting require 2FA for every account (the demo setting does not).
    pub require_2fa_for_all: bool,
}

impl Default for TestOptions {
    fn default() -> TestOptions {
        TestOptions {
            seed: 2026,
            rate_limit: true,
            require_2fa_for_all: false,
        }
    }
}

/// A running server with demo data; it stops when dropped.
#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's clock: move it instead of sleeping.
    pub clock: Arc<TestClock>,
    /// The server's database file (inside a temporary directory).
    pub db_path: PathBuf,
    /// The server's store, to inspect the database (e.g. audit rows, failure counts).
    pub store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

fn key() -> ServerKey {
    static KEY: OnceLock<ServerKey> = OnceLock::new();
    KEY.get_or_init(ServerKey::generate).clone()
}

struct Templates {
    dir: Option<tempfile::TempDir>,
    files: HashMap<u64, PathBuf>,
}

static TEMPLATES: LazyLock<tokio::sync::Mutex<Templates>> = LazyLock::new(|| {
    tokio::sync::Mutex::new(Templates {
        dir: None,
        files: HashMap::new(),
    })
});

async fn template(seed: u64) -> PathBuf {
    let mut templates = TEMPLATES.lock().await;
    if let Some(path) = templates.files.get(&seed) {
        return path.clone();
    }
    if templates.dir.is_none() {
        templates.dir = Some(tempfile::tempdir().expect("cannot create a temporary directory"));
    }
    let path = templates
        .dir
        .as_ref()
        .map(|d| d.path().join(format!("template-{seed}.db")))
        .unwrap_or_default();
    let store = Store::open(&path, true)
        .await
        .expect("cannot create the template database");
    super::demo::seed(&store, seed, 1, chrono::Utc::now(), &key())
        .await
        .expect("cannot seed the demo data");
    store.close().await.expect("cannot close the template database");
    templates.files.insert(seed, path.clone());
    path
}

impl TestServer {
    /// A server with demo data (seed 2026) and the rate limiter on.
    pub async fn start() -> TestServer {
        TestServer::start_with(TestOptions::default()).await
    }

    /// A server with the given options.
    pub async fn start_with(options: TestOptions) -> TestServer {
        let template = template(options.seed).await;
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let db_path = dir.path().join("bsmart.db");
        std::fs::copy(&template, &db_path).expect("cannot copy the template database");
        let store = Store::open(&db_path, false)
            .await
            .expect("cannot open the test database");
        if options.require_2fa_for_all {
            store
                .set_require_2fa_for_all(true)
                .await
                .expect("cannot change the setting");
        }
        let clock = Arc::new(TestClock::starting_now());
        let mut state = AppState::new(store.clone(), clock.clone(), key());
        if !options.rate_limit {
            state.limiter = None;
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("cannot bind to loopback");
        let addr = listener.local_addr().expect("no local address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = super::serve(listener, state, async move {
                let _ = stop.await;
            })
            .await;
        });
        TestServer {
            url: format!("http://{addr}"),
            clock,
            db_path,
            store,
            shutdown: Some(shutdown),
            task,
            _dir: dir,
        }
    }

    /// `url` + `/api/v1` + `path`.
    pub fn api(&self, path: &str) -> String {
        format!("{}{}{}", self.url, crate::wire::API_PREFIX, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.abort();
    }
}

fn secret_bytes(secret_base32: &str) -> Vec<u8> {
    data_encoding::BASE32_NOPAD
        .decode(secret_base32.trim_end_matches('=').as_bytes())
        .expect("the TOTP secret is not base32")
}

/// The current 6-digit code of a base32 secret by the server's clock.
pub fn totp_now(secret_base32: &str, clock: &TestClock) -> String {
    super::auth::totp_code_at(&secret_bytes(secret_base32), clock.now().timestamp()).expect("cannot make a TOTP code")
}

/// The code of a base32 secret for TOTP step `step` (unix time / 30).
pub fn totp_at_step(secret_base32: &str, step: u64) -> String {
    let time = i64::try_from(step.saturating_mul(30)).unwrap_or(i64::MAX);
    super::auth::totp_code_at(&secret_bytes(secret_base32), time).expect("cannot make a TOTP code")
}
