//! SECURITY.md rules 1-9 (passwords), over real HTTP against a real server and SQLite file.
//!
//! The demo setting makes 2FA optional for staff, so accounts without 2FA (the teacher) need 15
//! code points and accounts with 2FA (the lead) need 10; both limits are tested.

mod common;

use bsmart::server::testing::GUESSABLE_AT_FIFTEEN;
use bsmart::wire::{AuthStep, Setting};
use common::*;
use serde_json::json;

/// Lower-cased message of a 422 `weak_password` answer.
fn weak_reason(r: &Reply) -> String {
    r.assert_error(422, "weak_password");
    r.envelope().error.message.to_lowercase()
}

fn mentions_any(msg: &str, words: &[&str]) -> bool {
    words.iter().any(|w| msg.contains(w))
}

const LENGTH_WORDS: &[&str] = &["short", "at least", "characters", "long", "length", "10", "15"];
const DENY_WORDS: &[&str] = &["common", "list", "known", "guess", "breach", "popular"];
const CONTEXT_WORDS: &[&str] = &[
    "school",
    "setting",
    "name",
    "email",
    "riverside",
    "bsmart",
    "besmart",
    "context",
    "account",
    "your",
];

#[tokio::test(flavor = "multi_thread")]
async fn setting_publishes_the_password_rules() {
    let api = Api::start().await;
    let r = api.get("/setting", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s: Setting = serde_json::from_str(&r.text).expect("Setting");
    assert_eq!(s.name, SETTING_NAME);
    assert_eq!(s.password_rules.min_chars, 10);
    assert_eq!(s.password_rules.min_chars_without_2fa, 15);
    assert_eq!(s.password_rules.max_chars, 256);
    assert!(!s.password_rules.require_2fa_for_all);
    // A demo setting lists its demo accounts for the sign-in screen, with their passwords.
    assert!(s.demo);
    let listed: Vec<(&str, &str)> = s
        .demo_accounts
        .iter()
        .map(|a| (a.email.as_str(), a.password.as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = [ADMIN, LEAD, TEACHER, NEWSTARTER]
        .iter()
        .map(|a| (a.email, a.password))
        .collect();
    assert_eq!(listed, expected);
}

/// The forced change says how long the new password must be for this account: 15 code points
/// where 2FA is optional and the account has none, 10 where the setting requires 2FA.
#[tokio::test(flavor = "multi_thread")]
async fn a_forced_change_says_how_long_the_password_must_be() {
    for (api, expected) in [(Api::start().await, 15), (Api::start_requiring_2fa().await, 10)] {
        match api.login(NEWSTARTER.email, NEWSTARTER.password).await.step() {
            AuthStep::PasswordChangeRequired { min_chars, .. } => assert_eq!(min_chars, expected),
            other => panic!("{other:?}"),
        }
    }
}

/// Rule 1: 10 code points for an account with 2FA, counted as code points, not bytes.
#[tokio::test(flavor = "multi_thread")]
async fn minimum_is_ten_code_points_with_2fa() {
    let api = Api::start().await;
    let token = api.sign_in(LEAD).await;
    // 9 code points (18 bytes): refused, and the reason says it is about length.
    let nine = "éüñøåçîõà";
    assert_eq!(nine.chars().count(), 9);
    let msg = weak_reason(&api.change_password(&token, LEAD.password, nine).await);
    assert!(
        mentions_any(&msg, LENGTH_WORDS),
        "reason does not name the length rule: {msg}"
    );
    let msg = weak_reason(&api.change_password(&token, LEAD.password, "Zq7wM3pvX").await);
    assert!(mentions_any(&msg, LENGTH_WORDS), "{msg}");
    // Still the old password.
    let r = api.login(LEAD.email, LEAD.password).await;
    assert!(matches!(r.step(), AuthStep::TotpRequired { .. }));
    // Exactly 10 code points: accepted, and it is the password from now on.
    let ten = "Zq7wM3pvXk";
    let r = api.change_password(&token, LEAD.password, ten).await;
    assert_eq!(r.status, 200, "10 code points refused for a 2FA account: {}", r.text);
    assert!(matches!(
        api.login(LEAD.email, ten).await.step(),
        AuthStep::TotpRequired { .. }
    ));
    api.login(LEAD.email, LEAD.password)
        .await
        .assert_error(401, "invalid_credentials");
}

/// Decision of finding 3: accounts without 2FA, where the setting allows that, need 15.
#[tokio::test(flavor = "multi_thread")]
async fn minimum_is_fifteen_without_2fa() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let fourteen = "Zq7wM3pvXk4Rt9";
    assert_eq!(fourteen.chars().count(), 14);
    let msg = weak_reason(&api.change_password(&token, TEACHER.password, fourteen).await);
    assert!(mentions_any(&msg, LENGTH_WORDS), "{msg}");
    let fifteen = "Zq7wM3pvXk4Rt9b";
    let r = api.change_password(&token, TEACHER.password, fifteen).await;
    assert_eq!(r.status, 200, "15 code points refused: {}", r.text);
    api.sign_in_with(TEACHER, fifteen).await;
}

/// Rule 2: 256 code points accepted, 257 refused (422 on change, 401 on login).
#[tokio::test(flavor = "multi_thread")]
async fn maximum_is_256_code_points() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    // 256 code points, 276 bytes: a passphrase (a repeated short pattern would be refused as
    // guessable).
    let long: String = "café orchard lantern 7 by the weir "
        .chars()
        .cycle()
        .take(256)
        .collect();
    assert_eq!(long.chars().count(), 256);
    assert!(long.len() > 256);
    let too_long = format!("{long}x");
    let msg = weak_reason(&api.change_password(&token, TEACHER.password, &too_long).await);
    assert!(
        mentions_any(&msg, &["long", "at most", "256", "characters", "length"]),
        "{msg}"
    );
    let r = api.change_password(&token, TEACHER.password, &long).await;
    assert_eq!(r.status, 200, "256 code points refused: {}", r.text);
    api.sign_in_with(TEACHER, &long).await;
    // A 257-code-point login attempt is an ordinary failure, not a crash or a different answer.
    let r = api.login(TEACHER.email, &too_long).await;
    r.assert_error(401, "invalid_credentials");
    // A 60,000-character password (inside the body limit) is refused the same way.
    api.login(TEACHER.email, &"x".repeat(60_000))
        .await
        .assert_error(401, "invalid_credentials");
}

/// Rule 5: NFKC before hashing; no truncation, no case folding.
#[tokio::test(flavor = "multi_thread")]
async fn unicode_forms_log_in_and_nothing_else_does() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let nfc = "café-au-lait-sur-la-table"; // U+00E9
    let nfd = "cafe\u{301}-au-lait-sur-la-table"; // e + combining acute
    assert_ne!(nfc, nfd);
    let r = api.change_password(&token, TEACHER.password, nfc).await;
    assert_eq!(r.status, 200, "{}", r.text);
    api.sign_in_with(TEACHER, nfc).await;
    api.sign_in_with(TEACHER, nfd).await;
    // Compatibility forms too: the "ﬁ" ligature and full-width letters fold to plain ones.
    let token = api.sign_in_with(TEACHER, nfc).await;
    let r = api.change_password(&token, nfd, "ﬁne-ｆｕｌｌｗｉｄｔｈ-words").await;
    assert_eq!(r.status, 200, "{}", r.text);
    api.sign_in_with(TEACHER, "fine-fullwidth-words").await;
    // Verified exactly as sent: no case folding, no truncation, no trimming.
    for wrong in [
        "FINE-FULLWIDTH-WORDS",
        "fine-fullwidth-word",
        "fine-fullwidth-words!",
        " fine-fullwidth-words",
    ] {
        api.login(TEACHER.email, wrong)
            .await
            .assert_error(401, "invalid_credentials");
    }
    api.sign_in_with(TEACHER, "fine-fullwidth-words").await;
}

