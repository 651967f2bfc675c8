//! The admin's direct order edits and order changes over HTTP (Medusa 2.21.2, issue 13):
//! `POST /admin/orders/:id` with its change history, archive and complete with Medusa's
//! state rules, staff transfers, `GET /admin/orders/:id/changes`,
//! `POST /admin/order-changes/:id`, `GET /admin/orders/:id/preview` (the dashboard's order
//! page crashed while it was 404) and the linked relations of `fields=`.

use crate::common;

use common::orders::{Admin, id};
use serde_json::{Value, json};

fn order_path(order: &Value, tail: &str) -> String {
    format!("/admin/orders/{}{tail}", id(order))
}

#[track_caller]
fn refused_with(admin: &Admin, path: &str, body: &Value, status: u16, message: &str) {
    let reply = admin.refused(
        path,
        body,
        status,
        if status == 404 {
            "not_found"
        } else {
            "invalid_data"
        },
    );
    assert_eq!(reply["message"], message);
}

fn events_named(admin: &Admin, name: &str) -> Vec<Value> {
    admin
        .events()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, data)| data)
        .collect()
}

#[test]
fn updating_email_address_and_metadata_records_one_change_each() {
    let admin = Admin::start();
    let order = admin.order(1);
    let body = json!({
        "email": "grace@example.com",
        "shipping_address": {"city": "Lyon", "country_code": "us"},
        "metadata": {"gift": true},
    });
    let updated = admin.post(&order_path(&order, ""), &body)["order"].clone();
    assert_eq!(updated["email"], "grace@example.com");
    assert_eq!(updated["metadata"], json!({"gift": true}));
    assert_eq!(updated["shipping_address"]["city"], "Lyon");
    assert_eq!(
        updated["shipping_address"]["address_1"], order["shipping_address"]["address_1"],
        "fields not sent are kept"
    );
    assert_ne!(
        updated["shipping_address"]["id"],
        order["shipping_address"]["id"]
    );
    assert_eq!(
        events_named(&admin, "order.updated"),
        vec![json!({"id": id(&order)})]
    );

    let changes = admin.get(&order_path(&order, "/changes"))["order_changes"].clone();
    let kinds: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["actions"][0]["details"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["shipping_address", "email", "metadata"]);
    let email = &changes[1];
    assert_eq!(
        (&email["change_type"], &email["status"], &email["version"]),
        (&json!("update_order"), &json!("confirmed"), &json!(1))
    );
    assert_eq!(email["actions"][0]["action"], "UPDATE_ORDER_PROPERTIES");
    assert_eq!(email["actions"][0]["applied"], true);
    assert_eq!(email["actions"][0]["details"]["old"], "ada@example.com");
    assert!(email["created_by"].as_str().unwrap().starts_with("user_"));
}

#[test]
fn updates_are_checked_as_medusa_checks_them() {
    let admin = Admin::start();
    let order = admin.order(1);
    let path = order_path(&order, "");
    refused_with(
        &admin,
        &path,
        &json!({"email": "not-an-email"}),
        400,
        "The email is not valid",
    );
    refused_with(
        &admin,
        &path,
        &json!({"billing_address": {"country_code": "dk"}}),
        400,
        "Country code cannot be changed",
    );
    admin.refused(
        &path,
        &json!({"shipping_address": {"bogus": 1}}),
        400,
        "invalid_data",
    );
    admin.refused(&path, &json!({"status": "completed"}), 400, "invalid_data");
    refused_with(
        &admin,
        "/admin/orders/order_nope",
        &json!({"metadata": {}}),
        404,
        "Order with id: order_nope was not found",
    );
    admin.post(&order_path(&order, "/cancel"), &json!({}));
    let canceled = format!("Order with id {} has been canceled.", id(&order));
    refused_with(&admin, &path, &json!({"metadata": {}}), 400, &canceled);
    assert!(
        events_named(&admin, "order.updated").is_empty(),
        "refusals emit nothing"
    );
    assert_eq!(
        admin.get(&order_path(&order, "/changes?change_type=update_order"))["order_changes"],
        json!([])
    );
}

