//! The `/api/v1` routes. Every handler carries `#[utoipa::path]`, and the router is a
//! utoipa-axum `OpenApiRouter`, so the OpenAPI document ([`openapi`]) is generated from the
//! handlers themselves. Handlers call [`Store`](super::store::Store) methods only.
//!
//! Layout: this module assembles the router and the document; [`common`] holds what every
//! handler uses, [`signin`] the sign-in state machine, and one module per area holds its
//! handlers.
//!
//! Sign-in is a small state machine: `login` checks the password and answers the next step with
//! a single-use challenge bound to the user and the stage (`totp`, `totp_enrolment`,
//! `totp_confirm`, `password_change`); only the last step issues a session token, and
//! `sign_in` refuses to issue one to an admin without a second factor.
//!
//! Sessions: a user may hold any number of concurrent sessions (one per signed-in client);
//! each ends at its idle or absolute limit, at logout, when reauth rotates it, and all of them
//! end when the account is locked or its password or 2FA changes. Each session remembers when
//! its user last gave the password (sign-in, reauth, password change): adding a second factor
//! with a bearer token needs that to be within the last 5 minutes (ASVS 5.0 7.5.1).

mod admin_access;
mod admin_audit;
mod admin_import;
mod admin_lists;
mod admin_users;
mod chronology;
mod clicks;
mod common;
mod communications;
mod drafts;
mod filter_sets;
mod incident_check;
mod incidents;
mod individuals;
mod lists;
mod login;
mod markdown;
mod me;
mod notifications;
mod password;
mod plans;
mod report_figures;
mod reports;
mod session;
mod setting;
mod signin;
mod totp_enrolment;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::header;
use axum::middleware::from_fn;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, envelope_layer, panic_response, request_limits_layer};
use super::state::AppState;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest request body of the routes of long forms (incidents, plans, drafts): ten
/// 10,000-character fields of multi-byte text are over 64 KiB.
pub const MAX_FORM_BODY_BYTES: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "bsmart API",
        description = "The reference server of bsmart. Errors are always {\"error\":{\"code\",\"message\"}}."
    ),
    modifiers(&BearerScheme),
    tags((name = "auth", description = "Signing in and out"), (name = "records", description = "Pupil records"),
        (name = "admin", description = "Administration: accounts, access, lists, audit and sessions"))
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(setting::get_setting))
        .routes(routes!(login::login))
        .routes(routes!(login::totp))
        .routes(routes!(totp_enrolment::totp_enrol))
        .routes(routes!(totp_enrolment::totp_confirm))
        .routes(routes!(password::change_password))
        .routes(routes!(session::reauth))
        .routes(routes!(session::logout))
        .routes(routes!(me::me))
        .routes(routes!(notifications::notifications))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(individuals::individuals))
        .routes(routes!(individuals::individual))
        .routes(routes!(individuals::overview))
        .routes(routes!(chronology::chronology))
        .routes(routes!(lists::behaviours))
        .routes(routes!(lists::periods))
        .routes(routes!(clicks::create_click, clicks::clicks))
        .routes(routes!(clicks::undo_click))
        .routes(routes!(
            communications::create_communication,
            communications::communications
        ))
        .routes(routes!(communications::respond))
        .routes(routes!(lists::locations))
        .routes(routes!(lists::incident_categories))
        .routes(routes!(lists::techniques))
        .routes(routes!(lists::staff))
        // Analytics (issue 13).
        .routes(routes!(reports::report))
        .routes(routes!(reports::report_incidents))
        .routes(routes!(filter_sets::filter_sets, filter_sets::save_filter_set))
        .routes(routes!(filter_sets::delete_filter_set))
        // Administration: access, key staff, setting lists and the audit log (issue 12).
        .routes(routes!(admin_access::user_access))
        .routes(routes!(admin_access::grant_access))
        .routes(routes!(admin_access::revoke_access))
        .routes(routes!(admin_access::groups))
        .routes(routes!(admin_access::review))
        .routes(routes!(admin_access::confirm_review))
        .routes(routes!(admin_access::key_staff))
        .routes(routes!(admin_access::set_key_staff))
        .routes(routes!(admin_lists::list_entries, admin_lists::add_entry))
        .routes(routes!(admin_lists::change_entry))
        .routes(routes!(admin_lists::set_bell_times))
        .routes(routes!(admin_audit::audit_log))
        .routes(routes!(admin_audit::verify))
        .routes(routes!(admin_audit::export))
        // Administration: accounts, roles and sessions (issue 12).
        .routes(routes!(admin_users::list_users, admin_users::create_user))
        .routes(routes!(admin_users::get_user))
        .routes(routes!(admin_users::user_action))
        .routes(routes!(admin_users::roles))
        .routes(routes!(admin_users::sessions))
        .routes(routes!(admin_users::end_session))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    // The long forms have their own body limit; both limits refuse a body from its
    // Content-Length before reading it, and the outer layer of `harden` caps every request at
    // the larger one.
    let forms = OpenApiRouter::new()
        .routes(routes!(incidents::incidents, incidents::create_incident))
        .routes(routes!(
            incidents::incident,
            incidents::edit_incident,
            incidents::delete_incident
        ))
        .routes(routes!(incidents::set_parents_informed))
        .routes(routes!(incidents::flag_incident))
        .routes(routes!(incidents::add_account))
        .routes(routes!(incidents::incident_export))
        .routes(routes!(plans::plans, plans::create_plan))
        .routes(routes!(plans::plan, plans::edit_plan, plans::delete_plan))
        .routes(routes!(plans::plan_export))
        .routes(routes!(drafts::drafts))
        .routes(routes!(drafts::draft, drafts::save_draft, drafts::delete_draft))
        // A CSV file of up to 200 accounts is more than 64 KiB.
        .routes(routes!(admin_import::import_users))
        .layer(DefaultBodyLimit::max(MAX_FORM_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_FORM_BODY_BYTES));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(crate::wire::API_PREFIX, api.merge(forms))
}

