//! The till's staff PINs and emailed receipts (issue 17): a signed-in till switches who serves
//! by PIN (hashed, throttled like logins), and the sale and the Z-report follow the staff
//! member the PIN selected; a receipt is emailed through the notification module once per
//! order and address, prefilled with the attached customer's address; the till's error pages
//! lead back to the till.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::{Browser, hidden};
use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::Arc;
use stockroom::Engine;
use stockroom::modules::notification::provider::LocalProvider;

const SKU: &str = "CLASSIC-T-SHIRT-S-WHITE";

fn app_with_mail() -> (TestApp, LocalProvider, String) {
    let local = LocalProvider::quiet();
    let builder = Engine::builder().notification_provider(Arc::new(local.clone()));
    let app = TestApp::with(config(), builder);
    let auth = format!("Bearer {}", app.admin_token());
    (app, local, auth)
}

fn admin(app: &TestApp, auth: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let text = body.map(|b| b.to_string());
    let reply = app.request(
        method,
        path,
        &[
            ("authorization", auth),
            ("content-type", "application/json"),
        ],
        text.as_deref(),
    );
    let json = serde_json::from_str(&reply.text()).unwrap_or(Value::Null);
    (reply.status, json)
}

/// Signs in at `/pos/sign-in` as the demo admin; returns the session's CSRF token.
fn pos_sign_in(browser: &mut Browser) -> String {
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
    hidden(&browser.get("/pos").text(), "_csrf").expect("a CSRF token")
}

fn location(reply: &common::client::Reply) -> String {
    reply.header("location").expect("a redirect").to_string()
}

/// Scans one shirt on T1 and pays cash; the receipt's path.
fn sell_one(browser: &mut Browser, csrf: &str) -> String {
    let scanned = browser.post("/pos/till/T1/scan", &[("_csrf", csrf), ("code", SKU)]);
    assert_eq!(location(&scanned), "/pos/till/T1?done=saved");
    let paid = browser.post("/pos/till/T1/pay", &[("_csrf", csrf), ("cash", "50")]);
    let receipt = location(&paid);
    assert!(receipt.starts_with("/pos/receipts/order_"), "{receipt}");
    receipt
}

fn order_of(app: &TestApp, auth: &str, receipt: &str) -> Value {
    let id = receipt.trim_start_matches("/pos/receipts/");
    let (status, body) = admin(app, auth, "GET", &format!("/admin/orders/{id}"), None);
    assert_eq!(status, 200, "{body}");
    body["order"].clone()
}

#[test]
fn a_pin_switches_who_serves_and_the_sale_and_the_z_report_follow_it() {
    let (app, _, auth) = app_with_mail();
    let clerk = stockroom::flows::accounts::create_user(
        app.engine(),
        "clerk@example.com",
        "clerk-password-1",
    )
    .unwrap();
    let (status, _) = admin(
        &app,
        &auth,
        "POST",
        "/admin/pos/staff-pins",
        Some(json!({"user_id": clerk.id, "pin": "12"})),
    );
    assert_eq!(status, 400, "a PIN is 4 to 8 digits");
    let (status, set) = admin(
        &app,
        &auth,
        "POST",
        "/admin/pos/staff-pins",
        Some(json!({"user_id": clerk.id, "pin": "4821"})),
    );
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["staff_pin"]["display_name"], "clerk@example.com");
    assert!(!set.to_string().contains("argon2"), "no hash in answers");
    let (_, listed) = admin(&app, &auth, "GET", "/admin/pos/staff-pins", None);
    assert_eq!(listed["staff_pins"][0]["user_id"], clerk.id.as_str());
    let stored: String = app
        .engine()
        .store()
        .read(|c| Ok(c.query_row("SELECT pin_hash FROM pos_staff_pin", [], |r| r.get(0))?))
        .unwrap();
    assert!(stored.starts_with("$argon2"), "stored hashed: {stored}");

    let mut browser = Browser::new(&app);
    let csrf = pos_sign_in(&mut browser);
    let admin_id = app
        .engine()
        .store()
        .read(|c| {
            Ok(
                c.query_row("SELECT id FROM user WHERE email = ?1", [ADMIN_EMAIL], |r| {
                    r.get::<_, String>(0)
                })?,
            )
        })
        .unwrap();
    let page = browser.get("/pos/staff").text();
    assert!(
        page.contains("Serving now: <strong>admin@example.com"),
        "{page}"
    );
    let opened = browser.post("/pos/till/T1/open", &[("_csrf", &csrf), ("float", "50")]);
    assert_eq!(opened.status, 303, "{}", opened.text());

    // Wrong PINs are refused alike, then throttled like logins (per staff member and address).
    let wrong = browser.post(
        "/pos/staff/switch",
        &[("_csrf", &csrf), ("user_id", &clerk.id), ("pin", "0000")],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("Wrong PIN"));
    let throttled = (0..12)
        .map(|_| {
            browser.post(
                "/pos/staff/switch",
                &[("_csrf", &csrf), ("user_id", &admin_id), ("pin", "9999")],
            )
        })
        .find(|r| r.status == 429)
        .expect("wrong PINs are throttled");
    assert!(throttled.header("retry-after").is_some());
    let forged = browser.post(
        "/pos/staff/switch",
        &[("_csrf", "forged"), ("user_id", &clerk.id), ("pin", "4821")],
    );
    assert_eq!(forged.status, 403);

    // The clerk takes over with the right PIN: the sale is theirs.
    let switched = browser.post(
        "/pos/staff/switch",
        &[("_csrf", &csrf), ("user_id", &clerk.id), ("pin", "4821")],
    );
    assert_eq!(location(&switched), "/pos?done=switched");
    assert!(browser.cookie("stockroom_pos_staff").is_some());
    let page = browser.get("/pos/staff").text();
    assert!(
        page.contains("Serving now: <strong>clerk@example.com"),
        "{page}"
    );
    let by_clerk = sell_one(&mut browser, &csrf);
    assert_eq!(
        order_of(&app, &auth, &by_clerk)["metadata"]["staff_user_id"],
        clerk.id.as_str()
    );
    let differ = browser.post(
        "/pos/staff/pin",
        &[("_csrf", &csrf), ("pin", "5555"), ("pin_confirm", "5556")],
    );
    assert_eq!(differ.status, 400);

    // Removing the clerk's PIN ends the switch: the signed-in admin serves again.
    let (status, _) = admin(
        &app,
        &auth,
        "DELETE",
        &format!("/admin/pos/staff-pins/{}", clerk.id),
        None,
    );
    assert_eq!(status, 200);
    let by_admin = sell_one(&mut browser, &csrf);
    assert_eq!(
        order_of(&app, &auth, &by_admin)["metadata"]["staff_user_id"],
        admin_id.as_str()
    );

    // The Z-report counts one sale for each of them.
    let cash = browser.get("/pos/till/T1/cash").text();
    let session = hidden(&cash, "session_id").unwrap();
    let (_, report) = admin(
        &app,
        &auth,
        "GET",
        &format!("/admin/pos/sessions/{session}/report"),
        None,
    );
    let staff = &report["report"]["staff"];
    assert_eq!(staff[clerk.id.as_str()]["sales"], 1, "{report}");
    assert_eq!(staff[admin_id.as_str()]["sales"], 1, "{report}");
}

