//! `/admin/payment-collections` on a placed order: a collection for an amount still to
//! collect, marked as paid through the system provider (a captured payment and
//! `payment.captured`), a payment session on another, and an unpaid one deleted — with the
//! refusals where Medusa trusts its caller (non-positive amounts, another order's collection,
//! a cart's collection, paying twice).

use crate::common;

use common::orders::{Admin, id};
use serde_json::json;

#[test]
fn staff_collect_an_extra_amount_on_an_order() {
    let a = Admin::start();
    let order = a.order(1);
    let order_id = id(&order);
    let made = a.post(
        "/admin/payment-collections",
        &json!({"order_id": order_id, "amount": 12.5}),
    )["payment_collection"]
        .clone();
    let collection = id(&made);
    assert_eq!(
        (&made["amount"], &made["status"], &made["currency_code"]),
        (&json!(12.5), &json!("not_paid"), &order["currency_code"])
    );
    let shown = a.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert!(
        shown["payment_collections"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["id"] == json!(collection))),
        "{shown}"
    );

    let paid = a.post(
        &format!("/admin/payment-collections/{collection}/mark-as-paid"),
        &json!({"order_id": order_id}),
    )["payment_collection"]
        .clone();
    assert_eq!(paid["status"], "completed");
    assert_eq!(paid["captured_amount"], json!(12.5));
    let payment = id(&paid["payments"][0]);
    assert_eq!(paid["payments"][0]["provider_id"], "pp_system_default");
    assert!(
        a.events()
            .iter()
            .any(|(name, data)| name == "payment.captured" && data["id"] == json!(payment))
    );
    a.refused(
        &format!("/admin/payment-collections/{collection}/mark-as-paid"),
        &json!({"order_id": order_id}),
        400,
        "not_allowed",
    );
    let paid_delete = a.call(
        "DELETE",
        &format!("/admin/payment-collections/{collection}"),
        None,
    );
    assert_eq!(paid_delete.status, 400, "{}", paid_delete.text());
}

#[test]
fn refusals_sessions_and_deletion() {
    let a = Admin::start();
    let order_id = id(&a.order(1));
    let other_order = id(&a.order(1));
    for amount in [json!(0), json!(-3)] {
        a.refused(
            "/admin/payment-collections",
            &json!({"order_id": order_id, "amount": amount}),
            400,
            "invalid_data",
        );
    }
    a.refused(
        "/admin/payment-collections",
        &json!({"order_id": order_id, "amount": "5"}),
        400,
        "invalid_data",
    );
    a.refused(
        "/admin/payment-collections",
        &json!({"order_id": "order_missing", "amount": 5}),
        404,
        "not_found",
    );
    let collection = id(&a.post(
        "/admin/payment-collections",
        &json!({"order_id": order_id, "amount": 3}),
    )["payment_collection"]);
    a.refused(
        &format!("/admin/payment-collections/{collection}/mark-as-paid"),
        &json!({"order_id": other_order}),
        400,
        "invalid_data",
    );
    a.refused(
        &format!("/admin/payment-collections/{collection}/mark-as-paid"),
        &json!({"order_id": order_id, "provider_id": "pp_test_test"}),
        400,
        "invalid_data",
    );

    let with_session = a.post(
        &format!("/admin/payment-collections/{collection}/payment-sessions"),
        &json!({"provider_id": "pp_system_default"}),
    )["payment_collection"]
        .clone();
    assert_eq!(with_session["status"], "awaiting");
    assert_eq!(
        with_session["payment_sessions"][0]["provider_id"],
        "pp_system_default"
    );
    a.refused(
        &format!("/admin/payment-collections/{collection}/payment-sessions"),
        &json!({"provider_id": "pp_nowhere"}),
        400,
        "invalid_data",
    );

    // A cart's collection is not an order's to delete.
    let variant = a.app.variant();
    let cart = a.app.cart_with("usd", &variant, 1);
    let cart_collection = a
        .app
        .store_post("/store/payment-collections", &json!({"cart_id": cart}));
    let cart_collection = id(&cart_collection.json()["payment_collection"]);
    let refused = a.call(
        "DELETE",
        &format!("/admin/payment-collections/{cart_collection}"),
        None,
    );
    assert_eq!(refused.status, 400, "{}", refused.text());

    let fresh = id(&a.post(
        "/admin/payment-collections",
        &json!({"order_id": order_id, "amount": 4}),
    )["payment_collection"]);
    let gone = a.call(
        "DELETE",
        &format!("/admin/payment-collections/{fresh}"),
        None,
    );
    assert_eq!(gone.status, 200, "{}", gone.text());
    assert_eq!(
        gone.json(),
        json!({"id": fresh, "object": "payment-collection", "deleted": true})
    );
    let shown = a.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert!(
        !shown["payment_collections"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["id"] == json!(fresh))),
        "{shown}"
    );
    let again = a.call(
        "DELETE",
        &format!("/admin/payment-collections/{fresh}"),
        None,
    );
    assert_eq!(again.status, 404);
}

#[test]
fn a_session_on_an_orders_collection_is_authorized_through_the_order() {
    let a = Admin::start();
    let order_id = id(&a.order(1));
    let other_order = id(&a.order(1));
    let collection = id(&a.post(
        "/admin/payment-collections",
        &json!({"order_id": order_id, "amount": 6}),
    )["payment_collection"]);
    let started = a.post(
        &format!("/admin/payment-collections/{collection}/payment-sessions"),
        &json!({"provider_id": "pp_system_default"}),
    )["payment_collection"]
        .clone();
    let session = id(&started["payment_sessions"][0]);
    a.refused(
        &format!("/admin/orders/{other_order}/payment-sessions/authorize"),
        &json!({"payment_session_id": session}),
        400,
        "invalid_data",
    );
    let authorized = a.post(
        &format!("/admin/orders/{order_id}/payment-sessions/authorize"),
        &json!({"payment_session_id": session}),
    );
    assert_eq!(authorized["is_authorized"], true);
    assert_eq!(authorized["order"]["id"], json!(order_id));
    let collections = authorized["order"]["payment_collections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mine = collections
        .iter()
        .find(|c| c["id"] == json!(collection))
        .expect("the collection is the order's");
    assert_eq!(mine["status"], "authorized");
    assert_eq!(mine["payments"][0]["amount"], json!(6));
    a.refused(
        &format!("/admin/orders/{order_id}/payment-sessions/authorize"),
        &json!({"payment_session_id": session}),
        400,
        "not_allowed",
    );
    a.refused(
        &format!("/admin/orders/{order_id}/payment-sessions/authorize"),
        &json!({"payment_session_id": "payses_missing"}),
        404,
        "not_found",
    );
    a.refused(
        &format!("/admin/orders/{order_id}/payment-sessions/authorize"),
        &json!({}),
        400,
        "invalid_data",
    );
}
