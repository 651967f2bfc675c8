//! `POST /admin/inventory-items/location-levels/batch`: levels of several items created,
//! updated and deleted in one write — a refusal anywhere leaves every level as it was.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

fn post(app: &TestApp, auth: &str, path: &str, body: Value) -> (u16, Value) {
    let reply = app.admin_call("POST", path, auth, Some(&body));
    (reply.status, reply.json())
}

fn text(v: &Value) -> String {
    v.as_str().expect("id").to_string()
}

#[test]
fn levels_of_several_items_change_together_or_not_at_all() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let item = |sku: &str| {
        let (_, made) = post(&app, &auth, "/admin/inventory-items", json!({"sku": sku}));
        text(&made["inventory_item"]["id"])
    };
    let (first, second) = (item("ACROSS-1"), item("ACROSS-2"));
    let (_, location) = post(
        &app,
        &auth,
        "/admin/stock-locations",
        json!({"name": "Across"}),
    );
    let location = text(&location["stock_location"]["id"]);
    let path = "/admin/inventory-items/location-levels/batch";
    let (status, made) = post(
        &app,
        &auth,
        path,
        json!({"create": [
            {"inventory_item_id": first, "location_id": location, "stocked_quantity": 4},
            {"inventory_item_id": second, "location_id": location, "stocked_quantity": 0}
        ]}),
    );
    assert_eq!(status, 200, "{made}");
    assert_eq!(made["created"][0]["inventory_item_id"], json!(first));
    assert_eq!(made["created"][1]["inventory_item_id"], json!(second));
    let second_level = text(&made["created"][1]["id"]);

    // An unknown item in the update refuses the deletion beside it too.
    let (status, refused) = post(
        &app,
        &auth,
        path,
        json!({"update": [{"inventory_item_id": "iitem_missing", "location_id": location,
                           "stocked_quantity": 1}],
               "delete": [second_level]}),
    );
    assert_eq!(status, 404, "{refused}");
    let (status, done) = post(
        &app,
        &auth,
        path,
        json!({"update": [{"inventory_item_id": first, "location_id": location,
                           "stocked_quantity": 9}],
               "delete": [second_level]}),
    );
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["updated"][0]["stocked_quantity"], 9);
    assert_eq!(done["deleted"], json!([second_level]));
    let levels = app.admin_call(
        "GET",
        &format!("/admin/inventory-items/{second}/location-levels"),
        &auth,
        None,
    );
    assert_eq!(levels.json()["count"], 0, "{}", levels.text());

    let (status, bad) = post(
        &app,
        &auth,
        path,
        json!({"create": [{"location_id": location}]}),
    );
    assert_eq!(status, 400, "{bad}");
    assert_eq!(
        bad["message"],
        "Invalid request: Field 'create, 0, inventory_item_id' is required"
    );
    let (status, _) = post(&app, &auth, path, json!({"delete": ["ilev_missing"]}));
    assert_eq!(status, 404);
}
