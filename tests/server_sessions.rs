//! SECURITY.md rules 22-26 (sessions), over real HTTP, with the server's injected clock.

mod common;

use bsmart::wire::{AuthStep, Me};
use common::*;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::json;

/// Rule 22: tokens are opaque, long, random, distinct, and stored only as a hash.
#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_long_random_and_not_stored() {
    let api = Api::start().await;
    let mut out = Vec::new();
    for acct in [TEACHER, TEACHER, TEACHER, LEAD] {
        out.push(api.sign_in(acct).await);
    }
    for t in &out {
        assert!(alphabet_bits(t) >= 128.0, "token under 128 bits: {t}");
        let uuid_like = t.len() == 36 && t.matches('-').count() == 4;
        assert!(!uuid_like, "token looks like a UUID: {t}");
    }
    let distinct: std::collections::HashSet<_> = out.iter().collect();
    assert_eq!(distinct.len(), out.len());
    // No shared prefix beyond a fixed tag.
    let common_prefix = out[0].chars().zip(out[1].chars()).take_while(|(a, b)| a == b).count();
    assert!(
        common_prefix < 8,
        "tokens share a {common_prefix}-character prefix: {} {}",
        out[0],
        out[1]
    );
    let db = db_bytes(&api.srv.db_path);
    for t in &out {
        assert!(!contains_bytes(&db, t.as_bytes()), "token stored in clear");
    }
}

/// Rule 22: a token in the URL is ignored.
#[tokio::test(flavor = "multi_thread")]
async fn token_in_query_is_ignored() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    for q in ["token", "access_token", "bearer", "authorization"] {
        let r = api.get(&format!("/me?{q}={token}"), None).await;
        r.assert_error(401, "unauthenticated");
        let r = api.get(&format!("/incidents?{q}={token}"), None).await;
        assert_eq!(r.status, 401, "{q}: {}", r.text);
        r.envelope();
    }
}

/// §4: random, truncated and extended tokens, empty and odd `Authorization` headers, and a
/// 100 KB header: 401 or 431, never 500.
#[tokio::test(flavor = "multi_thread")]
async fn forged_tokens_are_refused() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let truncated = &token[..token.len() - 1];
    let extended = format!("{token}A");
    let flipped = {
        let mut c: Vec<char> = token.chars().collect();
        c[0] = if c[0] == 'A' { 'B' } else { 'A' };
        c.into_iter().collect::<String>()
    };
    let big = format!("Bearer {}", "A".repeat(100 * 1024));
    let values: Vec<Vec<u8>> = vec![
        bearer("4d9f0c2a7b6e5d4c3b2a19f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1908f7e").into_bytes(),
        bearer(truncated).into_bytes(),
        bearer(&extended).into_bytes(),
        bearer(&flipped).into_bytes(),
        b"Bearer".to_vec(),
        b"Bearer ".to_vec(),
        b"Bearer  ".to_vec(),
        token.clone().into_bytes(),
        format!("Basic {token}").into_bytes(),
        format!("Bearer {token} {token}").into_bytes(),
        b"Bearer \xe9\xff\xfe".to_vec(),
        b"Bearer null".to_vec(),
        big.into_bytes(),
    ];
    for v in values {
        let shown = String::from_utf8_lossy(&v[..v.len().min(60)]).into_owned();
        let req = api
            .http
            .get(api.srv.api("/me"))
            .header(AUTHORIZATION, HeaderValue::from_bytes(&v).unwrap());
        let r = api.send(req).await;
        match r.status {
            401 => r.assert_error(401, "unauthenticated"),
            431 => r.assert_error(431, "headers_too_large"),
            other => panic!("{shown:?}: {other} {}", r.text),
        }
    }
    // Two Authorization headers, one of them valid: not a way in for a bad one, no crash.
    let req = api
        .http
        .get(api.srv.api("/me"))
        .header(AUTHORIZATION, bearer("junk"))
        .header(AUTHORIZATION, bearer(&token));
    let r = api.send(req).await;
    assert!(
        r.status == 200 || r.status == 400 || r.status == 401,
        "{} {}",
        r.status,
        r.text
    );
    // No header at all.
    api.get("/me", None).await.assert_error(401, "unauthenticated");
    // The real token still works after all that.
    assert_eq!(api.me(&token).await.status, 200);
}

