//! `POST /admin/inventory-items/:id/location-levels/batch` (Medusa's
//! `batchInventoryItemLevelsWorkflow`): creates, updates and deletes an item's levels in one
//! write — a refusal anywhere leaves every level as it was.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

fn post(app: &TestApp, auth: &str, path: &str, body: Value) -> (u16, Value) {
    let reply = app.admin_call("POST", path, auth, Some(&body));
    (reply.status, reply.json())
}

#[test]
fn levels_are_created_updated_and_deleted_together_or_not_at_all() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let (_, item) = post(
        &app,
        &auth,
        "/admin/inventory-items",
        json!({"sku": "BATCH-1"}),
    );
    let item = item["inventory_item"]["id"]
        .as_str()
        .expect("item")
        .to_string();
    let location = |name: &str| {
        let (_, made) = post(&app, &auth, "/admin/stock-locations", json!({"name": name}));
        made["stock_location"]["id"]
            .as_str()
            .expect("location")
            .to_string()
    };
    let (north, south) = (location("North"), location("South"));
    let path = format!("/admin/inventory-items/{item}/location-levels/batch");
    let (status, made) = post(
        &app,
        &auth,
        &path,
        json!({"create": [
            {"location_id": north, "stocked_quantity": 5},
            {"location_id": south, "stocked_quantity": 0, "incoming_quantity": 0}
        ]}),
    );
    assert_eq!(status, 200, "{made}");
    assert_eq!(made["created"].as_array().map_or(0, Vec::len), 2);
    assert_eq!(made["created"][0]["stocked_quantity"], 5);
    let south_level = made["created"][1]["id"]
        .as_str()
        .expect("level")
        .to_string();
    let north_level = made["created"][0]["id"]
        .as_str()
        .expect("level")
        .to_string();

    let (status, changed) = post(
        &app,
        &auth,
        &path,
        json!({"update": [{"location_id": north, "stocked_quantity": 8}], "delete": [south_level]}),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["updated"][0]["stocked_quantity"], 8);
    assert_eq!(changed["deleted"], json!([south_level]));

    // Deleting a stocked level without `force` is refused, and the update in the same batch
    // does not happen either.
    let (status, refused) = post(
        &app,
        &auth,
        &path,
        json!({"update": [{"location_id": north, "stocked_quantity": 1}], "delete": [north_level]}),
    );
    assert_eq!(status, 400, "{refused}");
    let levels = app
        .admin_call(
            "GET",
            &format!("/admin/inventory-items/{item}/location-levels"),
            &auth,
            None,
        )
        .json();
    assert_eq!(levels["count"], 1);
    assert_eq!(levels["inventory_levels"][0]["stocked_quantity"], 8);
    let (status, _) = post(
        &app,
        &auth,
        &path,
        json!({"delete": [north_level], "force": true}),
    );
    assert_eq!(status, 200);
    let (status, _) = post(&app, &auth, &path, json!({"delete": ["ilev_missing"]}));
    assert_eq!(status, 404);
    let (status, _) = post(
        &app,
        &auth,
        &path,
        json!({"create": [{"location_id": north, "stocked_quantity": -1}]}),
    );
    assert_eq!(status, 400);
}
