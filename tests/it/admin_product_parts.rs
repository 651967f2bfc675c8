//! Admin product parts and price lists over HTTP with a real admin token: options, variant
//! updates, `products/batch`, price list list / update / delete and `prices/batch` — each
//! with its happy path, a 400 for a bad body and a 404 for an unknown id.

use crate::common;

use common::TestApp;
use common::client::Reply;
use serde_json::{Value, json};

struct Admin {
    app: TestApp,
    auth: String,
}

impl Admin {
    fn start() -> Admin {
        let app = TestApp::start();
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body.as_ref())
    }

    #[track_caller]
    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    #[track_caller]
    fn fails(&self, method: &str, path: &str, body: Option<Value>, status: u16, kind: &str) {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        assert_eq!(reply.json()["type"], kind, "{}", reply.text());
    }

    /// A product with Size S/M and one variant (S, 10 USD); returns the product JSON.
    fn product(&self, handle: &str) -> Value {
        let stores = self.ok("GET", "/admin/stores", None);
        let channel = stores["stores"][0]["default_sales_channel_id"].clone();
        let body = json!({
            "title": "Parts Tee", "handle": handle, "status": "published",
            "sales_channels": [{"id": channel}],
            "options": [{"title": "Size", "values": ["S", "M"]}],
            "variants": [{"title": "S", "sku": format!("{handle}-s"), "options": {"Size": "S"},
                          "prices": [{"currency_code": "usd", "amount": 10}]}]
        });
        self.ok("POST", "/admin/products", Some(body))["product"].clone()
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn values_of(option: &Value) -> Vec<String> {
    let mut values: Vec<String> = option["values"]
        .as_array()
        .map(|v| v.iter().map(|v| text(&v["value"])).collect())
        .unwrap_or_default();
    values.sort();
    values
}

#[test]
fn options_are_added_updated_and_deleted() {
    let a = Admin::start();
    let product = a.product("opt-tee");
    let id = text(&product["id"]);
    let base = format!("/admin/products/{id}/options");
    let added = a.ok(
        "POST",
        &base,
        Some(json!({"title": "Color", "values": ["Red", "Blue"]})),
    )["product"]
        .clone();
    let color = added["options"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["title"] == "Color"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(values_of(&color), ["Blue", "Red"]);
    let color_id = text(&color["id"]);
    let path = format!("{base}/{color_id}");
    let updated = a.ok(
        "POST",
        &path,
        Some(json!({"title": "Colour", "values": ["Red", "Green"]})),
    )["product"]
        .clone();
    let colour = updated["options"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["id"] == json!(color_id)))
        .cloned()
        .unwrap_or_default();
    assert_eq!(colour["title"], "Colour");
    assert_eq!(values_of(&colour), ["Green", "Red"]);
    a.fails(
        "POST",
        &base,
        Some(json!({"title": "Size", "values": []})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &base,
        Some(json!({"title": "X", "values": "x"})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &format!("{base}/opt_missing"),
        Some(json!({"title": "x"})),
        404,
        "not_found",
    );
    let gone = a.ok("DELETE", &path, None);
    assert_eq!(
        (&gone["id"], &gone["object"], &gone["deleted"]),
        (&json!(color_id), &json!("product_option"), &json!(true))
    );
    assert_eq!(gone["parent"]["options"].as_array().map(Vec::len), Some(1));
    a.fails("DELETE", &path, None, 404, "not_found");
    a.fails(
        "POST",
        "/admin/products/prod_missing/options",
        Some(json!({"title": "x", "values": ["y"]})),
        404,
        "not_found",
    );
}

#[test]
fn a_variant_is_updated_with_its_options_and_prices() {
    let a = Admin::start();
    let product = a.product("var-tee");
    let id = text(&product["id"]);
    let variant = text(&product["variants"][0]["id"]);
    let path = format!("/admin/products/{id}/variants/{variant}");
    let updated = a.ok(
        "POST",
        &path,
        Some(json!({
            "title": "Medium", "sku": "VAR-M", "manage_inventory": false,
            "allow_backorder": true, "options": {"Size": "M"},
            "prices": [{"currency_code": "usd", "amount": 12.5}, {"currency_code": "eur", "amount": 11}]
        })),
    )["product"]
        .clone();
    let v = &updated["variants"][0];
    assert_eq!(
        (
            &v["title"],
            &v["sku"],
            &v["manage_inventory"],
            &v["allow_backorder"]
        ),
        (
            &json!("Medium"),
            &json!("VAR-M"),
            &json!(false),
            &json!(true)
        )
    );
    assert_eq!(v["options"][0]["value"], "M");
    let mut prices: Vec<(String, Value)> = v["prices"]
        .as_array()
        .map(|p| {
            p.iter()
                .map(|p| (text(&p["currency_code"]), p["amount"].clone()))
                .collect()
        })
        .unwrap_or_default();
    prices.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        prices,
        [
            ("eur".to_string(), json!(11)),
            ("usd".to_string(), json!(12.5))
        ]
    );
    let store = a.app.store_get(&format!(
        "/store/products/{id}?fields=id,*variants.calculated_price&currency_code=usd"
    ));
    assert_eq!(store.status, 200, "{}", store.text());
    assert_eq!(
        store.json()["product"]["variants"][0]["calculated_price"]["calculated_amount"],
        json!(12.5),
        "the store sells at the new price"
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"options": {"Size": "XL"}})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"manage_inventory": "no"})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &format!("/admin/products/{id}/variants/variant_missing"),
        Some(json!({"title": "x"})),
        404,
        "not_found",
    );
}