/// The OpenAPI document, generated from the handlers, with the answers every route can give
/// (`CommonResponses`).
pub fn openapi() -> OpenApiDoc {
    let mut document = api_router().split_for_parts().1;
    CommonResponses.modify(&mut document);
    document
}

/// Adds to every operation the answers that come from the layers and the accept loop rather
/// than from its handler, so that each operation lists every status it can answer (what
/// schemathesis's `status_code_conformance` checks): 408, 414, 431, 500 and 503 everywhere,
/// and 400, 413, 415 and 422 where there is a JSON body. Each is described once, under
/// `components.responses`, and referenced; a status the handler documents itself keeps the
/// handler's description.
struct CommonResponses;

impl CommonResponses {
    /// What any request can be answered: (status, component name, description).
    const ANY: [(&'static str, &'static str, &'static str); 5] = [
        (
            "408",
            "RequestTimeout",
            "`request_timeout`: the request (its body included) was not answered in time",
        ),
        ("414", "UriTooLong", "`uri_too_long`: the address is over 8 KiB"),
        (
            "431",
            "HeadersTooLarge",
            "`headers_too_large`: over 100 headers, or over 16 KiB of them",
        ),
        (
            "500",
            "Internal",
            "`internal`: something failed on the server (nothing about it is revealed)",
        ),
        (
            "503",
            "ServerBusy",
            "`server_busy`: the server is serving as many connections as it may",
        ),
    ];
    /// What a request with a JSON body can be answered besides.
    const WITH_BODY: [(&'static str, &'static str, &'static str); 4] = [
        ("400", "NotJson", "`invalid_request`: the body is not JSON"),
        (
            "413",
            "PayloadTooLarge",
            "`payload_too_large`: the body is over 64 KiB (1 MiB for incidents, plans and drafts)",
        ),
        (
            "415",
            "UnsupportedMediaType",
            "`unsupported_media_type`: the body is not `application/json`",
        ),
        (
            "422",
            "InvalidBody",
            "`invalid_request`: the body is not a JSON object with the expected fields and types",
        ),
    ];
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        for (_, name, description) in CommonResponses::ANY.iter().chain(&CommonResponses::WITH_BODY) {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", content)
                .build();
            components.responses.insert(name.to_string(), response.into());
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let body = match operation.request_body.is_some() {
                    true => &CommonResponses::WITH_BODY[..],
                    false => &[],
                };
                for (status, name, _) in CommonResponses::ANY.iter().chain(body) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| Ref::from_response_name(*name).into());
                }
            }
        }
    }
}

