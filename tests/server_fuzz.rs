//! Property tests (SECURITY.md rules 31 and 32, and the "never 500" column of §4): arbitrary
//! JSON-ish bodies and strings thrown at every sign-in route of a real server never get a 5xx,
//! and every refusal is the error envelope.

mod common;

use bsmart::wire::AuthStep;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

/// Arbitrary JSON values, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-z@.]{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof!["email|password|challenge|code".prop_map(String::from), any::<String>()],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A request body: structured fields with hostile strings, any JSON value, or raw bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let hostile = prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        Just("\u{0}\r\n\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}".to_string()),
        Just("１２３４５６".to_string()),
        "[0-9 -]{0,12}",
        (0usize..3000).prop_map(|n| "é".repeat(n)),
    ];
    prop_oneof![
        (hostile.clone(), hostile.clone()).prop_map(|(a, b)| {
            serde_json::json!({"email": a, "password": b, "challenge": a, "code": b})
                .to_string()
                .into_bytes()
        }),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..200),
    ]
}

fn check(r: &Reply) -> Result<(), TestCaseError> {
    if r.status == 200 {
        prop_assert!(
            serde_json::from_str::<AuthStep>(&r.text).is_ok(),
            "200 without an AuthStep: {}",
            r.text
        );
        Ok(())
    } else {
        check_refusal(r)
    }
}

/// Anything but a success is a 4xx error envelope that shows nothing of the server's insides.
fn check_refusal(r: &Reply) -> Result<(), TestCaseError> {
    prop_assert!(r.status < 500, "server error {}: {}", r.status, r.text);
    if !(200..300).contains(&r.status) {
        prop_assert!((400..500).contains(&r.status), "status {}", r.status);
        let env = serde_json::from_str::<bsmart::wire::ErrorBody>(&r.text);
        prop_assert!(env.is_ok(), "{} without the envelope: {:?}", r.status, r.text);
        assert_no_internals(&r.text);
    }
    Ok(())
}

/// A runtime, a demo server on it, and a runner of 64 cases that keeps no failure files.
fn fuzz_setup() -> (tokio::runtime::Runtime, Api, TestRunner) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let api = rt.block_on(Api::start());
    let runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    (rt, api, runner)
}

#[test]
fn arbitrary_bodies_never_break_login_or_totp() {
    let (rt, api, mut runner) = fuzz_setup();
    runner
        .run(&(body(), any::<bool>(), any::<bool>()), |(bytes, totp, json_ct)| {
            rt.block_on(async {
                let path = if totp { "/auth/totp" } else { "/auth/login" };
                let ct = if json_ct {
                    "application/json"
                } else {
                    "application/json; charset=utf-8"
                };
                let req = api.http.post(api.srv.api(path)).header("content-type", ct).body(bytes);
                check(&api.send(req).await)
            })
        })
        .unwrap();
    // The server is still healthy, and the demo accounts untouched by the noise still sign in.
    rt.block_on(async {
        assert_eq!(api.get("/setting", None).await.status, 200);
        api.sign_in(LEAD).await;
    });
}

#[test]
fn arbitrary_strings_as_credentials_never_break_login() {
    let (rt, api, mut runner) = fuzz_setup();
    runner
        .run(
            &(any::<String>(), any::<String>(), "\\PC{0,12}"),
            |(email, password, code)| {
                rt.block_on(async {
                    let r = api.login(&email, &password).await;
                    check(&r)?;
                    prop_assert!(r.status != 200, "signed in with {email:?}");
                    let r = api.totp(&email, &code).await;
                    check(&r)?;
                    prop_assert!(r.status != 200, "TOTP accepted a made-up challenge");
                    Ok(())
                })
            },
        )
        .unwrap();
}

/// §4 "all POSTs": the other sign-in routes, with and without a bearer token, never answer 5xx
/// and refuse in the envelope. (Wrong reauth or current passwords may lock the account on the
/// way; then the bearer cases exercise the refused-token path.)
#[test]
fn arbitrary_bodies_never_break_the_other_auth_routes() {
    const ROUTES: [&str; 4] = [
        "/auth/totp/enrol",
        "/auth/totp/confirm",
        "/auth/password",
        "/auth/reauth",
    ];
    let (rt, api, mut runner) = fuzz_setup();
    let token = rt.block_on(api.sign_in(TEACHER));
    runner
        .run(&(body(), 0..ROUTES.len(), any::<bool>()), |(bytes, route, bearer)| {
            rt.block_on(async {
                let mut req = api
                    .http
                    .post(api.srv.api(ROUTES[route]))
                    .header("content-type", "application/json")
                    .body(bytes);
                if bearer {
                    req = req.bearer_auth(&token);
                }
                check_refusal(&api.send(req).await)
            })
        })
        .unwrap();
    rt.block_on(async { assert_eq!(api.get("/setting", None).await.status, 200) });
}