#[test]
fn products_are_created_updated_and_deleted_in_a_batch() {
    let a = Admin::start();
    let keep = text(&a.product("batch-keep")["id"]);
    let drop = text(&a.product("batch-drop")["id"]);
    let reply = a.ok(
        "POST",
        "/admin/products/batch",
        Some(json!({
            "create": [{"title": "Batch New", "handle": "batch-new"}],
            "update": [{"id": keep, "title": "Batch Kept"}],
            "delete": [drop]
        })),
    );
    assert_eq!(reply["created"][0]["handle"], "batch-new");
    assert_eq!(reply["updated"][0]["title"], "Batch Kept");
    assert_eq!(
        reply["deleted"],
        json!({"ids": [drop], "object": "product", "deleted": true})
    );
    a.fails(
        "GET",
        &format!("/admin/products/{drop}"),
        None,
        404,
        "not_found",
    );
    a.fails(
        "POST",
        "/admin/products/batch",
        Some(json!({"create": [{"handle": "no-title"}]})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        "/admin/products/batch",
        Some(
            json!({"create": [{"title": "Never", "handle": "never"}], "delete": ["prod_missing"]}),
        ),
        404,
        "not_found",
    );
    let never = a.ok("GET", "/admin/products?handle=never", None);
    assert_eq!(never["count"], 0, "a failed batch writes nothing");
}

#[test]
fn price_lists_are_listed_updated_batched_and_deleted() {
    let a = Admin::start();
    let product = a.product("pl-tee");
    let variant = text(&product["variants"][0]["id"]);
    let body = json!({
        "title": "Sale", "description": "d", "status": "active", "type": "sale",
        "prices": [{"variant_id": variant, "currency_code": "usd", "amount": 8}]
    });
    let list = text(&a.ok("POST", "/admin/price-lists", Some(body))["price_list"]["id"]);
    let page = a.ok("GET", "/admin/price-lists?limit=5", None);
    assert_eq!((&page["offset"], &page["limit"]), (&json!(0), &json!(5)));
    assert!(page["count"].as_u64().unwrap_or_default() >= 1);
    assert!(
        page["price_lists"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["id"] == json!(list)))
    );
    let path = format!("/admin/price-lists/{list}");
    let updated = a.ok(
        "POST",
        &path,
        Some(
            json!({"title": "Big Sale", "status": "draft", "ends_at": null,
                    "rules": {"customer_group_id": ["cusgroup_x"]}}),
        ),
    )["price_list"]
        .clone();
    assert_eq!(
        (
            &updated["title"],
            &updated["status"],
            &updated["rules_count"]
        ),
        (&json!("Big Sale"), &json!("draft"), &json!(1))
    );
    assert_eq!(
        updated["rules"],
        json!({"customer_group_id": ["cusgroup_x"]})
    );
    let shown = a.ok("GET", &path, None)["price_list"].clone();
    assert_eq!(
        (
            &shown["prices"][0]["variant_id"],
            &shown["prices"][0]["amount"]
        ),
        (&json!(variant), &json!(8))
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"status": "paused"})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        "/admin/price-lists/plist_missing",
        Some(json!({"title": "x"})),
        404,
        "not_found",
    );
    let batch = format!("{path}/prices/batch");
    let made = a.ok(
        "POST",
        &batch,
        Some(json!({"create": [{"variant_id": variant, "currency_code": "eur", "amount": 7}]})),
    );
    let price = text(&made["created"][0]["id"]);
    assert_eq!(made["created"][0]["amount"], json!(7));
    let changed = a.ok(
        "POST",
        &batch,
        Some(json!({"update": [{"id": price, "variant_id": variant, "currency_code": "eur", "amount": 6}]})),
    );
    assert_eq!(changed["updated"][0]["amount"], json!(6));
    let removed = a.ok("POST", &batch, Some(json!({"delete": [price]})));
    assert_eq!(
        removed["deleted"],
        json!({"ids": [price], "object": "price", "deleted": true})
    );
    a.fails(
        "POST",
        &batch,
        Some(json!({"delete": [price]})),
        404,
        "not_found",
    );
    a.fails(
        "POST",
        &batch,
        Some(json!({"create": [{"variant_id": variant}]})),
        400,
        "invalid_data",
    );
    assert_eq!(
        a.ok("DELETE", &path, None),
        json!({"id": list, "object": "price_list", "deleted": true})
    );
    a.fails("GET", &path, None, 404, "not_found");
    a.fails("DELETE", &path, None, 404, "not_found");
}
