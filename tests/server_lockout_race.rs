//! SECURITY.md rules 10-12 under bursts: however many attempts arrive at once, at most six are
//! ever checked against the secret, every later one is 423 without a check (the right password
//! or code included), and a success in the middle of a burst reopens nothing.
//!
//! Each burst is 100 requests in parallel, one of them right: from 100 different loopback
//! addresses (each client bound to its own 127.0.0.N, the limiter on) or from one address (the
//! limiter off, since it would stop the burst before the lock-out is tested). What is observable
//! from outside: the answers (at most six are 200 or 401), the failure rows of the audit log
//! (one per checked failure: at most six), the counter and the lock.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use bsmart::server::testing::TestOptions;
use common::*;
use serde_json::{Value, json};

/// How many requests a burst sends.
const BURST: usize = 100;

/// Where a burst comes from.
#[derive(Debug, Clone, Copy)]
enum From {
    /// 100 loopback addresses, 127.0.0.2 to 127.0.0.101.
    ManyAddresses,
    /// The test's one client.
    OneAddress,
}

/// A server for a burst from `from`: the limiter stays on for many addresses (each sends one
/// request), and is off for one address.
async fn server_for(from: From) -> Api {
    match from {
        From::ManyAddresses => Api::start_with(TestOptions::default()).await,
        From::OneAddress => Api::start().await,
    }
}

