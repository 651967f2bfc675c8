//! Black-box tests of the HTTP foundation: routing, errors, request hygiene, CORS, the
//! hardened tiny_http, panic isolation and graceful shutdown.

use crate::common;

use common::client::{self, read_reply, write_request};
use common::{DEMO_KEY, TestApp, check, config};
use serde_json::{Value, json};
use std::io::{BufReader, Read, Write};
use std::time::{Duration, Instant};
use stockroom::Engine;
use stockroom::http::cors::parse_origins;
use stockroom::http::validate::{Kind, Schema};
use stockroom::http::{Access, Response, Route};

/// The core engine plus a few probe routes, registered through the public builder.
fn app_with_probes() -> TestApp {
    app_with_probes_and(config())
}

fn app_with_probes_and(config: stockroom::config::ServeConfig) -> TestApp {
    let builder = Engine::builder()
        .route(Route::new("GET", "/store/probe/echo", Access::Store, "echo query", |_, req| {
            Ok(Response::json(json!({
                "query": req.query,
                "sales_channel_ids": req.actor.publishable.as_ref().map(|p| p.sales_channel_ids.clone()),
            })))
        }))
        .route(Route::new("POST", "/store/probe/items", Access::Store, "strict body", |_, req| {
            let schema = Schema::new()
                .required("variant_id", Kind::String)
                .required("quantity", Kind::Number)
                .optional("metadata", Kind::Object);
            Ok(Response::json(json!({"received": req.body_with(&schema)?})))
        }))
        .route(Route::new("GET", "/store/probe/panic", Access::Store, "panics", |_, _| {
            panic!("handler bug")
        }))
        .route(Route::new("GET", "/store/probe/big", Access::Store, "4 KiB body", |_, _| {
            Ok(Response::json(json!({"blob": "x".repeat(4096)})))
        }));
    TestApp::with(config, builder)
}

#[test]
fn health_is_200_ok() {
    let app = TestApp::start();
    let reply = app.get("/health");
    assert_eq!((reply.status, reply.text().as_str()), (200, "OK"));
}

#[test]
fn unknown_route_is_404_json() {
    let app = TestApp::start();
    check(
        &app.get("/store/nope"),
        404,
        json!({"type": "not_found", "message": "Route GET /store/nope was not found"}),
    );
}

#[test]
fn wrong_method_is_405_with_allow() {
    let app = TestApp::start();
    let reply = app.request("DELETE", "/health", &[], None);
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET"));
    assert_eq!(reply.json()["type"], "not_allowed");
}

#[test]
fn store_route_without_key_is_400_not_allowed() {
    let app = app_with_probes();
    check(
        &app.get("/store/probe/echo"),
        400,
        json!({"type": "not_allowed", "message": "Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard."}),
    );
}

#[test]
fn store_route_with_unknown_key_is_400_not_allowed() {
    let app = app_with_probes();
    let reply = app.request(
        "GET",
        "/store/probe/echo",
        &[("x-publishable-api-key", "pk_nope")],
        None,
    );
    check(
        &reply,
        400,
        json!({"type": "not_allowed", "message": "A valid publishable key is required to proceed with the request"}),
    );
}

#[test]
fn valid_key_resolves_its_sales_channels() {
    let app = app_with_probes();
    let reply = app.store_get("/store/probe/echo");
    assert_eq!(reply.status, 200);
    let channels = reply.json()["sales_channel_ids"].clone();
    assert_eq!(channels.as_array().map(Vec::len), Some(1), "{channels}");
    assert!(channels[0].as_str().unwrap().starts_with("sc_"));
}

#[test]
fn qs_query_strings_as_the_js_sdk_sends_them() {
    let app = app_with_probes();
    let reply = app.store_get(
        "/store/probe/echo?id%5B0%5D=prod_1&id%5B1%5D=prod_2&created_at[$gte]=2024-01-01&fields=%2Avariants.calculated_price%2C%2Btitle&limit=20",
    );
    assert_eq!(
        reply.json()["query"],
        json!({
            "id": ["prod_1", "prod_2"],
            "created_at": {"$gte": "2024-01-01"},
            "fields": "*variants.calculated_price,+title",
            "limit": "20",
        })
    );
}

