//! Issue 13's smaller admin families through HTTP with a real admin token: property labels
//! (CRUD, batch, filters, `fields=`), dashboard layouts per zone and user, the search-index
//! routes without a search module, tax-rate rules, a promotion's labelled rules of one type,
//! and removing products' prices from a price list.

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
        assert!(
            reply.status == 200 || reply.status == 201,
            "{method} {path}: {} {}",
            reply.status,
            reply.text()
        );
        reply.json()
    }

    #[track_caller]
    fn fails(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        let doc = reply.json();
        assert!(
            doc["type"].is_string() && doc["message"].is_string(),
            "{doc}"
        );
        doc
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

#[test]
fn property_labels_are_created_listed_updated_batched_and_deleted() {
    let a = Admin::start();
    let made = a.call(
        "POST",
        "/admin/property-labels",
        Some(json!({"entity": "order", "property": "display_id", "label": "Order no."})),
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let label = made.json()["property_label"].clone();
    let id = text(&label["id"]);
    assert!(id.starts_with("plbl_"), "{label}");
    assert_eq!(label["description"], Value::Null);
    let duplicate = a.fails(
        "POST",
        "/admin/property-labels",
        Some(json!({"entity": "order", "property": "display_id", "label": "Again"})),
        422,
    );
    assert_eq!(duplicate["type"], "duplicate_error");
    let missing = a.fails(
        "POST",
        "/admin/property-labels",
        Some(json!({"entity": "order", "label": "x"})),
        400,
    );
    assert_eq!(
        missing["message"],
        "Invalid request: Field 'property' is required"
    );

    let path = format!("/admin/property-labels/{id}");
    let updated = a.ok(
        "POST",
        &path,
        Some(json!({"label": "Order number", "description": "As customers see it"})),
    );
    assert_eq!(updated["property_label"]["label"], "Order number");
    let only = a.ok("GET", &format!("{path}?fields=label"), None);
    assert_eq!(
        only["property_label"],
        json!({"id": id, "label": "Order number"})
    );

    let batch = a.ok(
        "POST",
        "/admin/property-labels/batch",
        Some(json!({
            "create": [{"entity": "product", "property": "title", "label": "Name"},
                       {"entity": "order", "property": "email", "label": "E-mail"}],
            "update": [{"id": id, "label": "No."}],
        })),
    );
    assert_eq!(batch["created"].as_array().map(Vec::len), Some(2));
    assert_eq!(batch["updated"][0]["label"], "No.");
    assert_eq!(batch["deleted"], json!([]));
    let orders = a.ok(
        "GET",
        "/admin/property-labels?entity=order&order=-label&limit=1",
        None,
    );
    assert_eq!((&orders["count"], &orders["limit"]), (&json!(2), &json!(1)));
    assert_eq!(orders["property_labels"][0]["label"], "No.");
    let searched = a.ok("GET", "/admin/property-labels?q=TITLE", None);
    assert_eq!(searched["property_labels"][0]["label"], "Name");

    // A batch naming an unknown label changes nothing.
    a.fails(
        "POST",
        "/admin/property-labels/batch",
        Some(
            json!({"create": [{"entity": "x", "property": "y", "label": "z"}],
                    "delete": ["plbl_missing"]}),
        ),
        404,
    );
    assert_eq!(
        a.ok("GET", "/admin/property-labels", None)["count"],
        json!(3)
    );
    let removed = a.ok(
        "POST",
        "/admin/property-labels/batch",
        Some(json!({"delete": [id]})),
    );
    assert_eq!(
        removed["deleted"],
        json!([{"id": id, "object": "property_label", "deleted": true}])
    );
    a.fails("GET", &path, None, 404);
    a.fails("DELETE", &path, None, 404);
}

#[test]
fn layouts_are_saved_per_user_and_zone_with_a_system_default() {
    let a = Admin::start();
    let path = "/admin/layouts/order.details/configuration";
    let empty = a.ok("GET", path, None);
    assert_eq!(
        empty,
        json!({"personal_configuration": null, "default_configuration": null,
               "active_scope": "default"})
    );
    let saved = a.ok(
        "POST",
        path,
        Some(json!({"configuration": {"widgets": {"notes": {"hidden": true, "extra": 1}}}})),
    );
    let personal = &saved["personal_configuration"];
    assert_eq!(
        personal["configuration"],
        json!({"widgets": {"notes": {"hidden": true}}})
    );
    assert_eq!(personal["is_system_default"], false);
    assert_eq!(saved["active_scope"], "personal");
    let default = a.ok(
        "POST",
        path,
        Some(json!({"is_default": true, "configuration": {"widgets": {}}})),
    );
    assert_eq!(default["active_scope"], "default");
    assert_eq!(default["default_configuration"]["user_id"], Value::Null);
    let bad = a.fails(
        "POST",
        path,
        Some(json!({"configuration": {"widgets": {"notes": {"hidden": "yes"}}}})),
        400,
    );
    assert_eq!(
        bad["message"],
        "Invalid request: Expected type: 'boolean' for field 'configuration, widgets, notes, hidden', got: 'string'"
    );
    a.fails("POST", path, Some(json!({})), 400);

    let listed = a.ok(
        "GET",
        "/admin/layouts/configurations?fields=zone,is_system_default",
        None,
    );
    assert_eq!(listed["count"], json!(2));
    assert_eq!(
        listed["layout_configurations"][0]
            .as_object()
            .map(|m| m.len()),
        Some(3)
    );
    assert_eq!(a.ok("DELETE", path, None), json!({"success": true}));
    let after = a.ok("GET", path, None);
    assert_eq!(after["personal_configuration"], Value::Null);
    assert!(after["default_configuration"]["id"].is_string());
    assert_eq!(a.app.request("GET", path, &[], None).status, 401);
}

#[test]
fn search_indexes_answer_as_medusa_without_a_search_module() {
    let a = Admin::start();
    assert_eq!(
        a.ok("GET", "/admin/search-indexes", None),
        json!({"search_indexes": [], "enabled": false})
    );
    let gone = a.fails("DELETE", "/admin/search-indexes/products", None, 404);
    assert_eq!(gone["message"], "The Search Module is not enabled");
    a.fails(
        "POST",
        "/admin/search-indexes/products/reindex",
        Some(json!({"strategy": "swap", "since": "2026-01-01T00:00:00Z"})),
        404,
    );
    a.fails(
        "POST",
        "/admin/search-indexes/products/reindex",
        Some(json!({"strategy": "sideways"})),
        400,
    );
    a.fails(
        "POST",
        "/admin/search-indexes/products/reindex",
        Some(json!({"unknown": 1})),
        400,
    );
}

#[test]
fn a_tax_rate_gains_and_loses_rules() {
    let a = Admin::start();
    let region = a.ok(
        "POST",
        "/admin/tax-regions",
        Some(json!({"country_code": "se"})),
    )["tax_region"]["id"]
        .clone();
    let rate = a.ok(
        "POST",
        "/admin/tax-rates",
        Some(json!({"tax_region_id": region, "code": "R", "name": "Reduced", "rate": 12})),
    )["tax_rate"]["id"]
        .clone();
    let rules = format!("/admin/tax-rates/{}/rules", text(&rate));
    let with = a.ok(
        "POST",
        &rules,
        Some(json!({"reference": "product_type", "reference_id": "ptyp_food"})),
    )["tax_rate"]
        .clone();
    let rule = &with["rules"][0];
    assert_eq!(
        (&rule["reference"], &rule["reference_id"]),
        (&json!("product_type"), &json!("ptyp_food"))
    );
    let rule_id = text(&rule["id"]);
    assert!(rule_id.starts_with("txrule_"), "{with}");
    a.fails(
        "POST",
        &rules,
        Some(json!({"reference": "product_type", "reference_id": "ptyp_food"})),
        422,
    );
    a.fails("POST", &rules, Some(json!({"reference": "product"})), 400);
    a.fails(
        "POST",
        "/admin/tax-rates/txr_missing/rules",
        Some(json!({"reference": "product", "reference_id": "prod_1"})),
        404,
    );
    let removed = a.ok("DELETE", &format!("{rules}/{rule_id}"), None);
    assert_eq!(
        (&removed["id"], &removed["object"], &removed["deleted"]),
        (&json!(rule_id), &json!("tax_rate_rule"), &json!(true))
    );
    assert_eq!(removed["parent"]["rules"], json!([]));
    a.fails("DELETE", &format!("{rules}/{rule_id}"), None, 404);
}

#[test]
fn a_promotions_rules_of_one_type_come_labelled() {
    let a = Admin::start();
    let region = a.ok(
        "POST",
        "/admin/regions",
        Some(json!({"name": "Nordics", "currency_code": "eur", "countries": ["se"]})),
    )["region"]["id"]
        .clone();
    let promotion = a.ok(
        "POST",
        "/admin/promotions",
        Some(json!({
            "code": "NORD5", "type": "standard",
            "application_method": {"type": "fixed", "target_type": "order", "value": 5,
                "currency_code": "eur"},
            "rules": [{"attribute": "region.id", "operator": "in", "values": [region]}],
        })),
    )["promotion"]["id"]
        .clone();
    let path = format!("/admin/promotions/{}", text(&promotion));
    let rules = a.ok("GET", &format!("{path}/rules"), None)["rules"].clone();
    let currency = &rules[0];
    assert_eq!(
        (
            &currency["attribute"],
            &currency["operator"],
            &currency["disguised"]
        ),
        (&json!("currency_code"), &json!("eq"), &json!(true))
    );
    assert_eq!(
        currency["values"],
        json!([{"value": "eur", "label": "Euro"}])
    );
    let by_region = &rules[1];
    assert_eq!(by_region["attribute"], "region.id");
    assert_eq!(by_region["attribute_label"], "Region");
    assert_eq!(by_region["operator_label"], "In");
    assert_eq!(
        by_region["values"],
        json!([{"value": region, "label": "Nordics"}])
    );
    assert_eq!(
        a.ok("GET", &format!("{path}/target-rules"), None)["rules"],
        json!([])
    );
    a.fails("GET", &format!("{path}/sideways"), None, 400);
    a.fails("GET", "/admin/promotions/promo_missing/rules", None, 404);
    // The static option routes still win over the new pattern.
    let options = a.ok(
        "GET",
        "/admin/promotions/rule-attribute-options/rules",
        None,
    );
    assert!(options["attributes"].is_array());
}

#[test]
fn a_price_list_drops_the_prices_of_named_products() {
    let a = Admin::start();
    let stores = a.ok("GET", "/admin/stores", None);
    let channel = stores["stores"][0]["default_sales_channel_id"].clone();
    let product = |handle: &str| {
        let body = json!({
            "title": handle, "handle": handle, "status": "published",
            "sales_channels": [{"id": channel}],
            "options": [{"title": "Size", "values": ["S"]}],
            "variants": [{"title": "S", "sku": handle, "options": {"Size": "S"},
                          "prices": [{"currency_code": "usd", "amount": 10}]}]
        });
        let p = a.ok("POST", "/admin/products", Some(body))["product"].clone();
        (text(&p["id"]), text(&p["variants"][0]["id"]))
    };
    let (kept_product, kept_variant) = product("kept");
    let (dropped_product, dropped_variant) = product("dropped");
    let list = a.ok(
        "POST",
        "/admin/price-lists",
        Some(json!({
            "title": "Sale", "description": "d", "status": "active", "type": "sale",
            "prices": [{"variant_id": kept_variant, "currency_code": "usd", "amount": 8},
                       {"variant_id": dropped_variant, "currency_code": "usd", "amount": 7}]
        })),
    )["price_list"]["id"]
        .clone();
    let path = format!("/admin/price-lists/{}/products", text(&list));
    let after =
        a.ok("POST", &path, Some(json!({"remove": [dropped_product]})))["price_list"].clone();
    let prices = after["prices"].as_array().cloned().unwrap_or_default();
    assert_eq!(prices.len(), 1, "{after}");
    assert_eq!(prices[0]["variant_id"], json!(kept_variant));
    let none = a.fails("POST", &path, Some(json!({"remove": []})), 400);
    assert_eq!(
        none["message"],
        "No product ids passed to remove from price list"
    );
    a.fails(
        "POST",
        "/admin/price-lists/plist_missing/products",
        Some(json!({"remove": [kept_product]})),
        404,
    );
    a.fails("POST", &path, Some(json!({"remove": "x"})), 400);
}

#[test]
fn presigned_upload_urls_point_at_the_upload_route_as_medusas_local_provider() {
    let a = Admin::start();
    let body = json!({"originalname": "shirt.png", "mime_type": "image/png", "size": 2048});
    let signed = a.ok("POST", "/admin/uploads/presigned-urls", Some(body));
    assert_eq!(signed["url"], "/admin/uploads");
    assert_eq!(signed["extension"], "png");
    assert_eq!(signed["mime_type"], "image/png");
    assert_eq!(signed["originalname"], "shirt.png");
    assert!(
        signed["filename"]
            .as_str()
            .is_some_and(|f| f.ends_with(".png") && f.len() > 8),
        "{signed}"
    );
    let bad_type = a.fails(
        "POST",
        "/admin/uploads/presigned-urls",
        Some(json!({"originalname": "x", "mime_type": "png", "size": 1})),
        400,
    );
    assert_eq!(bad_type["message"], "Invalid file type \"png\"");
    a.fails(
        "POST",
        "/admin/uploads/presigned-urls",
        Some(json!({"originalname": "x", "mime_type": "image/png", "size": 1e12})),
        400,
    );
    a.fails(
        "POST",
        "/admin/uploads/presigned-urls",
        Some(json!({"originalname": "x", "mime_type": "image/png"})),
        400,
    );
}