/// Rule 4: the bundled deny list, with the reason in the message.
#[tokio::test(flavor = "multi_thread")]
async fn common_passwords_are_refused_with_the_reason() {
    let api = Api::start().await;
    let token = api.sign_in(LEAD).await;
    for pw in ["password12", "qwertyuiop", "1234567890"] {
        let msg = weak_reason(&api.change_password(&token, LEAD.password, pw).await);
        assert!(
            mentions_any(&msg, DENY_WORDS),
            "{pw}: reason does not name the deny list: {msg}"
        );
        api.login(LEAD.email, pw).await.assert_error(401, "invalid_credentials");
    }
    assert!(matches!(
        api.login(LEAD.email, LEAD.password).await.step(),
        AuthStep::TotpRequired { .. }
    ));
}

/// Rule 4 beyond the deny list: passwords that are easy to guess although they are long enough
/// and not on the list (repeats, sequences, keyboard rows, common words with digits, their
/// full-width forms) are refused at every length, with zxcvbn's warning and suggestion as the
/// reason; none of them becomes the password.
#[tokio::test(flavor = "multi_thread")]
async fn guessable_passwords_are_refused_at_every_length() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let hash = "SELECT password_hash FROM users WHERE email = 'teacher@demo.test'";
    let before = query_text(&api.srv.db_path, hash).await;
    let more = [
        "sarahwhitfield2024",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ];
    for &pw in GUESSABLE_AT_FIFTEEN.iter().chain(&more) {
        let msg = weak_reason(&api.change_password(&token, TEACHER.password, pw).await);
        assert!(
            mentions_any(
                &msg,
                &["guess", "common", "repeat", "sequence", "keys", "pattern", "name"]
            ),
            "{pw}: the reason does not say why it is weak: {msg}"
        );
        assert!(msg.len() < 400, "{pw}: a reason nobody reads: {msg}");
    }
    assert_eq!(
        query_text(&api.srv.db_path, hash).await,
        before,
        "a refused password was set"
    );
    api.sign_in(TEACHER).await;
    // The lead has 2FA, so 10 code points are enough, but not guessable ones.
    let lead = api.sign_in(LEAD).await;
    for pw in ["1q2w3e4r5t", "Password12", "qazwsxedcrfv"] {
        weak_reason(&api.change_password(&lead, LEAD.password, pw).await);
    }
}

