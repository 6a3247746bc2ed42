//! SECURITY.md rules 10-14 (lock-out and throttling), over real HTTP.

mod common;

use bsmart::server::testing::TestOptions;
use bsmart::wire::AuthStep;
use common::*;
use serde_json::json;

/// A code that is none of the valid codes around the current step.
fn wrong_code(api: &Api, secret: &str) -> String {
    let valid: Vec<String> = (-2..=2).map(|d| api.code_at(secret, d)).collect();
    ["000000", "111111", "222222"]
        .into_iter()
        .find(|c| !valid.iter().any(|v| v == c))
        .unwrap()
        .to_string()
}

/// Makes `n` wrong-password attempts and checks each is 401 or (once locked) 423.
async fn fail_passwords(api: &Api, email: &str, n: usize) {
    for i in 0..n {
        let r = api.login(email, "definitely-wrong-password").await;
        if i < 5 {
            r.assert_error(401, "invalid_credentials");
        } else {
            assert!(
                r.status == 401 || r.status == 423,
                "attempt {}: {} {}",
                i + 1,
                r.status,
                r.text
            );
            r.envelope();
        }
    }
}

/// Rules 10 and 12: six wrong passwords lock; the right password then gets 423.
#[tokio::test(flavor = "multi_thread")]
async fn six_wrong_passwords_lock_the_account() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    fail_passwords(&api, TEACHER.email, 6).await;
    // Rule 25: locking the account ends its sessions.
    assert_eq!(api.me(&token).await.status, 401, "a session outlived the lock-out");
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
    api.login(TEACHER.email, "definitely-wrong-password")
        .await
        .assert_error(423, "account_locked");
    // Other accounts are untouched.
    assert!(matches!(
        api.login(LEAD.email, LEAD.password).await.step(),
        AuthStep::TotpRequired { .. }
    ));
    // Time alone does not unlock (no timed unlock configured for the demo).
    api.advance(24 * 3600);
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
}

/// Rules 10 and 12: after six failures the seventh attempt, with the right password, is 423,
/// audited as refused while locked, and not counted (that it is not even checked shows in its
/// timing: `unknown_email_takes_as_long_as_a_wrong_password`).
#[tokio::test(flavor = "multi_thread")]
async fn the_seventh_attempt_is_refused_and_not_counted() {
    let api = Api::start().await;
    fail_passwords(&api, TEACHER.email, 6).await;
    let mark = api.audit_mark().await;
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
    let rows = api.audit_since(mark).await;
    let outcomes: Vec<&str> = rows.iter().map(|r| r.get("outcome")).collect();
    assert_eq!(outcomes, ["locked"], "{rows:#?}");
    let counted = query_text(
        &api.srv.db_path,
        "SELECT failed_attempts FROM users WHERE email = 'teacher@demo.test'",
    )
    .await;
    assert_eq!(counted[0][0].1, "6");
}

/// Rule 10: five failures do not lock, and a full success resets the count.
#[tokio::test(flavor = "multi_thread")]
async fn five_failures_do_not_lock_and_success_resets() {
    let api = Api::start().await;
    fail_passwords(&api, TEACHER.email, 5).await;
    api.sign_in(TEACHER).await;
    fail_passwords(&api, TEACHER.email, 5).await;
    api.sign_in(TEACHER).await;
}

/// Rule 11: a right password without the second factor is not a full success, so it does not
/// reset the count; wrong TOTP codes count towards the same limit.
#[tokio::test(flavor = "multi_thread")]
async fn password_without_2fa_does_not_reset_the_count() {
    let api = Api::start().await;
    fail_passwords(&api, LEAD.email, 5).await;
    let challenge = api.login(LEAD.email, LEAD.password).await.challenge();
    let r = api.totp(&challenge, &wrong_code(&api, LEAD.totp.unwrap())).await;
    assert!(r.status == 401 || r.status == 423, "{} {}", r.status, r.text);
    api.login(LEAD.email, LEAD.password)
        .await
        .assert_error(423, "account_locked");
}

/// Rule 11: six wrong TOTP codes lock, even with a fresh challenge (right password) each time.
#[tokio::test(flavor = "multi_thread")]
async fn six_wrong_totp_codes_lock_the_account() {
    let api = Api::start().await;
    let secret = LEAD.totp.unwrap();
    let mut last = String::new();
    for i in 0..6 {
        let challenge = api.login(LEAD.email, LEAD.password).await.challenge();
        let r = api.totp(&challenge, &wrong_code(&api, secret)).await;
        if i < 5 {
            r.assert_error(401, "invalid_code");
        } else {
            assert!(r.status == 401 || r.status == 423, "{} {}", r.status, r.text);
        }
        last = challenge;
    }
    api.login(LEAD.email, LEAD.password)
        .await
        .assert_error(423, "account_locked");
    // The right code on an outstanding challenge gets no token either.
    api.advance(30);
    let r = api.totp(&last, &api.code_now(secret)).await;
    assert!(
        r.status == 401 || r.status == 423,
        "locked account signed in with TOTP: {} {}",
        r.status,
        r.text
    );
}

