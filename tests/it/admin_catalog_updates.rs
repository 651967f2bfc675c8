//! Admin catalog updates over HTTP with a real admin token: categories, collections, tags,
//! types, regions, tax rates, sales channels, stores — each with its happy path, a 400 for a
//! bad body and a 404 for an unknown id.

use crate::common;

use common::TestApp;
use common::client::Reply;
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

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body.as_ref())
    }

    /// A 200 reply's JSON (fails with the body otherwise).
    #[track_caller]
    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    /// Asserts a status and Medusa's error type.
    #[track_caller]
    fn fails(&self, method: &str, path: &str, body: Option<Value>, status: u16, kind: &str) {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        assert_eq!(reply.json()["type"], kind, "{}", reply.text());
    }
}

fn id_of(value: &Value, key: &str) -> String {
    value[key]["id"].as_str().unwrap_or_default().to_string()
}

#[test]
fn categories_are_renamed_and_moved_with_their_subtree() {
    let a = Admin::start();
    let make = |name: &str, parent: Option<&str>| {
        let body = json!({"name": name, "parent_category_id": parent, "is_active": true});
        id_of(
            &a.ok("POST", "/admin/product-categories", Some(body)),
            "product_category",
        )
    };
    let root = make("Root", None);
    let branch = make("Branch", None);
    let leaf = make("Leaf", Some(&branch));
    let moved = a.ok(
        "POST",
        &format!("/admin/product-categories/{branch}"),
        Some(json!({"parent_category_id": root, "name": "Moved", "metadata": {"k": 1}})),
    )["product_category"]
        .clone();
    assert_eq!(
        (
            &moved["name"],
            &moved["parent_category_id"],
            &moved["metadata"]
        ),
        (&json!("Moved"), &json!(root), &json!({"k": 1}))
    );
    assert_eq!(moved["mpath"], format!("{root}.{branch}."));
    let leaf_now = a.ok("GET", &format!("/admin/product-categories/{leaf}"), None);
    assert_eq!(
        leaf_now["product_category"]["mpath"],
        format!("{root}.{branch}.{leaf}."),
        "descendants follow"
    );
    let second = make("Second", Some(&root));
    let first = a.ok(
        "POST",
        &format!("/admin/product-categories/{second}"),
        Some(json!({"rank": 0})),
    );
    assert_eq!(first["product_category"]["rank"], 0);
    let branch_now = a.ok("GET", &format!("/admin/product-categories/{branch}"), None);
    assert_eq!(
        branch_now["product_category"]["rank"], 1,
        "siblings renumbered"
    );
    a.fails(
        "POST",
        &format!("/admin/product-categories/{second}"),
        Some(json!({"rank": -1})),
        400,
        "invalid_data",
    );
    let path = format!("/admin/product-categories/{root}");
    a.fails(
        "POST",
        &path,
        Some(json!({"parent_category_id": leaf})),
        400,
        "invalid_data",
    );
    a.fails("POST", &path, Some(json!({"name": 5})), 400, "invalid_data");
    a.fails("POST", &path, Some(json!({"nope": 1})), 400, "invalid_data");
    a.fails(
        "POST",
        "/admin/product-categories/pcat_missing",
        Some(json!({"name": "x"})),
        404,
        "not_found",
    );
    let root_again = a.ok("POST", &path, Some(json!({"parent_category_id": null})));
    assert_eq!(root_again["product_category"]["mpath"], format!("{root}."));
}

