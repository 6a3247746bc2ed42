//! Server entry points of the command line: `bsmart serve`, `bsmart admin …`, and the demo
//! server that `bsmart demo` (in `crate::demo`, above client and server) starts.
//!
//! Logs (tracing, to stderr) carry no secret and no pupil data: no password, code, token, email
//! or name; the audit log is the record of who did what.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;

use super::accounts::{self, Unlocked};
use super::args::{AdminCommand, ReportKeyCommand, ServeArgs};
use super::audit::{ChainHead, verify_chain};
use super::auth;
use super::clock::{Clock, SystemClock};
use super::demo;
use super::maintenance;
use super::state::{AppState, Policy, ServerKey};
use super::store::Store;

/// `bsmart admin report-key …`: what each prints is for the admin's terminal only (the key,
/// once; never an email from the database unescaped).
async fn report_key(command: &ReportKeyCommand, now: i64) -> Result<(), String> {
    use secrecy::ExposeSecret;
    match command {
        ReportKeyCommand::Issue { db, email, label, days } => {
            let store = open_existing(db).await?;
            let issued = super::report_keys::issue(&store, email, label, *days, "cli", now).await?;
            let expires = super::clock::local_date(issued.expires_at);
            println!(
                "Report key {} for {}, until {}. It is shown this once: save it in a file only its user can read (chmod 600), named by report_key_file in their config.",
                issued.id,
                email.escape_debug(),
                expires.format("%-d %B %Y")
            );
            println!("{}", issued.key.expose_secret());
            Ok(())
        }
        ReportKeyCommand::List { db } => {
            let store = open_existing(db).await?;
            let keys = store.report_keys().await.map_err(|e| e.to_string())?;
            if keys.is_empty() {
                println!("No report keys.");
            }
            for k in keys {
                let state = match (k.revoked_at, k.expires_at <= now) {
                    (Some(_), _) => "revoked".to_string(),
                    (None, true) => "expired".to_string(),
                    (None, false) => format!("until {}", super::clock::local_date(k.expires_at).format("%-d %b %Y")),
                };
                let used = k.last_used_at.map_or("never used".to_string(), |at| {
                    format!("last used {}", super::clock::local_date(at).format("%-d %b %Y"))
                });
                println!(
                    "{}  {}  {}  {state}  {used}",
                    k.id,
                    k.email.escape_debug(),
                    k.label.escape_debug()
                );
            }
            Ok(())
        }
        ReportKeyCommand::Revoke { db, id } => {
            let store = open_existing(db).await?;
            match super::report_keys::revoke(&store, *id, "cli", now)
                .await
                .map_err(|e| e.to_string())?
            {
                true => {
                    println!("Revoked report key {id}: it is refused from now on.");
                    Ok(())
                }
                false => Err(format!(
                    "there is no live report key {id} (see `bsmart admin report-key list`)"
                )),
            }
        }
    }
}

/// The database of `bsmart serve` without `--db`.
pub const DEFAULT_DB: &str = "bsmart.db";

/// Environment variable naming the server key file.
pub const KEY_FILE_ENV: &str = "BSMART_SERVER_KEY_FILE";

/// Log to stderr, with colours only when stderr is a terminal (a log file or journal gets
/// plain text).
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A demo server running in this process; a temporary database goes when it is dropped.
pub struct DemoServer {
    /// Where it listens.
    pub addr: SocketAddr,
    _dir: Option<tempfile::TempDir>,
    /// The serving task.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// How a demo server runs.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Seed of the demo data.
    pub seed: u64,
    /// Multiplier of the demo data.
    pub scale: u32,
    /// Log nothing (the client is about to take the terminal).
    pub quiet: bool,
    /// Leave the sign-in limiter off.
    pub no_rate_limit: bool,
    /// Keep the demo in this database file (seeded only when it is new, so a restart keeps its
    /// data and sessions) with its server key in a key file beside it; `None`: a temporary
    /// database that goes with the server.
    pub db: Option<PathBuf>,
    /// The key file of `db`, as for `serve` (default: BSMART_SERVER_KEY_FILE, else the
    /// database's name plus `.key`).
    pub key_file: Option<PathBuf>,
}

