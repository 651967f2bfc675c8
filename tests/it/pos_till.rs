//! The point of sale's till (issue 17): registers, cash sessions, scanning into a basket,
//! tenders (cash with change, split card + cash), the sale as an ordinary order in the till's
//! channel — paid, fulfilled, shipped and delivered at the till's location —, receipts, and
//! the Z-report matching the sales to the cent; closed sessions refuse every write. Then the
//! `/pos` pages themselves: sign-in, CSRF, scan + Enter, pay, receipt (HTML and text), close.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::{Browser, hidden};
use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use common::orders::Admin;
use serde_json::{Value, json};

const SKU: &str = "CLASSIC-T-SHIRT-S-WHITE";

/// The demo's register `T1` (the "Shop till" channel at the demo's location) with an open
/// session (float 100.00); returns `(register, session id)`.
fn till(admin: &Admin) -> (Value, String) {
    let registers = admin.get("/admin/pos/registers");
    let register = registers["registers"][0].clone();
    assert_eq!(register["code"], "T1", "{registers}");
    let opened = admin.post(
        &format!(
            "/admin/pos/registers/{}/sessions",
            register["id"].as_str().unwrap()
        ),
        &json!({"opening_float": 100}),
    );
    let session = opened["session"]["id"].as_str().unwrap().to_string();
    (register, session)
}

fn variant(admin: &Admin, register: &Value, code: &str) -> String {
    let found = admin.get(&format!(
        "/admin/pos/lookup?code={code}&register_id={}",
        register["id"].as_str().unwrap()
    ));
    found["variant"]["variant_id"].as_str().unwrap().to_string()
}

fn add(admin: &Admin, session: &str, variant: &str, quantity: i64) {
    admin.post(
        &format!("/admin/pos/sessions/{session}/basket"),
        &json!({"action": "add", "variant_id": variant, "quantity": quantity}),
    );
}

fn sell(admin: &Admin, session: &str, tenders: Value) -> Value {
    admin.post(
        &format!("/admin/pos/sessions/{session}/sale"),
        &json!({ "tenders": tenders }),
    )
}

/// Minor units of a major-unit JSON number (two-decimal currency).
fn cents(v: &Value) -> i64 {
    (v.as_f64().expect("a number") * 100.0).round() as i64
}