#[test]
fn complete_then_archive_and_the_states_that_refuse() {
    let admin = Admin::start();
    let order = admin.order(1);
    let not_archivable = format!(
        "Orders {} are completed, canceled, or in draft and cannot be archived",
        id(&order)
    );
    refused_with(
        &admin,
        &order_path(&order, "/archive"),
        &json!({}),
        400,
        &not_archivable,
    );
    let done = admin.post(&order_path(&order, "/complete"), &json!({}))["order"].clone();
    assert_eq!(done["status"], "completed");
    let archived = admin.post(&order_path(&order, "/archive"), &json!({}))["order"].clone();
    assert_eq!(archived["status"], "archived");
    refused_with(
        &admin,
        &order_path(&order, "/archive"),
        &json!({}),
        400,
        &not_archivable,
    );
    assert_eq!(
        events_named(&admin, "order.completed"),
        vec![json!({"id": id(&order)})]
    );
    assert_eq!(
        events_named(&admin, "order.archived"),
        vec![json!({"id": id(&order)})]
    );

    let other = admin.order(1);
    admin.post(&order_path(&other, "/cancel"), &json!({}));
    let message = format!("Orders {} are canceled and cannot be completed", id(&other));
    refused_with(
        &admin,
        &order_path(&other, "/complete"),
        &json!({}),
        400,
        &message,
    );
    let archived = admin.post(&order_path(&other, "/archive"), &json!({}))["order"].clone();
    assert_eq!(
        archived["status"], "archived",
        "Medusa archives canceled orders"
    );
    admin.refused(
        "/admin/orders/order_nope/complete",
        &json!({}),
        404,
        "not_found",
    );
    admin.refused(
        &order_path(&other, "/archive"),
        &json!({"x": 1}),
        400,
        "invalid_data",
    );
}

#[test]
fn preview_without_an_open_change_is_the_order() {
    let admin = Admin::start();
    let order = admin.order(2);
    let preview = admin.get(&order_path(&order, "/preview"))["order"].clone();
    assert_eq!(preview["id"], order["id"]);
    assert_eq!(preview["version"], 1);
    assert_eq!(preview["items"][0]["quantity"], 2);
    assert!(preview.get("order_change").is_none());
    assert!(preview["items"][0].get("actions").is_none());
    let total = preview["total"].clone();
    assert_eq!(preview["summary"]["current_order_total"], total);
    assert_eq!(preview["summary"]["pending_difference"], total);
    assert_eq!(preview["summary"]["paid_total"], 0);
    let missing = admin.call("GET", "/admin/orders/order_nope/preview", None);
    assert_eq!(missing.status, 404, "{}", missing.text());
}