/// Rule 4: context words (the school's name, the product, the email's local part).
#[tokio::test(flavor = "multi_thread")]
async fn context_words_are_refused_with_the_reason() {
    let api = Api::start().await;
    let token = api.sign_in(LEAD).await;
    for pw in [
        "Riverside2024",
        "RiversideAcademy2024",
        "riverside academy 2024",
        "bsmart2024!!",
        "besmart-2024",
    ] {
        let msg = weak_reason(&api.change_password(&token, LEAD.password, pw).await);
        assert!(
            mentions_any(&msg, CONTEXT_WORDS),
            "{pw}: reason does not name the context rule: {msg}"
        );
    }
    // The email's local part, for a teacher (15+ code points so length is not the reason).
    let t = api.sign_in(TEACHER).await;
    let msg = weak_reason(&api.change_password(&t, TEACHER.password, "teacher!!teacher!!").await);
    assert!(mentions_any(&msg, CONTEXT_WORDS), "{msg}");
}

/// Rule 4 on a forced change too: where every account needs 2FA (min 10), `newstarter!!` is
/// refused for the email's local part, not for its length.
#[tokio::test(flavor = "multi_thread")]
async fn email_local_part_refused_on_forced_change() {
    let api = Api::start_requiring_2fa().await;
    let challenge = api.login(NEWSTARTER.email, NEWSTARTER.password).await.challenge();
    let r = api
        .post(
            "/auth/password",
            &json!({ "challenge": challenge, "new_password": "newstarter!!" }),
            None,
        )
        .await;
    let msg = weak_reason(&r);
    assert!(mentions_any(&msg, CONTEXT_WORDS), "{msg}");
}

