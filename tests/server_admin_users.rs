//! `/admin/users`, `/admin/roles` and `/admin/sessions` against a real server and database: who
//! may call them (only an admin with 2FA), new accounts and their one-time temporary password,
//! cover accounts that expire, each action, the last admin, and parallel bursts.

mod common;

use bsmart::server::auth::hash_token;
use bsmart::wire::AuthStep;
use common::{ADMIN, Api, LEAD, TEACHER, execute_sql};
use futures::future::join_all;
use serde_json::{Value, json};

/// An extra admin with 2FA and a live session, written straight into the database (its sealed
/// secret is a stand-in: the admin routes only need 2FA to be set up). Answers (id, token).
async fn extra_admin(api: &Api, n: u32) -> (i64, String) {
    let now = api.clock().now().timestamp();
    let email = format!("admin{n}@demo.test");
    execute_sql(
        &api.srv.db_path,
        &format!(
            "INSERT INTO users (email, display_name, role, password_hash, password_changed_at, created_at,
                                totp_secret_sealed)
             VALUES ('{email}', 'Admin {n}', 'admin', 'x', {now}, {now}, X'00')"
        ),
    )
    .await;
    let id = api
        .count(&format!("SELECT id FROM users WHERE email = '{email}'"))
        .await;
    let token = format!("test-token-admin-{n}-0123456789abcdef");
    execute_sql(
        &api.srv.db_path,
        &format!(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, authenticated_at)
             VALUES ('{}', {id}, {now}, {now}, {}, {now})",
            hash_token(&token),
            now + 8 * 3600
        ),
    )
    .await;
    (id, token)
}

/// The demo admin's id.
async fn admin_id(api: &Api) -> i64 {
    api.count("SELECT id FROM users WHERE email = 'admin@demo.test'").await
}

/// Create an account as `token`; answers the reply.
async fn create(api: &Api, token: &str, body: Value) -> common::Reply {
    api.post("/admin/users", &body, Some(token)).await
}

/// An action on account `id`.
async fn act(api: &Api, token: &str, id: i64, action: Value) -> common::Reply {
    api.post(&format!("/admin/users/{id}/actions"), &action, Some(token))
        .await
}

/// Rule 1: every `/admin` route the served OpenAPI document lists, with every method, is 403
/// for staff, a pastoral lead and a DSL, whatever the body says; the refusal is audited.
#[tokio::test]
async fn every_admin_route_is_forbidden_to_every_other_role() {
    let api = Api::start().await;
    let doc = api.get("/openapi.json", None).await.json.expect("the document");
    let mut calls = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(rest) = path.strip_prefix("/api/v1") else {
            continue;
        };
        if !rest.starts_with("/admin") {
            continue;
        }
        let concrete: String = rest
            .split('/')
            .map(|part| match part.starts_with('{') {
                true => "1",
                false => part,
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            calls.push((method.clone(), concrete.clone()));
        }
    }
    assert!(calls.len() >= 8, "the document lists the admin routes: {calls:?}");
    let teacher = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let forged = json!({ "role": "admin", "display_name": "X", "email": "x@demo.test", "action": "unlock" });
    let mark = api.audit_mark().await;
    for (token, teacher_role) in [(&teacher, "staff"), (&lead, "staff"), (&teacher, "dsl")] {
        let sql = format!("UPDATE users SET role = '{teacher_role}' WHERE email = 'teacher@demo.test'");
        execute_sql(&api.srv.db_path, &sql).await;
        for (method, path) in &calls {
            let url = api.srv.api(path);
            let request = match method.as_str() {
                "get" => api.http.get(url),
                "post" => api.http.post(url).json(&forged),
                "put" => api.http.put(url).json(&forged),
                "delete" => api.http.delete(url),
                other => panic!("unexpected method {other}"),
            };
            let reply = api.send(request.bearer_auth(token)).await;
            reply.assert_error(403, "forbidden");
        }
    }
    let refused = api
        .audit_since(mark)
        .await
        .iter()
        .filter(|r| r.get("action") == "admin.refused")
        .count();
    assert_eq!(refused, calls.len() * 3, "every refusal is audited");
    assert_eq!(
        api.count("SELECT COUNT(*) FROM users WHERE email = 'x@demo.test'")
            .await,
        0
    );
    // An admin sending the same forged extra field is refused by the body's shape.
    let admin = api.sign_in(ADMIN).await;
    let reply = create(&api, &admin, forged).await;
    reply.assert_error(422, "invalid_request");
}

