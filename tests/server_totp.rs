//! SECURITY.md rules 15-21 (TOTP, recovery codes, login challenges), over real HTTP, with the
//! server's injected clock deciding the TOTP step.

mod common;

use bsmart::server::testing::totp_at_step;
use bsmart::wire::{AuthStep, TotpEnrolment};
use common::*;
use serde_json::json;

fn lead_secret() -> &'static str {
    LEAD.totp.unwrap()
}

/// Rule 17: the same code twice in a row: the second is 401 `invalid_code`.
#[tokio::test(flavor = "multi_thread")]
async fn same_code_twice_is_refused() {
    let api = Api::start().await;
    let code = api.code_now(lead_secret());
    let c1 = api.login(LEAD.email, LEAD.password).await.challenge();
    let token = api.totp(&c1, &code).await.token();
    assert_eq!(api.me(&token).await.status, 200);
    let c2 = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c2, &code).await.assert_error(401, "invalid_code");
    // The next step's code works (the account was not broken by the replay).
    api.advance(30);
    let c3 = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c3, &api.code_now(lead_secret())).await.token();
}

/// Rule 17 / finding 4: the same code in two parallel requests: exactly one 200.
///
/// The two requests count as attempts, and a success with another attempt in flight does not
/// reset the count (rule 10: a success in the middle of a burst must not wipe the burst), so
/// each round starts with one sign-in on its own, which does.
#[tokio::test(flavor = "multi_thread")]
async fn same_code_in_parallel_exactly_one_wins() {
    let api = Api::start().await;
    for round in 0..5 {
        api.advance(30);
        let alone = api.login(LEAD.email, LEAD.password).await.challenge();
        api.totp(&alone, &api.code_now(lead_secret())).await.token();
        api.advance(30);
        let code = api.code_now(lead_secret());
        let c1 = api.login(LEAD.email, LEAD.password).await.challenge();
        let c2 = api.login(LEAD.email, LEAD.password).await.challenge();
        let (a, b) = tokio::join!(api.totp(&c1, &code), api.totp(&c2, &code));
        let oks = [&a, &b].iter().filter(|r| r.status == 200).count();
        assert_eq!(
            oks, 1,
            "round {round}: {} {} / {} {}",
            a.status, a.text, b.status, b.text
        );
        let loser = if a.status == 200 { &b } else { &a };
        loser.assert_error(401, "invalid_code");
    }
}

/// Rule 16: ±1 step accepted, ±2 refused; the server's clock is the only time source.
#[tokio::test(flavor = "multi_thread")]
async fn window_is_one_step_each_way() {
    let api = Api::start().await;
    let s = lead_secret();
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, -2))
        .await
        .assert_error(401, "invalid_code");
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, 2)).await.assert_error(401, "invalid_code");
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, -1)).await.token();
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, 1)).await.token();
    // Ten minutes on, the old "future" code is far in the past.
    api.advance(600);
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &totp_at_step(s, api.step_now() - 19))
        .await
        .assert_error(401, "invalid_code");
}

/// Rule 17: steps only move forward: a step −1 code after a step 0 code is refused.
#[tokio::test(flavor = "multi_thread")]
async fn older_step_after_newer_is_refused() {
    let api = Api::start().await;
    let s = lead_secret();
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, 0)).await.token();
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, -1))
        .await
        .assert_error(401, "invalid_code");
    // And after a +1 code, the current one is refused too.
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_at(s, 1)).await.token();
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    let same_step_as_before = api.code_at(s, 0);
    api.totp(&c, &same_step_as_before)
        .await
        .assert_error(401, "invalid_code");
}

/// §4: malformed codes are 401 or 422 in the envelope, never a 500; spaces are stripped.
#[tokio::test(flavor = "multi_thread")]
async fn malformed_codes_are_refused_cleanly() {
    let api = Api::start().await;
    let long = "9".repeat(10_000);
    let bad = [
        " 123 456",
        "12345",
        "1234567",
        "abcdef",
        "１２３４５６",
        "-12345",
        "",
        "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
        &long,
    ];
    for code in bad {
        // A fresh challenge each time, and a full success after each failure, so that the
        // failures never add up to a lock-out.
        let c = api.login(LEAD.email, LEAD.password).await.challenge();
        let r = api.totp(&c, code).await;
        assert!(
            r.status == 401 || r.status == 422,
            "code {code:?}: {} {}",
            r.status,
            r.text
        );
        r.envelope();
        api.sign_in(LEAD).await;
    }
    // Decision: spaces are ignored, so "123 456" as typed from an authenticator app works.
    api.advance(30);
    let code = api.code_now(lead_secret());
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &spaced).await.token();
}

