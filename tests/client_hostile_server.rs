//! The client against *broken* servers (SECURITY.md §4 "Server sends a 500 with an HTML body,
//! invalid JSON, or a 10 MB response" and "a self-signed certificate"): a clear error, a
//! bounded read, and the form kept. The servers here are hand-rolled on loopback
//! (`RawServer`, and a TLS listener with a self-signed certificate); they are not mocks of the
//! bsmart server, which cannot be made to misbehave like this.

mod client_support;

use std::sync::Arc;

use bsmart::client::api::MAX_RESPONSE_BYTES;
use client_support::{Harness, RAW_SETTING, RawServer, raw_response};
use crossterm::event::KeyCode;

/// More than twice the limit: 10 MB.
const HUGE: usize = 10 * 1024 * 1024;

fn huge_json() -> Vec<u8> {
    const { assert!(HUGE > 2 * MAX_RESPONSE_BYTES) };
    let mut body = b"{\"status\":\"ok\",\"pad\":\"".to_vec();
    body.resize(HUGE, b'a');
    body.extend_from_slice(b"\"}");
    body
}

fn setting_or(line: &str, other: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    if line.starts_with("GET /api/v1/setting") {
        raw_response("200 OK", "application/json", RAW_SETTING.as_bytes(), true)
    } else {
        other()
    }
}

/// Start a raw server answering with `respond`, type an email and a password, submit, and
/// wait for `needle`; the screen is returned as words (a wrapped sentence reads as one).
async fn sign_in_against(respond: fn(&str) -> Vec<u8>, needle: &str) -> (RawServer, Harness, String) {
    let server = RawServer::start(respond).await;
    let mut h = Harness::new(&server.url);
    h.wait_text("Raw Test School").await;
    h.submit_login("teacher@raw.test", "typed-password-1").await;
    let text = h.wait_words(needle).await;
    (server, h, text)
}

/// The form is as it was: the email shown, the password back (masked, 16 characters).
fn assert_form_kept(text: &str) {
    assert!(text.contains("teacher@raw.test"), "the email was lost:\n{text}");
    assert!(text.contains(&"•".repeat(16)), "the password was lost:\n{text}");
    assert!(!text.contains("typed-password-1"), "the password was shown:\n{text}");
    assert!(text.contains("Nothing you typed is lost"), "{text}");
}

fn huge_unannounced(line: &str) -> Vec<u8> {
    setting_or(line, || raw_response("200 OK", "application/json", &huge_json(), false))
}

fn huge_announced(line: &str) -> Vec<u8> {
    setting_or(line, || raw_response("200 OK", "application/json", &huge_json(), true))
}

fn html_500(line: &str) -> Vec<u8> {
    setting_or(line, || {
        let page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>\x1b]0;pwned\x07</body></html>";
        raw_response("500 Internal Server Error", "text/html", page, true)
    })
}

fn broken_json(line: &str) -> Vec<u8> {
    setting_or(line, || {
        raw_response("200 OK", "application/json", b"{\"status\":\"ok\",\"tok", true)
    })
}