#[test]
fn a_staff_transfer_shows_in_preview_and_changes_until_canceled() {
    let admin = Admin::start();
    let order = admin.order(1);
    let (grace, _) = admin
        .app
        .signup("grace@example.com", "correct horse battery");
    let body = json!({"customer_id": grace, "internal_note": "asked by phone", "update_order_email": true});
    let after = admin.post(&order_path(&order, "/transfer"), &body)["order"].clone();
    assert_eq!(
        after["customer_id"], order["customer_id"],
        "nothing moves before acceptance"
    );
    assert_eq!(events_named(&admin, "order.transfer_requested").len(), 1);

    let preview = admin.get(&order_path(&order, "/preview"))["order"].clone();
    assert_eq!(preview["customer_id"], json!(grace));
    assert_eq!(preview["email"], "grace@example.com");
    let change = preview["order_change"].clone();
    assert_eq!(
        (&change["change_type"], &change["status"]),
        (&json!("transfer"), &json!("requested"))
    );
    assert_eq!(change["internal_note"], "asked by phone");
    assert_eq!(preview["actions"][0]["action"], "TRANSFER_CUSTOMER");
    assert!(preview["actions"][0]["details"].get("token_hash").is_none());

    let listed = admin.get(&order_path(
        &order,
        "/changes?change_type=transfer&status=requested",
    ));
    let change_id = id(&listed["order_changes"][0]);
    assert_eq!(
        listed["order_changes"][0]["created_by"].as_str().unwrap()[..5],
        *"user_"
    );
    let note = json!({"internal_note": "called back", "carry_over_promotions": true});
    let updated =
        admin.post(&format!("/admin/order-changes/{change_id}"), &note)["order_change"].clone();
    assert_eq!(
        (&updated["internal_note"], &updated["carry_over_promotions"]),
        (&json!("called back"), &json!(true))
    );
    assert_eq!(updated["actions"].as_array().unwrap().len(), 1);
    let slim =
        admin.get(&order_path(&order, "/changes?fields=id,status"))["order_changes"][0].clone();
    assert_eq!(slim, json!({"id": change_id, "status": "requested"}));

    let second = json!({"customer_id": grace});
    let open = format!(
        "Order ({}) already has an existing active order change",
        id(&order)
    );
    refused_with(
        &admin,
        &order_path(&order, "/transfer"),
        &second,
        400,
        &open,
    );
    admin.post(&order_path(&order, "/transfer/cancel"), &json!({}));
    let preview = admin.get(&order_path(&order, "/preview"))["order"].clone();
    assert!(preview.get("order_change").is_none());
    assert_eq!(preview["customer_id"], order["customer_id"]);
    let closed = admin.get(&order_path(&order, "/changes"))["order_changes"][0].clone();
    assert_eq!(closed["status"], "canceled");
    assert!(closed["canceled_by"].as_str().unwrap().starts_with("user_"));
    refused_with(
        &admin,
        &order_path(&order, "/transfer/cancel"),
        &json!({}),
        400,
        "An active Order Change is required to proceed",
    );
}

#[test]
fn transfers_and_change_updates_refuse_what_medusa_refuses() {
    let admin = Admin::start();
    let order = admin.order(1);
    let path = order_path(&order, "/transfer");
    admin.refused(&path, &json!({}), 400, "invalid_data");
    admin.refused(&path, &json!({"customer_id": "cus_nope"}), 404, "not_found");
    let guest = admin.post("/admin/customers", &json!({"email": "guest@example.com"}));
    let guest = id(&guest["customer"]);
    let message = format!(
        "Cannot transfer order: {} to a guest customer account: guest@example.com",
        id(&order)
    );
    refused_with(&admin, &path, &json!({"customer_id": guest}), 400, &message);
    refused_with(
        &admin,
        "/admin/order-changes/ordch_nope",
        &json!({"internal_note": "x"}),
        404,
        "OrderChange with id \"ordch_nope\" not found",
    );
    admin.refused(
        "/admin/order-changes/ordch_nope",
        &json!({"status": "confirmed"}),
        400,
        "invalid_data",
    );
    assert_eq!(
        admin.get("/admin/orders/order_nope/changes")["order_changes"],
        json!([])
    );
}

/// Hands `order` to a new registered customer through a staff transfer accepted with the
/// token the event carries; returns the customer's id.
fn give_to_customer(admin: &Admin, order: &Value) -> String {
    let (grace, _) = admin
        .app
        .signup("grace@example.com", "correct horse battery");
    admin.post(
        &order_path(order, "/transfer"),
        &json!({"customer_id": grace}),
    );
    let requested = events_named(admin, "order.transfer_requested");
    let token = requested.last().expect("requested")["token"].clone();
    let path = format!("/store/orders/{}/transfer/accept", id(order));
    let reply = admin.app.store_post(&path, &json!({ "token": token }));
    assert_eq!(reply.status, 200, "{}", reply.text());
    grace
}