/// Rule 19: a challenge is single-use, bound to one account and one stage, never a bearer
/// token, and expires within 5 minutes.
#[tokio::test(flavor = "multi_thread")]
async fn challenges_are_single_use_bound_and_short_lived() {
    let api = Api::start().await;
    // Reused after success.
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.totp(&c, &api.code_now(lead_secret())).await.token();
    api.advance(30);
    let r = api.totp(&c, &api.code_now(lead_secret())).await;
    r.assert_error(401, "invalid_challenge");
    // A's challenge with B's code: no token for either.
    api.advance(30);
    let lead_challenge = api.login(LEAD.email, LEAD.password).await.challenge();
    let r = api.totp(&lead_challenge, &api.code_now(ADMIN.totp.unwrap())).await;
    assert_eq!(r.status, 401, "lead's challenge accepted the admin's code: {}", r.text);
    // The challenge as a bearer token.
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.me(&c).await.assert_error(401, "unauthenticated");
    assert_eq!(api.get("/incidents", Some(&c)).await.status, 401);
    // The wrong stage: a TOTP challenge cannot change the password or enrol a new secret.
    let r = api
        .post(
            "/auth/password",
            &json!({ "challenge": c, "new_password": "a-new-long-passphrase" }),
            None,
        )
        .await;
    assert_eq!(r.status, 401, "totp challenge changed the password: {}", r.text);
    let r = api.post("/auth/totp/enrol", &json!({ "challenge": c }), None).await;
    assert_eq!(r.status, 401, "totp challenge re-enrolled 2FA: {}", r.text);
    // Older than 5 minutes.
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.advance(5 * 60 + 1);
    api.totp(&c, &api.code_now(lead_secret()))
        .await
        .assert_error(401, "invalid_challenge");
    // Four minutes is still fine.
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    api.advance(4 * 60);
    api.totp(&c, &api.code_now(lead_secret())).await.token();
    // A challenge is random and long (≥128 bits).
    let c = api.login(LEAD.email, LEAD.password).await.challenge();
    assert!(alphabet_bits(&c) >= 128.0, "short challenge: {c}");
    // An invented challenge.
    api.totp(
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &api.code_now(lead_secret()),
    )
    .await
    .assert_error(401, "invalid_challenge");
}

