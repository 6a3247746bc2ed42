//! Helpers shared by the server integration tests (`tests/server_*.rs`).
//!
//! Every test starts its own [`TestServer`] (a real axum server on 127.0.0.1 with a real SQLite
//! file) and talks to it over HTTP with one `reqwest::Client`, so each test is black-box and
//! independent of the others. Time is controlled with the server's injected [`TestClock`]; no
//! test sleeps. Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Once;
use std::time::Duration;

pub mod reports;

use bsmart::server::testing::{TestClock, TestOptions, TestServer, totp_at_step, totp_now};
use bsmart::wire::{AuthStep, ErrorBody, IncidentPage, IncidentSummary};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Column, Connection, Row, SqliteConnection};

/// A demo account of TEAM.md (`server::demo::ACCOUNTS`), spelled out so the tests pin the contract.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    /// Work email.
    pub email: &'static str,
    /// Demo password.
    pub password: &'static str,
    /// Base32 TOTP secret, for the accounts enrolled in 2FA.
    pub totp: Option<&'static str>,
}

/// The demo admin (2FA enrolled).
pub const ADMIN: Account = Account {
    email: "admin@demo.test",
    password: "demo-admin-passphrase",
    totp: Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
};
/// The demo pastoral lead (2FA enrolled).
pub const LEAD: Account = Account {
    email: "lead@demo.test",
    password: "demo-lead-passphrase",
    totp: Some("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"),
};
/// The demo teacher (staff, no 2FA).
pub const TEACHER: Account = Account {
    email: "teacher@demo.test",
    password: "demo-teacher-passphrase",
    totp: None,
};
/// The demo new starter (staff, temporary password).
pub const NEWSTARTER: Account = Account {
    email: "newstarter@demo.test",
    password: "demo-temporary-pass",
    totp: None,
};

/// The demo setting's name.
pub const SETTING_NAME: &str = "Riverside Academy (demo)";

/// Options for a server without the per-IP limiter (only the limiter test turns it on).
pub fn quiet_options() -> TestOptions {
    TestOptions {
        seed: 2026,
        rate_limit: false,
        ..TestOptions::default()
    }
}

/// One HTTP answer, read completely.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body as text (lossy).
    pub text: String,
    /// The body as JSON, when it is JSON.
    pub json: Option<Value>,
}

impl Reply {
    /// The body parsed as an [`AuthStep`]; panics (showing the reply) when it is not a 200 step.
    pub fn step(&self) -> AuthStep {
        assert_eq!(
            self.status, 200,
            "expected 200 with an AuthStep, got {}: {}",
            self.status, self.text
        );
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not an AuthStep ({e}): {}", self.text))
    }

    /// The token of an `ok` step.
    pub fn token(&self) -> String {
        match self.step() {
            AuthStep::Ok { token, .. } => token,
            other => panic!("expected status ok, got {other:?}"),
        }
    }

    /// The challenge of any non-`ok` step.
    pub fn challenge(&self) -> String {
        match self.step() {
            AuthStep::TotpRequired { challenge, .. }
            | AuthStep::TotpEnrolmentRequired { challenge }
            | AuthStep::PasswordChangeRequired { challenge, .. } => challenge,
            AuthStep::Ok { .. } => panic!("expected a challenge, got status ok"),
        }
    }

    /// The body parsed as the error envelope; panics unless it is one and carries no stack trace.
    pub fn envelope(&self) -> ErrorBody {
        let body: ErrorBody = serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "status {} without the error envelope ({e}): {:?}",
                self.status, self.text
            )
        });
        let ct = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            ct.starts_with("application/json"),
            "error envelope with content-type {ct:?}"
        );
        assert!(
            !body.error.code.is_empty() && !body.error.message.is_empty(),
            "empty envelope: {}",
            self.text
        );
        assert_no_internals(&self.text);
        body
    }

    /// Asserts the status and the envelope's code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            self.status, status,
            "wanted {status} {code}, got {}: {}",
            self.status, self.text
        );
        let env = self.envelope();
        assert_eq!(env.error.code, code, "wanted code {code}: {}", self.text);
    }

    /// Asserts a 4xx (never 5xx) answered with the envelope.
    pub fn assert_client_error(&self) {
        assert!(
            (400..500).contains(&self.status),
            "wanted 4xx, got {}: {}",
            self.status,
            self.text
        );
        self.envelope();
    }

    /// The envelope's code (empty when the body is not an envelope).
    pub fn code(&self) -> String {
        serde_json::from_str::<ErrorBody>(&self.text)
            .map(|b| b.error.code)
            .unwrap_or_default()
    }
}