/// Rule 25: logout revokes the token (204), and only that one.
#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let other = api.sign_in(TEACHER).await;
    let r = api.post("/auth/logout", &json!({}), Some(&token)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    api.me(&token).await.assert_error(401, "unauthenticated");
    api.get("/incidents", Some(&token))
        .await
        .assert_error(401, "unauthenticated");
    api.post("/auth/logout", &json!({}), Some(&token))
        .await
        .assert_error(401, "unauthenticated");
    api.reauth(&token, TEACHER.password)
        .await
        .assert_error(401, "unauthenticated");
    assert_eq!(api.me(&other).await.status, 200, "logout ended another session");
}

/// Rule 24: reauth returns a new token and revokes the old one; a wrong password leaves the
/// session as it was.
#[tokio::test(flavor = "multi_thread")]
async fn reauth_rotates_the_token() {
    let api = Api::start().await;
    let old = api.sign_in(TEACHER).await;
    api.reauth(&old, "definitely-wrong-password")
        .await
        .assert_error(401, "invalid_credentials");
    assert_eq!(api.me(&old).await.status, 200);
    let new = api.reauth(&old, TEACHER.password).await.token();
    assert_ne!(new, old);
    api.me(&old).await.assert_error(401, "unauthenticated");
    assert_eq!(api.me(&new).await.status, 200);
    // The old token cannot be rotated again.
    api.reauth(&old, TEACHER.password)
        .await
        .assert_error(401, "unauthenticated");
    // A 2FA account: reauth takes the password only while the session is valid.
    let lead = api.sign_in(LEAD).await;
    let lead2 = api.reauth(&lead, LEAD.password).await.token();
    api.me(&lead).await.assert_error(401, "unauthenticated");
    assert_eq!(api.me(&lead2).await.status, 200);
}

/// Rule 24: once the session has expired, reauth cannot revive it.
#[tokio::test(flavor = "multi_thread")]
async fn reauth_after_expiry_is_refused() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    api.advance(31 * 60);
    api.reauth(&token, TEACHER.password)
        .await
        .assert_error(401, "session_expired");
    api.me(&token).await.assert_error(401, "session_expired");
}

/// Rule 25: a password change ends the user's other sessions.
#[tokio::test(flavor = "multi_thread")]
async fn password_change_ends_other_sessions() {
    let api = Api::start().await;
    let t1 = api.sign_in(TEACHER).await;
    let t2 = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let new = "a-changed-passphrase-now";
    let r = api.change_password(&t1, TEACHER.password, new).await;
    assert_eq!(r.status, 200, "{}", r.text);
    api.me(&t2).await.assert_error(401, "unauthenticated");
    // The session that made the change continues (with a new token if one was issued).
    let current = match r.step() {
        AuthStep::Ok { token, .. } => token,
        _ => t1.clone(),
    };
    assert_eq!(api.me(&current).await.status, 200);
    assert_eq!(api.me(&lead).await.status, 200, "another user's session ended");
}

/// Rule 23: idle expiry after 30 minutes; activity within 30 minutes keeps the session.
#[tokio::test(flavor = "multi_thread")]
async fn idle_expiry_30_minutes() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let r = api.me(&token).await;
    let me: Me = serde_json::from_str(&r.text).expect("Me");
    let now = api.clock().now();
    assert_eq!((me.session.idle_expires_at - now).num_minutes(), 30, "{:?}", me.session);
    assert!(
        (me.session.absolute_expires_at - now).num_minutes() <= 12 * 60,
        "{:?}",
        me.session
    );
    for _ in 0..4 {
        api.advance(29 * 60);
        assert_eq!(api.me(&token).await.status, 200, "active session expired early");
    }
    api.advance(31 * 60);
    api.me(&token).await.assert_error(401, "session_expired");
    // Expired stays expired (no revival by the failed request).
    api.me(&token).await.assert_error(401, "session_expired");
    api.get("/incidents", Some(&token))
        .await
        .assert_error(401, "session_expired");
}