/// Rule 20: an admin gets no token without the second factor.
#[tokio::test(flavor = "multi_thread")]
async fn admin_needs_totp() {
    let api = Api::start().await;
    let step = api.login(ADMIN.email, ADMIN.password).await.step();
    let AuthStep::TotpRequired { challenge, demo_hint } = step else {
        panic!("admin signed in without TOTP: {step:?}");
    };
    // Demo hint: the current code (demo setting only).
    if let Some(hint) = demo_hint {
        assert_eq!(hint, api.code_now(ADMIN.totp.unwrap()));
    }
    api.me(&challenge).await.assert_error(401, "unauthenticated");
    let r = api
        .post(
            "/auth/totp/confirm",
            &json!({ "challenge": challenge, "code": "123456" }),
            None,
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    let token = api.sign_in(ADMIN).await;
    // A stolen bearer token cannot replace the 2FA of an enrolled account.
    let r = api.post("/auth/totp/enrol", &json!({}), Some(&token)).await;
    r.assert_error(403, "forbidden");
}

/// Rules 15, 17, 18, 20, 21: enrolment through the login challenge (every account needs 2FA),
/// secret of 160 bits, 10 recovery codes, confirm code spends its step, secret never shown again.
#[tokio::test(flavor = "multi_thread")]
async fn enrolment_via_challenge() {
    let api = Api::start_requiring_2fa().await;
    let step = api.login(TEACHER.email, TEACHER.password).await.step();
    let AuthStep::TotpEnrolmentRequired { challenge } = step else {
        panic!("teacher without 2FA should have to enrol: {step:?}");
    };
    api.me(&challenge).await.assert_error(401, "unauthenticated");
    // Bound to its stage: the enrolment challenge cannot change the password.
    let body = json!({ "challenge": challenge, "new_password": "stage-skipping-passphrase" });
    let r = api.post("/auth/password", &body, None).await;
    assert_eq!(r.status, 401, "enrolment challenge changed the password: {}", r.text);
    let r = api
        .post("/auth/totp/enrol", &json!({ "challenge": challenge }), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let enrolment: TotpEnrolment = serde_json::from_str(&r.text).expect("TotpEnrolment");
    let secret = enrolment.secret.clone();
    let raw = data_encoding::BASE32_NOPAD
        .decode(secret.trim_end_matches('=').as_bytes())
        .expect("base32 secret");
    assert!(raw.len() >= 20, "TOTP secret of {} bits", raw.len() * 8);
    let url = &enrolment.otpauth_url;
    assert!(url.starts_with("otpauth://totp/"), "{url}");
    assert!(url.contains(&format!("secret={secret}")), "{url}");
    assert!(!url.contains("algorithm=") || url.contains("algorithm=SHA1"), "{url}");
    assert!(!url.contains("digits=") || url.contains("digits=6"), "{url}");
    assert!(!url.contains("period=") || url.contains("period=30"), "{url}");
    let confirm_challenge = enrolment.challenge.clone().unwrap_or_else(|| challenge.clone());
    // A wrong code does not confirm.
    let r = api
        .post(
            "/auth/totp/confirm",
            &json!({ "challenge": confirm_challenge, "code": "000000" }),
            None,
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    let code = api.code_now(&secret);
    let r = api
        .post(
            "/auth/totp/confirm",
            &json!({ "challenge": confirm_challenge, "code": code }),
            None,
        )
        .await;
    let mut seen = vec![r.text.clone()];
    let AuthStep::Ok {
        token,
        recovery_codes,
        user,
        ..
    } = r.step()
    else {
        panic!("confirm: {}", r.text)
    };
    assert!(user.totp_enabled);
    assert_eq!(recovery_codes.len(), 10);
    let distinct: std::collections::HashSet<_> = recovery_codes.iter().collect();
    assert_eq!(distinct.len(), 10, "repeated recovery codes");
    for rc in &recovery_codes {
        assert!(alphabet_bits(rc) >= 64.0, "recovery code under 64 bits: {rc}");
    }
    // The confirm code cannot be used again to log in within the same step.
    let c = api.login(TEACHER.email, TEACHER.password).await.challenge();
    let r = api.totp(&c, &code).await;
    r.assert_error(401, "invalid_code");
    seen.push(r.text);
    api.advance(30);
    let r = api.totp(&c, &api.code_now(&secret)).await;
    seen.push(r.text.clone());
    let token2 = r.token();
    for t in [&token, &token2] {
        let r = api.me(t).await;
        assert_eq!(r.status, 200);
        seen.push(r.text);
    }
    seen.push(api.get("/setting", None).await.text);
    seen.push(api.get("/incidents", Some(&token2)).await.text);
    seen.push(api.get("/notifications", Some(&token2)).await.text);
    for body in &seen[1..] {
        assert!(!body.contains(&secret), "TOTP secret returned after enrolment: {body}");
    }
    // Rule 21: the secret is not stored in clear.
    let db = db_bytes(&api.srv.db_path);
    assert!(!contains_bytes(&db, secret.as_bytes()), "base32 secret stored in clear");
    assert!(!contains_bytes(&db, &raw), "raw secret stored in clear");
    // Rule 18: recovery codes are stored hashed.
    for rc in &recovery_codes {
        assert!(
            !contains_bytes(&db, rc.as_bytes()),
            "recovery code stored in clear: {rc}"
        );
    }
    // The old challenge cannot start another enrolment.
    let r = api
        .post("/auth/totp/enrol", &json!({ "challenge": challenge }), None)
        .await;
    assert_eq!(r.status, 401, "enrolment challenge reused: {}", r.text);
}

/// Rule 21: the demo secrets are not in the database file in clear either.
#[tokio::test(flavor = "multi_thread")]
async fn demo_secrets_are_sealed() {
    let api = Api::start().await;
    let db = db_bytes(&api.srv.db_path);
    for acct in [ADMIN, LEAD] {
        let secret = acct.totp.unwrap();
        let raw = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).unwrap();
        assert!(
            !contains_bytes(&db, secret.as_bytes()),
            "{}: base32 secret in clear",
            acct.email
        );
        assert!(!contains_bytes(&db, &raw), "{}: raw secret in clear", acct.email);
    }
}

/// Rule 18, through the bearer enrolment newstarter is offered: recovery codes work once,
/// in lower case and with or without dashes.
#[tokio::test(flavor = "multi_thread")]
async fn recovery_codes_single_use_and_normalised() {
    let api = Api::start().await;
    let c = api.login(NEWSTARTER.email, NEWSTARTER.password).await.challenge();
    let new = "first-day-passphrase";
    let r = api
        .post("/auth/password", &json!({ "challenge": c, "new_password": new }), None)
        .await;
    let token = r.token();
    let (_, secret, codes) = api.enrol_with_bearer(&token).await;
    assert_eq!(codes.len(), 10);
    // From now on the new starter needs 2FA.
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &codes[0]).await.token();
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &codes[0]).await.assert_error(401, "invalid_code");
    // Lower case.
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &codes[1].to_lowercase()).await.token();
    // Dashes: removed if the code has them, added if it has none.
    let dashed = if codes[2].contains('-') {
        codes[2].replace('-', "")
    } else {
        let chars: Vec<char> = codes[2].chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    };
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &dashed).await.token();
    // Mixed: lower case with dashes on a fresh code.
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &format!(" {} ", codes[3].to_lowercase())).await.token();
    // TOTP still works alongside.
    api.advance(30);
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &api.code_now(&secret)).await.token();
    // A used recovery code stays used.
    let c = api.login(NEWSTARTER.email, new).await.challenge();
    api.totp(&c, &codes[1]).await.assert_error(401, "invalid_code");
}

