//! Every audit row is written in the transaction of the change it records (issue 9 §4): when
//! the row cannot be written (here a trigger refuses it, as a full disk or a damaged log
//! would), the change is not made either, and the answer is a 500 envelope. The lock-out's
//! reservation is the one write committed before its audit row (parallel requests must see
//! it), so even a lock whose row could not be written still refuses the next attempt.

mod common;

use std::path::Path;

use common::*;
use serde_json::json;

/// From now on, the database refuses audit rows with `action`.
async fn refuse_audit_rows(db: &Path, action: &str) {
    execute_sql(
        db,
        &format!(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.action = '{action}'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ),
    )
    .await;
}

/// The database writes audit rows again.
async fn accept_audit_rows(db: &Path) {
    execute_sql(db, "DROP TRIGGER refuse_audit").await;
}

async fn sessions_of(api: &Api, email: &str) -> usize {
    let sql = format!("SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '{email}'");
    query_text(&api.srv.db_path, &sql).await.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_session_without_its_audit_row() {
    let api = Api::start().await;
    refuse_audit_rows(&api.srv.db_path, "session.create").await;
    let r = api.login(TEACHER.email, TEACHER.password).await;
    r.assert_error(500, "internal");
    assert_eq!(
        sessions_of(&api, TEACHER.email).await,
        0,
        "a session without its audit row"
    );
    accept_audit_rows(&api.srv.db_path).await;
    let token = api.sign_in(TEACHER).await;
    assert_eq!(api.me(&token).await.status, 200);
    assert_eq!(sessions_of(&api, TEACHER.email).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_password_change_without_its_audit_row() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    refuse_audit_rows(&api.srv.db_path, "password.change").await;
    let new = "a-brand-new-riverbank-passphrase";
    api.change_password(&token, TEACHER.password, new)
        .await
        .assert_error(500, "internal");
    accept_audit_rows(&api.srv.db_path).await;
    assert_eq!(
        api.me(&token).await.status,
        200,
        "the sessions ended without the change"
    );
    api.login(TEACHER.email, new)
        .await
        .assert_error(401, "invalid_credentials");
    api.sign_in(TEACHER).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_logout_without_its_audit_row() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    refuse_audit_rows(&api.srv.db_path, "session.logout").await;
    api.post("/auth/logout", &json!({}), Some(&token))
        .await
        .assert_error(500, "internal");
    accept_audit_rows(&api.srv.db_path).await;
    assert_eq!(api.me(&token).await.status, 200, "logged out without an audit row");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_whose_row_failed_still_refuses_the_next_attempt() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    refuse_audit_rows(&api.srv.db_path, "account.lock").await;
    for _ in 0..5 {
        api.login(TEACHER.email, "definitely-wrong-password")
            .await
            .assert_error(401, "invalid_credentials");
    }
    api.login(TEACHER.email, "definitely-wrong-password")
        .await
        .assert_error(500, "internal");
    assert_eq!(
        api.me(&token).await.status,
        200,
        "the sessions ended without the lock's audit row"
    );
    api.login(TEACHER.email, TEACHER.password)
        .await
        .assert_error(423, "account_locked");
}
