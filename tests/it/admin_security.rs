//! Black-box security tests of `/admin` and the accounts surface: every admin route refuses
//! callers without user credentials (the list comes from the route table, so a new route
//! cannot be forgotten), what each credential kind grants, and that no password hash or
//! secret ever appears in a response body or an access-log line.

use crate::common;

use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD, cookie_of};
use common::client::Reply;
use common::{TestApp, check};
use serde_json::json;
use stockroom::http::Access;
use stockroom::modules::auth::config::{DEV_COOKIE_SECRET, DEV_JWT_SECRET};

/// Every route of `access`, with `:params` filled in.
fn routes_of(app: &TestApp, access: Access) -> Vec<(&'static str, String)> {
    app.engine()
        .router()
        .routes()
        .iter()
        .filter(|r| r.access == access)
        .map(|r| {
            let path = r
                .pattern
                .split('/')
                .map(|s| if s.starts_with(':') { "some_id" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            (r.method, path)
        })
        .collect()
}

fn admin_paths(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut all = routes_of(app, Access::Admin);
    // The one /admin route whose credential check is the handler's (registration tokens).
    // `/admin/feature-flags` is public in Medusa (its dashboard asks before sign-in) and here.
    all.extend(
        routes_of(app, Access::Public)
            .into_iter()
            .filter(|(_, p)| p.starts_with("/admin") && p != "/admin/feature-flags"),
    );
    assert!(
        all.len() >= 20,
        "the admin table looks too small: {}",
        all.len()
    );
    all
}

#[test]
fn every_admin_route_without_credentials_is_401() {
    let app = TestApp::start();
    for (method, path) in admin_paths(&app) {
        let reply = app.request(
            method,
            &path,
            &[("content-type", "application/json")],
            Some("{}"),
        );
        assert_eq!(
            (reply.status, reply.json()),
            (401, json!({"message": "Unauthorized"})),
            "{method} {path}"
        );
    }
}

#[test]
fn a_customer_token_on_admin_is_401() {
    let app = TestApp::start();
    let (_, token) = app.signup("shopper@example.com", "pw");
    let bearer = format!("Bearer {token}");
    for (method, path) in admin_paths(&app) {
        let reply = app.admin_call(method, &path, &bearer, Some(&json!({})));
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.text());
    }
}

#[test]
fn every_customer_route_without_a_customer_is_401() {
    let app = TestApp::start();
    let admin = app.admin_token();
    for (method, path) in routes_of(&app, Access::Customer) {
        let reply = app.store_call(method, &path, "not-a-token", Some(&json!({})));
        check(&reply, 401, json!({"message": "Unauthorized"}));
        // A user token is no customer either.
        assert_eq!(
            app.store_call(method, &path, &admin, Some(&json!({})))
                .status,
            401
        );
    }
}

#[test]
fn admin_login_bearer_and_session() {
    let app = TestApp::start();
    let token = app.admin_token();
    let me = app.admin_call("GET", "/admin/users/me", &format!("Bearer {token}"), None);
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["user"]["email"], ADMIN_EMAIL);
    let session = app.post(
        "/auth/session",
        &[("authorization", &format!("Bearer {token}"))],
        &json!({}),
    );
    let cookie = cookie_of(&session);
    let by_cookie = app.request("GET", "/admin/users", &[("cookie", &cookie)], None);
    assert_eq!(by_cookie.json()["count"], 1, "{}", by_cookie.text());
    let wrong = app.login_reply("user", ADMIN_EMAIL, "nope");
    check(
        &wrong,
        401,
        json!({"type": "unauthorized", "message": "Invalid email or password"}),
    );
}