/// Rule 2: an admin whose 2FA is gone is refused every admin action.
#[tokio::test]
async fn an_admin_without_2fa_is_refused() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    assert_eq!(api.get("/admin/roles", Some(&admin)).await.status, 200);
    execute_sql(
        &api.srv.db_path,
        "UPDATE users SET totp_secret_sealed = NULL WHERE email = 'admin@demo.test'",
    )
    .await;
    api.get("/admin/users", Some(&admin))
        .await
        .assert_error(403, "forbidden");
    let body = json!({ "display_name": "Sam Brown", "email": "sam@demo.test", "role": "staff" });
    create(&api, &admin, body).await.assert_error(403, "forbidden");
}

/// Rule 3: a new account's temporary password is long and random, shown once, stored only as
/// its hash, must be changed at the first sign-in, and stops working after the change.
#[tokio::test]
async fn a_new_account_gets_a_one_time_temporary_password() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let mark = api.audit_mark().await;
    let body = json!({ "display_name": " Sam Brown ", "email": "Sam.Brown@Demo.test", "role": "staff",
                       "job_title": "Teacher of maths" });
    let reply = create(&api, &admin, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let created = reply.json.unwrap();
    let password = created["temporary_password"].as_str().unwrap().to_string();
    assert!(password.len() >= 20);
    assert_eq!(created["user"]["email"], "sam.brown@demo.test");
    assert_eq!(created["user"]["display_name"], "Sam Brown");
    assert_eq!(created["user"]["temporary_password"], true);
    let id = created["user"]["id"].as_i64().unwrap();
    let stored = api
        .value(&format!("SELECT password_hash FROM users WHERE id = {id}"))
        .await;
    assert!(stored.starts_with("$argon2") && !stored.contains(&password));
    let expires = api
        .count(&format!(
            "SELECT temporary_expires_at - created_at FROM users WHERE id = {id}"
        ))
        .await;
    assert_eq!(expires, 72 * 3600);
    // Shown once: the account's own page never carries it.
    let page = api.get(&format!("/admin/users/{id}"), Some(&admin)).await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains(&password));
    for row in api.audit_since(mark).await {
        assert!(
            !row.all_text().contains(&password.to_lowercase()),
            "secret in the audit log"
        );
    }
    assert!(
        api.audit_since(mark)
            .await
            .iter()
            .any(|r| r.get("action") == "admin.user.create" && r.get("target") == format!("user:{id}"))
    );
    // The first sign-in must change it; then it no longer signs in.
    let challenge = match api.login("sam.brown@demo.test", &password).await.step() {
        AuthStep::PasswordChangeRequired { challenge, .. } => challenge,
        other => panic!("wanted a forced change, got {other:?}"),
    };
    let changed = api
        .post(
            "/auth/password",
            &json!({ "challenge": challenge, "new_password": "quiet orchard lantern seven" }),
            None,
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    api.login("sam.brown@demo.test", &password)
        .await
        .assert_error(401, "invalid_credentials");
    // After 72 hours an unused temporary password has expired.
    let second = create(
        &api,
        &admin,
        json!({ "display_name": "Late", "email": "late@demo.test", "role": "staff" }),
    )
    .await;
    let late = second.json.unwrap()["temporary_password"].as_str().unwrap().to_string();
    api.advance(72 * 3600);
    api.login("late@demo.test", &late)
        .await
        .assert_error(401, "invalid_credentials");
}

