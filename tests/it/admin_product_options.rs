//! `/admin/product-options`: a product's options by their own id — listed with their values
//! and product, filtered, updated (title, values, ranks, metadata), their values read,
//! renamed and deleted (variants lose a deleted value), the option deleted — with Medusa's
//! events, and `is_exclusive: false` refused (no options shared between products here).

use crate::common;

use common::TestApp;
use common::client::Reply;
use serde_json::{Value, json};

struct Admin {
    app: TestApp,
    auth: String,
}

impl Admin {
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
    fn status(&self, method: &str, path: &str, body: Option<Value>) -> u16 {
        self.call(method, path, body).status
    }

    fn events(&self, name: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM event_outbox WHERE name = '{name}'");
        self.app
            .engine()
            .store()
            .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
            .unwrap()
    }
}

fn text(v: &Value) -> String {
    v.as_str().expect("string").to_string()
}

#[test]
fn options_are_managed_by_their_own_id() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let a = Admin { app, auth };
    let body = json!({
        "title": "Option Tee", "handle": "option-tee", "status": "published",
        "options": [{"title": "Fabric", "values": ["Cotton", "Linen"]}],
        "variants": [{"title": "Cotton", "sku": "OPT-C", "options": {"Fabric": "Cotton"},
                      "prices": [{"currency_code": "usd", "amount": 10}]}]
    });
    let product = a.ok("POST", "/admin/products", Some(body))["product"].clone();
    let product_id = text(&product["id"]);
    let option = text(&product["options"][0]["id"]);

    let listed = a.ok("GET", "/admin/product-options?title=Fabric", None);
    assert_eq!(listed["count"], 1, "{listed}");
    let doc = &listed["product_options"][0];
    assert_eq!(doc["id"], json!(option));
    assert_eq!(doc["is_exclusive"], true);
    assert_eq!(doc["products"][0]["id"], json!(product_id));
    assert_eq!(doc["values"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        a.ok("GET", "/admin/product-options?is_exclusive=false", None)["count"],
        0
    );
    let searched = a.ok("GET", "/admin/product-options?q=fabr&fields=title", None);
    assert_eq!(
        searched["product_options"][0],
        json!({"id": option, "title": "Fabric"})
    );

    let path = format!("/admin/product-options/{option}");
    let updated = a.ok(
        "POST",
        &path,
        Some(json!({"title": "Material", "values": ["Cotton", "Wool"],
                    "ranks": {"Wool": 0, "Cotton": 1}, "metadata": {"care": "cold"}})),
    )["product_option"]
        .clone();
    assert_eq!(updated["title"], "Material");
    assert_eq!(updated["metadata"], json!({"care": "cold"}));
    let values: Vec<&str> = updated["values"]
        .as_array()
        .map(|v| v.iter().filter_map(|v| v["value"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(values, ["Wool", "Cotton"]);
    assert_eq!(a.events("product-option.updated"), 1);
    assert_eq!(
        a.status("POST", &path, Some(json!({"is_exclusive": false}))),
        400
    );
    assert_eq!(a.status("POST", &path, Some(json!({"unknown": 1}))), 400);
    assert_eq!(
        a.status("POST", &path, Some(json!({"ranks": {"Silk": 1}}))),
        400
    );

    let page = a.ok("GET", &format!("{path}/values?value=Cotton"), None);
    assert_eq!(page["count"], 1);
    let cotton = text(&page["product_option_values"][0]["id"]);
    let value_path = format!("{path}/values/{cotton}");
    assert_eq!(
        a.ok("GET", &value_path, None)["product_option_value"]["option_id"],
        json!(option)
    );
    let renamed = a.ok(
        "POST",
        &value_path,
        Some(json!({"value": "Organic cotton"})),
    );
    assert_eq!(renamed["product_option_value"]["value"], "Organic cotton");
    assert_eq!(a.events("product-option-value.updated"), 1);
    assert_eq!(
        a.status("POST", &value_path, Some(json!({"value": "Wool"}))),
        400
    );
    let variant = a.ok("GET", &format!("/admin/products/{product_id}"), None)["product"]
        ["variants"][0]["options"][0]["value"]
        .clone();
    assert_eq!(variant, "Organic cotton");

    assert_eq!(
        a.ok("DELETE", &value_path, None),
        json!({"id": cotton, "object": "product_option_value", "deleted": true})
    );
    assert_eq!(a.status("GET", &value_path, None), 404);
    let shown = a.ok("GET", &format!("/admin/products/{product_id}"), None)["product"].clone();
    assert_eq!(shown["variants"][0]["options"], json!([]), "{shown}");
    assert_eq!(
        a.status("GET", &format!("{path}/values/optval_missing"), None),
        404
    );

    assert_eq!(
        a.ok("DELETE", &path, None),
        json!({"id": option, "object": "product_option", "deleted": true})
    );
    assert_eq!(a.events("product-option.deleted"), 1);
    assert_eq!(a.status("GET", &path, None), 404);
    assert_eq!(a.status("DELETE", &path, None), 404);
    assert_eq!(
        a.status("GET", "/admin/product-options/opt_missing/values", None),
        404
    );
}

#[test]
fn variants_are_created_updated_and_deleted_in_one_batch() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let a = Admin { app, auth };
    let body = json!({
        "title": "Batch Tee", "handle": "batch-tee", "status": "published",
        "options": [{"title": "Size", "values": ["S", "M", "L"]}],
        "variants": [{"title": "S", "sku": "BT-S", "options": {"Size": "S"},
                      "prices": [{"currency_code": "usd", "amount": 10}]},
                     {"title": "M", "sku": "BT-M", "options": {"Size": "M"},
                      "prices": [{"currency_code": "usd", "amount": 11}]}]
    });
    let product = a.ok("POST", "/admin/products", Some(body))["product"].clone();
    let id = text(&product["id"]);
    let variant = |sku: &str| {
        product["variants"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["sku"] == sku))
            .map(|v| text(&v["id"]))
            .expect("variant")
    };
    let (small, medium) = (variant("BT-S"), variant("BT-M"));
    let path = format!("/admin/products/{id}/variants/batch");
    let done = a.ok(
        "POST",
        &path,
        Some(json!({
            "create": [{"title": "L", "sku": "BT-L", "options": {"Size": "L"},
                        "prices": [{"currency_code": "usd", "amount": 12}]}],
            "update": [{"id": small, "title": "Small", "prices": [{"currency_code": "usd", "amount": 9}]}],
            "delete": [medium],
        })),
    );
    assert_eq!(done["created"][0]["sku"], "BT-L");
    assert_eq!(done["updated"][0]["title"], "Small");
    assert_eq!(
        done["deleted"],
        json!({"ids": [medium], "object": "variant", "deleted": true})
    );
    assert_eq!(a.events("product-variant.created"), 1);
    assert_eq!(a.events("product-variant.deleted"), 1);
    let shown = a.ok("GET", &format!("/admin/products/{id}"), None)["product"].clone();
    let skus: Vec<&str> = shown["variants"]
        .as_array()
        .map(|v| v.iter().filter_map(|v| v["sku"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(skus.len(), 2, "{shown}");
    assert!(skus.contains(&"BT-L") && !skus.contains(&"BT-M"));

    // A duplicate SKU fails the whole batch: the deletion beside it does not happen.
    let reply = a.call(
        "POST",
        &path,
        Some(
            json!({"create": [{"title": "XL", "sku": "BT-L", "options": {"Size": "L"},
                                "prices": []}],
                    "delete": [small]}),
        ),
    );
    assert_eq!(reply.status, 422, "{}", reply.text());
    assert_eq!(
        a.status(
            "GET",
            &format!("/admin/products/{id}/variants/{small}"),
            None
        ),
        200
    );
    assert_eq!(
        a.status("POST", &path, Some(json!({"update": [{"title": "x"}]}))),
        400
    );
    assert_eq!(
        a.status(
            "POST",
            "/admin/products/prod_missing/variants/batch",
            Some(json!({"delete": ["variant_x"]}))
        ),
        404
    );
}

#[test]
fn a_variants_inventory_items_are_linked_changed_and_unlinked() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let a = Admin { app, auth };
    let body = json!({
        "title": "Kit", "handle": "kit", "status": "published",
        "options": [{"title": "Size", "values": ["One"]}],
        "variants": [{"title": "One", "sku": "KIT-1", "options": {"Size": "One"},
                      "manage_inventory": false,
                      "prices": [{"currency_code": "usd", "amount": 10}]}]
    });
    let product = a.ok("POST", "/admin/products", Some(body))["product"].clone();
    let (id, variant) = (text(&product["id"]), text(&product["variants"][0]["id"]));
    let item = |sku: &str| {
        let made = a.ok("POST", "/admin/inventory-items", Some(json!({"sku": sku})));
        text(&made["inventory_item"]["id"])
    };
    let (strap, buckle) = (item("KIT-STRAP"), item("KIT-BUCKLE"));
    let base = format!("/admin/products/{id}/variants/{variant}/inventory-items");
    let linked = a.ok(
        "POST",
        &base,
        Some(json!({"inventory_item_id": strap, "required_quantity": 1})),
    )["variant"]
        .clone();
    assert_eq!(
        linked["inventory_items"][0]["inventory_item_id"],
        json!(strap)
    );
    assert_eq!(
        linked["inventory_items"][0]["inventory"]["sku"],
        "KIT-STRAP"
    );
    assert_eq!(
        a.status(
            "POST",
            &base,
            Some(json!({"inventory_item_id": strap, "required_quantity": 1}))
        ),
        400
    );
    assert_eq!(
        a.status(
            "POST",
            &base,
            Some(json!({"inventory_item_id": buckle, "required_quantity": 2}))
        ),
        400
    );
    assert_eq!(
        a.status(
            "POST",
            &format!("{base}/{strap}"),
            Some(json!({"required_quantity": 1}))
        ),
        200
    );
    assert_eq!(
        a.status(
            "POST",
            &format!("{base}/{buckle}"),
            Some(json!({"required_quantity": 1}))
        ),
        404
    );
    let batch = a.ok(
        "POST",
        &format!("/admin/products/{id}/variants/inventory-items/batch"),
        Some(json!({
            "create": [{"variant_id": variant, "inventory_item_id": buckle, "required_quantity": 1}],
            "delete": [{"variant_id": variant, "inventory_item_id": strap}],
        })),
    );
    assert_eq!(batch["created"][0]["inventory_item_id"], json!(buckle));
    assert_eq!(batch["deleted"][0]["inventory_item_id"], json!(strap));
    let removed = a.ok("DELETE", &format!("{base}/{buckle}"), None);
    assert_eq!(removed["object"], "variant-inventory-item-link");
    assert_eq!(removed["parent"]["inventory_items"], json!([]));
    assert_eq!(a.status("DELETE", &format!("{base}/{buckle}"), None), 404);
    assert_eq!(
        a.status(
            "POST",
            &format!("/admin/products/{id}/variants/variant_missing/inventory-items"),
            Some(json!({"inventory_item_id": strap, "required_quantity": 1}))
        ),
        404
    );
}

#[test]
fn an_item_holding_reserved_units_stays_linked() {
    let a = common::orders::Admin::start();
    let order = a.order(1);
    let variant = order["items"][0]["variant_id"]
        .as_str()
        .expect("variant")
        .to_string();
    let product = order["items"][0]["product_id"]
        .as_str()
        .expect("product")
        .to_string();
    let shown = a.get(&format!("/admin/products/{product}/variants/{variant}"));
    assert!(shown["variant"]["id"].is_string());
    let items = a
        .app
        .engine()
        .store()
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT inventory_item_id FROM link_product_variant_inventory_item
                 WHERE variant_id = ?1 AND deleted_at IS NULL",
            )?;
            let rows = stmt.query_map([&variant], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    let reply = a.call(
        "DELETE",
        &format!(
            "/admin/products/{product}/variants/{variant}/inventory-items/{}",
            items[0]
        ),
        None,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["type"], "not_allowed");
}