fn create_secret_key(app: &TestApp, bearer: &str) -> (String, String) {
    let reply = app.admin_call(
        "POST",
        "/admin/api-keys",
        bearer,
        Some(&json!({"title": "CI", "type": "secret"})),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let key = &reply.json()["api_key"];
    (
        key["id"].as_str().unwrap().into(),
        key["token"].as_str().unwrap().into(),
    )
}

#[test]
fn secret_keys_authenticate_until_revoked() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let (id, token) = create_secret_key(&app, &bearer);
    assert!(token.starts_with("sk_") && token.len() == 67, "{token}");
    let encoded = format!("Basic {}", base64_std(&format!("{token}:")));
    assert_eq!(
        app.admin_call("GET", "/admin/customers", &encoded, None)
            .status,
        200
    );
    let bare = format!("Basic {token}");
    assert_eq!(
        app.admin_call("GET", "/admin/customers", &bare, None)
            .status,
        200
    );
    let listed = app.admin_call("GET", "/admin/api-keys?type=secret", &bearer, None);
    assert!(!listed.text().contains(&token[3..]), "{}", listed.text());
    assert_eq!(listed.json()["api_keys"][0]["token"], "");
    let wrong = format!("Basic {}", base64_std("sk_0000:"));
    assert_eq!(
        app.admin_call("GET", "/admin/customers", &wrong, None)
            .status,
        401
    );
    let revoke = app.admin_call(
        "POST",
        &format!("/admin/api-keys/{id}/revoke"),
        &bearer,
        None,
    );
    assert_eq!(revoke.status, 200);
    app.engine().clock().advance(1);
    assert_eq!(
        app.admin_call("GET", "/admin/customers", &encoded, None)
            .status,
        401
    );
}