/// Signs anyone in, then sends 10 MB for the incidents.
fn huge_incidents(line: &str) -> Vec<u8> {
    let json = |body: &str| raw_response("200 OK", "application/json", body.as_bytes(), true);
    if line.starts_with("POST /api/v1/auth/login") {
        json(
            r#"{"status":"ok","token":"raw-token","user":{"id":1,"email":"teacher@raw.test","display_name":"Tess Teacher","role":"staff","totp_enabled":false}}"#,
        )
    } else if line.starts_with("GET /api/v1/notifications") {
        json(r#"{"items":[]}"#)
    } else {
        huge_unannounced(line)
    }
}

#[tokio::test]
async fn a_10_mb_reply_without_a_length_is_cut_off_and_refused_and_the_form_is_kept() {
    let (_server, _h, text) = sign_in_against(huge_unannounced, "larger than 4 MiB").await;
    assert_form_kept(&text);
}

#[tokio::test]
async fn a_10_mb_reply_announced_by_its_length_is_refused_before_reading() {
    let (_server, _h, text) = sign_in_against(huge_announced, "larger than 4 MiB").await;
    assert_form_kept(&text);
}

#[tokio::test]
async fn an_html_500_page_is_a_clear_error_and_the_form_is_kept() {
    let (_server, _h, text) = sign_in_against(html_500, "HTML page").await;
    assert!(text.contains("500") && text.contains("tell your admin"), "{text}");
    assert!(!text.contains("Bad Gateway") && !text.contains("pwned"), "{text}");
    assert_form_kept(&text);
}

#[tokio::test]
async fn broken_json_is_a_clear_error_and_the_form_is_kept() {
    let (_server, _h, text) = sign_in_against(broken_json, "invalid JSON").await;
    assert_form_kept(&text);
}

#[tokio::test]
async fn a_10_mb_page_of_incidents_is_an_error_pop_up_and_the_dashboard_stays_usable() {
    let (_server, mut h, text) = sign_in_against(huge_incidents, "Could not load the incidents").await;
    assert!(
        text.contains("larger than 4 MiB") && text.contains("Esc closes"),
        "{text}"
    );
    h.press(KeyCode::Esc);
    let text = client_support::words(&h.text());
    assert!(text.contains("Dashboard") && !text.contains("Could not load"), "{text}");
    assert!(text.contains("The incidents could not be loaded"), "{text}");
}

/// A TLS listener with a self-signed certificate for 127.0.0.1 (made with openssl for these
/// tests only; the key protects nothing). It only shakes hands; the client must refuse.
fn self_signed_server() -> String {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let cert = CertificateDer::from(include_bytes!("client_support/self_signed_cert.der").to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        include_bytes!("client_support/self_signed_key.der").to_vec(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for sock in listener.incoming().flatten() {
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, sock);
            let _ = std::io::Read::read(&mut tls, &mut [0u8; 64]);
        }
    });
    url
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_with_a_warning_not_to_sign_in() {
    let url = self_signed_server();
    let mut h = Harness::new(&url);
    let text = h.wait_words("not trusted").await;
    assert!(
        text.contains("may not be your setting's server") && text.contains("Do not sign in"),
        "{text}"
    );
}

/// Ten megabytes for anything.
fn huge_anything(_line: &str) -> Vec<u8> {
    raw_response("200 OK", "application/json", &huge_json(), true)
}

/// Forty megabytes for anything, without a length.
fn enormous_anything(_line: &str) -> Vec<u8> {
    let mut body = huge_json();
    body.resize(4 * HUGE, b' ');
    raw_response("200 OK", "application/json", &body, false)
}

#[tokio::test]
async fn a_report_may_weigh_32_mib_and_no_more_while_any_other_reply_stays_under_4() {
    use bsmart::client::api::{Api, ApiError, MAX_REPORT_BYTES, Request};
    const { assert!(HUGE < MAX_REPORT_BYTES && 4 * HUGE > MAX_REPORT_BYTES) };
    let server = RawServer::start(huge_anything).await;
    let api = Api::new(&url::Url::parse(&server.url).unwrap()).unwrap();
    let report = Request::get("/reports/involvement").report();
    assert!(
        api.send(&report, None).await.is_ok(),
        "a trust's report of 10 MB is read"
    );
    let other = api.send(&Request::get("/incidents"), None).await;
    assert!(
        matches!(other, Err(ApiError::TooLarge(MAX_RESPONSE_BYTES))),
        "{other:?}"
    );
    let server = RawServer::start(enormous_anything).await;
    let api = Api::new(&url::Url::parse(&server.url).unwrap()).unwrap();
    let refused = api.send(&report, None).await.err().map(|e| e.to_string());
    assert_eq!(
        refused.as_deref(),
        Some("the server sent a reply larger than 32 MiB; it was refused")
    );
}
