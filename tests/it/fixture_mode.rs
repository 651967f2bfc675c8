//! Fixture mode for storefront tests: determinism (the same requests give byte-identical
//! bodies, across processes and after a reset), reset, named snapshots, clock control, the
//! test-control API only behind its flag, `serve --fixture --port 0`, and `TestStore`.

use crate::common;

use common::{TestApp, binary, config};
use serde_json::json;
use stockroom::Engine;
use stockroom::testing::TestStore;

/// A storefront-ish sequence; returns every response body as text.
fn scenario(app: &TestApp) -> Vec<String> {
    let mut bodies = Vec::new();
    let (customer_id, token) = app.signup("ada@example.com", "secret-password");
    bodies.push(customer_id);
    let address = json!({"first_name": "Ada", "address_1": "1 Loop Rd", "city": "Bytes", "country_code": "us", "postal_code": "12345"});
    bodies.push(
        app.store_call(
            "POST",
            "/store/customers/me/addresses",
            &token,
            Some(&address),
        )
        .text(),
    );
    bodies.push(
        app.store_call("GET", "/store/customers/me?fields=*orders", &token, None)
            .text(),
    );
    let admin = format!("Bearer {}", app.admin_token());
    bodies.push(
        app.admin_call("GET", "/admin/customers", &admin, None)
            .text(),
    );
    bodies.push(
        app.admin_call(
            "POST",
            "/admin/customer-groups",
            &admin,
            Some(&json!({"name": "VIP"})),
        )
        .text(),
    );
    bodies.push(app.get("/test-control/clock").text());
    bodies
}

#[test]
fn the_same_requests_give_byte_identical_bodies_in_two_runs() {
    let first = scenario(&TestApp::start());
    let second = scenario(&TestApp::start());
    assert_eq!(first, second);
    assert!(
        first.iter().any(|b| b.contains("cus_")),
        "the scenario really created things: {first:?}"
    );
}

#[test]
fn reset_restores_data_ids_and_clock() {
    let app = TestApp::start();
    let before = scenario(&app);
    app.request(
        "POST",
        "/test-control/clock",
        &[("content-type", "application/json")],
        Some("{\"advance_ms\": 3600000}"),
    );
    let reply = app.request("POST", "/test-control/reset", &[], None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        app.login_reply("customer", "ada@example.com", "secret-password")
            .status,
        401,
        "the customer is gone"
    );
    assert_eq!(
        scenario(&app),
        before,
        "after a reset the same requests answer the same bytes"
    );
}

#[test]
fn named_snapshots_save_and_restore() {
    let app = TestApp::start();
    assert_eq!(
        app.request("POST", "/test-control/snapshots/empty", &[], None)
            .status,
        200
    );
    app.signup("grace@example.com", "secret-password");
    assert_eq!(
        app.request("POST", "/test-control/snapshots/with-grace", &[], None)
            .status,
        200
    );
    assert_eq!(
        app.request("POST", "/test-control/snapshots/empty/restore", &[], None)
            .status,
        200
    );
    assert_eq!(
        app.login_reply("customer", "grace@example.com", "secret-password")
            .status,
        401
    );
    assert_eq!(
        app.request(
            "POST",
            "/test-control/snapshots/with-grace/restore",
            &[],
            None
        )
        .status,
        200
    );
    assert_eq!(
        app.login_reply("customer", "grace@example.com", "secret-password")
            .status,
        200
    );
    let listed = app.get("/test-control/snapshots").json();
    assert_eq!(
        listed["snapshots"],
        json!(["empty", "seeded", "with-grace"])
    );
    let missing = app.request("POST", "/test-control/snapshots/nope/restore", &[], None);
    assert_eq!(
        (missing.status, missing.json()["type"].clone()),
        (404, json!("not_found"))
    );
}

#[test]
fn the_clock_can_be_read_set_and_advanced() {
    let app = TestApp::start();
    assert_eq!(
        app.get("/test-control/clock").json(),
        json!({"now": "2024-01-01T00:00:00.000Z", "manual": true})
    );
    let set = |body: &str| {
        app.request(
            "POST",
            "/test-control/clock",
            &[("content-type", "application/json")],
            Some(body),
        )
    };
    assert_eq!(
        set("{\"now\": \"2025-06-01T12:00:00Z\"}").json()["now"],
        "2025-06-01T12:00:00.000Z"
    );
    assert_eq!(
        set("{\"advance_ms\": 1500}").json()["now"],
        "2025-06-01T12:00:01.500Z"
    );
    assert_eq!(set("{\"now\": \"tomorrow\"}").status, 400);
    assert_eq!(set("{\"advance_ms\": -1}").status, 400);
    // Tokens are stamped with the store's clock: an advanced clock expires them.
    let (_, token) = app.signup("time@example.com", "secret-password");
    assert_eq!(
        app.store_call("GET", "/store/customers/me", &token, None)
            .status,
        200
    );
    set("{\"advance_ms\": 172800000}");
    assert_eq!(
        app.store_call("GET", "/store/customers/me", &token, None)
            .status,
        401
    );
}