/// Rule 11: six wrong reauths lock the account and end its sessions.
#[tokio::test(flavor = "multi_thread")]
async fn six_wrong_reauths_lock_and_end_sessions() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let other = api.sign_in(TEACHER).await;
    for i in 0..6 {
        let r = api.reauth(&token, "definitely-wrong-password").await;
        if i < 5 {
            r.assert_error(401, "invalid_credentials");
        } else {
            assert!(r.status == 401 || r.status == 423, "{} {}", r.status, r.text);
            r.envelope();
        }
    }
    assert_eq!(api.me(&token).await.status, 401, "session survived the lock-out");
    assert_eq!(api.me(&other).await.status, 401, "other session survived the lock-out");
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
}

/// Rule 13: an unknown email answers exactly like a wrong password, and locks after six too.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_email_is_indistinguishable() {
    let api = Api::start().await;
    let wrong = api.login(TEACHER.email, "definitely-wrong-password").await;
    let unknown = api.login("nobody@demo.test", "definitely-wrong-password").await;
    assert_eq!((wrong.status, &wrong.text), (unknown.status, &unknown.text));
    assert_eq!(wrong.headers.get("content-type"), unknown.headers.get("content-type"));
    // Lock both a real account and an unknown email; the 423s are identical as well.
    for _ in 0..6 {
        let a = api.login(LEAD.email, "definitely-wrong-password").await;
        let b = api.login("ghost@demo.test", "definitely-wrong-password").await;
        assert_eq!(
            (a.status, &a.text),
            (b.status, &b.text),
            "real and unknown emails answer differently"
        );
    }
    let real = api.login(LEAD.email, LEAD.password).await;
    real.assert_error(423, "account_locked");
    let ghost = api.login("ghost@demo.test", "any-password-at-all").await;
    assert_eq!(
        (real.status, &real.text),
        (ghost.status, &ghost.text),
        "423 reveals which emails exist"
    );
    // Case and spacing variants of an unknown email do not dodge the count.
    let r = api.login("GHOST@demo.test", "any-password-at-all").await;
    assert_eq!(r.status, 423, "{}", r.text);
}

/// Rule 13 when a password is typed into the email field: an email with no account is counted
/// (and named in the audit log) under a keyed HMAC of the server key, never a plain SHA-256
/// that anyone could recompute from a guess; six tries still lock it.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_emails_are_counted_under_a_keyed_hash() {
    use sha2::{Digest, Sha256};
    let api = Api::start().await;
    let typed = "Otters-Play-By-The-River-7";
    for attempt in 1..=6 {
        let r = api.login(typed, "definitely-wrong-password").await;
        match attempt {
            6 => r.assert_error(423, "account_locked"),
            _ => r.assert_error(401, "invalid_credentials"),
        }
    }
    api.login(typed, "any-password-at-all")
        .await
        .assert_error(423, "account_locked");
    let plain = hex::encode(Sha256::digest(typed.to_lowercase().as_bytes()));
    let stored = query_text(&api.srv.db_path, "SELECT email_hash FROM unknown_email_failures").await;
    assert_eq!(stored.len(), 1, "one counter for the unknown email: {stored:?}");
    let stored = &stored[0][0].1;
    assert_eq!(stored.len(), 64, "an HMAC-SHA256 in hex: {stored}");
    assert_ne!(stored, &plain, "the typed text is stored as its plain SHA-256");
    for row in api.audit().await {
        assert!(
            !row.all_text().contains(&plain[..12]),
            "the audit log names the typed text by its plain SHA-256: {row:?}"
        );
    }
}

