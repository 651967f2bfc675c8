//! Security issue 12, finding 7: the `id` filter was ignored on many lists (`?id=zzz`
//! returned everything). Every admin and store list now takes `id` — one id, or several as
//! `id=a&id=b` / `id[]=a&id[]=b` — applied in SQL. As on Medusa, `id=a,b` is the one id
//! `a,b` (not split). Medusa answers 400 "Unrecognized fields: 'id'" on reservations and
//! workflow executions; we filter there too.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

struct Admin {
    app: TestApp,
    auth: String,
}

impl Admin {
    fn start() -> Admin {
        let app = TestApp::start();
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth }
    }

    #[track_caller]
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let reply = self.app.admin_call(method, path, &self.auth, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    /// POSTs `body` to `path` and returns the created record's id (under `key`).
    fn create(&self, path: &str, key: &str, body: Value) -> String {
        self.call("POST", path, Some(&body))[key]["id"]
            .as_str()
            .expect("an id")
            .to_string()
    }
}

/// The ids a list page answered, and its `count`.
fn listed(page: &Value, key: &str) -> (Vec<String>, u64) {
    let ids = page[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {page}"))
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    (ids, page["count"].as_u64().expect("count"))
}

/// Asks `path` (a list answering under `key`) for one id, an unknown id, several ids in both
/// array spellings, and the comma-joined pair (one id, so nothing).
#[track_caller]
fn check_filter(get: &dyn Fn(&str) -> Value, path: &str, key: &str, ids: &[String]) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let ask = |query: &str| listed(&get(&format!("{path}{sep}{query}")), key);
    let (all, total) = listed(&get(path), key);
    assert!(total >= ids.len() as u64, "{path}: {all:?}");
    let one = &ids[0];
    assert_eq!(
        ask(&format!("id={one}")),
        (vec![one.clone()], 1),
        "{path}?id={one}"
    );
    assert_eq!(ask("id=zzz"), (vec![], 0), "{path}?id=zzz");
    assert_eq!(ask(&format!("id={one}&id=zzz")).1, 1, "{path}: id=a&id=zzz");
    if let [a, b, ..] = ids {
        let (mut got, count) = ask(&format!("id={a}&id={b}"));
        got.sort();
        let mut want = vec![a.clone(), b.clone()];
        want.sort();
        assert_eq!((got, count), (want, 2), "{path}: id=a&id=b");
        assert_eq!(
            ask(&format!("id%5B%5D={a}&id%5B%5D={b}")).1,
            2,
            "{path}: id[]"
        );
        assert_eq!(
            ask(&format!("id%5B0%5D={a}&id%5B1%5D={b}")).1,
            2,
            "{path}: id[0]"
        );
        assert_eq!(ask(&format!("id={a},{b}")).1, 0, "{path}: id=a,b is one id");
    }
}

/// The ids of a list page's first `n` records.
fn first_ids(page: &Value, key: &str, n: usize) -> Vec<String> {
    let (ids, _) = listed(page, key);
    assert!(ids.len() >= n, "{key}: {ids:?}");
    ids.into_iter().take(n).collect()
}

fn location(n: u32) -> Value {
    json!({"name": format!("Depot {n}"), "address": {"address_1": "1 Dock Rd", "country_code": "DK", "city": "Aarhus"}})
}

