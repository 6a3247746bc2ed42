//! What the client tests of Administration against a real server share: the demo admin
//! signed in with 2FA at 80x24, and a section of the hub opened. A test file using it declares
//! `mod client_support; mod common;` too.
// Each test file uses a different part of this module.
#![allow(dead_code)]

use crossterm::event::KeyCode;

use crate::client_support::Harness;
use crate::common::{ADMIN, Api};

/// The demo admin signed in (password, then the TOTP code of the server's clock) at 80x24.
/// The clock moves on a step first, so a code the test used through the API is not replayed.
pub async fn admin_client(api: &Api) -> Harness {
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    api.advance(30);
    h.sign_in_with_code(ADMIN.email, ADMIN.password, &api.code_now(ADMIN.totp.unwrap()))
        .await;
    // `A` is for admins, which the client knows once the server's /me has come.
    for _ in 0..500 {
        if h.runner.app.administers() {
            return h;
        }
        h.runner.pump(std::time::Duration::from_millis(20)).await.unwrap();
    }
    panic!("the admin's permissions never came");
}

/// From the dashboard: `A`, then the section's `key`, waiting until it shows `title`.
pub async fn open_section(h: &mut Harness, key: char, title: &str) -> String {
    h.press(KeyCode::Char('A'));
    h.wait_words("Administration").await;
    h.press(KeyCode::Char(key));
    h.wait_words(title).await
}