/// Rule 3: hostile fields are refused with a sentence naming the field; duplicates (any case)
/// are 409, and of 20 parallel creates with one email exactly one succeeds.
#[tokio::test]
async fn new_accounts_are_checked_and_unique_under_a_burst() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    for (name, email, field) in [
        ("", "a@demo.test", "display_name"),
        ("Sam\u{1b}[2J", "b@demo.test", "display_name"),
        ("Sam\u{202e}nworB", "c@demo.test", "display_name"),
        (&"x".repeat(101), "d@demo.test", "display_name"),
        ("Sam", "not-an-email", "email"),
        ("Sam", "sam@demo", "email"),
    ] {
        let reply = create(
            &api,
            &admin,
            json!({ "display_name": name, "email": email, "role": "staff" }),
        )
        .await;
        reply.assert_error(422, "invalid_request");
        assert!(reply.envelope().error.message.contains(field), "{}", reply.text);
    }
    create(
        &api,
        &admin,
        json!({ "display_name": "T", "email": "TEACHER@demo.test", "role": "staff" }),
    )
    .await
    .assert_error(409, "conflict");
    let body = json!({ "display_name": "Burst", "email": "burst@demo.test", "role": "dsl" });
    let replies = join_all((0..20).map(|_| create(&api, &admin, body.clone()))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(
        api.count("SELECT COUNT(*) FROM users WHERE email = 'burst@demo.test'")
            .await,
        1
    );
}

/// Rule 4: cover accounts are staff-role only, end by default at the end of today, see only
/// their groups, cannot sign in once expired (like a disabled account), and a live session of
/// an expired account is refused and revoked.
#[tokio::test]
async fn cover_accounts_expire() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let group = api
        .value("SELECT group_name FROM individuals ORDER BY id LIMIT 1")
        .await;
    let refused = create(
        &api,
        &admin,
        json!({ "display_name": "Cover", "email": "c1@demo.test",
        "role": "dsl", "kind": "supply" }),
    )
    .await;
    refused.assert_error(422, "invalid_request");
    let unknown = create(
        &api,
        &admin,
        json!({ "display_name": "Cover", "email": "c1@demo.test",
        "role": "staff", "kind": "supply", "groups": ["No Such Group"] }),
    )
    .await;
    unknown.assert_error(422, "invalid_request");
    assert!(unknown.envelope().error.message.contains("No Such Group"));
    let far = api.clock().now() + chrono::Duration::days(91);
    create(
        &api,
        &admin,
        json!({ "display_name": "Cover", "email": "c1@demo.test", "role": "staff",
        "kind": "visitor", "expires_at": far }),
    )
    .await
    .assert_error(422, "invalid_request");
    let reply = create(
        &api,
        &admin,
        json!({ "display_name": "Cover", "email": "c1@demo.test",
        "role": "staff", "kind": "supply", "groups": [group] }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let created = reply.json.unwrap();
    let id = created["user"]["id"].as_i64().unwrap();
    let expires = created["user"]["expires_at"].as_str().unwrap().to_string();
    let now = api.clock().now();
    let end: chrono::DateTime<chrono::Utc> = expires.parse().unwrap();
    assert!(end > now && end - now <= chrono::Duration::hours(25), "{expires}");
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM access_groups WHERE user_id = {id} AND scope = 'group'"
        ))
        .await,
        1
    );
    // Sign in (forced change), then let the account expire.
    let password = created["temporary_password"].as_str().unwrap().to_string();
    let challenge = api.login("c1@demo.test", &password).await.challenge();
    let token = api
        .post(
            "/auth/password",
            &json!({ "challenge": challenge, "new_password": "quiet orchard lantern seven" }),
            None,
        )
        .await
        .token();
    assert_eq!(api.me(&token).await.status, 200);
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE users SET expires_at = {} WHERE id = {id}", now.timestamp() - 1),
    )
    .await;
    api.me(&token).await.assert_error(401, "unauthenticated");
    assert_eq!(
        api.count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = {id} AND revoked_at IS NULL"
        ))
        .await,
        0,
        "the session is revoked"
    );
    let expired = api.login("c1@demo.test", "quiet orchard lantern seven").await;
    execute_sql(
        &api.srv.db_path,
        "UPDATE users SET active = 0 WHERE email = 'teacher@demo.test'",
    )
    .await;
    let disabled = api.login(TEACHER.email, TEACHER.password).await;
    assert_eq!(
        (expired.status, expired.text),
        (disabled.status, disabled.text),
        "like a disabled account"
    );
    // set_expiry is for cover accounts only, and moves the end.
    let later = api.clock().now() + chrono::Duration::days(3);
    let moved = act(&api, &admin, id, json!({ "action": "set_expiry", "expires_at": later })).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let teacher_id = api
        .count("SELECT id FROM users WHERE email = 'teacher@demo.test'")
        .await;
    act(
        &api,
        &admin,
        teacher_id,
        json!({ "action": "set_expiry", "expires_at": later }),
    )
    .await
    .assert_error(422, "invalid_request");
}