#[test]
fn collections_tags_and_types_are_updated() {
    let a = Admin::start();
    let made = a.ok(
        "POST",
        "/admin/collections",
        Some(json!({"title": "Capsule Test", "metadata": {"season": "all"}})),
    );
    assert_eq!(
        made["collection"]["metadata"],
        json!({"season": "all"}),
        "creation keeps metadata"
    );
    let collection = id_of(&made, "collection");
    let updated = a.ok(
        "POST",
        &format!("/admin/collections/{collection}"),
        Some(json!({"title": "Capsule Two", "handle": "capsule-two"})),
    );
    assert_eq!(
        (
            &updated["collection"]["title"],
            &updated["collection"]["handle"]
        ),
        (&json!("Capsule Two"), &json!("capsule-two"))
    );
    a.fails(
        "POST",
        &format!("/admin/collections/{collection}"),
        Some(json!({"title": ["x"]})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        "/admin/collections/pcol_missing",
        Some(json!({"title": "x"})),
        404,
        "not_found",
    );
    for (family, key) in [
        ("product-tags", "product_tag"),
        ("product-types", "product_type"),
    ] {
        let id = id_of(
            &a.ok(
                "POST",
                &format!("/admin/{family}"),
                Some(json!({"value": "old"})),
            ),
            key,
        );
        let path = format!("/admin/{family}/{id}");
        let updated = a.ok("POST", &path, Some(json!({"value": "new"})));
        assert_eq!(updated[key]["value"], "new");
        assert_eq!(a.ok("GET", &path, None)[key]["value"], "new");
        a.fails(
            "POST",
            &path,
            Some(json!({"value": 1})),
            400,
            "invalid_data",
        );
        a.fails(
            "POST",
            &format!("/admin/{family}/missing"),
            Some(json!({"value": "x"})),
            404,
            "not_found",
        );
    }
}

#[test]
fn regions_are_updated_with_countries_and_providers() {
    let a = Admin::start();
    let body = json!({"name": "Isles", "currency_code": "gbp", "countries": ["gb"]});
    let id = id_of(&a.ok("POST", "/admin/regions", Some(body)), "region");
    let path = format!("/admin/regions/{id}");
    let region = a.ok(
        "POST",
        &path,
        Some(json!({
            "name": "British Isles", "currency_code": "EUR", "countries": ["gb", "no"],
            "automatic_taxes": false, "payment_providers": ["pp_system_default"],
            "metadata": {"a": "b"}
        })),
    )["region"]
        .clone();
    assert_eq!(
        (
            &region["name"],
            &region["currency_code"],
            &region["automatic_taxes"]
        ),
        (&json!("British Isles"), &json!("eur"), &json!(false))
    );
    let countries: Vec<&str> = region["countries"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["iso_2"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(countries, ["gb", "no"]);
    let providers = a
        .app
        .store_get(&format!("/store/payment-providers?region_id={id}"))
        .json();
    assert_eq!(providers["count"], 1);
    a.fails(
        "POST",
        &path,
        Some(json!({"currency_code": "zzz"})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"countries": "gb"})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"countries": ["de"]})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        "/admin/regions/reg_missing",
        Some(json!({"name": "x"})),
        404,
        "not_found",
    );
}

