//! `GET /admin/products/:id/variants` (list, one) and `/admin/products/:id/options`, which
//! Medusa's dashboard product page calls (it got 405 before).

mod common;

use common::TestApp;
use serde_json::Value;

fn get(app: &TestApp, auth: &str, path: &str) -> (u16, Value) {
    let reply = app.admin_call("GET", path, auth, None);
    (reply.status, reply.json())
}

#[test]
fn a_products_variants_and_options_read_as_inside_the_product() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let (_, products) = get(&app, &auth, "/admin/products?limit=1");
    let product = products["products"][0].clone();
    let id = product["id"].as_str().expect("a demo product");
    let (status, variants) = get(&app, &auth, &format!("/admin/products/{id}/variants"));
    assert_eq!(status, 200);
    assert_eq!(
        variants["count"],
        product["variants"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(variants["variants"][0], product["variants"][0]);
    let first = variants["variants"][0]["id"]
        .as_str()
        .expect("variant")
        .to_string();
    let (_, one) = get(
        &app,
        &auth,
        &format!("/admin/products/{id}/variants/{first}"),
    );
    assert_eq!(one["variant"]["id"], first.as_str());
    let (_, filtered) = get(
        &app,
        &auth,
        &format!("/admin/products/{id}/variants?id={first}&limit=1"),
    );
    assert_eq!(filtered["count"], 1);
    assert_eq!(filtered["limit"], 1);
    let (status, _) = get(
        &app,
        &auth,
        &format!("/admin/products/{id}/variants/variant_missing"),
    );
    assert_eq!(status, 404);
    let (status, _) = get(&app, &auth, "/admin/products/prod_missing/variants");
    assert_eq!(status, 404);
    let (status, options) = get(&app, &auth, &format!("/admin/products/{id}/options"));
    assert_eq!(status, 200);
    assert_eq!(options["product_options"], product["options"]);
}