/// Rule 5: each action does what it says, ends sessions where it must, and is audited.
#[tokio::test]
async fn actions_change_the_account_and_end_its_sessions() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let second = api.sign_in(TEACHER).await;
    let id = api
        .count("SELECT id FROM users WHERE email = 'teacher@demo.test'")
        .await;
    let mark = api.audit_mark().await;
    let done = act(&api, &admin, id, json!({ "action": "deactivate" })).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let done = done.json.unwrap();
    assert_eq!(done["sessions_ended"], 2);
    assert!(done["message"].as_str().unwrap().contains("ended 2 sessions"), "{done}");
    api.me(&teacher).await.assert_error(401, "unauthenticated");
    api.me(&second).await.assert_error(401, "unauthenticated");
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(401, "invalid_credentials");
    act(&api, &admin, id, json!({ "action": "reactivate" })).await;
    // Lock it out, then unlock: it signs in at once.
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE users SET failed_attempts = 6, locked_at = 1 WHERE id = {id}"),
    )
    .await;
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
    assert_eq!(act(&api, &admin, id, json!({ "action": "unlock" })).await.status, 200);
    let token = api.sign_in(TEACHER).await;
    // end_sessions
    let ended = act(&api, &admin, id, json!({ "action": "end_sessions" }))
        .await
        .json
        .unwrap();
    assert_eq!(ended["sessions_ended"], 1);
    api.me(&token).await.assert_error(401, "unauthenticated");
    // reset_password: shown once, the old password stops working.
    let reset = act(&api, &admin, id, json!({ "action": "reset_password" }))
        .await
        .json
        .unwrap();
    let temporary = reset["temporary_password"].as_str().unwrap().to_string();
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(401, "invalid_credentials");
    assert!(matches!(
        api.login(TEACHER.email, &temporary).await.step(),
        AuthStep::PasswordChangeRequired { .. }
    ));
    // set_role, then an unknown id.
    let role = act(
        &api,
        &admin,
        id,
        json!({ "action": "set_role", "role": "pastoral_lead" }),
    )
    .await;
    assert_eq!(role.json.unwrap()["user"]["role"], "pastoral_lead");
    act(&api, &admin, 999_999, json!({ "action": "unlock" }))
        .await
        .assert_error(404, "not_found");
    let rows = api.audit_since(mark).await;
    for action in [
        "deactivate",
        "reactivate",
        "unlock",
        "end_sessions",
        "reset_password",
        "set_role",
    ] {
        assert!(
            rows.iter()
                .any(|r| r.get("action") == format!("admin.user.{action}") && r.get("target") == format!("user:{id}")),
            "{action} audited"
        );
    }
    assert!(rows.iter().all(|r| !r.all_text().contains(&temporary.to_lowercase())));
}