/// §4: 20 parallel wrong passwords: all 401/423, no 500 from a busy database, account locked.
/// Attempts are counted before they are checked, so exactly six are counted (1 to 6, one audit
/// row each, no lost or doubled update) and the other fourteen are refused unchecked; the one
/// that locks, and every failure resolved once six were counted, answer 423.
#[tokio::test(flavor = "multi_thread")]
async fn parallel_wrong_passwords_lock_without_errors() {
    let api = Api::start().await;
    let attempts = (0..20).map(|_| api.login(TEACHER.email, "definitely-wrong-password"));
    let replies = futures::future::join_all(attempts).await;
    for r in &replies {
        assert!(
            r.status == 401 || r.status == 423,
            "parallel attempt answered {}: {}",
            r.status,
            r.text
        );
        r.envelope();
    }
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
    let rows = query_text(
        &api.srv.db_path,
        "SELECT failed_attempts, locked_at FROM users WHERE email = 'teacher@demo.test'",
    )
    .await;
    assert_eq!(rows[0][0].1, "6", "attempts counted");
    assert!(!rows[0][1].1.is_empty(), "locked_at not set");
    let audit = api.audit().await;
    let mut counted = counted_failures(&audit, TEACHER.email);
    counted.sort_unstable();
    assert_eq!(counted, (1..=6).collect::<Vec<_>>(), "failure counts in the audit log");
    let unauthorised = replies.iter().filter(|r| r.status == 401).count();
    assert!(
        unauthorised <= 5,
        "{unauthorised} failures answered 401; at most five may"
    );
    let locks = audit.iter().filter(|r| r.get("action") == "account.lock").count();
    assert_eq!(locks, 1, "the account was locked {locks} times");
}

/// Rules 11 and 18: a wrong password, TOTP code, recovery code, reauth password and current
/// password (on a change) all count toward the one limit; the sixth locks, each failure has its
/// audit row with the running count, and the lock ends the session.
#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_failure_counts_toward_one_limit() {
    let api = Api::start().await;
    let token = api.sign_in(LEAD).await;
    let mark = api.audit_mark().await;
    api.login(LEAD.email, "definitely-wrong-password")
        .await
        .assert_error(401, "invalid_credentials");
    let challenge = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&challenge, &wrong_code(&api, LEAD.totp.unwrap()))
        .await
        .assert_error(401, "invalid_code");
    api.totp(&challenge, "ABCD-EFGH-JKLM-NPQR")
        .await
        .assert_error(401, "invalid_code");
    api.reauth(&token, "definitely-wrong-password")
        .await
        .assert_error(401, "invalid_credentials");
    api.change_password(&token, "definitely-wrong-password", "a-new-long-passphrase")
        .await
        .assert_error(401, "invalid_credentials");
    api.login(LEAD.email, "definitely-wrong-password")
        .await
        .assert_error(423, "account_locked");
    api.login(LEAD.email, LEAD.password)
        .await
        .assert_error(423, "account_locked");
    api.me(&token).await.assert_error(401, "unauthenticated");
    let rows = api.audit_since(mark).await;
    assert_eq!(counted_failures(&rows, LEAD.email), (1..=6).collect::<Vec<_>>());
    let actions: Vec<&str> = rows
        .iter()
        .filter(|r| r.get("outcome") == "failure")
        .map(|r| r.get("action"))
        .collect();
    assert_eq!(
        actions,
        [
            "login.password",
            "login.totp",
            "login.totp",
            "session.reauth",
            "password.change",
            "login.password"
        ]
    );
    assert!(
        rows.iter()
            .any(|r| r.get("action") == "account.lock" && r.get("detail") == "sessions_ended=1"),
        "no lock row ending the session: {rows:#?}"
    );
}

/// Rules 11 and 17: six wrong codes while confirming a new authenticator lock the account too.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_enrolment_codes_count_toward_the_limit() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let secret = api.start_enrolment(&token).await;
    for i in 0..6 {
        let body = json!({ "code": wrong_code(&api, &secret) });
        let r = api.post("/auth/totp/confirm", &body, Some(&token)).await;
        if i < 5 {
            r.assert_error(401, "invalid_code");
        } else {
            r.assert_error(423, "account_locked");
        }
    }
    api.me(&token).await.assert_error(401, "unauthenticated");
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
}

/// Rules 13 and 25: a disabled account answers exactly like an email with no account (even
/// with its right password, and through the 423 that six attempts bring), and its sessions end.
#[tokio::test(flavor = "multi_thread")]
async fn disabled_account_answers_like_an_unknown_email() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    execute_sql(
        &api.srv.db_path,
        "UPDATE users SET active = 0 WHERE email = 'teacher@demo.test'",
    )
    .await;
    api.me(&token).await.assert_error(401, "unauthenticated");
    for attempt in 1..=7 {
        let disabled = api.login(TEACHER.email, TEACHER.password).await;
        let unknown = api.login("ghost@demo.test", TEACHER.password).await;
        assert_eq!(
            (disabled.status, &disabled.text),
            (unknown.status, &unknown.text),
            "attempt {attempt}: a disabled account answers differently from no account"
        );
        assert_eq!(
            disabled.status,
            if attempt < 6 { 401 } else { 423 },
            "{}",
            disabled.text
        );
    }
}