/// The demo's database and key: a temporary pair, or those of `options.db` (which must be new
/// or a demo database already).
async fn demo_store(options: &DemoOptions) -> Result<(Store, ServerKey, Option<tempfile::TempDir>), String> {
    let Some(db) = &options.db else {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let store = Store::open(&dir.path().join("demo.db"), true)
            .await
            .map_err(|e| format!("cannot create the demo database: {e}"))?;
        return Ok((store, ServerKey::generate(), Some(dir)));
    };
    let store = Store::open(db, true)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    if let Some(setting) = store.setting().await.map_err(|e| e.to_string())?
        && !setting.demo
    {
        return Err(format!(
            "{} holds a real setting, not demo data: --demo serves only a new or a demo database",
            db.display()
        ));
    }
    let key = ServerKey::load_or_create(&key_file(options.key_file.as_deref(), db))?;
    Ok((store, key, None))
}

/// Start a demo server on `bind` (loopback only): bound first, so a busy port fails before
/// minutes of seeding, then seeded, then served.
pub async fn start_demo(bind: SocketAddr, options: DemoOptions) -> Result<DemoServer, String> {
    if !bind.ip().is_loopback() {
        return Err(format!(
            "--demo binds to a loopback address only (127.0.0.1 or ::1), not {}",
            bind.ip()
        ));
    }
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (store, key, dir) = demo_store(&options).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (seed, scale) = (options.seed, options.scale);
    if store.setting().await.map_err(|e| e.to_string())?.is_none() {
        let took = demo::seed(&store, seed, scale, clock.now(), &key).await?;
        if !options.quiet {
            tracing::info!(millis = took.as_millis() as u64, seed, scale, "demo data seeded");
        }
    } else if !options.quiet {
        tracing::info!("serving the demo data already in the database (not seeded again)");
    }
    let mut state = AppState::new(store, clock, key);
    if options.no_rate_limit {
        tracing::warn!("the sign-in limiter is off (--no-rate-limit): for fuzzing a demo server only");
        state.limiter = None;
    }
    let task = tokio::spawn(super::serve(listener, state, shutdown_signal()));
    Ok(DemoServer { addr, _dir: dir, task })
}

/// Print the demo server's address and accounts, every line within 80 columns so nothing
/// wraps on the smallest terminal the client supports.
pub fn print_accounts(out: &mut impl Write, url: &str) -> std::io::Result<()> {
    writeln!(out, "bsmart demo server: {url}")?;
    writeln!(
        out,
        "Setting \"{}\": demo data only, no real pupils.",
        demo::SETTING_NAME
    )?;
    writeln!(out, "Demo accounts (never use these passwords anywhere else):")?;
    for account in demo::ACCOUNTS {
        let note = match (account.totp_secret, account.email.starts_with("newstarter")) {
            (Some(_), _) => "",
            (None, true) => ", temporary password",
            (None, false) => ", no 2FA yet",
        };
        let role = format!("{}{note}", account.role.label());
        writeln!(out, "  {:<21} {:<24} {role}", account.email, account.password)?;
        if let Some(secret) = account.totp_secret {
            writeln!(out, "  {:<21} 2FA secret {secret}", "")?;
        }
    }
    writeln!(
        out,
        "The demo's 2FA prompt shows the current code, so no phone is needed."
    )
}