/// Rule 5 and rule 20: after reset_2fa an admin enrols again before getting any token.
#[tokio::test]
async fn a_reset_2fa_admin_enrols_again_before_a_token() {
    let api = Api::start().await;
    let (_, other) = extra_admin(&api, 2).await;
    let admin = api.sign_in(ADMIN).await;
    let id = admin_id(&api).await;
    let reply = act(&api, &other, id, json!({ "action": "reset_2fa" })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    api.me(&admin).await.assert_error(401, "unauthenticated");
    assert_eq!(
        api.count(&format!("SELECT COUNT(*) FROM recovery_codes WHERE user_id = {id}"))
            .await,
        0
    );
    assert!(matches!(
        api.login(ADMIN.email, ADMIN.password).await.step(),
        AuthStep::TotpEnrolmentRequired { .. }
    ));
}

/// Rule 20: a 2FA reset makes any account set 2FA up again, not only an admin's: the lead,
/// whose role does not demand 2FA, gets no token on the password alone until the new secret
/// is confirmed, and after that signs in with a code as before.
#[tokio::test]
async fn a_reset_2fa_lead_sets_it_up_again_before_a_token() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let lead = api.value("SELECT id FROM users WHERE email = 'lead@demo.test'").await;
    let reply = act(&api, &admin, lead.parse().unwrap(), json!({ "action": "reset_2fa" })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let step = api.login(LEAD.email, LEAD.password).await.step();
    let AuthStep::TotpEnrolmentRequired { challenge } = step else {
        panic!("a lead whose 2FA was reset got past the password alone: {step:?}");
    };
    let again = api.login(LEAD.email, LEAD.password).await.step();
    assert!(matches!(again, AuthStep::TotpEnrolmentRequired { .. }), "{again:?}");
    let r = api
        .post("/auth/totp/enrol", &json!({ "challenge": challenge }), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let enrolment: bsmart::wire::TotpEnrolment = serde_json::from_str(&r.text).unwrap();
    api.advance(30);
    let confirm = json!({
        "challenge": enrolment.challenge.clone().unwrap_or(challenge),
        "code": api.code_now(&enrolment.secret),
    });
    let token = api.post("/auth/totp/confirm", &confirm, None).await.token();
    assert_eq!(api.me(&token).await.status, 200);
    assert_eq!(
        api.value(&format!("SELECT totp_reenrol FROM users WHERE id = {lead}"))
            .await,
        "0",
        "set up again: the mark is gone"
    );
    assert!(matches!(
        api.login(LEAD.email, LEAD.password).await.step(),
        AuthStep::TotpRequired { .. }
    ));
}

/// Rule 6: the last working admin cannot be removed, an admin cannot demote or deactivate
/// themselves, and parallel demotions always leave at least (and, of N, exactly) one admin.
#[tokio::test]
async fn the_last_admin_stays() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let id = admin_id(&api).await;
    act(&api, &admin, id, json!({ "action": "set_role", "role": "staff" }))
        .await
        .assert_error(409, "conflict");
    act(&api, &admin, id, json!({ "action": "deactivate" }))
        .await
        .assert_error(409, "conflict");
    let last = act(&api, &admin, id, json!({ "action": "reset_2fa" })).await;
    last.assert_error(409, "conflict");
    assert!(last.envelope().error.message.contains("last admin"));
    let working = "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND totp_secret_sealed IS NOT NULL";
    for round in 0..20 {
        let (a, ta) = extra_admin(&api, 100 + round * 2).await;
        let (b, tb) = extra_admin(&api, 101 + round * 2).await;
        // Only these two count: the demo admin steps aside for the race.
        execute_sql(
            &api.srv.db_path,
            &format!("UPDATE users SET role = 'dsl' WHERE id = {id}"),
        )
        .await;
        let demote = |token: String, target: i64| {
            let api = &api;
            async move { act(api, &token, target, json!({ "action": "set_role", "role": "staff" })).await }
        };
        let (ra, rb) = futures::join!(demote(ta, b), demote(tb, a));
        assert_eq!(api.count(working).await, 1, "round {round}: {} / {}", ra.text, rb.text);
        execute_sql(
            &api.srv.db_path,
            &format!("UPDATE users SET role = 'staff' WHERE id IN ({a}, {b})"),
        )
        .await;
        execute_sql(
            &api.srv.db_path,
            &format!("UPDATE users SET role = 'admin' WHERE id = {id}"),
        )
        .await;
    }
    // N admins each demoting the next one at once: whatever the order, at least one is left,
    // and every demotion that went through was made by an admin who still was one (so the
    // admins left are exactly the eight less the demotions made).
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE users SET role = 'dsl' WHERE id = {id}"),
    )
    .await;
    let mut admins = Vec::new();
    for n in 0..8 {
        admins.push(extra_admin(&api, 200 + n).await);
    }
    let demotions = (0..admins.len()).map(|i| {
        let (_, token) = admins[i].clone();
        let (target, _) = admins[(i + 1) % admins.len()];
        let api = &api;
        async move { act(api, &token, target, json!({ "action": "set_role", "role": "staff" })).await }
    });
    let replies = join_all(demotions).await;
    assert!(replies.iter().all(|r| [200, 403, 409].contains(&r.status)));
    let made = replies.iter().filter(|r| r.status == 200).count() as i64;
    let left = api.count(working).await;
    assert!(left >= 1, "no admin left");
    assert_eq!(left, 8 - made, "a demotion was made by someone no longer an admin");
}