#[test]
fn a_till_sale_is_an_order_paid_and_handed_over_and_the_z_report_matches_it() {
    let admin = Admin::start();
    let (register, session) = till(&admin);
    let shirt = variant(&admin, &register, SKU);
    assert_eq!(
        admin
            .call(
                "GET",
                &format!(
                    "/admin/pos/lookup?code=NOPE&register_id={}",
                    register["id"].as_str().unwrap()
                ),
                None
            )
            .status,
        404
    );
    add(&admin, &session, &shirt, 2);
    let first = sell(&admin, &session, json!([{"kind": "cash", "tendered": 100}]));
    let receipt = first["receipt_number"].as_str().unwrap();
    assert!(receipt.starts_with("T1-"), "{receipt}");
    let order = admin.get(&format!(
        "/admin/orders/{}",
        first["order_id"].as_str().unwrap()
    ))["order"]
        .clone();
    let total = cents(&order["total"]);
    assert_eq!(
        first["change"].as_i64().unwrap(),
        10_000 - total,
        "change = tendered − total"
    );
    assert_eq!(order["sales_channel_id"], register["sales_channel_id"]);
    assert_eq!(order["payment_status"], "captured");
    assert_eq!(order["fulfillment_status"], "delivered");
    assert_eq!(order["metadata"]["receipt_number"], receipt);
    assert_eq!(order["metadata"]["pos_session_id"], session);
    assert_eq!(order["metadata"]["pos_register_id"], register["id"]);
    assert!(
        order["metadata"]["staff_user_id"]
            .as_str()
            .is_some_and(|u| !u.is_empty())
    );
    let order_id = order["id"].as_str().unwrap().to_string();
    let placed: i64 = admin
        .app
        .engine()
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM event_outbox WHERE name = 'order.placed' AND json_extract(data, '$.id') = ?1",
                [&order_id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(placed, 1, "order.placed, once");
    let line = order["items"][0]["id"].as_str().unwrap();
    let (stocked_after, reserved_after) = admin.stock(line);
    assert_eq!(
        reserved_after, 0,
        "the fulfillment consumed the reservation"
    );

    // A split tender: part on the card terminal, the rest in cash.
    add(&admin, &session, &shirt, 1);
    let second = sell(
        &admin,
        &session,
        json!([{"kind": "cash", "tendered": 20}, {"kind": "card", "tendered": 10, "reference": "slip 77"}]),
    );
    let order2 = admin.get(&format!(
        "/admin/orders/{}",
        second["order_id"].as_str().unwrap()
    ))["order"]
        .clone();
    let total2 = cents(&order2["total"]);
    assert_eq!(
        order2["payment_collections"][0]["payments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(second["change"].as_i64().unwrap(), 2000 - (total2 - 1000));
    assert_eq!(
        admin.stock(order2["items"][0]["id"].as_str().unwrap()).0,
        stocked_after - 1
    );

    // Short cash and an empty basket are refused, and nothing is sold.
    add(&admin, &session, &shirt, 1);
    let short = admin.call(
        "POST",
        &format!("/admin/pos/sessions/{session}/sale"),
        Some(&json!({"tenders": [{"kind": "cash", "tendered": 1}]})),
    );
    assert_eq!(short.status, 400, "{}", short.text());
    admin.post(
        &format!("/admin/pos/sessions/{session}/basket"),
        &json!({"action": "clear"}),
    );
    let empty = admin.call(
        "POST",
        &format!("/admin/pos/sessions/{session}/sale"),
        Some(&json!({"tenders": [{"kind": "cash", "tendered": 100}]})),
    );
    assert_eq!(empty.status, 400, "{}", empty.text());

    admin.post(
        &format!("/admin/pos/sessions/{session}/movements"),
        &json!({"kind": "pay_out", "amount": 5, "reason": "window cleaner"}),
    );
    let x = admin.get(&format!("/admin/pos/sessions/{session}/report"));
    assert_eq!(x["kind"], "x");
    let closed = admin.post(
        &format!("/admin/pos/sessions/{session}/close"),
        &json!({"denominations": {"10000": 1, "2000": 2}}),
    );
    let z = &closed["report"];
    assert_eq!(z["sales_count"], 2);
    assert_eq!(
        z["sales_total"].as_i64().unwrap(),
        total + total2,
        "Z-report = the orders' totals"
    );
    assert_eq!(z["tenders"]["card"]["amount"], 1000);
    assert_eq!(
        z["tenders"]["cash"]["amount"].as_i64().unwrap(),
        total + total2 - 1000
    );
    assert_eq!(z["pay_outs"], 500);
    let expected = 10_000 + (total + total2 - 1000) - 500;
    assert_eq!(z["expected_cash"].as_i64().unwrap(), expected);
    assert_eq!(closed["session"]["counted_cash"], 14_000);
    assert_eq!(
        closed["session"]["expected_cash"].as_i64().unwrap(),
        expected
    );
    let staff = z["staff"].as_object().unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff.values().next().unwrap()["sales"], 2);

    // A closed session is never written again.
    for (path, body) in [
        (
            "movements",
            json!({"kind": "pay_in", "amount": 1, "reason": "late"}),
        ),
        (
            "basket",
            json!({"action": "add", "variant_id": shirt, "quantity": 1}),
        ),
        (
            "sale",
            json!({"tenders": [{"kind": "cash", "tendered": 100}]}),
        ),
        ("close", json!({"counted": 1})),
    ] {
        let reply = admin.call(
            "POST",
            &format!("/admin/pos/sessions/{session}/{path}"),
            Some(&body),
        );
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
    }
    let again = admin.get(&format!("/admin/pos/sessions/{session}/report"));
    assert_eq!(again["kind"], "z");
    assert_eq!(&again["report"], z, "the Z-report does not change");
}

#[test]
fn one_open_session_per_register_and_manual_discounts_need_a_manager() {
    let admin = Admin::start();
    let (register, session) = till(&admin);
    let second = admin.call(
        "POST",
        &format!(
            "/admin/pos/registers/{}/sessions",
            register["id"].as_str().unwrap()
        ),
        Some(&json!({"opening_float": 0})),
    );
    assert_eq!(second.status, 400, "{}", second.text());
    let duplicate = admin.call(
        "POST",
        "/admin/pos/registers",
        Some(&json!({"code": "T1", "name": "Again", "stock_location_id": register["stock_location_id"]})),
    );
    assert_eq!(duplicate.status, 400);

    let shirt = variant(&admin, &register, SKU);
    let cart = admin.post(
        &format!("/admin/pos/sessions/{session}/basket"),
        &json!({"action": "add", "variant_id": shirt, "quantity": 1}),
    )["cart_id"]
        .as_str()
        .unwrap()
        .to_string();
    let line: String = admin
        .app
        .engine()
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT id FROM cart_line_item WHERE cart_id = ?1",
                [&cart],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let discount =
        json!({"action": "discount", "line_id": line, "amount": 5, "reason": "damaged box"});
    let refused = admin.call(
        "POST",
        &format!("/admin/pos/sessions/{session}/basket"),
        Some(&discount),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.json()["type"], "not_allowed");

    // The typed basket change: an action without the field it needs, or a field of the
    // wrong type, is a 400 naming it before anything runs.
    let basket = format!("/admin/pos/sessions/{session}/basket");
    let no_line = admin.call("POST", &basket, Some(&json!({"action": "remove"})));
    assert_eq!(no_line.status, 400, "{}", no_line.text());
    assert_eq!(
        no_line.json()["message"],
        "Invalid request: Field 'line_id' is required"
    );
    let wrong = json!({"action": "add", "variant_id": shirt, "quantity": "two"});
    let wrong = admin.call("POST", &basket, Some(&wrong));
    assert_eq!(wrong.status, 400, "{}", wrong.text());
    assert!(
        wrong.json()["message"]
            .as_str()
            .unwrap()
            .contains("invalid type"),
        "{}",
        wrong.text()
    );
    let movement = admin.call(
        "POST",
        &format!("/admin/pos/sessions/{session}/movements"),
        Some(&json!({"kind": "pay_in", "amount": 1, "reason": 5})),
    );
    assert_eq!(movement.status, 400, "{}", movement.text());
    assert_eq!(movement.json()["message"], "reason must be a string");

    let me = admin.get("/admin/users/me")["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    admin.post(
        &format!("/admin/users/{me}"),
        &json!({"metadata": {"pos_role": "manager"}}),
    );
    admin.post(&format!("/admin/pos/sessions/{session}/basket"), &discount);
    sell(&admin, &session, json!([{"kind": "cash", "tendered": 100}]));
    let x = admin.get(&format!("/admin/pos/sessions/{session}/report"));
    assert_eq!(x["report"]["manual_discount_total"], 500, "{x}");
}

/// Signs in at `/pos/sign-in` as the demo admin.
fn pos_sign_in(browser: &mut Browser) {
    let page = browser.get("/pos/sign-in").text();
    let token = hidden(&page, "_signin").expect("a sign-in token");
    let reply = browser.post(
        "/pos/sign-in",
        &[
            ("_signin", &token),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", "/pos"),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(browser.cookie("stockroom_pos").is_some());
}

fn location(reply: &common::client::Reply) -> String {
    reply.header("location").expect("a redirect").to_string()
}

#[test]
fn the_till_pages_scan_tender_cash_print_and_close_with_a_z_report() {
    let admin = Admin::start();
    let mut browser = Browser::new(&admin.app);
    assert_eq!(
        location(&browser.get("/pos/till/T1")),
        "/pos/sign-in?next=/pos/till/T1"
    );
    pos_sign_in(&mut browser);
    let home = browser.get("/pos");
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-security-policy")
            .is_some_and(|c| c.contains("default-src 'none'"))
    );
    let csrf = hidden(&home.text(), "_csrf").unwrap();
    let location_id = hidden(&home.text(), "stock_location_id").unwrap_or_default();
    let page = home.text();
    let location_id = if location_id.is_empty() {
        let at = page.find("<option value=\"").unwrap() + 15;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    } else {
        location_id
    };
    let form = |csrf: &str, code: &str| {
        vec![
            ("_csrf".to_string(), csrf.to_string()),
            ("code".to_string(), code.to_string()),
            ("name".to_string(), "Second till".to_string()),
            ("stock_location_id".to_string(), location_id.clone()),
        ]
    };
    let post = |browser: &mut Browser, fields: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        browser.post("/pos/registers", &pairs)
    };
    assert_eq!(post(&mut browser, form("forged", "T2")).status, 403);
    assert_eq!(
        post(&mut browser, form(&csrf, "T1")).status,
        400,
        "the demo's T1 exists"
    );
    let made = post(&mut browser, form(&csrf, "t2"));
    assert_eq!(location(&made), "/pos/till/T2?done=created");
    let opened = browser.post("/pos/till/T2/open", &[("_csrf", &csrf), ("float", "50")]);
    assert_eq!(opened.status, 303, "{}", opened.text());
    let scanned = browser.post("/pos/till/T2/scan", &[("_csrf", &csrf), ("code", SKU)]);
    assert_eq!(location(&scanned), "/pos/till/T2?done=saved");
    let page = browser.get("/pos/till/T2").text();
    assert!(page.contains("Classic T-Shirt"), "{page}");
    assert!(page.contains("autofocus"), "the scan field is focused");
    let by_title = browser.post(
        "/pos/till/T2/scan",
        &[("_csrf", &csrf), ("code", "classic shirt")],
    );
    assert!(location(&by_title).starts_with("/pos/till/T2?q="));
    let short = browser.post("/pos/till/T2/pay", &[("_csrf", &csrf), ("cash", "1")]);
    assert_eq!(short.status, 400);
    assert!(short.text().contains("short by"));
    let paid = browser.post("/pos/till/T2/pay", &[("_csrf", &csrf), ("cash", "50")]);
    let receipt_path = location(&paid);
    assert!(
        receipt_path.starts_with("/pos/receipts/order_"),
        "{receipt_path}"
    );
    let receipt = browser.get(&receipt_path).text();
    assert!(receipt.contains("T2-0"), "{receipt}");
    assert!(receipt.contains("Change"));
    let text = browser.get(&format!("{receipt_path}.txt"));
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(text.text().contains("TOTAL USD"), "{}", text.text());
    let cash = browser.get("/pos/till/T2/cash").text();
    assert!(cash.contains("X-report"));
    let session = hidden(&cash, "session_id").unwrap();
    let closed = browser.post(
        "/pos/till/T2/cash/close",
        &[
            ("_csrf", &csrf),
            ("session_id", &session),
            ("counted", "71.50"),
        ],
    );
    let report = browser.get(&location(&closed)).text();
    assert!(report.contains("Z-report"), "{report}");
    assert!(report.contains("Counted cash"));
}

#[test]
fn a_return_at_the_till_restocks_the_location_and_refunds_from_the_drawer_or_the_card() {
    let admin = Admin::start();
    let (register, session) = till(&admin);
    let shirt = variant(&admin, &register, SKU);
    add(&admin, &session, &shirt, 2);
    let cash_sale = sell(&admin, &session, json!([{"kind": "cash", "tendered": 100}]));
    let order = admin.get(&format!(
        "/admin/orders/{}",
        cash_sale["order_id"].as_str().unwrap()
    ))["order"]
        .clone();
    let line = order["items"][0]["id"].as_str().unwrap().to_string();
    let (stocked_before, _) = admin.stock(&line);
    let receipt = cash_sale["receipt_number"].as_str().unwrap();

    let taken = admin.post(
        &format!("/admin/pos/sessions/{session}/return"),
        &json!({"receipt_number": receipt.to_lowercase(), "items": [{"id": line, "quantity": 1}], "refund": "cash"}),
    );
    let refunded = taken["amount"].as_i64().unwrap();
    assert_eq!(
        refunded * 2,
        cents(&order["total"]),
        "half the order comes back"
    );
    assert_eq!(taken["from_drawer"].as_i64().unwrap(), refunded);
    assert_eq!(
        admin.stock(&line).0,
        stocked_before + 1,
        "back on the till's shelf"
    );
    let after =
        admin.get(&format!("/admin/orders/{}", order["id"].as_str().unwrap()))["order"].clone();
    assert_eq!(after["payment_status"], "partially_refunded");
    assert_eq!(cents(&after["summary"]["refunded_total"]), refunded);
    assert_eq!(after["items"][0]["detail"]["return_received_quantity"], 1);
    // More than was bought cannot come back.
    let again = admin.call(
        "POST",
        &format!("/admin/pos/sessions/{session}/return"),
        Some(&json!({"receipt_number": receipt, "items": [{"id": line, "quantity": 2}], "refund": "cash"})),
    );
    assert_eq!(again.status, 400, "{}", again.text());
    let unknown = admin.call(
        "POST",
        &format!("/admin/pos/sessions/{session}/return"),
        Some(&json!({"receipt_number": "T1-999999", "items": [{"id": line, "quantity": 1}], "refund": "cash"})),
    );
    assert_eq!(unknown.status, 404);

    // Paid by card: refunded to the card, the drawer untouched.
    let cart = admin.post(
        &format!("/admin/pos/sessions/{session}/basket"),
        &json!({"action": "add", "variant_id": shirt, "quantity": 1}),
    )["cart_id"]
        .as_str()
        .unwrap()
        .to_string();
    let due = admin
        .app
        .engine()
        .store()
        .read(move |c| stockroom::flows::checkout::refresh::totals(c, &cart))
        .unwrap()
        .2
        .total();
    let card_sale = sell(
        &admin,
        &session,
        json!([{"kind": "card", "tendered": due as f64 / 100.0}]),
    );
    let card_order = admin.get(&format!(
        "/admin/orders/{}",
        card_sale["order_id"].as_str().unwrap()
    ))["order"]
        .clone();
    let card_line = card_order["items"][0]["id"].as_str().unwrap();
    let to_card = admin.post(
        &format!("/admin/pos/sessions/{session}/return"),
        &json!({"receipt_number": card_sale["receipt_number"], "items": [{"id": card_line, "quantity": 1}], "refund": "original"}),
    );
    assert_eq!(to_card["amount"].as_i64().unwrap(), due);
    assert_eq!(to_card["from_drawer"], 0);

    let report = admin.get(&format!("/admin/pos/sessions/{session}/report"))["report"].clone();
    assert_eq!(report["returns_count"], 2);
    assert_eq!(report["returns_total"].as_i64().unwrap(), refunded + due);
    assert_eq!(report["cash_refunds"].as_i64().unwrap(), refunded);
    assert_eq!(
        report["expected_cash"].as_i64().unwrap(),
        10_000 + cents(&order["total"]) - refunded
    );
}

#[test]
fn the_demo_till_is_part_of_the_fixture_and_its_export() {
    let admin = Admin::start();
    let exported = admin
        .app
        .engine()
        .store()
        .read(stockroom::flows::export::export)
        .unwrap();
    let registers = &exported.fixture.pos_registers;
    assert_eq!(registers.len(), 1);
    assert_eq!(registers[0].code, "T1");
    assert_eq!(registers[0].name, "Shop till");
    let location = &registers[0].stock_location;
    assert!(
        exported
            .fixture
            .stock_locations
            .iter()
            .any(|l| &l.key == location && l.sales_channels.contains(&registers[0].sales_channel)),
        "the till's channel is linked to its location"
    );
}
