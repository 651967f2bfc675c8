//! Staff manage a customer's address book, and delete a customer (Medusa's
//! `removeCustomerAccountWorkflow`): the account goes with its addresses and groups, and the
//! email can register again.

use crate::common;

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
    // The identity went with the customer (nothing else used it): the old password no longer
    // logs in, and the email registers afresh with a new one.
    let old = app.login_reply("customer", "gone@example.com", "pw-gone");
    assert_eq!(old.status, 401, "{}", old.text());
    let fresh = app.register("customer", "gone@example.com", "pw-new");
    let again = app.store_call(
        "POST",
        "/store/customers",
        &fresh,
        Some(&json!({"email": "gone@example.com"})),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    assert_ne!(again.json()["customer"]["id"], customer.as_str());
}

/// Deleting a staff user (not oneself, Medusa's "A user cannot delete itself") removes the
/// user and its identity, so the same email can be invited and register again.
#[test]
fn a_deleted_user_is_gone_and_cannot_delete_itself() {
    let app = TestApp::start();
    let bearer = admin(&app);
    let me = ok(&app, &bearer, "GET", "/admin/users/me", None)["user"]["id"]
        .as_str()
        .expect("me")
        .to_string();
    let own = app.admin_call("DELETE", &format!("/admin/users/{me}"), &bearer, None);
    assert_eq!(own.status, 400, "{}", own.text());
    assert_eq!(own.json()["message"], "A user cannot delete itself");

    let invite = ok(
        &app,
        &bearer,
        "POST",
        "/admin/invites",
        Some(json!({"email": "temp@example.com"})),
    );
    let token = invite["invite"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    let registration = format!(
        "Bearer {}",
        app.register("user", "temp@example.com", "pw-temp")
    );
    let accepted = app.admin_call(
        "POST",
        &format!("/admin/invites/accept?token={token}"),
        &registration,
        Some(&json!({})),
    );
    let user = accepted.json()["user"]["id"]
        .as_str()
        .expect("user")
        .to_string();
    let deleted = ok(
        &app,
        &bearer,
        "DELETE",
        &format!("/admin/users/{user}"),
        None,
    );
    assert_eq!(
        deleted,
        json!({"id": user, "object": "user", "deleted": true})
    );
    assert_eq!(
        app.admin_call("GET", &format!("/admin/users/{user}"), &bearer, None)
            .status,
        404
    );
    assert_eq!(
        app.login_reply("user", "temp@example.com", "pw-temp")
            .status,
        401
    );
    // Invited again, the same email registers with a new password.
    let again = ok(
        &app,
        &bearer,
        "POST",
        "/admin/invites",
        Some(json!({"email": "temp@example.com"})),
    );
    let token = again["invite"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    let registration = format!(
        "Bearer {}",
        app.register("user", "temp@example.com", "pw-new")
    );
    let back = app.admin_call(
        "POST",
        &format!("/admin/invites/accept?token={token}"),
        &registration,
        Some(&json!({})),
    );
    assert_eq!(back.status, 200, "{}", back.text());
}