fn base64_std(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn invite_then_register_then_accept_makes_an_admin() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let invite = app.admin_call(
        "POST",
        "/admin/invites",
        &bearer,
        Some(&json!({"email": "new@example.com"})),
    );
    assert_eq!(invite.status, 200, "{}", invite.text());
    let invite_token = invite.json()["invite"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = app.admin_call("GET", "/admin/invites", &bearer, None);
    assert!(!listed.text().contains(&invite_token));
    let registration = app.register("user", "new@example.com", "pw-new");
    let path = format!("/admin/invites/accept?token={invite_token}");
    let accepted = app.admin_call(
        "POST",
        &path,
        &format!("Bearer {registration}"),
        Some(&json!({"first_name": "Nia"})),
    );
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert_eq!(accepted.json()["user"]["email"], "new@example.com");
    let token = app.login("user", "new@example.com", "pw-new");
    assert_eq!(
        app.admin_call("GET", "/admin/users/me", &format!("Bearer {token}"), None)
            .json()["user"]["first_name"],
        "Nia"
    );
    let again = app.admin_call(
        "POST",
        &path,
        &format!("Bearer {registration}"),
        Some(&json!({})),
    );
    assert_eq!(
        again.status,
        400,
        "the identity is already a user: {}",
        again.text()
    );
    let other = app.register("user", "other@example.com", "pw");
    let reused = app.admin_call("POST", &path, &format!("Bearer {other}"), Some(&json!({})));
    check(
        &reused,
        401,
        json!({"type": "unauthorized", "message": "Invalid invite"}),
    );
}

#[test]
fn admin_manages_customers_and_groups() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let (customer_id, _) = app.signup("member@example.com", "pw");
    let group = app.admin_call(
        "POST",
        "/admin/customer-groups",
        &bearer,
        Some(&json!({"name": "Gold"})),
    );
    assert_eq!(group.status, 200, "{}", group.text());
    let group_id = group.json()["customer_group"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(group_id.starts_with("cusgroup_"));
    let members = app.admin_call(
        "POST",
        &format!("/admin/customer-groups/{group_id}/customers"),
        &bearer,
        Some(&json!({"add": [customer_id]})),
    );
    assert_eq!(
        members.json()["customer_group"]["customers"],
        json!([{"id": customer_id}])
    );
    let customer = app.admin_call(
        "GET",
        &format!("/admin/customers/{customer_id}"),
        &bearer,
        None,
    );
    assert_eq!(customer.json()["customer"]["groups"][0]["name"], "Gold");
    let updated = app.admin_call(
        "POST",
        &format!("/admin/customers/{customer_id}"),
        &bearer,
        Some(&json!({"company_name": "ACME"})),
    );
    assert_eq!(updated.json()["customer"]["company_name"], "ACME");
    let list = app
        .admin_call("GET", "/admin/customers?q=member", &bearer, None)
        .json();
    assert_eq!(
        (list["count"].clone(), list["limit"].clone()),
        (json!(1), json!(50))
    );
    let guest = app.admin_call(
        "POST",
        "/admin/customers",
        &bearer,
        Some(&json!({"email": "guest@example.com"})),
    );
    assert_eq!(guest.json()["customer"]["has_account"], false);
    let removed = app.admin_call(
        "DELETE",
        &format!("/admin/customer-groups/{group_id}"),
        &bearer,
        None,
    );
    check(
        &removed,
        200,
        json!({"id": group_id, "object": "customer_group", "deleted": true}),
    );
    let groups = app.admin_call(
        "GET",
        &format!("/admin/customers/{customer_id}"),
        &bearer,
        None,
    );
    assert_eq!(groups.json()["customer"]["groups"], json!([]));
}

/// Strings that must never leave the server.
fn secrets(extra: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = [
        "$argon2",
        "password_hash",
        ADMIN_PASSWORD,
        "pw-secret-1",
        DEV_JWT_SECRET,
        DEV_COOKIE_SECRET,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

fn assert_clean(replies: &[Reply], secrets: &[String]) {
    for reply in replies {
        let text = reply.text();
        for secret in secrets {
            assert!(
                !text.contains(secret.as_str()),
                "response leaks {secret}: {text}"
            );
        }
    }
}

#[test]
fn no_hash_or_secret_in_any_response() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let (_, sk) = create_secret_key(&app, &bearer);
    let (_, customer) = app.signup("leak@example.com", "pw-secret-1");
    let mut replies = vec![
        app.store_call("GET", "/store/customers/me", &customer, None),
        app.store_call(
            "POST",
            "/store/customers/me",
            &customer,
            Some(&json!({"first_name": "L"})),
        ),
        app.post(
            "/auth/session",
            &[("authorization", &format!("Bearer {customer}"))],
            &json!({}),
        ),
        app.login_reply("customer", "leak@example.com", "wrong"),
        app.post(
            "/auth/customer/emailpass/register",
            &[],
            &json!({"email": "leak@example.com", "password": "pw-secret-1"}),
        ),
    ];
    for path in [
        "/admin/users",
        "/admin/users/me",
        "/admin/customers",
        "/admin/api-keys",
        "/admin/invites",
        "/admin/customer-groups",
    ] {
        replies.push(app.admin_call("GET", path, &bearer, None));
    }
    assert!(replies.iter().all(|r| r.status < 500));
    assert_clean(&replies, &secrets(&[&sk[3..]]));
}

#[test]
fn env_overrides_the_demo_admin() {
    let mut config = common::config();
    config.admin_override = stockroom::config::AdminOverride {
        email: Some("boss@example.com".into()),
        password: Some("pw-secret-1".into()),
    };
    let app = TestApp::with(config, stockroom::Engine::builder());
    assert_eq!(
        app.login_reply("user", ADMIN_EMAIL, ADMIN_PASSWORD).status,
        401
    );
    let token = app.login("user", "boss@example.com", "pw-secret-1");
    let me = app.admin_call("GET", "/admin/users/me", &format!("Bearer {token}"), None);
    assert_eq!(me.json()["user"]["email"], "boss@example.com");
}

/// A key is renamed with `POST /admin/api-keys/:id`, and deleted only once revoked (Medusa's
/// "Cannot delete api keys that are not revoked"); a deleted publishable key loses its
/// sales-channel links and no longer opens the Store API.
#[test]
fn api_keys_are_renamed_and_deleted_only_once_revoked() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let created = app.admin_call(
        "POST",
        "/admin/api-keys",
        &bearer,
        Some(&json!({"title": "Kiosk", "type": "publishable"})),
    );
    let key = created.json()["api_key"].clone();
    let (id, token) = (
        key["id"].as_str().unwrap_or("").to_string(),
        key["token"].as_str().unwrap_or("").to_string(),
    );
    let channels = app.admin_call("GET", "/admin/sales-channels", &bearer, None);
    let channel = channels.json()["sales_channels"][0]["id"].clone();
    let linked = app.admin_call(
        "POST",
        &format!("/admin/api-keys/{id}/sales-channels"),
        &bearer,
        Some(&json!({"add": [channel]})),
    );
    assert_eq!(linked.status, 200, "{}", linked.text());
    let renamed = app.admin_call(
        "POST",
        &format!("/admin/api-keys/{id}"),
        &bearer,
        Some(&json!({"title": "Till 1"})),
    );
    assert_eq!(renamed.json()["api_key"]["title"], "Till 1");
    assert_eq!(
        app.admin_call(
            "POST",
            &format!("/admin/api-keys/{id}"),
            &bearer,
            Some(&json!({}))
        )
        .status,
        400
    );
    check(
        &app.admin_call("DELETE", &format!("/admin/api-keys/{id}"), &bearer, None),
        400,
        json!({"type": "not_allowed", "message": format!("Cannot delete api keys that are not revoked - {id}")}),
    );
    let revoke = format!("/admin/api-keys/{id}/revoke");
    assert_eq!(app.admin_call("POST", &revoke, &bearer, None).status, 200);
    app.engine().clock().advance(1);
    let deleted = app.admin_call("DELETE", &format!("/admin/api-keys/{id}"), &bearer, None);
    assert_eq!(
        deleted.json(),
        json!({"id": id, "object": "api_key", "deleted": true})
    );
    assert_eq!(
        app.admin_call("GET", &format!("/admin/api-keys/{id}"), &bearer, None)
            .status,
        404
    );
    let links: i64 = app
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM link_publishable_api_key_sales_channel WHERE publishable_key_id = ?1 AND deleted_at IS NULL",
                [&id],
                |r| r.get(0),
            )?)
        })
        .unwrap_or(-1);
    assert_eq!(links, 0);
    let store = app.request(
        "GET",
        "/store/regions",
        &[("x-publishable-api-key", &token)],
        None,
    );
    assert_eq!(store.status, 400);
}

