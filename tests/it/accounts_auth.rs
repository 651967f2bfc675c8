//! Black-box tests of `/auth` and `/store/customers`: the storefront sign-up sequence, login
//! failures (throttling is in `auth_throttle.rs`), registering again, tokens, sessions,
//! password reset, and address isolation.

use crate::common;

use common::accounts::{claims, cookie_of, token_of};
use common::{DEMO_KEY, TestApp, check};
use serde_json::json;

const DAY_MS: i64 = 24 * 3600 * 1000;

#[test]
fn registration_token_has_an_empty_actor_id() {
    let app = TestApp::start();
    let token = app.register("customer", "ada@example.com", "pw-ada");
    let c = claims(&token);
    assert_eq!(c["actor_id"], "");
    assert_eq!(c["actor_type"], "customer");
    assert!(
        c["auth_identity_id"]
            .as_str()
            .unwrap()
            .starts_with("authid_")
    );
    assert_eq!(c["app_metadata"], json!({}));
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        86_400
    );
}

#[test]
fn storefront_signup_sequence_binds_the_customer() {
    let app = TestApp::start();
    let (id, token) = app.signup("Ada@Example.com", "pw-ada");
    assert!(id.starts_with("cus_"));
    let c = claims(&token);
    assert_eq!(c["actor_id"], id.as_str());
    assert_eq!(c["app_metadata"]["customer_id"], id.as_str());
    let reply = app.store_call("GET", "/store/customers/me?fields=*orders", &token, None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let customer = &reply.json()["customer"];
    assert_eq!(customer["email"], "ada@example.com");
    assert_eq!(customer["has_account"], true);
    assert_eq!(customer["orders"], json!([]));
    assert_eq!(customer["addresses"], json!([]));
}

#[test]
fn guest_me_is_a_bare_401() {
    let app = TestApp::start();
    check(
        &app.store_get("/store/customers/me?fields=*orders"),
        401,
        json!({"message": "Unauthorized"}),
    );
}

#[test]
fn store_customers_needs_a_registration_token() {
    let app = TestApp::start();
    let reply = app.store_post("/store/customers", &json!({"email": "x@example.com"}));
    check(&reply, 401, json!({"message": "Unauthorized"}));
    let (_, bound) = app.signup("bo@example.com", "pw");
    let again = app.store_call(
        "POST",
        "/store/customers",
        &bound,
        Some(&json!({"email": "bo@example.com"})),
    );
    check(
        &again,
        400,
        json!({"type": "invalid_data", "message": "Request already authenticated as a customer."}),
    );
}

#[test]
fn duplicate_registration_is_401() {
    let app = TestApp::start();
    app.register("customer", "dup@example.com", "pw");
    let reply = app.post(
        "/auth/customer/emailpass/register",
        &[],
        &json!({"email": "dup@example.com", "password": "x"}),
    );
    check(
        &reply,
        401,
        json!({"type": "unauthorized", "message": "Identity with email already exists"}),
    );
}

/// Medusa 2.21.2 (asked of the real one): an identity no actor is attached to yet can be
/// registered again with the same password (a fresh registration token), not with another;
/// once the customer exists, registering is refused whatever the password.
#[test]
fn registering_again_resumes_an_unclaimed_identity_with_its_password_only() {
    let app = TestApp::start();
    let email = "again@example.com";
    let first = app.register("customer", email, "pw");
    let again = app.register("customer", email, "pw");
    assert_eq!(
        claims(&again)["auth_identity_id"],
        claims(&first)["auth_identity_id"]
    );
    assert_eq!(claims(&again)["actor_id"], "");
    let register = |password: &str| {
        app.post(
            "/auth/customer/emailpass/register",
            &[],
            &json!({"email": email, "password": password}),
        )
    };
    let exists = json!({"type": "unauthorized", "message": "Identity with email already exists"});
    check(&register("other"), 401, exists.clone());
    let created = app.store_call(
        "POST",
        "/store/customers",
        &again,
        Some(&json!({"email": email})),
    );
    assert_eq!(created.status, 200, "{}", created.text());
    check(&register("pw"), 401, exists.clone());
    check(&register("other"), 401, exists);
}

#[test]
fn non_string_credentials_are_401() {
    let app = TestApp::start();
    let reply = app.post(
        "/auth/customer/emailpass/register",
        &[],
        &json!({"email": "a@b.c", "password": 5}),
    );
    check(
        &reply,
        401,
        json!({"type": "unauthorized", "message": "Password should be a string"}),
    );
}

#[test]
fn wrong_password_and_unknown_email_answer_alike() {
    let app = TestApp::start();
    app.register("customer", "cy@example.com", "right");
    let expected = json!({"type": "unauthorized", "message": "Invalid email or password"});
    check(
        &app.login_reply("customer", "cy@example.com", "wrong"),
        401,
        expected.clone(),
    );
    check(
        &app.login_reply("customer", "nobody@example.com", "wrong"),
        401,
        expected,
    );
}

#[test]
fn refresh_binds_a_registration_token_once_the_customer_exists() {
    let app = TestApp::start();
    let registration = app.register("customer", "re@example.com", "pw");
    let reply = app.store_call(
        "POST",
        "/store/customers",
        &registration,
        Some(&json!({"email": "re@example.com"})),
    );
    let id = reply.json()["customer"]["id"].as_str().unwrap().to_string();
    let refreshed = app.post(
        "/auth/token/refresh",
        &[("authorization", &format!("Bearer {registration}"))],
        &json!({}),
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.text());
    assert_eq!(claims(&token_of(&refreshed))["actor_id"], id.as_str());
    check(
        &app.post("/auth/token/refresh", &[], &json!({})),
        401,
        json!({"message": "Unauthorized"}),
    );
}

#[test]
fn expired_and_tampered_tokens_are_401() {
    let app = TestApp::start();
    let (_, token) = app.signup("exp@example.com", "pw");
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let mut forged = claims(&token);
    forged["actor_id"] = json!("cus_someone_else");
    parts[1] = stockroom::crypto::b64url(forged.to_string().as_bytes());
    let tampered = parts.join(".");
    check(
        &app.store_call("GET", "/store/customers/me", &tampered, None),
        401,
        json!({"message": "Unauthorized"}),
    );
    assert_eq!(
        app.store_call("GET", "/store/customers/me", &token, None)
            .status,
        200
    );
    app.engine().clock().advance(DAY_MS + 1000);
    check(
        &app.store_call("GET", "/store/customers/me", &token, None),
        401,
        json!({"message": "Unauthorized"}),
    );
}

#[test]
fn session_cookie_signs_in_until_deleted() {
    let app = TestApp::start();
    let (id, token) = app.signup("se@example.com", "pw");
    let reply = app.post(
        "/auth/session",
        &[("authorization", &format!("Bearer {token}"))],
        &json!({}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["user"]["actor_id"], id.as_str());
    let set_cookie = reply.header("set-cookie").unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = cookie_of(&reply);
    let headers = [
        ("x-publishable-api-key", DEMO_KEY),
        ("cookie", cookie.as_str()),
    ];
    let me = app.request("GET", "/store/customers/me", &headers, None);
    assert_eq!(me.json()["customer"]["id"], id.as_str());
    let tampered = cookie.replacen("s%3A", "s%3Ab", 1);
    let forged = app.request(
        "GET",
        "/store/customers/me",
        &[("x-publishable-api-key", DEMO_KEY), ("cookie", &tampered)],
        None,
    );
    assert_eq!(forged.status, 401);
    let out = app.request("DELETE", "/auth/session", &[("cookie", &cookie)], None);
    check(&out, 200, json!({"success": true}));
    assert_eq!(
        app.request("GET", "/store/customers/me", &headers, None)
            .status,
        401
    );
}

#[test]
fn password_reset_token_works_once() {
    let app = TestApp::start();
    app.register("customer", "pr@example.com", "old");
    let ask = app.post(
        "/auth/customer/emailpass/reset-password",
        &[],
        &json!({"identifier": "pr@example.com"}),
    );
    assert_eq!((ask.status, ask.body.len()), (201, 0));
    let unknown = app.post(
        "/auth/customer/emailpass/reset-password",
        &[],
        &json!({"identifier": "no@example.com"}),
    );
    assert_eq!((unknown.status, unknown.body.len()), (201, 0));
    let token =
        stockroom::flows::auth::request_password_reset(app.engine(), "customer", "pr@example.com")
            .unwrap()
            .unwrap();
    let bearer = format!("Bearer {token}");
    let update = app.post(
        "/auth/customer/emailpass/update",
        &[("authorization", &bearer)],
        &json!({"password": "new"}),
    );
    check(&update, 200, json!({"success": true}));
    assert_eq!(
        app.login_reply("customer", "pr@example.com", "old").status,
        401
    );
    assert_eq!(
        app.login_reply("customer", "pr@example.com", "new").status,
        200
    );
    let again = app.post(
        "/auth/customer/emailpass/update",
        &[("authorization", &bearer)],
        &json!({"password": "x"}),
    );
    check(
        &again,
        401,
        json!({"type": "unauthorized", "message": "Invalid token"}),
    );
}

#[test]
fn customer_updates_its_profile() {
    let app = TestApp::start();
    let (_, token) = app.signup("pro@example.com", "pw");
    let reply = app.store_call(
        "POST",
        "/store/customers/me",
        &token,
        Some(&json!({"last_name": "Lovelace", "phone": null})),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["customer"]["last_name"], "Lovelace");
    let bad = app.store_call(
        "POST",
        "/store/customers/me",
        &token,
        Some(&json!({"email": "x@y.z"})),
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn address_crud_with_envelopes() {
    let app = TestApp::start();
    let (id, token) = app.signup("addr@example.com", "pw");
    let body = json!({"address_1": "1 Main St", "city": "Oslo", "country_code": "NO", "is_default_shipping": true});
    let created = app.store_call("POST", "/store/customers/me/addresses", &token, Some(&body));
    assert_eq!(created.status, 200, "{}", created.text());
    let address = created.json()["customer"]["addresses"][0].clone();
    assert_eq!(address["country_code"], "no");
    let address_id = address["id"].as_str().unwrap().to_string();
    assert!(address_id.starts_with("cuaddr_"));
    let list = app
        .store_call(
            "GET",
            "/store/customers/me/addresses?city=Oslo",
            &token,
            None,
        )
        .json();
    assert_eq!(
        (
            list["count"].clone(),
            list["offset"].clone(),
            list["limit"].clone()
        ),
        (json!(1), json!(0), json!(50))
    );
    let path = format!("/store/customers/me/addresses/{address_id}");
    assert_eq!(
        app.store_call("GET", &path, &token, None).json()["address"]["id"],
        address_id.as_str()
    );
    let updated = app.store_call("POST", &path, &token, Some(&json!({"city": "Bergen"})));
    assert_eq!(updated.json()["customer"]["addresses"][0]["city"], "Bergen");
    let deleted = app.store_call("DELETE", &path, &token, None).json();
    assert_eq!(
        (
            deleted["id"].as_str(),
            deleted["object"].as_str(),
            deleted["deleted"].as_bool()
        ),
        (Some(address_id.as_str()), Some("address"), Some(true))
    );
    assert_eq!(deleted["parent"]["id"], id.as_str());
    assert_eq!(deleted["parent"]["addresses"], json!([]));
}

#[test]
fn customer_a_cannot_touch_b_addresses() {
    let app = TestApp::start();
    let (_, a) = app.signup("a@example.com", "pw");
    let (_, b) = app.signup("b@example.com", "pw");
    let created = app.store_call(
        "POST",
        "/store/customers/me/addresses",
        &b,
        Some(&json!({"city": "Oslo"})),
    );
    let b_address = created.json()["customer"]["addresses"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/store/customers/me/addresses/{b_address}");
    let not_found = json!({"type": "not_found", "message": format!("Address with id: {b_address} was not found")});
    check(
        &app.store_call("GET", &path, &a, None),
        404,
        not_found.clone(),
    );
    check(
        &app.store_call("POST", &path, &a, Some(&json!({"city": "X"}))),
        404,
        not_found.clone(),
    );
    check(&app.store_call("DELETE", &path, &a, None), 404, not_found);
    assert_eq!(
        app.store_call("GET", "/store/customers/me/addresses", &a, None)
            .json()["count"],
        0
    );
    let still = app.store_call("GET", &path, &b, None).json();
    assert_eq!(still["address"]["city"], "Oslo");
}