#[test]
fn broken_query_string_is_400() {
    let app = app_with_probes();
    assert_eq!(app.store_get("/store/probe/echo?a=%ZZ").status, 400);
}

#[test]
fn strict_body_accepts_valid_json() {
    let app = app_with_probes();
    let reply = app.store_post(
        "/store/probe/items",
        &json!({"variant_id": "v", "quantity": 2}),
    );
    check(
        &reply,
        200,
        json!({"received": {"variant_id": "v", "quantity": 2}}),
    );
}

#[test]
fn unknown_body_fields_are_rejected_with_medusa_message() {
    let app = app_with_probes();
    let reply = app.store_post(
        "/store/probe/items",
        &json!({"variant_id": "v", "quantity": 1, "x": 1}),
    );
    check(
        &reply,
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'x'"}),
    );
}

#[test]
fn wrong_type_and_missing_field_messages() {
    let app = app_with_probes();
    let reply = app.store_post("/store/probe/items", &json!({"quantity": "2"}));
    assert_eq!(reply.status, 400);
    let message = reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("Field 'variant_id' is required"),
        "{message}"
    );
    assert!(
        message.contains("Expected type: 'number' for field 'quantity', got: 'string'"),
        "{message}"
    );
}

#[test]
fn malformed_json_is_400_invalid_data() {
    let app = app_with_probes();
    let reply = app.request(
        "POST",
        "/store/probe/items",
        &[
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ],
        Some("{\"variant_id\": "),
    );
    assert_eq!(
        (reply.status, reply.json()["type"].clone()),
        (400, json!("invalid_data"))
    );
}

#[test]
fn non_json_content_type_is_415() {
    let app = app_with_probes();
    let reply = app.request(
        "POST",
        "/store/probe/items",
        &[
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "text/plain"),
        ],
        Some("hello"),
    );
    assert_eq!(reply.status, 415);
    assert_eq!(reply.json()["type"], "invalid_data");
}

#[test]
fn oversized_body_is_413_and_nothing_breaks() {
    let app = app_with_probes();
    let big = format!(
        "{{\"variant_id\":\"{}\",\"quantity\":1}}",
        "v".repeat(70 * 1024)
    );
    let reply = app.request(
        "POST",
        "/store/probe/items",
        &[
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ],
        Some(&big),
    );
    assert_eq!(reply.status, 413);
    assert_eq!(app.get("/health").status, 200);
}

/// Regression: tiny_http 0.12 allocated `vec![0; content_length]` to drain an unread body,
/// so one request declaring 64 GB aborted the whole process.
#[test]
fn huge_declared_content_length_does_not_crash_the_server() {
    let app = app_with_probes();
    let mut stream = client::connect(&app.addr);
    stream
        .write_all(b"POST /store/probe/items HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: 64000000000\r\n\r\n{")
        .unwrap();
    let reply = read_reply(&mut BufReader::new(stream)).expect("an answer");
    assert_eq!(reply.status, 413);
    assert_eq!(app.get("/health").status, 200);
}