/// Sends `BURST` POSTs of `path` at once: `right` as the body of one of them (the 37th), `wrong`
/// for the others, with the bearer `token` if given.
async fn burst(api: &Api, from: From, path: &str, right: Value, wrong: Value, token: Option<&str>) -> Vec<Reply> {
    let clients: Vec<reqwest::Client> = match from {
        From::ManyAddresses => (0..BURST)
            .map(|i| http_client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i as u8))))
            .collect(),
        From::OneAddress => vec![api.http.clone(); BURST],
    };
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(BURST));
    let requests = clients.into_iter().enumerate().map(|(i, client)| {
        let body = if i == 36 { right.clone() } else { wrong.clone() };
        let mut request = client.post(api.srv.api(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let barrier = std::sync::Arc::clone(&barrier);
        async move {
            barrier.wait().await;
            api.send(request).await
        }
    });
    futures::future::join_all(requests).await
}

/// What a burst against `email`'s account must show: every answer is 200, a 401 with one of
/// `checked_codes` (an attempt that was checked) or 423 (or, for bearer routes, 401
/// `unauthenticated` once the lock has ended the session); at most six were checked; the
/// account is locked, once, with its audit row; at most six failures were counted.
async fn assert_at_most_six_checked(api: &Api, email: &str, replies: &[Reply], checked_codes: &[&str]) {
    let mut checked = 0;
    for r in replies {
        match r.status {
            200 => checked += 1,
            401 if checked_codes.contains(&r.code().as_str()) => checked += 1,
            401 => r.assert_error(401, "unauthenticated"),
            423 => r.assert_error(423, "account_locked"),
            other => panic!("a burst attempt answered {other}: {}", r.text),
        }
    }
    assert!(
        checked <= 6,
        "{checked} of {BURST} parallel attempts were checked (answered 200 or 401); at most 6 may be"
    );
    let rows = query_text(
        &api.srv.db_path,
        &format!("SELECT failed_attempts, locked_at FROM users WHERE email = '{email}'"),
    )
    .await;
    let counted: i64 = rows[0][0].1.parse().unwrap();
    assert!(!rows[0][1].1.is_empty(), "the account is not locked after the burst");
    assert!(
        counted <= 6,
        "{counted} attempts were counted; at most 6 may be checked"
    );
    let audit = api.audit().await;
    let failures = audit
        .iter()
        .filter(|r| r.get("actor") == email && r.get("outcome") == "failure")
        .count();
    assert!(
        failures <= 6,
        "{failures} failures were checked and audited; at most 6 may be"
    );
    let locks = audit
        .iter()
        .filter(|r| r.get("action") == "account.lock" && r.get("actor") == email)
        .count();
    assert_eq!(locks, 1, "the account was locked {locks} times");
}

/// The login burst: 99 wrong passwords and the right one.
async fn login_burst(from: From, account: Account) {
    let api = server_for(from).await;
    let right = json!({ "email": account.email, "password": account.password });
    let wrong = json!({ "email": account.email, "password": "definitely-wrong-password" });
    let replies = burst(&api, from, "/auth/login", right, wrong, None).await;
    assert_at_most_six_checked(&api, account.email, &replies, &["invalid_credentials"]).await;
    // The right password, after the burst: 423 without a check.
    api.login(account.email, account.password)
        .await
        .assert_error(423, "account_locked");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_burst_from_many_addresses_checks_at_most_six() {
    login_burst(From::ManyAddresses, LEAD).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_burst_from_one_address_checks_at_most_six() {
    login_burst(From::OneAddress, TEACHER).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_login_burst_checks_at_most_six() {
    login_burst(From::ManyAddresses, ADMIN).await;
}

/// 99 wrong TOTP codes and the right one, all on one (valid) challenge.
#[tokio::test(flavor = "multi_thread")]
async fn totp_burst_on_one_challenge_checks_at_most_six() {
    let api = server_for(From::ManyAddresses).await;
    let challenge = api.login(LEAD.email, LEAD.password).await.challenge();
    let secret = LEAD.totp.unwrap();
    let valid: Vec<String> = (-1..=1).map(|d| api.code_at(secret, d)).collect();
    let wrong_code = ["000000", "111111", "222222"]
        .into_iter()
        .find(|c| !valid.iter().any(|v| v == c))
        .unwrap();
    let right = json!({ "challenge": challenge, "code": api.code_now(secret) });
    let wrong = json!({ "challenge": challenge, "code": wrong_code });
    let replies = burst(&api, From::ManyAddresses, "/auth/totp", right, wrong, None).await;
    assert_at_most_six_checked(&api, LEAD.email, &replies, &["invalid_code"]).await;
}

/// 99 wrong recovery codes and a right one, on one challenge.
#[tokio::test(flavor = "multi_thread")]
async fn recovery_code_burst_checks_at_most_six() {
    let api = server_for(From::OneAddress).await;
    let token = api.sign_in(TEACHER).await;
    let (_, _, codes) = api.enrol_with_bearer(&token).await;
    let challenge = api.login(TEACHER.email, TEACHER.password).await.challenge();
    let right = json!({ "challenge": challenge, "code": codes[3] });
    let wrong = json!({ "challenge": challenge, "code": "ABCD-EFGH-JKLM-NPQR" });
    let replies = burst(&api, From::OneAddress, "/auth/totp", right, wrong, None).await;
    assert_at_most_six_checked(&api, TEACHER.email, &replies, &["invalid_code"]).await;
}

/// 99 wrong reauth passwords and the right one, with one bearer token.
#[tokio::test(flavor = "multi_thread")]
async fn reauth_burst_checks_at_most_six() {
    let api = server_for(From::OneAddress).await;
    let token = api.sign_in(TEACHER).await;
    let right = json!({ "password": TEACHER.password });
    let wrong = json!({ "password": "definitely-wrong-password" });
    let replies = burst(&api, From::OneAddress, "/auth/reauth", right, wrong, Some(&token)).await;
    assert_at_most_six_checked(&api, TEACHER.email, &replies, &["invalid_credentials"]).await;
    api.me(&token).await.assert_error(401, "unauthenticated");
}

/// An email with no account: the same burst, the same answers (it can never succeed).
#[tokio::test(flavor = "multi_thread")]
async fn unknown_email_burst_checks_at_most_six() {
    let api = server_for(From::OneAddress).await;
    let body = json!({ "email": "ghost@demo.test", "password": "definitely-wrong-password" });
    let replies = burst(&api, From::OneAddress, "/auth/login", body.clone(), body, None).await;
    let checked = replies.iter().filter(|r| r.status == 401).count();
    assert!(checked <= 5, "{checked} attempts for an unknown email answered 401");
    for r in &replies {
        if r.status != 401 {
            r.assert_error(423, "account_locked");
        }
    }
    let counted = query_text(&api.srv.db_path, "SELECT failed_attempts FROM unknown_email_failures").await;
    let counted: i64 = counted[0][0].1.parse().unwrap();
    assert!(counted <= 6, "{counted} attempts were counted for the unknown email");
}