#[test]
fn tax_rates_are_updated_and_deleted() {
    let a = Admin::start();
    let region = id_of(
        &a.ok(
            "POST",
            "/admin/tax-regions",
            Some(json!({"country_code": "se"})),
        ),
        "tax_region",
    );
    let rate = id_of(
        &a.ok(
            "POST",
            "/admin/tax-rates",
            Some(json!({"tax_region_id": region, "rate": 25, "code": "VAT", "name": "Moms"})),
        ),
        "tax_rate",
    );
    let path = format!("/admin/tax-rates/{rate}");
    let updated = a.ok(
        "POST",
        &path,
        Some(
            json!({"rate": 12.5, "name": "Reduced", "metadata": {"src": "t"}, "rules": [
                {"reference": "product_type", "reference_id": "ptyp_food"}
            ]}),
        ),
    )["tax_rate"]
        .clone();
    assert_eq!(
        (&updated["rate"], &updated["name"], &updated["code"]),
        (&json!(12.5), &json!("Reduced"), &json!("VAT"))
    );
    assert_eq!(updated["rules"][0]["reference_id"], "ptyp_food");
    assert_eq!(updated["metadata"], json!({"src": "t"}));
    assert_eq!(a.ok("GET", &path, None)["tax_rate"]["rate"], json!(12.5));
    // An absent field stays; a `null` one is cleared; an empty rule list clears the rules.
    let renamed = a.ok("POST", &path, Some(json!({"name": "Lower"})))["tax_rate"].clone();
    assert_eq!(
        (
            &renamed["rate"],
            &renamed["metadata"],
            &renamed["rules"][0]["reference_id"]
        ),
        (&json!(12.5), &json!({"src": "t"}), &json!("ptyp_food"))
    );
    let cleared = a.ok(
        "POST",
        &path,
        Some(json!({"rate": null, "metadata": null, "rules": []})),
    )["tax_rate"]
        .clone();
    assert_eq!(
        (
            &cleared["rate"],
            &cleared["metadata"],
            &cleared["rules"],
            &cleared["name"]
        ),
        (&Value::Null, &Value::Null, &json!([]), &json!("Lower"))
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"rules": [{"reference": "product_type"}]})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"rate": "x"})),
        400,
        "invalid_data",
    );
    a.fails("POST", &path, Some(json!({"code": 1})), 400, "invalid_data");
    assert_eq!(
        a.ok("DELETE", &path, None),
        json!({"id": rate, "object": "tax_rate", "deleted": true})
    );
    a.fails("GET", &path, None, 404, "not_found");
    a.fails("DELETE", &path, None, 404, "not_found");
    a.fails(
        "POST",
        "/admin/tax-rates/txr_missing",
        Some(json!({"name": "x"})),
        404,
        "not_found",
    );
}

#[test]
fn sales_channels_are_updated_and_deleted_but_not_the_default() {
    let a = Admin::start();
    let id = id_of(
        &a.ok(
            "POST",
            "/admin/sales-channels",
            Some(json!({"name": "POS"})),
        ),
        "sales_channel",
    );
    let path = format!("/admin/sales-channels/{id}");
    let updated = a.ok(
        "POST",
        &path,
        Some(json!({"name": "Shop floor", "is_disabled": true, "description": null})),
    );
    assert_eq!(
        (
            &updated["sales_channel"]["name"],
            &updated["sales_channel"]["is_disabled"]
        ),
        (&json!("Shop floor"), &json!(true))
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"is_disabled": "yes"})),
        400,
        "invalid_data",
    );
    assert_eq!(
        a.ok("DELETE", &path, None),
        json!({"id": id, "object": "sales-channel", "deleted": true})
    );
    a.fails("DELETE", &path, None, 404, "not_found");
    a.fails("POST", &path, Some(json!({"name": "x"})), 404, "not_found");
    let stores = a.ok("GET", "/admin/stores", None);
    let default = stores["stores"][0]["default_sales_channel_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    a.fails(
        "DELETE",
        &format!("/admin/sales-channels/{default}"),
        None,
        400,
        "invalid_data",
    );
}

#[test]
fn the_store_is_updated() {
    let a = Admin::start();
    let stores = a.ok("GET", "/admin/stores", None);
    let id = stores["stores"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = format!("/admin/stores/{id}");
    let store = a.ok(
        "POST",
        &path,
        Some(json!({"name": "Renamed", "supported_currencies": [
            {"currency_code": "eur", "is_default": true}, {"currency_code": "USD"}
        ]})),
    )["store"]
        .clone();
    assert_eq!(store["name"], "Renamed");
    let currencies: Vec<(String, bool)> = store["supported_currencies"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| {
                    (
                        c["currency_code"].as_str().unwrap_or_default().to_string(),
                        c["is_default"].as_bool().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(currencies.contains(&("eur".into(), true)), "{currencies:?}");
    assert!(
        currencies.contains(&("usd".into(), false)),
        "{currencies:?}"
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"supported_currencies": [{"currency_code": "eur"}]})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        &path,
        Some(json!({"name": false})),
        400,
        "invalid_data",
    );
    a.fails(
        "POST",
        "/admin/stores/store_missing",
        Some(json!({"name": "x"})),
        404,
        "not_found",
    );
}