#[test]
fn fields_reach_the_linked_customer_sales_channel_and_summary() {
    let admin = Admin::start();
    let order = admin.order(1);
    let guest = admin.get(&order_path(&order, "?fields=id,*customer"))["order"].clone();
    // Medusa's order reads add the status, version and the two computed statuses to any
    // `fields` (its get-order-detail workflow).
    assert_eq!(
        guest,
        json!({"id": order["id"], "customer": null, "status": "pending", "version": 1,
               "payment_status": "authorized", "fulfillment_status": "not_fulfilled"})
    );
    let grace = give_to_customer(&admin, &order);
    let fields = "fields=id,version,*customer,*sales_channel,summary,region.name,*promotions";
    let one = admin.get(&order_path(&order, &format!("?{fields}")))["order"].clone();
    assert_eq!(one["customer"]["email"], "grace@example.com");
    assert_eq!(one["customer"]["id"], json!(grace));
    assert!(one["customer"].get("addresses").is_none());
    assert_eq!(one["sales_channel"]["id"], order["sales_channel_id"]);
    assert!(one["sales_channel"]["name"].is_string());
    assert_eq!(one["version"], 2, "the accepted transfer moved the version");
    assert_eq!(one["summary"]["current_order_total"], order["total"]);
    assert!(one["region"]["name"].is_string());
    assert_eq!(one["promotions"], json!([]));
    assert!(one.get("items").is_none() && one.get("email").is_none());
    let listed = admin.get(&format!("/admin/orders?{fields}"))["orders"][0].clone();
    assert_eq!(listed, one);
}

#[test]
fn line_items_carry_the_item_and_its_version_history() {
    let admin = Admin::start();
    let order = admin.order(2);
    let listed = admin.get(&order_path(&order, "/line-items"))["order_items"].clone();
    let line = id(&order["items"][0]);
    assert_eq!(listed[0]["item_id"], json!(line));
    assert_eq!(listed[0]["order_id"], order["id"]);
    assert_eq!(listed[0]["version"], 1);
    assert_eq!(listed[0]["item"]["quantity"], 2);
    assert_eq!(
        listed[0]["history"],
        json!({"version": {"from": 1, "to": 1}})
    );
    let path = order_path(
        &order,
        &format!("/line-items?item_id={line}&fields=item_id"),
    );
    let slim = admin.get(&path)["order_items"].clone();
    let history = json!({"version": {"from": 1, "to": 1}});
    assert_eq!(
        slim,
        json!([{"id": line, "item_id": line, "history": history}]),
        "history is added after the query, whatever the fields"
    );
    assert_eq!(
        admin.get(&order_path(&order, "/line-items?version=2"))["order_items"],
        json!([])
    );
    assert_eq!(
        admin.get(&order_path(&order, "/line-items?item_id=ordli_nope"))["order_items"],
        json!([])
    );
    let bad = admin.call("GET", &order_path(&order, "/line-items?version=x"), None);
    assert_eq!(bad.status, 400, "{}", bad.text());
}

#[test]
fn shipping_options_serve_the_address_and_flag_short_stock() {
    let admin = Admin::start();
    let order = admin.order(1);
    let path = order_path(&order, "/shipping-options");
    let options = admin.get(&path)["shipping_options"].clone();
    let used = &order["shipping_methods"][0]["shipping_option_id"];
    let option = options
        .as_array()
        .unwrap()
        .iter()
        .find(|o| &o["id"] == used)
        .expect("the option the order ships with")
        .clone();
    assert_eq!(option["insufficient_inventory"], false);
    assert!(option["service_zone"]["fulfillment_set"]["location"]["id"].is_string());
    assert!(option["rules"].is_array());
    admin.app.set_stock(&admin.app.variant(), 0);
    let short = admin.get(&path)["shipping_options"].clone();
    let option = short
        .as_array()
        .unwrap()
        .iter()
        .find(|o| &o["id"] == used)
        .unwrap()
        .clone();
    assert_eq!(option["insufficient_inventory"], true);
    let missing = admin.call("GET", "/admin/orders/order_nope/shipping-options", None);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["message"], "Order id not found: order_nope");
}