/// The OpenAPI document as committed in `assets/openapi.json` (pretty JSON, newline at end).
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// The whole HTTP application: routes, envelope for every error, limits, panic handler; a
/// request not answered within `request_timeout` (its body included) gets 408.
pub fn router(state: AppState, request_timeout: std::time::Duration) -> axum::Router {
    let (api, _) = api_router().split_for_parts();
    let document = Arc::new(openapi_json());
    let openapi_path = format!("{}/openapi.json", crate::wire::API_PREFIX);
    let app = api
        .route(
            &openapi_path,
            get(move || {
                let document = Arc::clone(&document);
                async move { ([(header::CONTENT_TYPE, "application/json")], (*document).clone()) }
            }),
        )
        .with_state(state);
    harden(app, request_timeout)
}

/// The layers around every route: a not-found envelope, request log, body limits (413: 64 KiB,
/// 1 MiB on the routes of long forms, which set their own extractor limit),
/// header and URI bounds (431, 414), the request timeout (408), the envelope for every error,
/// the panic handler, `no-store`.
fn harden(app: axum::Router, request_timeout: std::time::Duration) -> axum::Router {
    app.fallback(|| async { ApiError::not_found() })
        .layer(from_fn(log_request))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_FORM_BODY_BYTES))
        .layer(from_fn(request_limits_layer))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(from_fn(envelope_layer))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn(no_store))
}