/// Resending an invite issues a new token (shown in that answer only) and the old one stops
/// working; a deleted invite's token works no more; retrieve never shows a token.
#[test]
fn invites_are_resent_with_a_new_token_and_deleted() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let created = app.admin_call(
        "POST",
        "/admin/invites",
        &bearer,
        Some(&json!({"email": "late@example.com"})),
    );
    let invite = created.json()["invite"].clone();
    let (id, first) = (
        invite["id"].as_str().unwrap_or("").to_string(),
        invite["token"].as_str().unwrap_or("").to_string(),
    );
    let read = app.admin_call("GET", &format!("/admin/invites/{id}"), &bearer, None);
    assert_eq!(read.json()["invite"]["email"], "late@example.com");
    assert!(
        read.json()["invite"].get("token").is_none(),
        "{}",
        read.text()
    );
    let resent = app.admin_call(
        "POST",
        &format!("/admin/invites/{id}/resend"),
        &bearer,
        None,
    );
    assert_eq!(resent.status, 200, "{}", resent.text());
    let second = resent.json()["invite"]["token"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(!second.is_empty() && second != first);
    let registration = format!("Bearer {}", app.register("user", "late@example.com", "pw"));
    let old = app.admin_call(
        "POST",
        &format!("/admin/invites/accept?token={first}"),
        &registration,
        Some(&json!({})),
    );
    assert_eq!(old.status, 401, "{}", old.text());
    let deleted = app.admin_call("DELETE", &format!("/admin/invites/{id}"), &bearer, None);
    assert_eq!(
        deleted.json(),
        json!({"id": id, "object": "invite", "deleted": true})
    );
    let new = app.admin_call(
        "POST",
        &format!("/admin/invites/accept?token={second}"),
        &registration,
        Some(&json!({})),
    );
    assert_eq!(new.status, 401, "{}", new.text());
    assert_eq!(
        app.admin_call("GET", &format!("/admin/invites/{id}"), &bearer, None)
            .status,
        404
    );
}