#[test]
fn every_admin_list_filters_by_id() {
    let admin = Admin::start();
    let get = |path: &str| admin.call("GET", path, None);
    let two = |path: &str, key: &str, bodies: [Value; 2]| -> Vec<String> {
        bodies
            .into_iter()
            .map(|b| admin.create(path, key, b))
            .collect()
    };
    let customers = two(
        "/admin/customers",
        "customer",
        [
            json!({"email": "a@example.com"}),
            json!({"email": "b@example.com"}),
        ],
    );
    let groups = two(
        "/admin/customer-groups",
        "customer_group",
        [json!({"name": "Gold"}), json!({"name": "Trade"})],
    );
    let invites = two(
        "/admin/invites",
        "invite",
        [
            json!({"email": "c@example.com"}),
            json!({"email": "d@example.com"}),
        ],
    );
    let keys = two(
        "/admin/api-keys",
        "api_key",
        [
            json!({"title": "a", "type": "publishable"}),
            json!({"title": "b", "type": "secret"}),
        ],
    );
    let channels = two(
        "/admin/sales-channels",
        "sales_channel",
        [json!({"name": "Web"}), json!({"name": "Shop"})],
    );
    let locations = two(
        "/admin/stock-locations",
        "stock_location",
        [location(1), location(2)],
    );
    let items = first_ids(&get("/admin/inventory-items?limit=2"), "inventory_items", 2);
    let reservations: Vec<String> = items
        .iter()
        .map(|item| {
            let levels = get(&format!("/admin/inventory-items/{item}/location-levels"));
            let at = levels["inventory_levels"][0]["location_id"].clone();
            let body = json!({"inventory_item_id": item, "location_id": at, "quantity": 1});
            admin.create("/admin/reservations", "reservation", body)
        })
        .collect();
    // Carts are created by workflows; under an `Idempotency-Key` each keeps its execution
    // (without one, a cart change is transient and keeps none).
    let region = admin.app.region("eur");
    for key in ["cart-a", "cart-b"] {
        let body = json!({"region_id": region});
        let reply = admin.app.store_with(
            "POST",
            "/store/carts",
            &[("idempotency-key", key)],
            Some(&body),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let executions = first_ids(
        &get("/admin/workflows-executions"),
        "workflow_executions",
        2,
    );
    let lists: [(&str, &str, Vec<String>); 14] = [
        ("/admin/customers", "customers", customers),
        ("/admin/customer-groups", "customer_groups", groups),
        ("/admin/invites", "invites", invites),
        ("/admin/api-keys", "api_keys", keys),
        ("/admin/sales-channels", "sales_channels", channels),
        ("/admin/stock-locations", "stock_locations", locations),
        ("/admin/inventory-items", "inventory_items", items),
        ("/admin/reservations", "reservations", reservations),
        (
            "/admin/workflows-executions",
            "workflow_executions",
            executions,
        ),
        (
            "/admin/users",
            "users",
            first_ids(&get("/admin/users"), "users", 1),
        ),
        (
            "/admin/stores",
            "stores",
            first_ids(&get("/admin/stores"), "stores", 1),
        ),
        (
            "/admin/tax-regions",
            "tax_regions",
            first_ids(&get("/admin/tax-regions"), "tax_regions", 2),
        ),
        // Lists that filtered by id before: the same grammar now (no comma splitting).
        (
            "/admin/regions",
            "regions",
            first_ids(&get("/admin/regions"), "regions", 2),
        ),
        (
            "/admin/products",
            "products",
            first_ids(&get("/admin/products?limit=2"), "products", 2),
        ),
    ];
    for (path, key, ids) in &lists {
        check_filter(&get, path, key, ids);
    }
}

#[test]
fn store_lists_filter_by_id() {
    let app = TestApp::start();
    let (_, ada) = app.signup("ada@example.com", "secret-password-1");
    let variant = app.variant();
    let orders: Vec<String> = (0..2)
        .map(|_| {
            let created = app.store_call(
                "POST",
                "/store/carts",
                &ada,
                Some(&json!({"region_id": app.region("usd")})),
            );
            let cart = created.json()["cart"]["id"].as_str().unwrap().to_string();
            app.ok(
                &format!("/store/carts/{cart}/line-items"),
                &json!({"variant_id": variant, "quantity": 1}),
            );
            app.ready(&cart, "us", "pp_system_default");
            let order = app.complete(&cart).json()["order"]["id"].clone();
            order.as_str().unwrap().to_string()
        })
        .collect();
    let mine = |path: &str| {
        let reply = app.store_call("GET", path, &ada, None);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        reply.json()
    };
    check_filter(&mine, "/store/orders", "orders", &orders);
    let get = |path: &str| app.store_get(path).json();
    let products = first_ids(&get("/store/products?limit=2"), "products", 2);
    check_filter(&get, "/store/products", "products", &products);
}