/// Rule 8: the roles come from the one permission table, with the count of active accounts.
#[tokio::test]
async fn roles_come_from_the_permission_table() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let roles = api.get("/admin/roles", Some(&admin)).await.json.unwrap();
    let items = roles["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|r| r["role"].as_str().unwrap()).collect();
    assert_eq!(names, ["staff", "pastoral_lead", "dsl", "admin"]);
    assert_eq!(items[3]["permissions"]["administer"], true);
    assert_eq!(items[0]["permissions"]["administer"], false);
    let admins = api
        .count("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
        .await;
    assert_eq!(items[3]["accounts"], admins);
    assert!(items.iter().all(|r| !r["description"].as_str().unwrap().is_empty()));
}

/// Rule 9: live sessions are listed (the caller's marked), filtered by user, and one ended by
/// id stops working at once; an unknown id is 404.
#[tokio::test]
async fn sessions_are_listed_and_ended() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let teacher = api.sign_in(TEACHER).await;
    let teacher_id = api
        .count("SELECT id FROM users WHERE email = 'teacher@demo.test'")
        .await;
    let all = api.get("/admin/sessions", Some(&admin)).await.json.unwrap();
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let mine = api
        .get(&format!("/admin/sessions?user_id={teacher_id}"), Some(&admin))
        .await
        .json
        .unwrap();
    let mine = mine["items"].as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["user"]["id"], teacher_id);
    let session = mine[0]["id"].as_i64().unwrap();
    let mark = api.audit_mark().await;
    let ended = api.delete(&format!("/admin/sessions/{session}"), Some(&admin)).await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    let teacher_name = api
        .value(&format!("SELECT display_name FROM users WHERE id = {teacher_id}"))
        .await;
    assert_eq!(
        ended.json.unwrap()["message"],
        format!("Ended {teacher_name}'s session.")
    );
    api.me(&teacher).await.assert_error(401, "unauthenticated");
    assert_eq!(
        api.value(&format!("SELECT revoked_reason FROM sessions WHERE id = {session}"))
            .await,
        "admin"
    );
    api.delete(&format!("/admin/sessions/{session}"), Some(&admin))
        .await
        .assert_error(404, "not_found");
    assert!(
        api.audit_since(mark)
            .await
            .iter()
            .any(|r| r.get("action") == "admin.session.end")
    );
}

/// Rule 9: a session records the client's `User-Agent`, cleaned (printable ASCII only, at most
/// 100 characters), and the Sessions list shows it as the client; none sent is an empty client.
#[tokio::test]
async fn a_session_records_what_its_client_says_it_is_cleaned() {
    let api = Api::start().await;
    let admin = api.sign_in(ADMIN).await;
    let agent = format!("bsmart/9.9 \u{202e}evil\u{2066} {}", "x".repeat(300));
    let login = api
        .send(
            api.http
                .post(api.srv.api("/auth/login"))
                .header(reqwest::header::USER_AGENT, agent.as_bytes())
                .json(&json!({ "email": TEACHER.email, "password": TEACHER.password })),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let sessions = api.get("/admin/sessions", Some(&admin)).await.json.unwrap();
    let clients: Vec<&str> = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["current"] == false)
        .map(|s| s["client"].as_str().unwrap())
        .collect();
    assert_eq!(clients.len(), 1);
    assert!(clients[0].starts_with("bsmart/9.9 evil xxx"), "{}", clients[0]);
    assert_eq!(clients[0].chars().count(), 100);
    assert!(clients[0].bytes().all(|b| b.is_ascii_graphic() || b == b' '));
}
