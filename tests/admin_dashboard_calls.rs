//! What Medusa's own admin dashboard (`@medusajs/dashboard` 2.21.2) tripped on when
//! `tests/dashboard/` first ran it against Stockroom, each pinned through the routes
//! (issue 13, part 7): the sign-in page's `GET /cloud/auth` across origins, the order page's
//! statuses and item `detail` under a narrow `fields=`, and its reservations lookup by a list
//! of line items.

mod common;

use common::orders::{Admin, id};
use common::{TestApp, check, config};
use serde_json::{Value, json};
use stockroom::http::cors::parse_origins;

const DASHBOARD: &str = "http://127.0.0.1:38411";

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
