//! `GET /admin/products/:id/variants` (list, one) and `/admin/products/:id/options`, which
//! Medusa's dashboard product page calls (it got 405 before).

use crate::common;

use common::TestApp;
use serde_json::Value;

fn get(app: &TestApp, auth: &str, path: &str) -> (u16, Value) {
    let reply = app.admin_call("GET", path, auth, None);
    (reply.status, reply.json())
}

/// Creates a sales channel; its id.
fn new_channel(app: &TestApp, auth: &str, name: &str) -> String {
    let created = app.admin_call(
        "POST",
        "/admin/sales-channels",
        auth,
        Some(&serde_json::json!({ "name": name })),
    );
    created.json()["sales_channel"]["id"]
        .as_str()
        .expect("channel")
        .to_string()
}

/// The ids of the first `n` products of the admin list.
fn first_products(app: &TestApp, auth: &str, n: usize) -> Vec<String> {
    let (_, products) = get(app, auth, &format!("/admin/products?limit={n}"));
    products["products"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|p| p["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
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

/// `GET /admin/product-variants` lists variants across products (drafts too), each with its
/// `product`, filtered by `q`, `sku`, `product_id` and `id`, in pages.
#[test]
fn variants_are_listed_across_products_with_their_product() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let (status, all) = get(&app, &auth, "/admin/product-variants?limit=5");
    assert_eq!(status, 200);
    assert_eq!(all["limit"], 5);
    assert_eq!(all["variants"].as_array().map_or(0, Vec::len), 5);
    assert!(all["count"].as_u64().unwrap_or(0) > 100, "{}", all["count"]);
    let first = &all["variants"][0];
    let product = first["product"]["id"]
        .as_str()
        .expect("product")
        .to_string();
    assert!(first["product"].get("variants").is_none());
    let (_, inside) = get(&app, &auth, &format!("/admin/products/{product}/variants"));
    let same = inside["variants"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["id"] == first["id"]))
        .cloned()
        .expect("the variant inside its product");
    let mut without_product = first.clone();
    if let Some(map) = without_product.as_object_mut() {
        map.remove("product");
    }
    assert_eq!(without_product, same);
    let sku = first["sku"].as_str().expect("sku");
    let (_, by_sku) = get(&app, &auth, &format!("/admin/product-variants?sku={sku}"));
    assert_eq!(by_sku["count"], 1);
    let (_, of_product) = get(
        &app,
        &auth,
        &format!("/admin/product-variants?product_id={product}"),
    );
    assert_eq!(of_product["count"], inside["count"]);
    let (status, _) = get(&app, &auth, "/admin/product-variants?order=colour");
    assert_eq!(status, 400);
}

/// `POST /admin/sales-channels/:id/products {add, remove}` puts products in a channel and
/// takes them out (the product ↔ channel links are what the store's key scoping reads).
#[test]
fn products_are_added_to_and_removed_from_a_sales_channel() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let channel = new_channel(&app, &auth, "Kiosk");
    let ids = first_products(&app, &auth, 2);
    let path = format!("/admin/sales-channels/{channel}/products");
    let add = app.admin_call("POST", &path, &auth, Some(&serde_json::json!({"add": ids})));
    assert_eq!(add.status, 200, "{}", add.text());
    assert_eq!(add.json()["sales_channel"]["id"], channel.as_str());
    let listed = |app: &TestApp| -> i64 {
        let channel = channel.clone();
        app.engine()
            .store()
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM link_product_sales_channel \
                     WHERE sales_channel_id = ?1 AND deleted_at IS NULL",
                    [&channel],
                    |r| r.get(0),
                )?)
            })
            .unwrap_or(-1)
    };
    assert_eq!(listed(&app), 2);
    let remove = app.admin_call(
        "POST",
        &path,
        &auth,
        Some(&serde_json::json!({"remove": [ids[0]]})),
    );
    assert_eq!(remove.status, 200);
    assert_eq!(listed(&app), 1);
    let unknown = app.admin_call(
        "POST",
        &path,
        &auth,
        Some(&serde_json::json!({"add": ["prod_missing"]})),
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(listed(&app), 1);
}

/// The admin product list filters by `sales_channel_id` (string or array), as Medusa's does.
#[test]
fn the_admin_product_list_filters_by_sales_channel() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let channel = new_channel(&app, &auth, "Outlet");
    let (_, one) = get(&app, &auth, "/admin/products?limit=1");
    let product = one["products"][0]["id"]
        .as_str()
        .expect("product")
        .to_string();
    let path = format!("/admin/sales-channels/{channel}/products");
    let body = serde_json::json!({"add": [product]});
    assert_eq!(
        app.admin_call("POST", &path, &auth, Some(&body)).status,
        200
    );
    let (_, only) = get(
        &app,
        &auth,
        &format!("/admin/products?sales_channel_id={channel}"),
    );
    assert_eq!(only["count"], 1);
    assert_eq!(only["products"][0]["id"], product.as_str());
    let (_, all) = get(&app, &auth, "/admin/products");
    assert!(all["count"].as_u64().unwrap_or(0) > 1);
}

/// `POST /admin/product-categories/:id/products` and `/admin/collections/:id/products`
/// `{add, remove}` move products in and out; the product list's filters see it.
#[test]
fn products_are_batched_into_categories_and_collections() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let post = |path: &str, body: serde_json::Value| {
        let reply = app.admin_call("POST", path, &auth, Some(&body));
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        reply.json()
    };
    let category = post(
        "/admin/product-categories",
        serde_json::json!({"name": "Picks"}),
    )["product_category"]["id"]
        .as_str()
        .expect("category")
        .to_string();
    let collection = post(
        "/admin/collections",
        serde_json::json!({"title": "Capsule"}),
    )["collection"]["id"]
        .as_str()
        .expect("collection")
        .to_string();
    let ids = first_products(&app, &auth, 2);
    let count = |query: String| -> u64 {
        get(&app, &auth, &format!("/admin/products?{query}")).1["count"]
            .as_u64()
            .unwrap_or(0)
    };
    let linked = post(
        &format!("/admin/product-categories/{category}/products"),
        serde_json::json!({"add": ids}),
    );
    assert_eq!(linked["product_category"]["id"], category.as_str());
    assert_eq!(count(format!("category_id={category}")), 2);
    post(
        &format!("/admin/product-categories/{category}/products"),
        serde_json::json!({"remove": [ids[1]]}),
    );
    assert_eq!(count(format!("category_id={category}")), 1);
    post(
        &format!("/admin/collections/{collection}/products"),
        serde_json::json!({"add": ids}),
    );
    assert_eq!(count(format!("collection_id={collection}")), 2);
    post(
        &format!("/admin/collections/{collection}/products"),
        serde_json::json!({"remove": [ids[0]]}),
    );
    assert_eq!(count(format!("collection_id={collection}")), 1);
    let missing = app.admin_call(
        "POST",
        &format!("/admin/collections/{collection}/products"),
        &auth,
        Some(&serde_json::json!({"add": ["prod_missing"]})),
    );
    assert_eq!(missing.status, 404);
}