/// Rule 8: a voluntary change needs the right current password.
#[tokio::test(flavor = "multi_thread")]
async fn voluntary_change_needs_the_current_password() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let new = "a-brand-new-passphrase";
    api.change_password(&token, "not-the-current-one", new)
        .await
        .assert_error(401, "invalid_credentials");
    // Missing current password: refused too.
    let r = api
        .post("/auth/password", &json!({ "new_password": new }), Some(&token))
        .await;
    assert!(
        r.status == 401 || r.status == 422,
        "change without the current password: {} {}",
        r.status,
        r.text
    );
    r.envelope();
    // No token and no challenge: refused.
    let r = api
        .post(
            "/auth/password",
            &json!({ "current_password": TEACHER.password, "new_password": new }),
            None,
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    r.envelope();
    // Nothing changed.
    api.login(TEACHER.email, new)
        .await
        .assert_error(401, "invalid_credentials");
    let token = api.sign_in(TEACHER).await;
    assert_eq!(api.change_password(&token, TEACHER.password, new).await.status, 200);
    api.sign_in_with(TEACHER, new).await;
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(401, "invalid_credentials");
}

/// Rules 8 and 9: the forced change is proven by the challenge; the temporary password then
/// stops working; the challenge is single-use and no bearer token.
#[tokio::test(flavor = "multi_thread")]
async fn forced_change_with_the_challenge() {
    let api = Api::start().await;
    let challenge = api.login(NEWSTARTER.email, NEWSTARTER.password).await.step();
    let AuthStep::PasswordChangeRequired { challenge, .. } = challenge else {
        panic!("newstarter should have to change the password first, got {challenge:?}");
    };
    // The challenge is not a session.
    api.me(&challenge).await.assert_error(401, "unauthenticated");
    // Nor a TOTP challenge.
    let r = api.totp(&challenge, "123456").await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Nor an enrolment challenge: 2FA cannot be set up while skipping the forced change.
    let r = api
        .post("/auth/totp/enrol", &json!({ "challenge": challenge }), None)
        .await;
    assert_eq!(r.status, 401, "password-change challenge started enrolment: {}", r.text);
    // Weak passwords are refused, and the challenge survives that.
    let r = api
        .post(
            "/auth/password",
            &json!({ "challenge": challenge, "new_password": "short" }),
            None,
        )
        .await;
    weak_reason(&r);
    let new = "my-own-first-passphrase";
    let r = api
        .post(
            "/auth/password",
            &json!({ "challenge": challenge, "new_password": new }),
            None,
        )
        .await;
    // Demo setting: 2FA optional for staff, so signed in straight away.
    let token = r.token();
    assert_eq!(api.me(&token).await.status, 200);
    // The challenge was used up.
    let r = api
        .post(
            "/auth/password",
            &json!({ "challenge": challenge, "new_password": "another-passphrase-x" }),
            None,
        )
        .await;
    assert_eq!(r.status, 401, "a used challenge changed the password again: {}", r.text);
    // The temporary password is gone; the new one works without another forced change.
    api.login(NEWSTARTER.email, NEWSTARTER.password)
        .await
        .assert_error(401, "invalid_credentials");
    assert!(matches!(
        api.login(NEWSTARTER.email, new).await.step(),
        AuthStep::Ok { .. }
    ));
}

/// Rule 9: a temporary password expires after 72 hours.
#[tokio::test(flavor = "multi_thread")]
async fn temporary_password_expires_after_72_hours() {
    let api = Api::start().await;
    api.advance(71 * 3600);
    assert!(matches!(
        api.login(NEWSTARTER.email, NEWSTARTER.password).await.step(),
        AuthStep::PasswordChangeRequired { .. }
    ));
    api.advance(3600 + 60);
    let r = api.login(NEWSTARTER.email, NEWSTARTER.password).await;
    assert_eq!(r.status, 401, "a 72 h old temporary password still works: {}", r.text);
    r.envelope();
}