#[test]
fn the_control_api_is_absent_without_the_flag() {
    let mut cfg = config();
    cfg.test_control = false;
    let app = TestApp::with(cfg, Engine::builder());
    assert_eq!(
        app.request("POST", "/test-control/reset", &[], None).status,
        404
    );
    assert_eq!(app.get("/test-control/clock").status, 404);
    assert_eq!(
        app.snapshots(),
        Vec::<String>::new(),
        "no reset can come, so no seeded image is kept"
    );
    assert_eq!(TestApp::start().snapshots(), ["seeded"]);
}

#[test]
fn without_the_control_api_the_image_cache_is_still_written() {
    let dir = cache_dir("no-control");
    let mut cfg = config();
    cfg.test_control = false;
    cfg.fixture_cache = Some(dir.clone());
    let app = TestApp::with(cfg, Engine::builder());
    let images = std::fs::read_dir(&dir).map_or(0, |d| d.count());
    assert_eq!(images, 2, "an image and its sidecar were written");
    assert_eq!(app.snapshots(), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn test_store_resets_through_the_library_api() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json");
    let shop = TestStore::from_fixture(fixture).unwrap();
    assert!(shop.base_url().starts_with("http://127.0.0.1:"));
    let start = shop.clock().now();
    let ctx = shop.engine().ctx().clone();
    let first_id = ctx.id("cus");
    shop.clock().advance(10_000);
    shop.reset().unwrap();
    assert_eq!(shop.clock().now(), start);
    assert_eq!(
        shop.engine().ctx().id("cus"),
        first_id,
        "the ID generator rewinds too"
    );
}

#[test]
fn serve_fixture_on_port_zero_prints_the_port_and_serves_the_control_api() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json");
    let mut cmd = binary::command();
    cmd.args([
        "serve",
        "--fixture",
        fixture,
        "--port",
        "0",
        "--test-control",
        "--quiet",
    ]);
    let server = binary::Server::spawn(cmd);
    let (addr, line) = (server.addr.clone(), server.banner.clone());
    let reply = common::client::send(&addr, "POST", "/test-control/reset", &[], None);
    drop(server);
    assert_eq!(reply.status, 200, "{line}");
}

/// A fresh directory for one test's image cache.
fn cache_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-cache-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn cached_app(dir: &std::path::Path) -> TestApp {
    let mut cfg = config();
    cfg.fixture_cache = Some(dir.to_path_buf());
    TestApp::with(cfg, Engine::builder())
}

#[test]
fn a_start_from_the_image_cache_answers_exactly_like_a_seeded_one() {
    let dir = cache_dir("same");
    let seeded = TestApp::start();
    let seeded_jobs = seeded.engine().store().writer_stats().jobs;
    let expected = scenario(&seeded);

    let filling = cached_app(&dir);
    let images: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(images.len(), 2, "an image and its sidecar were written");
    assert_eq!(scenario(&filling), expected);

    let restored = cached_app(&dir);
    let restored_jobs = restored.engine().store().writer_stats().jobs;
    assert!(
        restored_jobs < seeded_jobs,
        "the cached start did not seed ({restored_jobs} jobs vs {seeded_jobs})"
    );
    assert_eq!(
        scenario(&restored),
        expected,
        "same bodies, ids and timestamps"
    );
    let reset = restored.request("POST", "/test-control/reset", &[], None);
    assert_eq!(reset.status, 200);
    assert_eq!(scenario(&restored), expected, "and again after a reset");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_damaged_cache_entry_is_ignored_and_rewritten() {
    let dir = cache_dir("damaged");
    let listing = "/store/products?limit=1";
    let expected = TestApp::start().store_get(listing).json()["count"].clone();
    drop(cached_app(&dir));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "db") {
            std::fs::write(&path, b"not a database").unwrap();
        }
    }
    let app = cached_app(&dir);
    assert_eq!(
        app.store_get(listing).json()["count"],
        expected,
        "seeded again"
    );
    drop(app);
    let rewritten = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "db"))
        .unwrap();
    assert!(
        std::fs::read(&rewritten)
            .unwrap()
            .starts_with(b"SQLite format 3")
    );
    let again = cached_app(&dir);
    assert_eq!(again.store_get(listing).json()["count"], expected);
    std::fs::remove_dir_all(&dir).ok();
}
