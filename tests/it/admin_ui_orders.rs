//! The admin UI's order pages: the list (search, filter, sort, escaping), the detail page
//! with its timeline, and each action through the registered workflows — fulfill, ship,
//! deliver, capture, refund, cancel — with a refusal shown on the page, not as a 500.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::Browser;
use common::orders::{Admin, id, payment_of};
use serde_json::json;
use stockroom::http::admin::order_json::{admin_order_json, list_summary};

/// The UI list's summary of an order says what the admin order document says.
#[track_caller]
fn summary_matches_document(admin: &Admin, order_id: &str) {
    let id = order_id.to_string();
    let (doc, summary) = admin
        .app
        .engine()
        .store()
        .read(move |conn| {
            let doc = admin_order_json(conn, &id)?;
            let found = stockroom::modules::order::retrieve(conn, &id)?;
            Ok((doc, list_summary(conn, &found)?))
        })
        .unwrap();
    assert_eq!(
        summary.payment_status,
        doc["payment_status"].as_str().unwrap()
    );
    assert_eq!(
        summary.fulfillment_status,
        doc["fulfillment_status"].as_str().unwrap()
    );
    let total = stockroom::money::parse_major(doc["raw_total"]["value"].as_str().unwrap(), "usd");
    assert_eq!(Ok(summary.total), total.map_err(|e| e.to_string()));
}

fn signed_in(admin: &Admin) -> Browser<'_> {
    let mut browser = Browser::new(&admin.app);
    browser.sign_in();
    browser
}

#[test]
fn the_list_shows_searches_filters_and_sorts_orders() {
    let admin = Admin::start();
    let first = admin.order(1);
    let second = admin.order(2);
    let mut browser = signed_in(&admin);
    let page = browser.get("/app/orders").text();
    let (a, b) = (
        format!("/app/orders/{}", id(&first)),
        format!("/app/orders/{}", id(&second)),
    );
    let (pa, pb) = (page.find(&a).unwrap(), page.find(&b).unwrap());
    assert!(pb < pa, "newest first");
    let oldest = browser.get("/app/orders?sort=oldest").text();
    assert!(
        oldest.find(&a).unwrap() < oldest.find(&b).unwrap(),
        "oldest first"
    );
    let display = first["display_id"].to_string();
    let found = browser.get(&format!("/app/orders?q=%23{display}")).text();
    assert!(
        found.contains(&a) && !found.contains(&b),
        "search by display id"
    );
    // The placeholder says what `q` matches: the number, the email, an address's name.
    assert!(page.contains("placeholder=\"Order number, email or name\""));
    let by_name = browser.get("/app/orders?q=lovelace").text();
    assert!(
        by_name.contains(&a) && by_name.contains(&b),
        "search by address name"
    );
    let canceled = browser.get("/app/orders?status=canceled").text();
    assert!(canceled.contains("No orders match."));
    // Every status the filter offers can match an order; `draft` (never listed) is not one.
    assert!(!page.contains("<option value=\"draft\""), "draft offered");
    assert_eq!(browser.get("/app/orders?status=draft").status, 400);
    let pending = browser.get("/app/orders?status=pending").text();
    assert!(pending.contains(&a) && pending.contains(&b));
    assert!(page.contains("Showing 1–2 of 2"));
    let bad = browser.get("/app/orders?status=nonsense");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("Unknown status"));
    assert_eq!(browser.get("/app/orders?page=0").status, 400);
}

#[test]
fn the_detail_page_shows_items_totals_payments_and_the_timeline() {
    let admin = Admin::start();
    let order = admin.order(2);
    let mut browser = signed_in(&admin);
    let reply = browser.get(&format!("/app/orders/{}", id(&order)));
    assert_eq!(reply.status, 200);
    let page = reply.text();
    for needle in [
        "Items",
        "Fulfill items",
        "Capture payment 1",
        "order.placed",
        "Shipping address",
        "Cancel order",
        order["items"][0]["title"].as_str().unwrap(),
    ] {
        assert!(page.contains(needle), "{needle} missing");
    }
    assert_eq!(browser.get("/app/orders/order_missing").status, 404);
}