/// Rule 20: an admin made with `bsmart admin create-admin` gets no token until 2FA is enrolled,
/// even in the demo setting where staff may skip 2FA; enrolment through the challenge gives a
/// secret, an otpauth URL and, on confirming, 10 recovery codes.
#[tokio::test(flavor = "multi_thread")]
async fn new_admin_must_enrol_before_any_token() {
    let api = Api::start().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["admin", "create-admin", "--db"])
        .arg(&api.srv.db_path)
        .args(["--email", "second.admin@demo.test", "--name", "Second Admin"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bsmart admin create-admin");
    assert!(
        out.status.success(),
        "create-admin failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = stdout.lines().skip_while(|l| !l.contains("Temporary password"));
    lines.next();
    let temporary = lines.next().expect("no temporary password printed").trim().to_string();
    assert!(
        temporary.chars().count() >= 15,
        "temporary password too short: {temporary:?}"
    );
    let email = "second.admin@demo.test";
    let challenge = api.login(email, &temporary).await.step();
    let AuthStep::PasswordChangeRequired { challenge, .. } = challenge else {
        panic!("a new admin must change the temporary password first: {challenge:?}");
    };
    let new = "second-admin-own-passphrase";
    let body = json!({ "challenge": challenge, "new_password": new });
    let step = api.post("/auth/password", &body, None).await.step();
    let AuthStep::TotpEnrolmentRequired { challenge } = step else {
        panic!("an admin got past the password change without 2FA: {step:?}");
    };
    api.me(&challenge).await.assert_error(401, "unauthenticated");
    assert_eq!(api.get("/incidents", Some(&challenge)).await.status, 401);
    // Signing in again with the new password still demands enrolment.
    let again = api.login(email, new).await.step();
    assert!(
        matches!(again, AuthStep::TotpEnrolmentRequired { .. }),
        "admin without 2FA: {again:?}"
    );
    let r = api
        .post("/auth/totp/enrol", &json!({ "challenge": challenge }), None)
        .await;
    let enrolment: TotpEnrolment = serde_json::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text));
    assert!(
        enrolment.otpauth_url.starts_with("otpauth://totp/"),
        "{}",
        enrolment.otpauth_url
    );
    assert!(enrolment.otpauth_url.contains(&enrolment.secret));
    let confirm_challenge = enrolment.challenge.clone().unwrap_or_else(|| challenge.clone());
    let code = api.code_now(&enrolment.secret);
    let r = api
        .post(
            "/auth/totp/confirm",
            &json!({ "challenge": confirm_challenge, "code": code }),
            None,
        )
        .await;
    let AuthStep::Ok {
        token,
        user,
        recovery_codes,
        ..
    } = r.step()
    else {
        panic!("confirm: {}", r.text)
    };
    assert_eq!(user.role, bsmart::wire::Role::Admin);
    assert!(user.totp_enabled);
    assert_eq!(recovery_codes.len(), 10);
    let me = api.me(&token).await;
    assert_eq!(me.status, 200);
    assert!(!me.text.contains(&enrolment.secret));
    // From now on the admin signs in with password and code.
    api.advance(30);
    let c = api.login(email, new).await.challenge();
    let r = api.totp(&c, &api.code_now(&enrolment.secret)).await;
    assert!(!r.text.contains(&enrolment.secret));
    r.token();
    // The temporary password shows up nowhere in the audit log.
    for row in api.audit().await {
        assert!(
            !row.all_text().contains(&temporary.to_lowercase()),
            "temporary password in audit: {row:?}"
        );
    }
}