/// Rule 13: an unknown email takes as long as a wrong password (a dummy argon2 verification).
/// The fastest of interleaved attempts is compared (load on the machine only ever adds time,
/// and other tests run alongside); without the dummy verification the unknown email answers
/// about ten times faster. Once locked, a real account and an unknown email are both refused
/// before any verification, so both answer faster than any check.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_email_takes_as_long_as_a_wrong_password() {
    let api = Api::start().await;
    // The first unknown email also makes the dummy hash; keep that out of the measurement.
    api.login("warm-up@demo.test", "definitely-wrong-password").await;
    let timed = |email: String, status: u16| {
        let api = &api;
        async move {
            let started = std::time::Instant::now();
            let r = api.login(&email, "definitely-wrong-password").await;
            assert_eq!(r.status, status, "{}", r.text);
            started.elapsed()
        }
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..5 {
        known.push(timed(TEACHER.email.to_string(), 401).await);
        unknown.push(timed(format!("ghost{i}@demo.test"), 401).await);
    }
    let fastest = |v: &[std::time::Duration]| v.iter().min().copied().unwrap_or_default().as_secs_f64();
    let (known, unknown) = (fastest(&known), fastest(&unknown));
    let ratio = unknown / known;
    assert!(
        (1.0 / 3.0..=3.0).contains(&ratio),
        "unknown email {:.1} ms vs wrong password {:.1} ms",
        unknown * 1000.0,
        known * 1000.0
    );
    timed(TEACHER.email.to_string(), 423).await;
    for _ in 0..6 {
        api.login("locked-ghost@demo.test", "definitely-wrong-password").await;
    }
    let (mut locked, mut locked_unknown) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        locked.push(timed(TEACHER.email.to_string(), 423).await);
        locked_unknown.push(timed("locked-ghost@demo.test".to_string(), 423).await);
    }
    for (what, time) in [
        ("locked account", fastest(&locked)),
        ("locked unknown email", fastest(&locked_unknown)),
    ] {
        assert!(
            time < known / 2.0,
            "a {what} took {:.1} ms, a checked password {:.1} ms: it was checked",
            time * 1000.0,
            known * 1000.0
        );
    }
}

/// Rule 12: `bsmart admin unlock` unlocks, and the unlock is audited.
#[tokio::test(flavor = "multi_thread")]
async fn admin_unlock_works_and_is_audited() {
    let api = Api::start().await;
    fail_passwords(&api, TEACHER.email, 6).await;
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
    let mark = api.audit_mark().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["admin", "unlock", "--db"])
        .arg(&api.srv.db_path)
        .args(["--email", TEACHER.email])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bsmart admin unlock");
    assert!(
        out.status.success(),
        "unlock failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    api.sign_in(TEACHER).await;
    let rows = api.audit_since(mark).await;
    assert!(
        rows.iter().any(|r| r.get("action") == "account.unlock"
            && r.get("outcome") == "success"
            && r.mentions(&[TEACHER.email])),
        "no audit row for the unlock: {rows:#?}"
    );
}

/// Rule 14: an address naming account after account is limited with 429 in the envelope and
/// `Retry-After`; once its ceiling is reached, a challenge that names no sign-in is limited
/// too (it counts against the same ceiling).
#[tokio::test(flavor = "multi_thread")]
async fn per_ip_limiter_answers_429() {
    let api = Api::start_with(TestOptions {
        rate_limit: true,
        ..quiet_options()
    })
    .await;
    let mut limited = None;
    for i in 0..200 {
        let r = api
            .login(&format!("nobody{i}@demo.test"), "definitely-wrong-password")
            .await;
        assert!(r.status == 401 || r.status == 429, "{} {}", r.status, r.text);
        if r.status == 429 {
            limited = Some((i, r));
            break;
        }
    }
    let (i, r) = limited.expect("200 sign-in attempts from one address were never limited");
    assert!(i >= 3, "limited after only {i} attempts");
    r.assert_error(429, "rate_limited");
    assert!(r.headers.contains_key("retry-after"), "429 without Retry-After");
    // An unknown challenge counts against the address's ceiling too.
    let r = api
        .post("/auth/totp", &json!({ "challenge": "x", "code": "123456" }), None)
        .await;
    r.assert_error(429, "rate_limited");
}
