//! The background warm-up after a start (`src/http/warm.rs`): it answers the storefront's
//! entry requests for every publishable key and region and warms every pooled reader, and
//! what it kept is exactly what a cold server computes.

use crate::common;

use common::{DEMO_KEY, TestApp, config};
use serde_json::Value;
use stockroom::config::ServeConfig;

fn warm_config() -> ServeConfig {
    let mut config = config();
    config.ops.warm = true;
    config
}

fn region_ids(app: &TestApp) -> Vec<String> {
    let regions = app.store_get("/store/regions").json();
    regions["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .map(|r| r["id"].as_str().expect("an id").to_string())
        .collect()
}

/// The reply's JSON text with the app's own address (in image URLs) made neutral.
fn own_port_out(app: &TestApp, reply: &common::client::Reply) -> String {
    let port = app.addr.rsplit(':').next().expect("a port");
    reply
        .json()
        .to_string()
        .replace(&format!("localhost:{port}/"), "localhost:PORT/")
}

fn publishable_keys(app: &TestApp) -> usize {
    app.engine()
        .store()
        .read(|conn| {
            let (keys, _) =
                stockroom::modules::api_key::list(conn, Some("publishable"), &[], 0, 100)?;
            Ok(keys.iter().filter(|k| k.revoked_at.is_none()).count())
        })
        .expect("keys")
}

#[test]
fn the_warm_up_answers_every_entry_request_and_warms_every_reader() {
    let mut app = TestApp::with(warm_config(), stockroom::Engine::builder());
    let warmed = app.warmed().expect("serve with ops.warm runs a warm-up");
    let (keys, regions) = (publishable_keys(&app), region_ids(&app).len());
    assert!(keys >= 1 && regions >= 2, "the demo has keys and regions");
    // Per key: /store/regions, then the first listing page in each region; each a 200.
    assert_eq!(warmed.requests, keys * (1 + regions), "{warmed:?}");
    assert_eq!(
        warmed.readers, 4,
        "every pooled reader (the default pool of 4)"
    );
    assert_eq!(app.warmed(), None, "joined once");
    assert_eq!(app.get("/health/ready").status, 200, "ready once warm");
}

#[test]
fn readiness_waits_for_a_running_warm_up_and_liveness_does_not() {
    let app = TestApp::start();
    let store = app.engine().store();
    store.set_warming(true);
    let reply = app.get("/health/ready");
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["status"], "warming");
    assert_eq!(app.get("/health").status, 200);
    assert_eq!(
        app.store_get("/store/regions").status,
        200,
        "routes answer meanwhile"
    );
    store.set_warming(false);
    assert_eq!(app.get("/health/ready").status, 200);
}

#[test]
fn warmed_pages_are_what_a_cold_server_computes() {
    let mut warm = TestApp::with(warm_config(), stockroom::Engine::builder());
    warm.warmed().expect("a warm-up ran");
    let mut cold = TestApp::start();
    assert_eq!(
        cold.warmed(),
        None,
        "tests and embedders do not warm unless asked"
    );
    for region in region_ids(&cold) {
        for path in [
            format!("/store/products?limit=20&region_id={region}"),
            format!("/store/products?limit=5&offset=3&region_id={region}"),
        ] {
            let (a, b) = (warm.store_get(&path), cold.store_get(&path));
            assert_eq!((a.status, b.status), (200, 200), "{path}");
            let products: &Value = &a.json()["products"];
            assert!(!products.as_array().expect("products").is_empty(), "{path}");
            assert_eq!(own_port_out(&warm, &a), own_port_out(&cold, &b), "{path}");
        }
    }
    let regions = warm.request(
        "GET",
        "/store/regions",
        &[("x-publishable-api-key", DEMO_KEY)],
        None,
    );
    assert_eq!(regions.json(), cold.store_get("/store/regions").json());
}