/// A sign-in with a recovery code says how many unused codes are left; a sign-in with a TOTP
/// code, or without 2FA, says nothing about them.
#[tokio::test(flavor = "multi_thread")]
async fn a_recovery_code_sign_in_says_how_many_are_left() {
    let api = Api::start().await;
    let AuthStep::Ok {
        token,
        recovery_codes_left,
        ..
    } = api.login(TEACHER.email, TEACHER.password).await.step()
    else {
        panic!("the teacher has no 2FA yet");
    };
    assert_eq!(recovery_codes_left, None);
    let (_, secret, codes) = api.enrol_with_bearer(&token).await;
    for (used, code) in codes[..2].iter().enumerate() {
        let challenge = api.login(TEACHER.email, TEACHER.password).await.challenge();
        match api.totp(&challenge, code).await.step() {
            AuthStep::Ok {
                recovery_codes_left, ..
            } => assert_eq!(recovery_codes_left, Some(9 - used as u32)),
            other => panic!("{other:?}"),
        }
    }
    api.advance(30);
    let challenge = api.login(TEACHER.email, TEACHER.password).await.challenge();
    match api.totp(&challenge, &api.code_now(&secret)).await.step() {
        AuthStep::Ok {
            recovery_codes_left, ..
        } => assert_eq!(recovery_codes_left, None),
        other => panic!("{other:?}"),
    }
}

/// Rules 17-19 under races: one recovery code in two parallel requests, and one challenge
/// spent by two parallel requests with two valid codes: exactly one success each time. A
/// success beside another attempt in flight stays counted toward the lock-out (so that no burst
/// can reopen slots), and so does the loser: a full sign-in on its own resets the count
/// between races.
#[tokio::test(flavor = "multi_thread")]
async fn single_use_holds_under_parallel_requests() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let (_, secret, codes) = api.enrol_with_bearer(&token).await;
    let sign_in_alone = || async {
        api.advance(90);
        let c = api.login(TEACHER.email, TEACHER.password).await.challenge();
        api.totp(&c, &api.code_now(&secret)).await.token();
    };
    for code in &codes[..3] {
        let c1 = api.login(TEACHER.email, TEACHER.password).await.challenge();
        let c2 = api.login(TEACHER.email, TEACHER.password).await.challenge();
        let (a, b) = tokio::join!(api.totp(&c1, code), api.totp(&c2, code));
        let oks = [&a, &b].iter().filter(|r| r.status == 200).count();
        assert_eq!(
            oks, 1,
            "recovery code used twice in parallel: {} {} / {} {}",
            a.status, a.text, b.status, b.text
        );
        sign_in_alone().await;
    }
    for _ in 0..3 {
        api.advance(90);
        let c = api.login(TEACHER.email, TEACHER.password).await.challenge();
        let (now, next) = (api.code_at(&secret, 0), api.code_at(&secret, 1));
        let (a, b) = tokio::join!(api.totp(&c, &now), api.totp(&c, &next));
        let oks = [&a, &b].iter().filter(|r| r.status == 200).count();
        assert_eq!(
            oks, 1,
            "one challenge gave two tokens: {} {} / {} {}",
            a.status, a.text, b.status, b.text
        );
        sign_in_alone().await;
    }
}

/// Rule 17 under a race: the same confirm code in two parallel bearer requests enrols once;
/// the other is 401 `invalid_code`, and only one set of recovery codes exists.
#[tokio::test(flavor = "multi_thread")]
async fn parallel_confirms_enrol_once() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let secret = api.start_enrolment(&token).await;
    api.advance(30);
    let body = json!({ "code": api.code_now(&secret) });
    let (a, b) = tokio::join!(
        api.post("/auth/totp/confirm", &body, Some(&token)),
        api.post("/auth/totp/confirm", &body, Some(&token))
    );
    let oks = [&a, &b].iter().filter(|r| r.status == 200).count();
    assert_eq!(oks, 1, "{} {} / {} {}", a.status, a.text, b.status, b.text);
    let loser = if a.status == 200 { &b } else { &a };
    assert!(loser.status == 401, "{} {}", loser.status, loser.text);
    loser.envelope();
    let codes = query_text(
        &api.srv.db_path,
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = (SELECT id FROM users WHERE email = 'teacher@demo.test')",
    )
    .await;
    assert_eq!(codes[0][0].1, "10", "two enrolments left two sets of recovery codes");
}
