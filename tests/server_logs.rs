//! SECURITY.md rule 30 for the logs (the audit log has its own tests): with every log event of
//! the process captured at TRACE level (the server's, axum's, hyper's, sqlx's statements), a
//! session of sign-ins, failures, reauth, a password change, 2FA enrolment, recovery codes,
//! logout and hostile tokens leaves no password, code, challenge, token, TOTP secret or email
//! in any log line. Only the test's own HTTP client (reqwest) is left out: it is not the server.
//!
//! A test binary of its own, because a process has one global log subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

/// A writer that appends to the shared buffer.
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_a_log_line() {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Arc::clone(&buffer);
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,reqwest=off,hyper_util::client=off",
        ))
        .with_ansi(false)
        .without_time()
        .with_writer(move || Capture(Arc::clone(&writer)))
        .try_init()
        .expect("no other log subscriber in this test binary");

    let api = Api::start().await;
    let mut secrets: Vec<String> = vec![
        TEACHER.password.into(),
        LEAD.password.into(),
        TEACHER.email.into(),
        LEAD.email.into(),
    ];
    let guess = "wrong-but-secret-guess";
    secrets.push(guess.into());
    api.login(TEACHER.email, guess).await;
    // A password typed into the email field.
    let typed_as_email = "my-password-typed-as-email";
    secrets.push(typed_as_email.into());
    api.login(typed_as_email, TEACHER.password).await;

    let t1 = api.sign_in(TEACHER).await;
    api.get(&format!("/me?token={t1}"), None).await;
    let forged = "forged-secret-token-value";
    secrets.push(forged.into());
    api.get("/me", Some(forged)).await;
    let t2 = api.reauth(&t1, TEACHER.password).await.token();
    let new = "logged-nowhere-passphrase";
    secrets.push(new.into());
    let t3 = api.change_password(&t2, TEACHER.password, new).await.token();
    let (t4, totp_secret, codes) = api.enrol_with_bearer(&t3).await;
    secrets.extend([t1, t2, t3, t4.clone(), totp_secret]);
    secrets.extend(codes.iter().cloned());
    let challenge = api.login(TEACHER.email, new).await.challenge();
    secrets.push(challenge.clone());
    let t5 = api.totp(&challenge, &codes[0]).await.token();
    secrets.push(t5);

    let challenge = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&challenge, "987654").await;
    secrets.push("987654".into());
    api.advance(30);
    let code = api.code_now(LEAD.totp.unwrap());
    let lead = api.totp(&challenge, &code).await.token();
    secrets.extend([challenge, code, lead.clone()]);
    assert_eq!(api.post("/auth/logout", &json!({}), Some(&lead)).await.status, 204);
    assert_eq!(api.post("/auth/logout", &json!({}), Some(&t4)).await.status, 204);

    let logs = String::from_utf8_lossy(&buffer.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(
        logs.contains("/api/v1/auth/login") && logs.contains("/api/v1/auth/totp"),
        "the requests were not logged, so the test proves nothing:\n{logs}"
    );
    for line in logs.lines() {
        let lower = line.to_lowercase();
        for secret in &secrets {
            assert!(
                !appears(&lower, &secret.to_lowercase()),
                "{secret:?} in a log line: {line}"
            );
        }
    }
}

/// Whether `secret` occurs in `line`; a numeric code only counts on its own, not as six digits
/// inside a longer number such as a duration.
fn appears(line: &str, secret: &str) -> bool {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return line.contains(secret);
    }
    let part_of_number = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
    line.match_indices(secret).any(|(at, _)| {
        !part_of_number(line[..at].chars().next_back()) && !part_of_number(line[at + secret.len()..].chars().next())
    })
}
