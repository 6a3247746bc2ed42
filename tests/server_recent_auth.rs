//! ASVS 5.0 7.5.1 over real HTTP: a bearer token alone cannot add an authentication factor.
//! Voluntary 2FA enrolment (`/auth/totp/enrol` and `/auth/totp/confirm` with a bearer token)
//! needs a full authentication of that session (sign-in, `/auth/reauth` or a password change)
//! in the last five minutes by the server's clock; enrolment as part of signing in (with the
//! login challenge) is bound by its challenges instead.

mod common;

use bsmart::wire::{AuthStep, TotpEnrolment};
use common::*;
use serde_json::json;

/// Just over the five minutes a full authentication counts as recent.
const STALE_SECS: u64 = 6 * 60;

/// Asserts a 403 `reauth_required` that tells the person what to do.
fn assert_reauth_required(r: &Reply) {
    r.assert_error(403, "reauth_required");
    let message = r.envelope().error.message.to_lowercase();
    assert!(
        message.contains("password"),
        "the message does not say what to do: {message}"
    );
}

/// Audit rows after `mark` recording a refused enrolment step `action` of the teacher.
async fn refusals(api: &Api, mark: i64, action: &str) -> usize {
    api.audit_since(mark)
        .await
        .iter()
        .filter(|r| r.get("action") == action && r.get("outcome") == "reauth_required")
        .filter(|r| r.get("actor") == TEACHER.email)
        .count()
}

/// A fresh sign-in may enrol; six minutes later (even with requests in between, which keep the
/// session alive but prove nothing) the same token gets 403 `reauth_required`, audited, and no
/// secret; after `/auth/reauth` the new token may enrol again.
#[tokio::test(flavor = "multi_thread")]
async fn bearer_enrolment_needs_a_recent_full_authentication() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    api.start_enrolment(&token).await;

    for _ in 0..3 {
        api.advance(STALE_SECS / 3);
        assert_eq!(api.me(&token).await.status, 200, "the session itself is still valid");
    }
    let mark = api.audit_mark().await;
    let r = api.post("/auth/totp/enrol", &json!({}), Some(&token)).await;
    assert_reauth_required(&r);
    assert!(
        !r.text.contains("otpauth"),
        "a secret came with the refusal: {}",
        r.text
    );
    assert_eq!(
        refusals(&api, mark, "totp.enrol").await,
        1,
        "the refusal is not audited"
    );

    let token = api.reauth(&token, TEACHER.password).await.token();
    let (token, _, codes) = api.enrol_with_bearer(&token).await;
    assert_eq!(codes.len(), 10);
    assert!(
        api.me(&token).await.json.unwrap()["user"]["totp_enabled"]
            .as_bool()
            .unwrap()
    );
}

/// An enrolment started while the sign-in was recent cannot be confirmed once it is stale: the
/// holder of a stolen token cannot park a secret and bind it later.
#[tokio::test(flavor = "multi_thread")]
async fn confirm_after_a_stale_start_is_refused() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let secret = api.start_enrolment(&token).await;
    api.advance(STALE_SECS);
    let mark = api.audit_mark().await;
    let r = api
        .post(
            "/auth/totp/confirm",
            &json!({ "code": api.code_now(&secret) }),
            Some(&token),
        )
        .await;
    assert_reauth_required(&r);
    assert_eq!(
        refusals(&api, mark, "totp.confirm").await,
        1,
        "the refusal is not audited"
    );
    let me = api.me(&token).await;
    assert_eq!(me.json.unwrap()["user"]["totp_enabled"], false, "2FA was set up anyway");
}

/// A voluntary password change checks the current password, so it counts as a full
/// authentication too.
#[tokio::test(flavor = "multi_thread")]
async fn a_password_change_makes_the_session_recent_again() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    api.advance(STALE_SECS);
    assert_reauth_required(&api.post("/auth/totp/enrol", &json!({}), Some(&token)).await);
    let token = api
        .change_password(&token, TEACHER.password, "a brand new walk by the river")
        .await
        .token();
    api.start_enrolment(&token).await;
}

/// Enrolment as part of signing in is unaffected: each step has its own single-use challenge
/// (five minutes each), so the whole of it may take longer than five minutes.
#[tokio::test(flavor = "multi_thread")]
async fn challenge_enrolment_is_unaffected() {
    let api = Api::start_requiring_2fa().await;
    let challenge = api.login(TEACHER.email, TEACHER.password).await.challenge();
    api.advance(4 * 60);
    let r = api
        .post("/auth/totp/enrol", &json!({ "challenge": challenge }), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let enrolment: TotpEnrolment = serde_json::from_str(&r.text).expect("TotpEnrolment");
    api.advance(4 * 60);
    let r = api
        .post(
            "/auth/totp/confirm",
            &json!({ "challenge": enrolment.challenge, "code": api.code_now(&enrolment.secret) }),
            None,
        )
        .await;
    let AuthStep::Ok { recovery_codes, .. } = r.step() else {
        panic!("confirm did not sign in: {}", r.text);
    };
    assert_eq!(recovery_codes.len(), 10);
}