#[test]
fn too_many_headers_are_refused_and_the_server_keeps_serving() {
    let app = TestApp::start();
    let mut stream = client::connect(&app.addr);
    let mut head = String::from("GET /health HTTP/1.1\r\nhost: t\r\n");
    for i in 0..150 {
        head.push_str(&format!("x-h{i}: v\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let reply = read_reply(&mut BufReader::new(stream));
    assert!(reply.as_ref().is_none_or(|r| r.status >= 400), "{reply:?}");
    assert_eq!(app.get("/health").status, 200);
}

#[test]
fn overlong_header_line_is_refused() {
    let app = TestApp::start();
    let mut stream = client::connect(&app.addr);
    let head = format!(
        "GET /health HTTP/1.1\r\nx-long: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let _ = stream.write_all(head.as_bytes());
    let reply = read_reply(&mut BufReader::new(stream));
    assert!(reply.as_ref().is_none_or(|r| r.status >= 400), "{reply:?}");
    assert_eq!(app.get("/health").status, 200);
}

#[test]
fn idle_connections_are_closed_after_the_timeout() {
    let mut cfg = config();
    cfg.connection_timeout_ms = 200;
    let app = TestApp::with(cfg, Engine::builder());
    let mut stream = client::connect(&app.addr);
    let started = Instant::now();
    let mut buf = [0u8; 16];
    // The server closes the silent connection: read returns 0 (EOF) or a reset.
    let n = stream.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Regression: without TCP_NODELAY each keep-alive response over ~1 KiB waited ~40 ms for the
/// client's delayed ACK. A hundred requests would take 4 s; the bound is half that, a wide
/// margin for a loaded CI machine.
#[test]
fn keep_alive_responses_are_not_delayed_by_nagle() {
    let app = app_with_probes();
    let mut stream = client::connect(&app.addr);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let started = Instant::now();
    for _ in 0..100 {
        write_request(
            &mut stream,
            "GET",
            "/store/probe/big",
            &[("x-publishable-api-key", DEMO_KEY)],
            None,
            false,
        );
        assert_eq!(read_reply(&mut reader).expect("reply").status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_panicking_handler_is_a_500_and_the_worker_keeps_serving() {
    let app = app_with_probes();
    for _ in 0..4 {
        check(
            &app.store_get("/store/probe/panic"),
            500,
            json!({"type": "unknown_error", "code": "unknown_error", "message": "An unknown error occurred."}),
        );
    }
    assert_eq!(app.store_get("/store/probe/echo").status, 200);
}

#[test]
fn cors_preflight_is_answered_for_listed_origins_only() {
    let mut cfg = config();
    cfg.cors.store = parse_origins("http://localhost:8000");
    let app = app_with_probes_and(cfg);
    let preflight = |origin: &str| {
        app.request(
            "OPTIONS",
            "/store/probe/echo",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
            ],
            None,
        )
    };
    let allowed = preflight("http://localhost:8000");
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:8000")
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .unwrap()
            .contains("x-publishable-api-key")
    );
    let refused = preflight("http://evil.test");
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let simple = app.request(
        "GET",
        "/store/probe/echo",
        &[
            ("origin", "http://localhost:8000"),
            ("x-publishable-api-key", DEMO_KEY),
        ],
        None,
    );
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some("http://localhost:8000")
    );
}

#[test]
fn graceful_shutdown_finishes_in_flight_requests() {
    let (entered_tx, entered) = crossbeam_channel::bounded::<()>(1);
    let (release, gate) = crossbeam_channel::bounded::<()>(1);
    let builder = Engine::builder().route(Route::new(
        "GET",
        "/slow",
        Access::Public,
        "blocks",
        move |_, _| {
            entered_tx.send(()).ok();
            gate.recv().ok();
            Ok(Response::json(json!({"done": true})))
        },
    ));
    let app = TestApp::with(config(), builder);
    let addr = app.addr.clone();
    let in_flight = std::thread::spawn(move || client::send(&addr, "GET", "/slow", &[], None));
    entered.recv().unwrap();
    let stopper = std::thread::spawn(move || app.shutdown());
    release.send(()).unwrap();
    let reply = in_flight.join().unwrap();
    stopper.join().unwrap();
    assert_eq!((reply.status, reply.json()), (200, json!({"done": true})));
}

#[test]
fn error_bodies_are_json_with_type_and_message() {
    let app = app_with_probes();
    for reply in [
        app.get("/nope"),
        app.get("/store/probe/echo"),
        app.store_get("/store/probe/panic"),
    ] {
        let body: Value = reply.json();
        assert!(
            body["type"].is_string() && body["message"].is_string(),
            "{body}"
        );
    }
}
