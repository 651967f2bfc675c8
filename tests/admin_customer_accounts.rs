//! Staff manage a customer's address book, and delete a customer (Medusa's
//! `removeCustomerAccountWorkflow`): the account goes with its addresses and groups, and the
//! email can register again.

mod common;

use common::TestApp;
use serde_json::{Value, json};

fn admin(app: &TestApp) -> String {
    format!("Bearer {}", app.admin_token())
}

fn ok(app: &TestApp, bearer: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let reply = app.admin_call(method, path, bearer, body.as_ref());
    assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
    reply.json()
}

#[test]
fn staff_manage_a_customers_addresses() {
    let app = TestApp::start();
    let bearer = admin(&app);
    let (customer, _) = app.signup("ines@example.com", "pw-ines");
    let base = format!("/admin/customers/{customer}/addresses");
    let created = ok(
        &app,
        &bearer,
        "POST",
        &base,
        Some(
            json!({"address_1": "1 Rua", "city": "Porto", "country_code": "pt", "is_default_shipping": true}),
        ),
    );
    let address = created["customer"]["addresses"][0]["id"]
        .as_str()
        .expect("an address")
        .to_string();
    assert_eq!(
        created["customer"]["addresses"][0]["is_default_shipping"],
        true
    );
    let listed = ok(&app, &bearer, "GET", &format!("{base}?city=Porto"), None);
    assert_eq!(listed["count"], 1);
    let one = format!("{base}/{address}");
    let updated = ok(&app, &bearer, "POST", &one, Some(json!({"city": "Lisboa"})));
    assert_eq!(updated["customer"]["addresses"][0]["city"], "Lisboa");
    assert_eq!(
        ok(&app, &bearer, "GET", &one, None)["address"]["city"],
        "Lisboa"
    );
    assert_eq!(
        app.admin_call("POST", &base, &bearer, Some(&json!({"colour": "red"})))
            .status,
        400
    );
    let (other, _) = app.signup("other@example.com", "pw-other");
    let foreign = format!("/admin/customers/{other}/addresses/{address}");
    assert_eq!(app.admin_call("GET", &foreign, &bearer, None).status, 404);
    let deleted = ok(&app, &bearer, "DELETE", &one, None);
    assert_eq!(deleted["object"], "customer_address");
    assert_eq!(deleted["parent"]["addresses"], json!([]));
    assert_eq!(
        app.admin_call(
            "GET",
            "/admin/customers/cus_missing/addresses",
            &bearer,
            None
        )
        .status,
        404
    );
}

#[test]
fn a_deleted_customer_is_gone_and_the_email_can_register_again() {
    let app = TestApp::start();
    let bearer = admin(&app);
    let (customer, token) = app.signup("gone@example.com", "pw-gone");
    let deleted = ok(
        &app,
        &bearer,
        "DELETE",
        &format!("/admin/customers/{customer}"),
        None,
    );
    assert_eq!(
        deleted,
        json!({"id": customer, "object": "customer", "deleted": true})
    );
    assert_eq!(
        app.admin_call(
            "GET",
            &format!("/admin/customers/{customer}"),
            &bearer,
            None
        )
        .status,
        404
    );
    let me = app.store_call("GET", "/store/customers/me", &token, None);
    assert!(me.status == 401 || me.status == 404, "{}", me.text());
    // The identity no longer points at the deleted customer: logging in gives a token
    // without a customer, and registering a customer for it works again.
    let fresh = app.login("customer", "gone@example.com", "pw-gone");
    let again = app.store_call(
        "POST",
        "/store/customers",
        &fresh,
        Some(&json!({"email": "gone@example.com"})),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    assert_ne!(again.json()["customer"]["id"], customer.as_str());
}
