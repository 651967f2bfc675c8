//! Security issue 12, finding 7: numbers and emails that were silently misread.
//!
//! * An integer body field beyond ±(2^53 − 1) (`1e20`, 2^63, `1e308`) used to be read as
//!   "absent" (200, nothing changed); it is now 400 naming the field.
//! * `limit` / `offset` were coerced like JS `parseInt` (`limit=1e9` → 1, `offset=1e18` → 1,
//!   `limit=10abc` → 10), as Medusa does; Medusa also answers 500 on `limit=-1`. We answer 400
//!   for anything that is not a plain integer in range — stricter than Medusa, on purpose.
//! * Cart and customer emails go through zod's email check, as on Medusa, with its message.

use crate::common;

use common::TestApp;
use common::client::Reply;
use serde_json::{Value, json};

fn admin_raw(app: &TestApp, auth: &str, method: &str, path: &str, body: &str) -> Reply {
    app.request(
        method,
        path,
        &[
            ("authorization", auth),
            ("content-type", "application/json"),
        ],
        Some(body),
    )
}

#[track_caller]
fn assert_invalid(reply: &Reply, message: &str) {
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({"type": "invalid_data", "message": message})
    );
}

fn too_big(field: &str) -> String {
    format!(
        "Invalid request: Value for field '{field}' too big, expected at most: '9007199254740991'"
    )
}

/// The first demo inventory item with a level, and that level's location.
fn some_level(app: &TestApp, auth: &str) -> (String, String) {
    let items = app
        .admin_call("GET", "/admin/inventory-items?limit=1", auth, None)
        .json();
    let item = items["inventory_items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/inventory-items/{item}/location-levels");
    let levels = app.admin_call("GET", &path, auth, None).json();
    let location = levels["inventory_levels"][0]["location_id"]
        .as_str()
        .unwrap()
        .to_string();
    (item, location)
}

#[test]
fn out_of_range_stocked_quantity_is_refused_not_ignored() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let (item, location) = some_level(&app, &auth);
    let path = format!("/admin/inventory-items/{item}/location-levels/{location}");
    for value in [
        "1e20",
        "9223372036854775808",
        "9223372036854775807",
        "1e308",
    ] {
        let body = format!("{{\"stocked_quantity\": {value}}}");
        assert_invalid(
            &admin_raw(&app, &auth, "POST", &path, &body),
            &too_big("stocked_quantity"),
        );
    }
    let reply = admin_raw(&app, &auth, "POST", &path, r#"{"stocked_quantity": 1.5}"#);
    assert_invalid(
        &reply,
        "Invalid request: Expected type: 'integer' for field 'stocked_quantity', got: 'float'",
    );
    // The largest accepted value is stored as sent.
    let reply = admin_raw(
        &app,
        &auth,
        "POST",
        &path,
        r#"{"stocked_quantity": 9007199254740991}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let levels = app
        .admin_call(
            "GET",
            &format!("/admin/inventory-items/{item}/location-levels"),
            &auth,
            None,
        )
        .json();
    let level = levels["inventory_levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location_id"] == location.as_str())
        .unwrap()
        .clone();
    assert_eq!(level["stocked_quantity"], json!(9007199254740991i64));
}

#[test]
fn out_of_range_cart_line_quantity_names_the_field() {
    let app = TestApp::start();
    let variant = app.variant();
    let cart = app.cart_with("eur", &variant, 1);
    let items = format!("/store/carts/{cart}/line-items");
    for value in ["1e20", "9223372036854775808", "1e308"] {
        let body = format!("{{\"variant_id\": \"{variant}\", \"quantity\": {value}}}");
        let reply = app.request(
            "POST",
            &items,
            &[
                ("x-publishable-api-key", common::DEMO_KEY),
                ("content-type", "application/json"),
            ],
            Some(&body),
        );
        assert_invalid(&reply, &too_big("quantity"));
    }
}

#[track_caller]
fn check_page(reply: Reply, message: &str) {
    assert_invalid(&reply, &format!("Invalid request: {message}"));
}

