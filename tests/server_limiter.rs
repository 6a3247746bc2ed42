//! SECURITY.md rule 14: the sign-in limiter is keyed by address and account, with a far higher
//! ceiling per address alone, so a whole staff room behind one NAT address signs in at 8:30
//! while one address guessing at many accounts is slowed, and the lock-out still counts an
//! account's failures from every address.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use bsmart::server::testing::TestOptions;
use common::*;
use serde_json::json;

/// A server with the limiter on, as deployed.
async fn limited() -> Api {
    Api::start_with(TestOptions::default()).await
}

/// Sixty staff with 2FA sign in (password, then code) within a minute, all from one address:
/// every one of them gets a token.
#[tokio::test(flavor = "multi_thread")]
async fn a_staff_room_behind_one_address_signs_in() {
    let api = limited().await;
    let mut staff = Vec::new();
    for n in 0..60 {
        let email = format!("staff{n}@riverside.demo.test");
        staff.push(api.srv.add_staff(&email, "otters play by the weir at dawn", true).await);
    }
    api.advance(30);
    let started = Instant::now();
    let logins = staff.iter().map(|s| api.login(&s.email, &s.password));
    let challenges: Vec<String> = futures::future::join_all(logins)
        .await
        .iter()
        .map(Reply::challenge)
        .collect();
    let codes: Vec<String> = staff
        .iter()
        .map(|s| api.code_now(s.totp_secret.as_ref().unwrap()))
        .collect();
    let codes = challenges
        .iter()
        .zip(&codes)
        .map(|(challenge, code)| api.totp(challenge, code));
    for reply in futures::future::join_all(codes).await {
        reply.token();
    }
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
}

/// One address trying a hundred accounts is slowed with 429 and `Retry-After`; another
/// address is not.
#[tokio::test(flavor = "multi_thread")]
async fn one_address_trying_many_accounts_is_slowed() {
    let api = limited().await;
    let emails: Vec<String> = (0..100).map(|n| format!("guess{n}@riverside.demo.test")).collect();
    let attempts = emails.iter().map(|email| api.login(email, "definitely-wrong-password"));
    let replies = futures::future::join_all(attempts).await;
    let limited: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(
        limited.len() >= 10,
        "only {} of 100 accounts were slowed",
        limited.len()
    );
    for r in &limited {
        r.assert_error(429, "rate_limited");
        let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    }
    for r in replies.iter().filter(|r| r.status != 429) {
        r.assert_error(401, "invalid_credentials");
    }
    let elsewhere = http_client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9)));
    let body = json!({ "email": "guess0@riverside.demo.test", "password": "definitely-wrong-password" });
    let r = api.send(elsewhere.post(api.srv.api("/auth/login")).json(&body)).await;
    r.assert_error(401, "invalid_credentials");
}

/// Hammering one account from one address is slowed without slowing that address for anyone
/// else (the account's bucket is checked first).
#[tokio::test(flavor = "multi_thread")]
async fn one_account_hammered_leaves_the_address_to_others() {
    let api = limited().await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(api.login(TEACHER.email, "definitely-wrong-password").await.status);
    }
    assert_eq!(&statuses[..5], [401; 5]);
    assert!(statuses[5..10].iter().all(|s| *s == 423), "{statuses:?}");
    assert_eq!(statuses[10..], [429, 429], "{statuses:?}");
    assert!(matches!(
        api.login(LEAD.email, LEAD.password).await.step(),
        bsmart::wire::AuthStep::TotpRequired { .. }
    ));
}

/// One account tried from many addresses (one attempt each, so no bucket runs dry) still locks
/// after six: the lock-out counts per account, not per address.
#[tokio::test(flavor = "multi_thread")]
async fn one_account_from_many_addresses_still_locks_after_six() {
    let api = limited().await;
    for n in 0..20u8 {
        let client = http_client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 1, 1 + n)));
        let body = json!({ "email": TEACHER.email, "password": "definitely-wrong-password" });
        let r = api.send(client.post(api.srv.api("/auth/login")).json(&body)).await;
        match n {
            0..5 => r.assert_error(401, "invalid_credentials"),
            _ => r.assert_error(423, "account_locked"),
        }
    }
    let client = http_client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 2, 1)));
    let body = json!({ "email": TEACHER.email, "password": TEACHER.password });
    let r = api.send(client.post(api.srv.api("/auth/login")).json(&body)).await;
    r.assert_error(423, "account_locked");
}