#[test]
fn a_receipt_is_emailed_once_per_address_and_prefilled_from_the_customer() {
    let (app, local, auth) = app_with_mail();
    let mut browser = Browser::new(&app);
    let csrf = pos_sign_in(&mut browser);
    let opened = browser.post("/pos/till/T1/open", &[("_csrf", &csrf), ("float", "50")]);
    assert_eq!(opened.status, 303, "{}", opened.text());
    let receipt = sell_one(&mut browser, &csrf);
    let page = browser.get(&receipt).text();
    assert!(page.contains("Email receipt"), "{page}");
    assert!(
        !page.contains("pos.invalid"),
        "a walk-in's placeholder address is not offered"
    );
    let email_path = format!("{receipt}/email");

    let bad = browser.post(
        &email_path,
        &[("_csrf", &csrf), ("email", "not-an-address")],
    );
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("is not an email address"));
    let forged = browser.post(
        &email_path,
        &[("_csrf", "forged"), ("email", "buyer@example.com")],
    );
    assert_eq!(forged.status, 403);
    assert!(
        forged.text().contains("href=\"/pos\""),
        "the till's error page leads back to it"
    );
    assert!(!forged.text().contains("href=\"/app\""));

    for _ in 0..2 {
        let sent = browser.post(
            &email_path,
            &[("_csrf", &csrf), ("email", "buyer@example.com")],
        );
        assert_eq!(location(&sent), format!("{receipt}?done=emailed"));
    }
    let receipts = || -> Vec<_> {
        local
            .sent()
            .into_iter()
            .filter(|m| m.template == "pos-receipt")
            .collect()
    };
    let mails = receipts();
    assert_eq!(mails.len(), 1, "once per order and address: {mails:?}");
    let number = order_of(&app, &auth, &receipt)["metadata"]["receipt_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(mails[0].to, "buyer@example.com");
    assert!(mails[0].subject.contains(&number), "{}", mails[0].subject);
    assert!(mails[0].text.contains("TOTAL USD"), "{}", mails[0].text);

    let order_id = receipt.trim_start_matches("/pos/receipts/");
    let path = format!("/admin/pos/receipts/{order_id}/email");
    for _ in 0..2 {
        let (status, body) = admin(
            &app,
            &auth,
            "POST",
            &path,
            Some(json!({"email": "Other@Example.com"})),
        );
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(receipts().len(), 2, "another address, one more mail");

    // With a customer attached, the form offers their address.
    let attached = browser.post(
        "/pos/till/T1/customer",
        &[("_csrf", &csrf), ("email", "vera@example.com")],
    );
    assert_eq!(attached.status, 303, "{}", attached.text());
    let second = sell_one(&mut browser, &csrf);
    let page = browser.get(&second).text();
    assert!(page.contains("value=\"vera@example.com\""), "{page}");
}