/// Medusa reads `limit=1e9` as 1 and `offset=1e18` as 1 (JS `parseInt`) and answers 500 on
/// `limit=-1`; we answer 400 naming the parameter.
#[test]
fn page_parameters_must_be_plain_integers_in_range() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let float = |f: &str| format!("Expected type: 'integer' for field '{f}', got: 'float'");
    let cases = [
        ("limit=1e9", float("limit")),
        ("offset=1e18", float("offset")),
        ("limit=1.5", float("limit")),
        (
            "limit=10abc",
            "Expected type: 'integer' for field 'limit', got: 'string'".into(),
        ),
        (
            "limit=abc",
            "Expected type: 'number' for field 'limit', got: 'nan'".into(),
        ),
        (
            "limit=-1",
            "Value for field 'limit' too small, expected at least: '0'".into(),
        ),
        (
            "offset=-1",
            "Value for field 'offset' too small, expected at least: '0'".into(),
        ),
        (
            "offset=9223372036854775808",
            too_big("offset")[17..].to_string(),
        ),
        (
            "limit=99999999999999999999999",
            too_big("limit")[17..].to_string(),
        ),
    ];
    for (query, message) in &cases {
        check_page(app.store_get(&format!("/store/products?{query}")), message);
        check_page(
            app.admin_call("GET", &format!("/admin/customers?{query}"), &auth, None),
            message,
        );
        check_page(
            app.admin_call(
                "GET",
                &format!("/admin/inventory-items?{query}"),
                &auth,
                None,
            ),
            message,
        );
    }
}

/// No maximum page size beyond the integer bound: a big plain limit returns the whole list.
#[test]
fn large_plain_limit_returns_everything() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let page = app
        .admin_call("GET", "/admin/inventory-items?limit=1000000", &auth, None)
        .json();
    assert_eq!(page["limit"], 1_000_000);
    assert_eq!(
        page["inventory_items"].as_array().unwrap().len() as u64,
        page["count"].as_u64().unwrap()
    );
    let page = app
        .store_get("/store/products?limit=1000000&offset=9007199254740991")
        .json();
    assert_eq!(page["products"], json!([]));
}

const BAD_EMAILS: [&str; 5] = [
    "not-an-email",
    "\u{0}@example.com",
    "<script>x</script>@example.com",
    "",
    "a@b",
];
const GOOD_EMAILS: [&str; 3] = [
    "jane@example.com",
    "jane+orders@example.com",
    "ops@mail.shop.example.co.uk",
];
const INVALID_EMAIL: &str = "Invalid request: Invalid email address";

fn email_of(reply: &Reply, entity: &str) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()[entity]["email"].clone()
}

#[test]
fn cart_emails_are_checked_on_create_and_update() {
    let app = TestApp::start();
    let region = app.region("eur");
    for bad in BAD_EMAILS {
        let reply = app.store_post("/store/carts", &json!({"region_id": region, "email": bad}));
        assert_invalid(&reply, INVALID_EMAIL);
    }
    let cart = app.ok("/store/carts", &json!({"region_id": region}))["cart"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/store/carts/{cart}");
    for bad in BAD_EMAILS {
        assert_invalid(
            &app.store_post(&path, &json!({"email": bad})),
            INVALID_EMAIL,
        );
    }
    for good in GOOD_EMAILS {
        let created = app.store_post("/store/carts", &json!({"region_id": region, "email": good}));
        assert_eq!(email_of(&created, "cart"), good);
        assert_eq!(
            email_of(&app.store_post(&path, &json!({"email": good})), "cart"),
            good
        );
    }
    let cleared = app.store_post(&path, &json!({"email": null}));
    assert_eq!(email_of(&cleared, "cart"), Value::Null);
}

#[test]
fn customer_emails_are_checked_in_store_and_admin() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let registration = app.register("customer", "new@example.com", "secret-password-1");
    for bad in BAD_EMAILS {
        let reply = app.store_call(
            "POST",
            "/store/customers",
            &registration,
            Some(&json!({"email": bad})),
        );
        assert_invalid(&reply, INVALID_EMAIL);
        let reply = app.admin_call(
            "POST",
            "/admin/customers",
            &auth,
            Some(&json!({"email": bad})),
        );
        assert_invalid(&reply, INVALID_EMAIL);
    }
    let reply = app.store_call(
        "POST",
        "/store/customers",
        &registration,
        Some(&json!({"email": "new+shop@example.com"})),
    );
    assert_eq!(email_of(&reply, "customer"), "new+shop@example.com");
    let created = app.admin_call(
        "POST",
        "/admin/customers",
        &auth,
        Some(&json!({"email": GOOD_EMAILS[2]})),
    );
    assert_eq!(email_of(&created, "customer"), GOOD_EMAILS[2]);
    let id = created.json()["customer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/customers/{id}");
    for bad in BAD_EMAILS {
        let reply = app.admin_call("POST", &path, &auth, Some(&json!({"email": bad})));
        assert_invalid(&reply, INVALID_EMAIL);
    }
    let updated = app.admin_call(
        "POST",
        &path,
        &auth,
        Some(&json!({"email": GOOD_EMAILS[1]})),
    );
    assert_eq!(email_of(&updated, "customer"), GOOD_EMAILS[1]);
}