/// Rule 23: the absolute lifetime of 12 hours holds even when active.
#[tokio::test(flavor = "multi_thread")]
async fn absolute_expiry_12_hours() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let mut elapsed = 0;
    loop {
        api.advance(25 * 60);
        elapsed += 25 * 60;
        let r = api.me(&token).await;
        if elapsed < 12 * 3600 {
            assert_eq!(r.status, 200, "expired after {elapsed} s of activity: {}", r.text);
        } else {
            r.assert_error(401, "session_expired");
            break;
        }
    }
    // Reauth cannot extend past the absolute limit either.
    api.reauth(&token, TEACHER.password)
        .await
        .assert_error(401, "session_expired");
}

/// Rules 20 and 25: a 2FA change ends the user's other sessions.
#[tokio::test(flavor = "multi_thread")]
async fn enrolling_2fa_ends_other_sessions() {
    let api = Api::start().await;
    let t1 = api.sign_in(TEACHER).await;
    let t2 = api.sign_in(TEACHER).await;
    let (current, _, _) = api.enrol_with_bearer(&t1).await;
    api.me(&t2).await.assert_error(401, "unauthenticated");
    assert_eq!(api.me(&current).await.status, 200);
}

/// Rule 24 under a race: two parallel reauths with one token give one new token, not two.
#[tokio::test(flavor = "multi_thread")]
async fn parallel_reauth_rotates_once() {
    let api = Api::start().await;
    for _ in 0..3 {
        let token = api.sign_in(TEACHER).await;
        let (a, b) = tokio::join!(
            api.reauth(&token, TEACHER.password),
            api.reauth(&token, TEACHER.password)
        );
        let oks = [&a, &b].iter().filter(|r| r.status == 200).count();
        assert_eq!(
            oks, 1,
            "one session became two: {} {} / {} {}",
            a.status, a.text, b.status, b.text
        );
        let loser = if a.status == 200 { &b } else { &a };
        loser.assert_error(401, "unauthenticated");
    }
}

/// Rules 23 and 24: reauth, enrolling 2FA and changing the password each give a new token,
/// but not a new 12 hours: every one of them ends when the first session would have ended.
#[tokio::test(flavor = "multi_thread")]
async fn new_tokens_keep_the_absolute_limit() {
    let api = Api::start().await;
    let first = api.sign_in(TEACHER).await;
    let absolute = |token: String| {
        let api = &api;
        async move {
            let me: Me = serde_json::from_str(&api.me(&token).await.text).expect("Me");
            me.session.absolute_expires_at
        }
    };
    let limit = absolute(first.clone()).await;
    for _ in 0..(11 * 60 / 25) {
        api.advance(25 * 60);
        assert_eq!(api.me(&first).await.status, 200);
    }
    let rotated = api.reauth(&first, TEACHER.password).await.token();
    assert_eq!(absolute(rotated.clone()).await, limit, "reauth restarted the 12 hours");
    let (enrolled, _, _) = api.enrol_with_bearer(&rotated).await;
    assert_eq!(
        absolute(enrolled.clone()).await,
        limit,
        "2FA enrolment restarted the 12 hours"
    );
    let changed = api
        .change_password(&enrolled, TEACHER.password, "a-changed-passphrase-late")
        .await
        .token();
    assert_eq!(
        absolute(changed.clone()).await,
        limit,
        "a password change restarted the 12 hours"
    );
    while api.clock().now() < limit {
        assert_eq!(api.me(&changed).await.status, 200);
        api.advance(25 * 60);
    }
    api.me(&changed).await.assert_error(401, "session_expired");
}

/// Rules 23 and 24: a failed reauth is no activity on the session: 20 minutes in, a wrong
/// password, then 11 more minutes make 31 idle minutes, and the session has expired.
#[tokio::test(flavor = "multi_thread")]
async fn failed_reauth_does_not_restart_the_idle_time() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    api.advance(20 * 60);
    api.reauth(&token, "definitely-wrong-password")
        .await
        .assert_error(401, "invalid_credentials");
    api.advance(11 * 60);
    api.me(&token).await.assert_error(401, "session_expired");
}