#[test]
fn fulfill_ship_deliver_capture_and_refund_run_the_workflows() {
    let admin = Admin::start();
    let order = admin.order(2);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let base = format!("/app/orders/{order_id}");
    let mut browser = signed_in(&admin);
    summary_matches_document(&admin, &order_id);

    let reply = browser.submit(&format!("{base}/fulfill"), &[(&format!("qty_{line}"), "2")]);
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(
        reply.header("location"),
        Some(format!("{base}?done=fulfilled").as_str())
    );
    let doc = admin.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert_eq!(doc["fulfillment_status"], "fulfilled");
    let fulfillment = id(&doc["fulfillments"][0]);
    summary_matches_document(&admin, &order_id);
    assert!(
        browser
            .get(&format!("{base}?done=fulfilled"))
            .text()
            .contains("Fulfillment created.")
    );

    let ship = browser.submit(&format!("{base}/fulfillments/{fulfillment}/ship"), &[]);
    assert_eq!(ship.status, 303, "{}", ship.text());
    let deliver = browser.submit(&format!("{base}/fulfillments/{fulfillment}/deliver"), &[]);
    assert_eq!(deliver.status, 303, "{}", deliver.text());
    let doc = admin.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert_eq!(doc["fulfillment_status"], "delivered");
    summary_matches_document(&admin, &order_id);

    let payment = payment_of(&order);
    let capture = browser.submit(&format!("{base}/payments/{payment}/capture"), &[]);
    assert_eq!(capture.status, 303, "{}", capture.text());
    let paid = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(paid["captured_amount"], paid["amount"]);
    summary_matches_document(&admin, &order_id);

    let refund = browser.submit(
        &format!("{base}/payments/{payment}/refund"),
        &[("amount", "1"), ("note", "scratched")],
    );
    assert_eq!(refund.status, 303, "{}", refund.text());
    let paid = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(paid["refunded_amount"], json!(1));
    summary_matches_document(&admin, &order_id);
    let list = browser.get("/app/orders").text();
    assert!(
        list.contains(">partially refunded<") && list.contains(">delivered<"),
        "{list}"
    );
    let events: Vec<String> = admin.events().into_iter().map(|(name, _)| name).collect();
    for name in [
        "order.fulfillment_created",
        "shipment.created",
        "delivery.created",
        "payment.captured",
        "payment.refunded",
    ] {
        assert!(events.contains(&name.to_string()), "{name}: {events:?}");
    }
}

#[test]
fn a_refused_action_shows_the_workflow_message_on_the_page() {
    let admin = Admin::start();
    let order = admin.order(1);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let base = format!("/app/orders/{order_id}");
    let mut browser = signed_in(&admin);
    let too_many = browser.submit(&format!("{base}/fulfill"), &[(&format!("qty_{line}"), "5")]);
    assert_eq!(too_many.status, 400, "{}", too_many.text());
    let page = too_many.text();
    assert!(page.contains("class=\"notice error\""), "{page}");
    assert!(page.contains("<h1>Order #"), "the order page itself");
    let nothing = browser.submit(&format!("{base}/fulfill"), &[(&format!("qty_{line}"), "0")]);
    assert!(
        nothing
            .text()
            .contains("Choose at least one item to fulfill")
    );
    let not_a_number = browser.submit(&format!("{base}/fulfill"), &[(&format!("qty_{line}"), "x")]);
    assert_eq!(not_a_number.status, 400);
    let payment = payment_of(&order);
    let refund = browser.submit(
        &format!("{base}/payments/{payment}/refund"),
        &[("amount", "-3")],
    );
    assert_eq!(refund.status, 400);
    assert!(
        refund
            .text()
            .contains("Refund amount must be a positive amount")
    );
    let nothing_captured = browser.submit(&format!("{base}/payments/{payment}/refund"), &[]);
    assert!(nothing_captured.status >= 400 && nothing_captured.status < 500);
    assert!(nothing_captured.text().contains("notice error"));
}

#[test]
fn cancel_runs_the_cancel_workflow() {
    let admin = Admin::start();
    let order = admin.order(1);
    let order_id = id(&order);
    let mut browser = signed_in(&admin);
    let reply = browser.submit(&format!("/app/orders/{order_id}/cancel"), &[]);
    assert_eq!(reply.status, 303, "{}", reply.text());
    let doc = admin.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert_eq!(doc["status"], "canceled");
    summary_matches_document(&admin, &order_id);
    let page = browser
        .get(&format!("/app/orders/{order_id}?done=canceled"))
        .text();
    assert!(page.contains("Order canceled.") && !page.contains(">Cancel order<"));
    let again = browser.submit(&format!("/app/orders/{order_id}/cancel"), &[]);
    assert!(
        again.status >= 400 && again.status < 500,
        "{}",
        again.status
    );
    assert!(again.text().contains("notice error"));
}

#[test]
fn hostile_text_is_escaped() {
    let admin = Admin::start();
    let product = admin.post(
        "/admin/products",
        &json!({"title": "<script>alert(1)</script>", "status": "published"}),
    );
    let mut browser = signed_in(&admin);
    let page = browser.get("/app/products").text();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>alert(1)"));
    let detail = browser
        .get(&format!("/app/products/{}", id(&product["product"])))
        .text();
    assert!(!detail.contains("<script>alert(1)"));
    let search = browser
        .get("/app/orders?q=%22%3E%3Cimg%20src%3Dx%3E")
        .text();
    assert!(
        !search.contains("\"><img src=x>"),
        "the search echo is escaped"
    );
    assert!(search.contains("&quot;&gt;&lt;img src=x&gt;"));
}