#[test]
fn a_transfer_to_a_guest_is_confirmed_at_once() {
    let admin = Admin::start();
    let order = admin.order(1);
    let grace = give_to_customer(&admin, &order);
    let path = order_path(&order, "/transfer/guest");
    let mine = format!("Order: {} already belongs to customer: {grace}", id(&order));
    refused_with(
        &admin,
        &path,
        &json!({"email": "grace@example.com"}),
        400,
        &mine,
    );
    admin.app.signup("hal@example.com", "correct horse battery");
    let registered = format!(
        "Cannot transfer order: {} to registered customer account: hal@example.com. Only guest customers are allowed.",
        id(&order)
    );
    refused_with(
        &admin,
        &path,
        &json!({"email": "hal@example.com"}),
        400,
        &registered,
    );
    admin.refused(&path, &json!({"email": "nope"}), 400, "invalid_data");
    let body = json!({"email": "Lin@Example.com", "internal_note": "gift"});
    let moved = admin.post(&path, &body)["order"].clone();
    assert_eq!(moved["email"], "lin@example.com");
    assert_eq!(moved["version"], 3);
    assert_eq!(moved["customer"]["has_account"], false);
    let guest = moved["customer_id"].as_str().unwrap().to_string();
    let again = format!("Order: {} already belongs to customer: {guest}", id(&order));
    refused_with(
        &admin,
        &path,
        &json!({"email": "lin@example.com"}),
        400,
        &again,
    );
    let changes =
        admin.get(&order_path(&order, "/changes?change_type=transfer"))["order_changes"].clone();
    let last = changes.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["status"], &last["internal_note"]),
        (&json!("confirmed"), &json!("gift"))
    );
    assert!(last["confirmed_by"].as_str().unwrap().starts_with("user_"));
    assert!(
        admin.get(&order_path(&order, "/preview"))["order"]
            .get("order_change")
            .is_none()
    );
}

#[test]
fn an_order_without_an_email_gets_the_customer_of_its_first_one() {
    let admin = Admin::start();
    let order = admin.order(1);
    let path = order_path(&order, "");
    let cleared = admin.post(&path, &json!({"email": ""}))["order"].clone();
    assert_eq!(
        cleared["email"], "",
        "Medusa writes an empty email unchecked"
    );
    let given = admin.post(&path, &json!({"email": "lin@example.com"}))["order"].clone();
    assert_eq!(given["email"], "lin@example.com");
    assert_eq!(given["customer"]["email"], "lin@example.com");
    assert_eq!(given["customer"]["has_account"], false);
    let again = admin.post(&path, &json!({"email": "max@example.com"}))["order"].clone();
    assert_eq!(
        again["customer_id"], given["customer_id"],
        "only a first email moves it"
    );
}

#[test]
fn the_new_order_routes_are_in_the_openapi_document() {
    let admin = Admin::start();
    let openapi = admin.app.get("/openapi.json").json();
    for (path, method) in [
        ("/admin/orders/{id}", "post"),
        ("/admin/orders/{id}/archive", "post"),
        ("/admin/orders/{id}/complete", "post"),
        ("/admin/orders/{id}/transfer", "post"),
        ("/admin/orders/{id}/transfer/guest", "post"),
        ("/admin/orders/{id}/transfer/cancel", "post"),
        ("/admin/orders/{id}/changes", "get"),
        ("/admin/orders/{id}/preview", "get"),
        ("/admin/orders/{id}/line-items", "get"),
        ("/admin/orders/{id}/shipping-options", "get"),
        ("/admin/order-changes/{id}", "post"),
    ] {
        assert!(
            openapi["paths"][path].get(method).is_some(),
            "{method} {path} missing"
        );
    }
}
