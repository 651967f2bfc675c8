//! What Medusa's own admin dashboard (`@medusajs/dashboard` 2.21.2) tripped on when
//! `tests/dashboard/` first ran it against Stockroom, each pinned through the routes
//! (issue 13, part 7): the sign-in page's `GET /cloud/auth` across origins, the order page's
//! statuses and item `detail` under a narrow `fields=`, and its reservations lookup by a list
//! of line items.

use crate::common;

use common::orders::{Admin, id};
use common::{TestApp, check, config};
use serde_json::{Value, json};
use stockroom::http::cors::parse_origins;

const DASHBOARD: &str = "http://127.0.0.1:29411";

#[test]
fn cloud_auth_answers_disabled_to_the_dashboards_origin() {
    let mut cfg = config();
    cfg.cors.auth = parse_origins(DASHBOARD);
    let app = TestApp::with(cfg, stockroom::Engine::builder());
    let get = |origin: &str| app.request("GET", "/cloud/auth", &[("origin", origin)], None);
    let allowed = get(DASHBOARD);
    check(&allowed, 200, json!({"enabled": false}));
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(DASHBOARD)
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    let preflight = app.request(
        "OPTIONS",
        "/cloud/auth",
        &[
            ("origin", DASHBOARD),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "content-type"),
        ],
        None,
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(DASHBOARD)
    );
    // Another origin is not admitted by the auth list.
    let other = get("http://evil.test");
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn an_order_read_carries_its_statuses_and_item_detail_whatever_fields_ask() {
    let admin = Admin::start();
    let order = admin.order(2);
    let order_id = id(&order);
    // The dashboard's order page lists totals and relations but never the statuses.
    let doc = admin.get(&format!(
        "/admin/orders/{order_id}?fields=id,email,total,*items,*customer"
    ))["order"]
        .clone();
    assert_eq!(doc["payment_status"], "authorized", "{doc}");
    assert_eq!(doc["fulfillment_status"], "not_fulfilled");
    assert_eq!(doc["status"], "pending");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["email"], order["email"]);
    assert_eq!(doc.get("region_id"), None, "not asked for: {doc}");
    let item = &doc["items"][0];
    assert_eq!(item["quantity"], 2);
    let detail = &item["detail"];
    assert_eq!(detail["quantity"], 2, "{item}");
    assert_eq!(detail["fulfilled_quantity"], 0);
    assert_eq!(detail["shipped_quantity"], 0);
    assert_eq!(detail["delivered_quantity"], 0);
    // The statuses follow the order: fulfil one unit.
    admin.post(
        &format!("/admin/orders/{order_id}/fulfillments"),
        &json!({"items": [{"id": item["id"], "quantity": 1}]}),
    );
    let doc = admin.get(&format!("/admin/orders/{order_id}?fields=id,*items"))["order"].clone();
    assert_eq!(doc["fulfillment_status"], "partially_fulfilled", "{doc}");
    assert_eq!(doc["items"][0]["detail"]["fulfilled_quantity"], 1);
    // And the list, with `fields` naming neither.
    let listed = admin.get("/admin/orders?fields=id,display_id");
    let row = listed["orders"]
        .as_array()
        .and_then(|rows| rows.iter().find(|o| o["id"] == order_id.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(row["fulfillment_status"], "partially_fulfilled", "{row}");
    assert_eq!(row["payment_status"], "authorized");
    assert_eq!(row.get("items"), None, "not asked for: {row}");
}

#[test]
fn reservations_are_filtered_by_a_list_of_line_items_or_locations() {
    let admin = Admin::start();
    let order = admin.order(1);
    let line = id(&order["items"][0]);
    let all = admin.get("/admin/reservations");
    let mine: Vec<&Value> = all["reservations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["line_item_id"] == line.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{all}");
    let location = mine[0]["location_id"]
        .as_str()
        .expect("location")
        .to_string();
    let reservation = id(mine[0]);
    // As the js-sdk sends a list: `line_item_id[0]=…`.
    for query in [
        format!("line_item_id%5B0%5D={line}"),
        format!("line_item_id%5B%5D=ordli_other&line_item_id%5B%5D={line}"),
        format!("line_item_id={line}"),
        format!("line_item_id={line}&location_id%5B0%5D={location}"),
    ] {
        let found = admin.get(&format!("/admin/reservations?{query}"));
        assert_eq!(found["count"], 1, "{query}: {found}");
        assert_eq!(found["reservations"][0]["id"], reservation.as_str());
    }
    for query in [
        "line_item_id=ordli_other".to_string(),
        format!("line_item_id={line}&location_id%5B0%5D=sloc_other"),
        // Taken exactly as sent: not split on commas.
        format!("line_item_id={line},ordli_other"),
    ] {
        let found = admin.get(&format!("/admin/reservations?{query}"));
        assert_eq!(found["count"], 0, "{query}: {found}");
    }
    let refused = admin.call("GET", "/admin/reservations?line_item_id%5Ba%5D=x", None);
    assert_eq!(refused.status, 400, "{}", refused.text());
}

#[test]
fn linked_sales_channels_come_as_records_on_products_and_locations() {
    let admin = Admin::start();
    let product = admin.get("/admin/products?limit=1&order=title")["products"][0].clone();
    let product_id = id(&product);
    let channels = admin.get("/admin/sales-channels?order=created_at")["sales_channels"].clone();
    let web = channels[0].clone();
    // The dashboard's product page asks `*sales_channels` (also in the defaults).
    let doc = admin.get(&format!(
        "/admin/products/{product_id}?fields=*categories,*shipping_profile,-variants"
    ))["product"]
        .clone();
    let linked = doc["sales_channels"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mine = linked
        .iter()
        .find(|c| c["id"] == web["id"])
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(mine, web, "the channel's own record: {doc}");
    // Only the columns asked for.
    let narrow = admin.get(&format!(
        "/admin/products/{product_id}?fields=id,sales_channels.name"
    ))["product"]
        .clone();
    assert_eq!(
        narrow["sales_channels"][0],
        json!({"id": linked[0]["id"], "name": linked[0]["name"]}),
        "{narrow}"
    );
    // A renamed channel shows its new name on the product at once.
    admin.post(
        &format!("/admin/sales-channels/{}", id(&web)),
        &json!({"name": "Web shop"}),
    );
    let renamed = admin.get(&format!("/admin/products/{product_id}"))["product"].clone();
    assert!(
        renamed["sales_channels"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["id"] == web["id"] && c["name"] == "Web shop"),
        "{renamed}"
    );

    // The locations list and page: linked channels, and each service zone's options.
    let fields = "name,*sales_channels,*address,*fulfillment_sets,*fulfillment_sets.service_zones,\
                  *fulfillment_sets.service_zones.shipping_options,\
                  *fulfillment_sets.service_zones.shipping_options.rules,\
                  *fulfillment_sets.service_zones.shipping_options.shipping_profile";
    let location =
        admin.get(&format!("/admin/stock-locations?fields={fields}"))["stock_locations"][0].clone();
    let names: Vec<&str> = location["sales_channels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&"Web shop"), "{location}");
    let zone = &location["fulfillment_sets"][0]["service_zones"][0];
    let zone_options = zone["shipping_options"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!zone_options.is_empty(), "{zone}");
    let listed = admin.get(&format!(
        "/admin/shipping-options?service_zone_id={}",
        zone["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(listed["count"], zone_options.len(), "{listed}");
    for option in &zone_options {
        assert_eq!(option["service_zone_id"], zone["id"]);
        assert!(option["rules"].is_array(), "{option}");
        assert!(option["shipping_profile"]["name"].is_string(), "{option}");
    }
    // Without those fields, neither is added.
    let plain = admin.get("/admin/stock-locations")["stock_locations"][0].clone();
    assert_eq!(plain.get("sales_channels"), None, "{plain}");
}

#[test]
fn mfa_factors_are_an_empty_list_for_a_signed_in_identity() {
    let app = TestApp::start();
    let token = app.admin_token();
    let reply = app.request(
        "GET",
        "/auth/mfa/factors",
        &[("authorization", &format!("Bearer {token}"))],
        None,
    );
    check(&reply, 200, json!({"mfa_factors": []}));
    assert_eq!(app.get("/auth/mfa/factors").status, 401);
    let forged = app.request(
        "GET",
        "/auth/mfa/factors",
        &[("authorization", "Bearer not.a.token")],
        None,
    );
    assert_eq!(forged.status, 401);
}

/// The body the dashboard's product create form posts (its `normalizeProductFormValues`).
fn dashboard_product(handle: &str) -> Value {
    json!({
        "status": "published", "is_giftcard": false, "images": [], "categories": [],
        "handle": handle, "title": "Dashboard hat", "subtitle": "", "description": "",
        "discountable": true,
        "options": [{"title": "Size", "values": ["S", "M"], "is_exclusive": true}],
        "variants": [
            {"title": "M", "options": {"Size": "M"}, "manage_inventory": true,
             "allow_backorder": false, "variant_rank": 1, "inventory_items": [],
             "prices": [{"currency_code": "usd", "amount": 12}]},
            {"title": "S", "options": {"Size": "S"}, "manage_inventory": true,
             "allow_backorder": false, "variant_rank": 0, "inventory_items": [],
             "prices": [{"currency_code": "usd", "amount": 10}]},
        ],
    })
}

#[test]
fn the_dashboards_product_create_body_is_taken_with_its_variant_ranks() {
    let admin = Admin::start();
    let created =
        admin.post("/admin/products", &dashboard_product("dashboard-hat"))["product"].clone();
    let ranked: Vec<(String, i64)> = created["variants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["title"].as_str().unwrap_or_default().to_string(),
                v["variant_rank"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert!(ranked.contains(&("S".into(), 0)), "{ranked:?}");
    assert!(ranked.contains(&("M".into(), 1)), "{ranked:?}");
    // What this store cannot do is refused whole, with a message saying so.
    let mut shared = dashboard_product("shared-hat");
    shared["options"][0]["is_exclusive"] = json!(false);
    let refused = admin.refused("/admin/products", &shared, 400, "invalid_data");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("is_exclusive")
    );
    let item = admin.get("/admin/inventory-items?limit=1")["inventory_items"][0].clone();
    let mut kit = dashboard_product("kit-hat");
    kit["variants"][0]["inventory_items"] =
        json!([{"inventory_item_id": item["id"], "required_quantity": 1}]);
    let refused = admin.refused("/admin/products", &kit, 400, "invalid_data");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("inventory-items")
    );
    let handles = admin.get("/admin/products?handle=shared-hat,kit-hat");
    assert_eq!(handles["count"], 0, "nothing half-created: {handles}");
}