/// `bsmart serve`.
pub async fn serve(args: &ServeArgs) -> Result<(), String> {
    init_logging();
    if args.demo {
        let options = DemoOptions {
            seed: args.seed,
            scale: args.scale,
            quiet: false,
            no_rate_limit: args.no_rate_limit,
            db: args.db.clone(),
            key_file: args.key_file.clone(),
        };
        let server = start_demo(args.bind, options).await?;
        let url = format!("http://{}", server.addr);
        print_accounts(&mut std::io::stdout(), &url).map_err(|e| e.to_string())?;
        tracing::info!(%url, "listening (demo)");
        return server.task.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string());
    }
    let listener = TcpListener::bind(args.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let db = args.db.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
    let store = open_with_setting(&db).await?;
    let key_path = key_file(args.key_file.as_deref(), &db);
    if args.key_file.is_none() && std::env::var_os(KEY_FILE_ENV).is_none() {
        tracing::warn!(
            "the server key file sits beside the database; name another place with --key-file or {KEY_FILE_ENV}"
        );
    }
    let key = ServerKey::load_or_create(&key_path)?;
    let state = AppState::new(store, Arc::new(SystemClock), key);
    tracing::info!(addr = %args.bind, "listening");
    super::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

fn key_file(flag: Option<&Path>, db: &Path) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| std::env::var_os(KEY_FILE_ENV).map(PathBuf::from))
        .unwrap_or_else(|| {
            let mut name = db.as_os_str().to_owned();
            name.push(".key");
            PathBuf::from(name)
        })
}

async fn open_existing(db: &Path) -> Result<Store, String> {
    if !db.exists() {
        return Err(format!("there is no database at {}", db.display()));
    }
    Store::open(db, false)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db.display()))
}

/// `bsmart admin …`.
pub async fn admin(command: &AdminCommand) -> Result<(), String> {
    let now = SystemClock.now().timestamp();
    match command {
        AdminCommand::VerifyAudit { db, anchor } => {
            if !db.exists() {
                return Err(format!("there is no database at {}", db.display()));
            }
            let store = Store::open_read_only(db)
                .await
                .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
            let anchor = anchor.as_ref().map(|a| ChainHead {
                id: a.row,
                hash: a.hash.clone(),
            });
            let summary = verify_chain(&store, anchor.as_ref()).await.map_err(|e| e.to_string())?;
            match &summary.head {
                Some(head) => {
                    let rows = match summary.rows {
                        1 => "1 row".to_string(),
                        n => format!("{n} rows"),
                    };
                    println!("audit chain ok: {rows}; head {head}");
                }
                None => println!("audit chain ok: 0 rows; no head yet"),
            }
            if let Some(anchor) = &anchor {
                println!("anchor ok: row {} still has the anchored hash", anchor.id);
            }
            if summary.head.is_some() {
                println!(
                    "Keep the head off this server (a ticket, an email, a log host): a later check with \
                     --anchor ROW:HASH then detects a log rewritten or cut short."
                );
            }
            Ok(())
        }
        AdminCommand::CreateAdmin { db, email, name } => {
            let store = open_with_setting(db).await?;
            let created = accounts::create_admin(&store, &Policy::default(), email, name, "cli", now)
                .await
                .map_err(|e| e.to_string())?;
            println!("Created admin {}.", created.email);
            println!("Temporary password (shown once; expires in 72 hours; must be changed at first sign-in):");
            println!("  {}", created.temporary_password.as_str());
            println!("Two-factor authentication will be set up at the first sign-in.");
            Ok(())
        }
        AdminCommand::ReportKey(command) => report_key(command, now).await,
        AdminCommand::Unlock {
            db,
            email,
            key_file: flag,
        } => {
            let store = open_existing(db).await?;
            let key = ServerKey::load(&key_file(flag.as_deref(), db))?;
            let unlocked = accounts::unlock(&store, key.as_ref(), email, "cli", now)
                .await
                .map_err(|e| e.to_string())?;
            // Escaped: whatever was typed must not drive the admin's terminal.
            match unlocked {
                Unlocked::Account(_) => {
                    println!("Unlocked {}.", email.escape_debug());
                    Ok(())
                }
                Unlocked::NoAccount { cleared } => Err(format!(
                    "there is no account {} ({})",
                    email.escape_debug(),
                    match cleared {
                        Some(true) => "its failure count was cleared",
                        Some(false) => "it had no failure count either",
                        None => "without the server key file, a failure count for it could not be cleared",
                    }
                )),
            }
        }
        AdminCommand::Backup { db, to } => print(maintenance::backup::backup(db, to).await),
        AdminCommand::Restore { from, db, force } => print(maintenance::backup::restore(from, db, *force).await),
        AdminCommand::Retention { db, dry_run } => print(maintenance::retention::retention(db, *dry_run).await),
        AdminCommand::SubjectAccess { db, individual, to } => {
            print(maintenance::subject_access::subject_access(db, *individual, to).await)
        }
    }
}