/// Panics when an error body shows the server's insides (stack trace, source paths, panics).
pub fn assert_no_internals(text: &str) {
    let lower = text.to_lowercase();
    for needle in [
        "panicked",
        "stack backtrace",
        "rust_backtrace",
        "src/",
        ".rs:",
        "sqlx",
        "sqlite",
        "thread '",
    ] {
        assert!(
            !lower.contains(needle),
            "error body reveals internals ({needle}): {text}"
        );
    }
}

/// A started test server and the one HTTP client a test uses.
pub struct Api {
    /// The server (dropping it shuts it down).
    pub srv: TestServer,
    /// The test's HTTP client.
    pub http: reqwest::Client,
}

/// Builds a reqwest client (the crate uses rustls without a built-in provider).
pub fn http_client() -> reqwest::Client {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(CLIENT_IDLE)
        .build()
        .expect("reqwest client")
}

/// How long the tests' clients keep an idle connection: less than the server's 10 s, so a
/// client never sends on a connection the server is just closing.
const CLIENT_IDLE: Duration = Duration::from_secs(5);

/// A client whose connections leave from `local` (e.g. `127.0.0.7`): on Linux the whole of
/// 127.0.0.0/8 is loopback, so one test can stand for many computers.
pub fn http_client_from(local: std::net::IpAddr) -> reqwest::Client {
    http_client();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(CLIENT_IDLE)
        .local_address(local)
        .build()
        .expect("reqwest client")
}

impl Api {
    /// A demo server without the rate limiter.
    pub async fn start() -> Api {
        Api::start_with(quiet_options()).await
    }

    /// A demo server without the rate limiter whose setting requires 2FA for every account.
    pub async fn start_requiring_2fa() -> Api {
        Api::start_with(TestOptions {
            require_2fa_for_all: true,
            ..quiet_options()
        })
        .await
    }

    /// A server with the given options.
    pub async fn start_with(opts: TestOptions) -> Api {
        Api {
            srv: TestServer::start_with(opts).await,
            http: http_client(),
        }
    }

    /// The server's clock.
    pub fn clock(&self) -> &TestClock {
        &self.srv.clock
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, secs: u64) {
        self.srv.clock.advance(Duration::from_secs(secs));
    }

    /// The current TOTP step of the server's clock.
    pub fn step_now(&self) -> u64 {
        (self.srv.clock.now().timestamp() / 30) as u64
    }

    /// The current code for `secret`.
    pub fn code_now(&self, secret: &str) -> String {
        totp_now(secret, &self.srv.clock)
    }

    /// The code for `secret` at the current step plus `delta` steps.
    pub fn code_at(&self, secret: &str, delta: i64) -> String {
        totp_at_step(secret, (self.step_now() as i64 + delta) as u64)
    }