/// Log each request: method, the matched route pattern (never the raw path or query, which
/// could carry a mistyped secret), status and duration. No address, email, token or body.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route = route.as_deref().unwrap_or("-"),
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Every answer may carry a token or pupil data: no cache may keep it, and no client may
/// guess a content type.
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use axum::Json;
    use axum::http::StatusCode;

    use super::super::error::ApiJson;
    use super::*;

    /// The committed `assets/openapi.json` must be the document the server serves. To update it
    /// after changing a handler or a wire type: `BSMART_WRITE_OPENAPI=1 cargo test --lib openapi`.
    #[tokio::test]
    async fn committed_openapi_matches_the_served_document() {
        use tower::ServiceExt;
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/openapi.json");
        let generated = openapi_json();
        if std::env::var_os("BSMART_WRITE_OPENAPI").is_some_and(|v| v == "1") {
            std::fs::write(path, &generated).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::store::Store::open(&dir.path().join("t.db"), true)
            .await
            .unwrap();
        let clock = std::sync::Arc::new(super::super::clock::SystemClock);
        let state = AppState::new(store, clock, super::super::state::ServerKey::generate());
        let request = axum::http::Request::get("/api/v1/openapi.json")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = router(state, std::time::Duration::from_secs(30))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(
            String::from_utf8_lossy(&body),
            generated,
            "the served document is not the generated one"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "assets/openapi.json differs from the document generated from the handlers; regenerate it with \
             `BSMART_WRITE_OPENAPI=1 cargo test --lib openapi` and commit it"
        );
    }

    async fn send(app: &axum::Router, request: axum::http::Request<axum::body::Body>) -> (StatusCode, String) {
        use tower::ServiceExt;
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// What cannot be provoked from outside: a panicking handler, and the layers' own answers.
    #[tokio::test]
    async fn panics_and_layer_errors_answer_the_envelope() {
        use axum::body::Body;
        use axum::http::Request;
        async fn boom() -> &'static str {
            panic!("secret pupil name in a panic")
        }
        async fn echo(ApiJson(value): ApiJson<serde_json::Value>) -> Json<serde_json::Value> {
            Json(value)
        }
        async fn slow() -> &'static str {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            "too late"
        }
        let app = harden(
            axum::Router::new()
                .route("/boom", get(boom))
                .route("/slow", get(slow))
                .route("/echo", axum::routing::post(echo)),
            std::time::Duration::from_millis(200),
        );

        let (status, body) = send(&app, Request::get("/slow").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert!(body.contains("request_timeout"), "{body}");

        let long = format!("/boom?{}", "x".repeat(super::super::error::MAX_URI_BYTES));
        let (status, body) = send(&app, Request::get(long).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::URI_TOO_LONG);
        assert!(body.contains("uri_too_long"), "{body}");

        let mut many = Request::get("/boom");
        for n in 0..=super::super::error::MAX_HEADERS {
            many = many.header(format!("x-h{n}"), "1");
        }
        let (status, body) = send(&app, many.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert!(body.contains("headers_too_large"), "{body}");

        let (status, body) = send(&app, Request::get("/boom").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("\"internal\"") && !body.contains("secret"), "{body}");

        let (status, body) = send(&app, Request::delete("/boom").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(body.contains("method_not_allowed"), "{body}");

        let (status, body) = send(&app, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("not_found"), "{body}");

        let big = format!("\"{}\"", "x".repeat(MAX_BODY_BYTES + 1));
        let request = Request::post("/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(big));
        let (status, body) = send(&app, request.unwrap()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body.contains("payload_too_large"), "{body}");

        let request = Request::post("/echo")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("{}"));
        let (status, body) = send(&app, request.unwrap()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(body.contains("unsupported_media_type"), "{body}");

        let request = Request::post("/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{"));
        let (status, body) = send(&app, request.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("invalid_request"), "{body}");

        let request = Request::get("/boom")
            .header(header::AUTHORIZATION, "x".repeat(100_000))
            .body(Body::empty())
            .unwrap();
        let (status, body) = send(&app, request).await;
        assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert!(body.contains("headers_too_large"), "{body}");
    }

    #[test]
    fn openapi_document_lists_every_route() {
        let doc = openapi_json();
        let document = openapi();
        for (path, methods) in [
            ("/api/v1/setting", &["get"][..]),
            ("/api/v1/auth/login", &["post"]),
            ("/api/v1/auth/totp/confirm", &["post"]),
            ("/api/v1/incidents", &["get", "post"]),
            ("/api/v1/incidents/{reference}", &["get", "put", "delete"]),
            ("/api/v1/incidents/{reference}/parents-informed", &["post"]),
            ("/api/v1/incidents/{reference}/flag", &["post"]),
            ("/api/v1/incidents/{reference}/accounts", &["post"]),
            ("/api/v1/incidents/{reference}/markdown", &["get"]),
            ("/api/v1/locations", &["get"]),
            ("/api/v1/incident-categories", &["get"]),
            ("/api/v1/techniques", &["get"]),
            ("/api/v1/staff", &["get"]),
            ("/api/v1/plans", &["get", "post"]),
            ("/api/v1/plans/{id}", &["get", "put", "delete"]),
            ("/api/v1/plans/{id}/markdown", &["get"]),
            ("/api/v1/drafts", &["get"]),
            ("/api/v1/drafts/{id}", &["get", "put", "delete"]),
            ("/api/v1/notifications", &["get"]),
            ("/api/v1/notifications/{id}/read", &["post"]),
            ("/api/v1/individuals", &["get"]),
            ("/api/v1/individuals/{id}", &["get"]),
            ("/api/v1/individuals/{id}/overview", &["get"]),
            ("/api/v1/individuals/{id}/chronology", &["get"]),
            ("/api/v1/behaviours", &["get"]),
            ("/api/v1/periods", &["get"]),
            ("/api/v1/clicks", &["get", "post"]),
            ("/api/v1/clicks/{id}", &["delete"]),
            ("/api/v1/communications", &["get", "post"]),
            ("/api/v1/communications/{id}/responses", &["post"]),
            ("/api/v1/report-filter-sets", &["get", "post"]),
            ("/api/v1/report-filter-sets/{id}", &["delete"]),
        ] {
            assert!(doc.contains(path), "{path} missing");
            let item = &document.paths.paths[path];
            for method in methods {
                let operation = match *method {
                    "get" => &item.get,
                    "post" => &item.post,
                    "put" => &item.put,
                    _ => &item.delete,
                };
                assert!(operation.is_some(), "{method} {path} missing");
            }
        }
    }
}