/// Print what a maintenance command did.
fn print(done: Result<impl std::fmt::Display, String>) -> Result<(), String> {
    println!("{}", done?);
    Ok(())
}

/// Open (creating if needed) the database at `db` and make sure it has a setting row (a new one
/// gets a random id and the name `bsmart`).
async fn open_with_setting(db: &std::path::Path) -> Result<Store, String> {
    let store = Store::open(db, true)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    let mut id = [0u8; 8];
    auth::fill_random(&mut id);
    store
        .ensure_setting(&format!("setting-{}", hex::encode(id)), "bsmart")
        .await
        .map_err(|e| e.to_string())?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::super::audit::AuditEntry;
    use super::super::store::Subject;
    use super::*;

    #[test]
    fn the_demo_accounts_fit_an_80_column_terminal() {
        let mut out = Vec::new();
        print_accounts(&mut out, "http://127.0.0.1:65535").unwrap();
        let text = String::from_utf8(out).unwrap();
        for account in demo::ACCOUNTS {
            assert!(
                text.contains(account.email) && text.contains(account.password),
                "{text}"
            );
            if let Some(secret) = account.totp_secret {
                assert!(text.contains(secret), "{text}");
            }
        }
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= 80, "a line of {widest} columns wraps at 80:\n{text}");
    }

    #[tokio::test]
    async fn demo_refuses_a_non_loopback_bind() {
        let options = DemoOptions {
            seed: 1,
            scale: 1,
            quiet: true,
            ..DemoOptions::default()
        };
        let error = start_demo("0.0.0.0:0".parse().unwrap(), options).await.err().unwrap();
        assert!(error.contains("loopback"), "{error}");
    }

    /// `serve --demo --db PATH`: the first start seeds the file; a restart on the same file
    /// seeds nothing, keeps the data and the key file, so a session token still works.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_with_a_db_file_keeps_its_data_and_sessions_across_restarts() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        let options = DemoOptions {
            seed: 3,
            scale: 1,
            quiet: true,
            db: Some(db.clone()),
            ..DemoOptions::default()
        };
        let http = reqwest::Client::new();
        let count = |sql: &'static str| {
            let db = db.clone();
            async move {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                    .await
                    .unwrap();
                let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
                pool.close().await;
                n
            }
        };
        let server = start_demo("127.0.0.1:0".parse().unwrap(), options.clone())
            .await
            .unwrap();
        let teacher = demo::ACCOUNTS[2];
        let login = http
            .post(format!("http://{}/api/v1/auth/login", server.addr))
            .json(&serde_json::json!({ "email": teacher.email, "password": teacher.password }))
            .send()
            .await
            .unwrap();
        let step: serde_json::Value = login.json().await.unwrap();
        let token = step["token"].as_str().expect("a token").to_string();
        server.task.abort();
        let _ = server.task.await;
        let individuals = count("SELECT COUNT(*) FROM individuals").await;
        let clicks = count("SELECT COUNT(*) FROM clicks").await;
        assert_eq!(individuals, 600);

        let again = start_demo("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
        let me = http
            .get(format!("http://{}/api/v1/me", again.addr))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200, "the session did not survive the restart");
        again.task.abort();
        let _ = again.task.await;
        assert_eq!(
            count("SELECT COUNT(*) FROM individuals").await,
            individuals,
            "seeded again"
        );
        assert_eq!(count("SELECT COUNT(*) FROM clicks").await, clicks, "seeded again");
        assert_eq!(count("SELECT COUNT(*) FROM setting").await, 1);
        assert!(db.with_extension("db.key").exists(), "no key file beside the database");

        let real = dir.path().join("real.db");
        open_with_setting(&real).await.unwrap();
        let refused = start_demo(
            "127.0.0.1:0".parse().unwrap(),
            DemoOptions {
                db: Some(real),
                ..DemoOptions::default()
            },
        )
        .await
        .err()
        .unwrap();
        assert!(refused.contains("not demo data"), "{refused}");
    }

    #[tokio::test]
    async fn admin_commands_create_unlock_and_verify_the_audit_chain() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("admin.db");
        let create = AdminCommand::CreateAdmin {
            db: db.clone(),
            email: "Head@School.test".into(),
            name: "Head".into(),
        };
        admin(&create).await.unwrap();
        assert!(admin(&create).await.unwrap_err().contains("already exists"));
        let bad = AdminCommand::CreateAdmin {
            db: db.clone(),
            email: "not an email".into(),
            name: "X".into(),
        };
        assert!(admin(&bad).await.is_err());
        admin(&AdminCommand::Unlock {
            db: db.clone(),
            email: "head@school.test".into(),
            key_file: None,
        })
        .await
        .unwrap();
        let hostile = admin(&AdminCommand::Unlock {
            db: db.clone(),
            email: "nobody@school.test\x1b]0;pwned\x07\x1b[2J".into(),
            key_file: None,
        })
        .await
        .unwrap_err();
        assert!(
            !hostile.chars().any(char::is_control),
            "control characters echoed: {hostile:?}"
        );
        assert!(hostile.contains("could not be cleared"), "{hostile}");
        assert!(!db.with_extension("db.key").exists(), "unlock created a key file");

        // An email with no account is counted under the server key: unlock needs the key file.
        let key_path = dir.path().join("server.key");
        let key = ServerKey::load_or_create(&key_path).unwrap();
        let store = Store::open(&db, false).await.unwrap();
        let ghost = || Subject::UnknownEmail(auth::email_ref(&key, "ghost@school.test"));
        let lockout = Policy::default().lockout();
        for _ in 0..6 {
            let attempt = store.reserve_attempt(ghost(), lockout, 1).await.unwrap().unwrap();
            let mut tx = store.begin().await.unwrap();
            tx.attempt_failed(attempt, 6, 1).await.unwrap();
            tx.audit(&AuditEntry::new(1, None, "test", "login.password", "failure"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        assert!(store.reserve_attempt(ghost(), lockout, 1).await.unwrap().is_none());
        let cleared = admin(&AdminCommand::Unlock {
            db: db.clone(),
            email: " Ghost@School.test".into(),
            key_file: Some(key_path),
        })
        .await
        .unwrap_err();
        assert!(cleared.contains("was cleared"), "{cleared}");
        assert!(store.reserve_attempt(ghost(), lockout, 2).await.unwrap().is_some());
        store.close().await.unwrap();
        admin(&AdminCommand::VerifyAudit {
            db: db.clone(),
            anchor: None,
        })
        .await
        .unwrap();

        let store = Store::open(&db, false).await.unwrap();
        let user = store.user_by_email("head@school.test").await.unwrap().unwrap();
        assert!(user.password_is_temporary && user.role == "admin" && user.totp_secret_sealed.is_none());
        assert!(user.password_hash.starts_with("$argon2id$"));
        store.close().await.unwrap();

        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&raw)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE id = 2")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let error = admin(&AdminCommand::VerifyAudit {
            db: db.clone(),
            anchor: None,
        })
        .await
        .unwrap_err();
        assert!(error.contains("audit row 2"), "{error}");
        let missing = AdminCommand::VerifyAudit {
            db: dir.path().join("missing.db"),
            anchor: None,
        };
        assert!(admin(&missing).await.is_err());
    }
}