    /// Sends a prepared request and reads the whole answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.expect("request failed at the transport level");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("read body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).ok();
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    /// `POST /api/v1{path}` with a JSON body and an optional bearer token.
    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Reply {
        let mut req = self.http.post(self.srv.api(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// `GET /api/v1{path}` with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = self.http.get(self.srv.api(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// `DELETE /api/v1{path}` with an optional bearer token.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = self.http.delete(self.srv.api(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// `PUT /api/v1{path}` with a JSON body and an optional bearer token.
    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> Reply {
        let mut req = self.http.put(self.srv.api(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// `DELETE /api/v1{path}` with a JSON body and an optional bearer token.
    pub async fn delete_with(&self, path: &str, body: &Value, token: Option<&str>) -> Reply {
        let mut req = self.http.delete(self.srv.api(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// The first column of the first row of `sql` on the test database, as text.
    pub async fn value(&self, sql: &str) -> String {
        query_text(&self.srv.db_path, sql)
            .await
            .first()
            .and_then(|row| row.first())
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no row: {sql}"))
    }

    /// The number `sql` answers.
    pub async fn count(&self, sql: &str) -> i64 {
        self.value(sql)
            .await
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {sql}"))
    }

    /// An individual the demo teacher may see, one they may not, and every form of the hidden
    /// one's name.
    pub async fn teacher_individuals(&self) -> (i64, i64, Vec<String>) {
        let grants = "SELECT individual_id FROM access_permissions WHERE user_id = 3";
        let seen = self.count(&format!("{grants} ORDER BY individual_id LIMIT 1")).await;
        let hidden = self
            .count(&format!(
                "SELECT id FROM individuals WHERE id NOT IN ({grants}) ORDER BY id DESC LIMIT 1"
            ))
            .await;
        let names = query_text(
            &self.srv.db_path,
            &format!(
                "SELECT first_name, last_name, first_name || ' ' || last_name FROM individuals WHERE id = {hidden}"
            ),
        )
        .await;
        let row = &names[0];
        let last = row[1].1.clone();
        (seen, hidden, vec![row[2].1.clone(), last])
    }

    /// `POST /auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post("/auth/login", &json!({ "email": email, "password": password }), None)
            .await
    }

    /// `POST /auth/totp`.
    pub async fn totp(&self, challenge: &str, code: &str) -> Reply {
        self.post("/auth/totp", &json!({ "challenge": challenge, "code": code }), None)
            .await
    }

    /// `POST /auth/reauth` with the bearer token.
    pub async fn reauth(&self, token: &str, password: &str) -> Reply {
        self.post("/auth/reauth", &json!({ "password": password }), Some(token))
            .await
    }

    /// `GET /me` with the bearer token.
    pub async fn me(&self, token: &str) -> Reply {
        self.get("/me", Some(token)).await
    }

    /// Voluntary password change with the bearer token.
    pub async fn change_password(&self, token: &str, current: &str, new: &str) -> Reply {
        self.post(
            "/auth/password",
            &json!({ "current_password": current, "new_password": new }),
            Some(token),
        )
        .await
    }

    /// Signs in fully (password, then a fresh TOTP code when the account has 2FA) and returns the
    /// token. For 2FA accounts the clock first moves one step on, so that repeated sign-ins never
    /// replay a code.
    pub async fn sign_in(&self, acct: Account) -> String {
        self.sign_in_with(acct, acct.password).await
    }

    /// [`Api::sign_in`] with another password.
    pub async fn sign_in_with(&self, acct: Account, password: &str) -> String {
        let r = self.login(acct.email, password).await;
        match (r.step(), acct.totp) {
            (AuthStep::Ok { token, .. }, None) => token,
            (AuthStep::TotpRequired { challenge, .. }, Some(secret)) => {
                self.advance(30);
                self.totp(&challenge, &self.code_now(secret)).await.token()
            }
            (other, _) => panic!("unexpected step signing in {}: {other:?}", acct.email),
        }
    }

    /// Starts 2FA enrolment through the bearer offer; returns the new secret (base32).
    pub async fn start_enrolment(&self, token: &str) -> String {
        let r = self.post("/auth/totp/enrol", &json!({}), Some(token)).await;
        assert_eq!(r.status, 200, "bearer enrolment: {}", r.text);
        r.json
            .as_ref()
            .and_then(|v| v["secret"].as_str())
            .expect("secret")
            .to_string()
    }

    /// The teacher enrols in 2FA through the bearer offer; returns (token, secret, recovery codes).
    pub async fn enrol_with_bearer(&self, token: &str) -> (String, String, Vec<String>) {
        let secret = self.start_enrolment(token).await;
        self.advance(30);
        let c = self
            .post(
                "/auth/totp/confirm",
                &json!({ "code": self.code_now(&secret) }),
                Some(token),
            )
            .await;
        match c.step() {
            AuthStep::Ok {
                token, recovery_codes, ..
            } => (token, secret, recovery_codes),
            other => panic!("confirm did not answer ok: {other:?}"),
        }
    }

    /// Every page of `/incidents` for a token (with `query`, e.g. `&since=…`), following the
    /// cursor; and the total the first page announced.
    pub async fn all_incidents(&self, token: &str, query: &str) -> (Vec<IncidentSummary>, u64) {
        let mut items = Vec::new();
        let mut path = format!("/incidents?limit=1000{query}");
        let mut total = None;
        for _ in 0..100 {
            let r = self.get(&path, Some(token)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            let page: IncidentPage = serde_json::from_str(&r.text).expect("IncidentPage");
            total.get_or_insert(page.total);
            items.extend(page.items);
            match page.next_cursor {
                Some(c) => path = format!("/incidents?limit=1000{query}&cursor={c}"),
                None => return (items, total.unwrap_or_default()),
            }
        }
        panic!("more than 100 pages");
    }

    /// All rows of the audit log, oldest first.
    pub async fn audit(&self) -> Vec<AuditRow> {
        audit_rows(&self.srv.db_path).await
    }

    /// The highest audit row id so far (0 when empty).
    pub async fn audit_mark(&self) -> i64 {
        self.audit().await.last().map(|r| r.id).unwrap_or(0)
    }

    /// Audit rows after `mark`.
    pub async fn audit_since(&self, mark: i64) -> Vec<AuditRow> {
        self.audit().await.into_iter().filter(|r| r.id > mark).collect()
    }
}

/// One audit-log row, every column as text.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// Row id.
    pub id: i64,
    /// (column, value as text) in table order.
    pub cols: Vec<(String, String)>,
}

impl AuditRow {
    /// The value of a column ("" when absent or NULL).
    pub fn get(&self, col: &str) -> &str {
        self.cols
            .iter()
            .find(|(c, _)| c == col)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every column joined, lower-cased, for keyword searches.
    pub fn all_text(&self) -> String {
        self.cols
            .iter()
            .map(|(c, v)| format!("{c}={v}"))
            .collect::<Vec<_>>()
            .join(" | ")
            .to_lowercase()
    }

    /// True when the row mentions every one of the words (case-insensitive).
    pub fn mentions(&self, words: &[&str]) -> bool {
        let t = self.all_text();
        words.iter().all(|w| t.contains(&w.to_lowercase()))
    }
}

/// Opens the test database read-only.
pub async fn open_read_only(db: &Path) -> SqliteConnection {
    let opts = SqliteConnectOptions::new().filename(db).read_only(true);
    SqliteConnection::connect_with(&opts)
        .await
        .expect("open the test database read-only")
}

/// Changes the test database behind the server's back, as an administrator's tool or an
/// attacker with the file would (the API has no route for it yet, e.g. disabling an account).
pub async fn execute_sql(db: &Path, sql: &str) {
    let opts = SqliteConnectOptions::new().filename(db);
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .expect("open the test database");
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
}

/// The `failures=N` counts of the audit rows recording a counted sign-in failure of `email`,
/// oldest first.
pub fn counted_failures(rows: &[AuditRow], email: &str) -> Vec<i64> {
    rows.iter()
        .filter(|r| r.get("actor") == email && r.get("outcome") == "failure")
        .filter_map(|r| r.get("detail").rsplit_once("failures=")?.1.parse().ok())
        .collect()
}

/// Runs a query and returns every row with every column turned into text.
pub async fn query_text(db: &Path, sql: &str) -> Vec<Vec<(String, String)>> {
    let mut conn = open_read_only(db).await;
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let out = rows
        .iter()
        .map(|row| {
            row.columns()
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    let v = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        v.unwrap_or_default()
                    } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        v.map(|n| n.to_string()).unwrap_or_default()
                    } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
                        v.map(|n| n.to_string()).unwrap_or_default()
                    } else {
                        let b: Option<Vec<u8>> = row.try_get(i).unwrap_or_default();
                        String::from_utf8_lossy(&b.unwrap_or_default()).into_owned()
                    };
                    (col.name().to_string(), v)
                })
                .collect()
        })
        .collect();
    conn.close().await.ok();
    out
}

/// Every audit row, oldest first.
pub async fn audit_rows(db: &Path) -> Vec<AuditRow> {
    query_text(db, "SELECT * FROM audit_log ORDER BY id")
        .await
        .into_iter()
        .map(|cols| {
            let id = cols
                .iter()
                .find(|(c, _)| c == "id")
                .and_then(|(_, v)| v.parse().ok())
                .expect("audit id");
            AuditRow { id, cols }
        })
        .collect()
}

/// The raw bytes of the database file and its WAL, to prove a secret is nowhere on disk.
pub fn db_bytes(db: &Path) -> Vec<u8> {
    let mut all = std::fs::read(db).expect("read db");
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(b) = std::fs::read(std::path::PathBuf::from(wal)) {
        all.extend(b);
    }
    all
}

/// True when `needle` occurs in `hay`.
pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// A rough upper bound on the entropy of an opaque random string: length times the bits of the
/// smallest usual alphabet (hex, base32, base64url) its characters fit in.
pub fn alphabet_bits(s: &str) -> f64 {
    let body: Vec<char> = s.chars().filter(|c| *c != '-' && *c != '=').collect();
    let per = if body.iter().all(|c| c.is_ascii_hexdigit()) {
        4.0
    } else if body.iter().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(c))
        || body.iter().all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(c))
    {
        5.0
    } else if body.iter().all(|c| c.is_ascii_alphanumeric()) {
        5.95
    } else {
        6.0
    };
    body.len() as f64 * per
}

/// A standalone `Authorization` value for the raw-header tests.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
