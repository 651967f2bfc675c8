//! Route middleware through the public builder: custom routes declare access (secret key
//! only here), body and query schemas and a rate limit; the checks answer before the handler
//! runs, with Medusa's messages.

use crate::common;

use common::{TestApp, check, config};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use stockroom::Engine;
use stockroom::http::middleware::RateLimit;
use stockroom::http::validate::{Kind, Schema};
use stockroom::http::{Access, Response, Route};

fn app(calls: Arc<AtomicUsize>) -> TestApp {
    let counted = move |_: &Engine, req: &stockroom::http::Request| {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(Response::json(
            json!({"query": req.query, "body": req.json()?}),
        ))
    };
    let builder = Engine::builder()
        .route(
            Route::new(
                "POST",
                "/store/wishes",
                Access::Store,
                "Make a wish",
                counted.clone(),
            )
            .body(Schema::new().required("wish", Kind::String))
            .rate_limit(RateLimit::per_minute(2)),
        )
        .route(
            Route::new(
                "GET",
                "/store/wishes",
                Access::Store,
                "List wishes",
                counted.clone(),
            )
            .query(Schema::new().optional("limit", Kind::Integer)),
        )
        .route(Route::new(
            "POST",
            "/admin/wishes/sync",
            Access::SecretKey,
            "Partner sync",
            counted,
        ));
    TestApp::with(config(), builder)
}

#[test]
fn body_and_query_schemas_answer_before_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(calls.clone());
    check(
        &app.store_post("/store/wishes", &json!({"wsh": "pony"})),
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Field 'wish' is required; Unrecognized fields: 'wsh'"}),
    );
    check(
        &app.store_get("/store/wishes?limit=lots"),
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Expected type: 'number' for field 'limit', got: 'string'"}),
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the handler never ran");
    let listed = app.store_get("/store/wishes?limit=5");
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["query"], json!({"limit": "5"}));
    assert_eq!(
        app.store_get("/store/wishes?colour=red").status,
        400,
        "unknown keys too"
    );
}

#[test]
fn a_rate_limit_answers_429_until_the_window_moves() {
    let app = app(Arc::new(AtomicUsize::new(0)));
    let wish = json!({"wish": "pony"});
    assert_eq!(app.store_post("/store/wishes", &wish).status, 200);
    assert_eq!(app.store_post("/store/wishes", &wish).status, 200);
    let limited = app.store_post("/store/wishes", &wish);
    assert_eq!(limited.status, 429, "{}", limited.text());
    assert!(limited.header("retry-after").is_some());
    app.engine().clock().advance(60_000);
    assert_eq!(
        app.store_post("/store/wishes", &wish).status,
        200,
        "a new window"
    );
}

#[test]
fn a_secret_key_route_refuses_a_signed_in_user() {
    let app = app(Arc::new(AtomicUsize::new(0)));
    let bearer = format!("Bearer {}", app.admin_token());
    let user = app.admin_call("POST", "/admin/wishes/sync", &bearer, Some(&json!({})));
    check(&user, 401, json!({"message": "Unauthorized"}));
    let created = app.admin_call(
        "POST",
        "/admin/api-keys",
        &bearer,
        Some(&json!({"title": "Partner", "type": "secret"})),
    );
    let token = created.json()["api_key"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let key = format!("Basic {token}");
    let synced = app.admin_call("POST", "/admin/wishes/sync", &key, Some(&json!({})));
    assert_eq!(synced.status, 200, "{}", synced.text());
}