/// Rule 3 and the §4 "accepted" row: passphrases without composition rules, emoji, 64 and 128
/// code points are accepted and then log in.
#[tokio::test(flavor = "multi_thread")]
async fn passphrases_are_accepted_and_log_in() {
    let api = Api::start().await;
    let sixty_four: String = "river stone lamp ".chars().cycle().take(64).collect();
    let one_two_eight: String = "quiet orchard lantern 7 ".chars().cycle().take(128).collect();
    let emoji = "🦀🔒🌈🎒📚✏️🧮🔭🎨🎵🚲🌻🍎🐢🦉";
    assert!(emoji.chars().count() >= 15);
    let mut current = TEACHER.password.to_string();
    for pw in [
        "correct horse battery staple",
        emoji,
        sixty_four.as_str(),
        one_two_eight.as_str(),
    ] {
        let token = api.sign_in_with(TEACHER, &current).await;
        let r = api.change_password(&token, &current, pw).await;
        assert_eq!(r.status, 200, "{pw:?} refused: {}", r.text);
        api.sign_in_with(TEACHER, pw).await;
        current = pw.to_string();
    }
}

/// Rule 3: no periodic expiry (a permanent password still works after four years), and no
/// password hints or security questions anywhere in the API.
#[tokio::test(flavor = "multi_thread")]
async fn permanent_passwords_never_expire_and_there_are_no_hints() {
    let api = Api::start().await;
    api.advance(4 * 365 * 86_400);
    api.sign_in(TEACHER).await;
    let document = bsmart::server::openapi_json().to_lowercase();
    for word in ["password_hint", "security_question", "secret_question", "memorable"] {
        assert!(!document.contains(word), "the API has {word}");
    }
}

/// Rule 6: argon2id with at least the OWASP parameters and a unique salt per hash.
#[tokio::test(flavor = "multi_thread")]
async fn hashes_are_argon2id_with_owasp_parameters() {
    let api = Api::start().await;
    let rows = query_text(&api.srv.db_path, "SELECT email, password_hash FROM users").await;
    assert!(rows.len() >= 4);
    let mut salts = std::collections::HashSet::new();
    for row in &rows {
        let hash = &row[1].1;
        let parts: Vec<&str> = hash.split('$').collect();
        assert!(
            hash.starts_with("$argon2id$v=19$"),
            "{}: not argon2id: {hash}",
            row[0].1
        );
        let params: std::collections::HashMap<&str, u64> = parts[3]
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.parse().expect("number")))
            .collect();
        assert!(
            params["m"] >= 19456 && params["t"] >= 2 && params["p"] >= 1,
            "weak parameters: {hash}"
        );
        assert!(parts[4].len() >= 6, "salt under 32 bits: {hash}");
        assert!(salts.insert(parts[4].to_string()), "salt reused: {hash}");
        // The demo passwords are never stored in clear.
        assert!(!hash.contains("demo-"), "{hash}");
    }
    let bytes = db_bytes(&api.srv.db_path);
    for acct in [ADMIN, LEAD, TEACHER, NEWSTARTER] {
        assert!(
            !contains_bytes(&bytes, acct.password.as_bytes()),
            "{} stored in clear",
            acct.email
        );
    }
}

/// Rule 19 on the forced change: one challenge, two parallel changes: exactly one wins.
#[tokio::test(flavor = "multi_thread")]
async fn forced_change_challenge_is_single_use_under_a_race() {
    let api = Api::start().await;
    let challenge = api.login(NEWSTARTER.email, NEWSTARTER.password).await.challenge();
    let a = json!({ "challenge": challenge, "new_password": "first-racing-passphrase" });
    let b = json!({ "challenge": challenge, "new_password": "second-racing-passphrase" });
    let (ra, rb) = tokio::join!(
        api.post("/auth/password", &a, None),
        api.post("/auth/password", &b, None)
    );
    let oks = [&ra, &rb].iter().filter(|r| r.status == 200).count();
    assert_eq!(oks, 1, "{} {} / {} {}", ra.status, ra.text, rb.status, rb.text);
    let (winner, loser) = if ra.status == 200 {
        ("first-racing-passphrase", "second-racing-passphrase")
    } else {
        ("second-racing-passphrase", "first-racing-passphrase")
    };
    assert!(matches!(
        api.login(NEWSTARTER.email, winner).await.step(),
        AuthStep::Ok { .. }
    ));
    api.login(NEWSTARTER.email, loser)
        .await
        .assert_error(401, "invalid_credentials");
}
