//! Admin inventory over HTTP (issue 6): inventory items, their location levels, reservations
//! and stock locations — happy paths, 404s, strict bodies, and the stock arithmetic.

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

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    #[track_caller]
    fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    #[track_caller]
    fn status(&self, method: &str, path: &str, body: Option<&Value>, status: u16) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        reply.json()
    }

    fn location(&self, name: &str) -> String {
        let body = json!({"name": name, "address": {"address_1": "1 Dock Rd", "country_code": "DK", "city": "Aarhus"}});
        let created = self.ok("POST", "/admin/stock-locations", Some(&body));
        created["stock_location"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[test]
fn stock_locations_crud_and_sales_channels() {
    let admin = Admin::start();
    let before = admin.ok("GET", "/admin/stock-locations", None)["count"]
        .as_u64()
        .unwrap();
    let id = admin.location("North");
    let one =
        admin.ok("GET", &format!("/admin/stock-locations/{id}"), None)["stock_location"].clone();
    assert_eq!(one["name"], "North");
    assert_eq!(one["address"]["country_code"], "dk");
    assert_eq!(one["address"]["city"], "Aarhus");
    let list = admin.ok("GET", "/admin/stock-locations?q=nort", None);
    assert_eq!(list["count"], 1);
    assert_eq!(
        admin.ok("GET", "/admin/stock-locations", None)["count"],
        before + 1
    );
    let updated = admin.ok(
        "POST",
        &format!("/admin/stock-locations/{id}"),
        Some(&json!({"name": "North 2", "address": {"city": "Odense"}, "metadata": {"k": "v"}})),
    )["stock_location"]
        .clone();
    assert_eq!(updated["name"], "North 2");
    assert_eq!(updated["address"]["city"], "Odense");
    assert_eq!(updated["metadata"], json!({"k": "v"}));

    let channels = admin.ok("GET", "/admin/sales-channels", None);
    let channel = channels["sales_channels"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/stock-locations/{id}/sales-channels");
    admin.ok("POST", &path, Some(&json!({"add": [channel]})));
    admin.ok("POST", &path, Some(&json!({"remove": [channel]})));
    admin.status("POST", &path, Some(&json!({"add": ["sc_nope"]})), 404);

    admin.status("POST", "/admin/stock-locations", Some(&json!({})), 400);
    admin.status(
        "POST",
        "/admin/stock-locations",
        Some(&json!({"name": "x", "bogus": 1})),
        400,
    );
    admin.status("GET", "/admin/stock-locations/sloc_nope", None, 404);
    admin.status(
        "POST",
        "/admin/stock-locations/sloc_nope",
        Some(&json!({"name": "x"})),
        404,
    );
    let gone = admin.ok("DELETE", &format!("/admin/stock-locations/{id}"), None);
    assert_eq!(
        gone,
        json!({"id": id, "object": "stock_location", "deleted": true})
    );
    admin.status("GET", &format!("/admin/stock-locations/{id}"), None, 404);
    admin.status("DELETE", &format!("/admin/stock-locations/{id}"), None, 404);
}

#[test]
fn inventory_items_and_levels() {
    let admin = Admin::start();
    let (north, south) = (admin.location("North"), admin.location("South"));
    let body = json!({"sku": "ZQX-MUG-1", "title": "Mug", "hs_code": "6912",
        "location_levels": [{"location_id": north, "stocked_quantity": 10}]});
    let item = admin.ok("POST", "/admin/inventory-items", Some(&body))["inventory_item"].clone();
    let id = item["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("iitem_"));
    assert_eq!(item["sku"], "ZQX-MUG-1");
    assert_eq!(item["hs_code"], "6912");
    assert_eq!(item["requires_shipping"], true);
    assert_eq!(item["stocked_quantity"], 10);
    assert_eq!(item["location_levels"][0]["available_quantity"], 10);
    admin.status(
        "POST",
        "/admin/inventory-items",
        Some(&json!({"sku": "ZQX-MUG-1"})),
        400,
    );
    admin.status(
        "POST",
        "/admin/inventory-items",
        Some(&json!({"title": 3})),
        400,
    );

    assert_eq!(
        admin.ok("GET", "/admin/inventory-items?q=zqx-mug", None)["count"],
        1
    );
    assert_eq!(
        admin.ok("GET", "/admin/inventory-items?sku=ZQX-MUG-1", None)["inventory_items"][0]["id"],
        id.as_str()
    );
    let renamed = admin.ok(
        "POST",
        &format!("/admin/inventory-items/{id}"),
        Some(&json!({"title": "Big mug"})),
    );
    assert_eq!(renamed["inventory_item"]["title"], "Big mug");
    admin.status(
        "POST",
        &format!("/admin/inventory-items/{id}"),
        Some(&json!({"stocked_quantity": 1})),
        400,
    );

    let levels = format!("/admin/inventory-items/{id}/location-levels");
    let two = admin.ok(
        "POST",
        &levels,
        Some(&json!({"location_id": south, "stocked_quantity": 4, "incoming_quantity": 2})),
    );
    assert_eq!(two["inventory_item"]["stocked_quantity"], 14);
    admin.status("POST", &levels, Some(&json!({"location_id": south})), 400);
    admin.status(
        "POST",
        &levels,
        Some(&json!({"location_id": "sloc_nope"})),
        404,
    );
    admin.status(
        "POST",
        &levels,
        Some(&json!({"location_id": north, "stocked_quantity": -1})),
        400,
    );
    let listed = admin.ok("GET", &levels, None);
    assert_eq!(listed["count"], 2);
    assert_eq!(
        admin.ok("GET", &format!("{levels}?location_id={south}"), None)["inventory_levels"][0]["incoming_quantity"],
        2
    );
    let changed = admin.ok(
        "POST",
        &format!("{levels}/{north}"),
        Some(&json!({"stocked_quantity": 7})),
    );
    assert_eq!(changed["inventory_item"]["stocked_quantity"], 11);
    admin.status(
        "POST",
        &format!("{levels}/sloc_nope"),
        Some(&json!({"stocked_quantity": 7})),
        404,
    );

    admin.status("DELETE", &format!("{levels}/{south}"), None, 400);
    admin.ok(
        "POST",
        &format!("{levels}/{south}"),
        Some(&json!({"incoming_quantity": 0})),
    );
    admin.status("DELETE", &format!("{levels}/{south}"), None, 400);
    let gone = admin.ok("DELETE", &format!("{levels}/{south}?force=true"), None);
    assert_eq!(gone["object"], "inventory-level");
    assert_eq!(gone["parent"]["stocked_quantity"], 7);

    admin.status("GET", "/admin/inventory-items/iitem_nope", None, 404);
    admin.status(
        "GET",
        "/admin/inventory-items/iitem_nope/location-levels",
        None,
        404,
    );
    let deleted = admin.ok("DELETE", &format!("/admin/inventory-items/{id}"), None);
    assert_eq!(
        deleted,
        json!({"id": id, "object": "inventory_item", "deleted": true})
    );
    admin.status("GET", &format!("/admin/inventory-items/{id}"), None, 404);
}

#[test]
fn reservations_hold_stock() {
    let admin = Admin::start();
    let north = admin.location("North");
    let body = json!({"title": "Lamp", "location_levels": [{"location_id": north, "stocked_quantity": 5}]});
    let item = admin.ok("POST", "/admin/inventory-items", Some(&body))["inventory_item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reserve = json!({"inventory_item_id": item, "location_id": north, "quantity": 3, "description": "showroom"});
    let created = admin.ok("POST", "/admin/reservations", Some(&reserve))["reservation"].clone();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("resitem_"));
    assert_eq!(created["description"], "showroom");
    let level = |admin: &Admin| {
        admin.ok("GET", &format!("/admin/inventory-items/{item}"), None)["inventory_item"]["location_levels"][0].clone()
    };
    assert_eq!(level(&admin)["reserved_quantity"], 3);
    assert_eq!(level(&admin)["available_quantity"], 2);

    let too_many = json!({"inventory_item_id": item, "location_id": north, "quantity": 3});
    let short = admin.status("POST", "/admin/reservations", Some(&too_many), 400);
    assert_eq!(short["type"], "not_allowed");
    admin.status(
        "POST",
        "/admin/reservations",
        Some(&json!({"inventory_item_id": item, "location_id": north, "quantity": 0})),
        400,
    );
    admin.status(
        "POST",
        "/admin/reservations",
        Some(&json!({"inventory_item_id": "iitem_nope", "location_id": north, "quantity": 1})),
        404,
    );
    admin.status(
        "POST",
        "/admin/reservations",
        Some(&json!({"location_id": north})),
        400,
    );

    let listed = admin.ok(
        "GET",
        &format!("/admin/reservations?inventory_item_id={item}"),
        None,
    );
    assert_eq!(listed["count"], 1);
    let updated = admin.ok(
        "POST",
        &format!("/admin/reservations/{id}"),
        Some(&json!({"quantity": 5})),
    );
    assert_eq!(updated["reservation"]["quantity"], 5);
    assert_eq!(level(&admin)["reserved_quantity"], 5);
    admin.status(
        "POST",
        &format!("/admin/reservations/{id}"),
        Some(&json!({"quantity": 6})),
        400,
    );
    assert_eq!(
        level(&admin)["reserved_quantity"],
        5,
        "a refused update changes nothing"
    );
    admin.status(
        "POST",
        &format!("/admin/reservations/{id}"),
        Some(&json!({"bogus": 1})),
        400,
    );
    admin.status("GET", "/admin/reservations/resitem_nope", None, 404);

    let deleted = admin.ok("DELETE", &format!("/admin/reservations/{id}"), None);
    assert_eq!(
        deleted,
        json!({"id": id, "object": "reservation", "deleted": true})
    );
    assert_eq!(level(&admin)["reserved_quantity"], 0);
    admin.status("DELETE", &format!("/admin/reservations/{id}"), None, 404);
}
