//! Admin catalog behaviour: every admin route answers 401 without credentials, and the
//! behaviour behind the catalog routes is exercised through the same flows and parsers the
//! handlers call. The routes themselves are driven over HTTP with an admin token in
//! `admin_catalog_updates.rs`, `admin_product_parts.rs` and `catalog_events.rs`.

use crate::common;

use common::{TestApp, check};
use serde_json::{Value, json};
use stockroom::flows::create_product;
use stockroom::http::admin::products::product_input;

#[test]
fn admin_catalog_routes_answer_401_without_credentials() {
    let app = TestApp::start();
    let routes: Vec<(&str, String)> = app
        .engine()
        .router()
        .routes()
        .iter()
        // Medusa's dashboard reads the feature flags before sign-in: public there and here.
        .filter(|r| r.pattern.starts_with("/admin") && r.pattern != "/admin/feature-flags")
        .map(|r| (r.method, r.pattern.replace(":id", "x")))
        .collect();
    assert!(routes.len() >= 4);
    for (method, path) in routes {
        let body = (method == "POST").then_some("{}");
        let headers = [("content-type", "application/json")];
        check(
            &app.request(method, &path, &headers, body),
            401,
            json!({"message": "Unauthorized"}),
        );
    }
}

fn create(app: &TestApp, body: Value) -> stockroom::Result<String> {
    let input = product_input(&body)?;
    let engine = app.engine().clone();
    app.engine()
        .store()
        .write(move |tx| create_product::run(tx, &engine, &input, &Value::Null))
}

fn channel(app: &TestApp) -> String {
    app.engine()
        .store()
        .read(|conn| Ok(stockroom::modules::sales_channel::list(conn)?[0].id.clone()))
        .unwrap_or_default()
}

fn body(channel: &str, handle: &str, sku: &str) -> Value {
    json!({
        "title": "Admin Jacket",
        "handle": handle,
        "status": "published",
        "images": [{"url": "https://example.com/jacket.png"}],
        "options": [{"title": "Size", "values": ["M", "L"]}],
        "sales_channels": [{"id": channel}],
        "variants": [
            {"title": "M", "sku": sku, "options": {"Size": "M"},
             "prices": [{"currency_code": "usd", "amount": 99.95}, {"currency_code": "eur", "amount": "89.5"}]},
            {"title": "L", "options": {"Size": "L"},
             "prices": [{"currency_code": "usd", "amount": 99.95, "min_quantity": 2}]}
        ]
    })
}

#[test]
fn a_product_created_by_admin_is_sold_on_the_store_with_its_prices() {
    let app = TestApp::start();
    let sc = channel(&app);
    let id = create(&app, body(&sc, "admin-jacket", "JACKET-M")).unwrap_or_default();
    let reply = app.store_get(&format!(
        "/store/products/{id}?fields=id,thumbnail,*variants.calculated_price&currency_code=usd"
    ));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let product = &reply.json()["product"];
    assert_eq!(product["thumbnail"], "https://example.com/jacket.png");
    assert_eq!(
        product["variants"][0]["calculated_price"]["calculated_amount"],
        json!(99.95)
    );
    assert_eq!(
        product["variants"][1]["calculated_price"],
        Value::Null,
        "quantity 1 is below the tier"
    );
}

#[test]
fn admin_create_errors() {
    let app = TestApp::start();
    let sc = channel(&app);
    create(&app, body(&sc, "jacket", "DUP")).unwrap_or_default();
    let dup = create(&app, body(&sc, "jacket-2", "DUP"))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(dup.status(), 422);
    let mut too_precise = body(&sc, "jacket-3", "P");
    too_precise["variants"][0]["prices"][0]["amount"] = json!(1.234);
    assert_eq!(
        create(&app, too_precise).map(|_| ()).unwrap_err().status(),
        400
    );
    let missing = create(&app, body("sc_missing", "jacket-4", "Q"))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(missing.status(), 404);
}

#[test]
fn deleting_a_product_hides_it_from_the_store() {
    let app = TestApp::start();
    let sc = channel(&app);
    let id = create(&app, body(&sc, "gone", "GONE")).unwrap_or_default();
    assert_eq!(app.store_get(&format!("/store/products/{id}")).status, 200);
    let ctx = app.engine().ctx().clone();
    let target = id.clone();
    app.engine()
        .store()
        .write(move |tx| create_product::delete(tx, &ctx, &target))
        .unwrap_or_default();
    assert_eq!(app.store_get(&format!("/store/products/{id}")).status, 404);
}

#[test]
fn memoized_listings_and_documents_follow_writes() {
    let app = TestApp::start();
    let sc = channel(&app);
    let count = |app: &TestApp| app.store_get("/store/products?limit=1&order=-title").json();
    let before = count(&app);
    assert_eq!(before["count"], 57);
    let id = create(&app, body(&sc, "zzz-jacket", "ZZZ")).unwrap_or_default();
    let after = count(&app);
    assert_eq!(after["count"], 58);
    let first = |app: &TestApp| {
        app.store_get("/store/products?handle=zzz-jacket&fields=title")
            .json()
    };
    assert_eq!(first(&app)["products"][0]["title"], "Admin Jacket");
    app.engine()
        .store()
        .write(move |tx| {
            tx.execute("UPDATE product SET title = 'Renamed' WHERE id = ?1", [&id])?;
            Ok(())
        })
        .unwrap_or_default();
    assert_eq!(first(&app)["products"][0]["title"], "Renamed");
}

#[test]
fn a_price_list_made_by_admin_changes_store_prices() {
    let app = TestApp::start();
    let sc = channel(&app);
    let id = create(&app, body(&sc, "listed", "LISTED-M")).unwrap_or_default();
    let product = app
        .store_get(&format!("/store/products/{id}?fields=*variants"))
        .json();
    let variant = product["product"]["variants"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let list_body = json!({
        "title": "VIP", "description": "members", "type": "override", "status": "active",
        "prices": [{"variant_id": variant, "currency_code": "usd", "amount": 80}]
    });
    let input = stockroom::http::admin::price_lists::input(&list_body).unwrap_or_default();
    let ctx = app.engine().ctx().clone();
    app.engine()
        .store()
        .write(move |tx| stockroom::flows::price_lists::create(tx, &ctx, &input))
        .unwrap_or_default();
    let price = app
        .store_get(&format!(
            "/store/products/{id}?fields=id,*variants.calculated_price&currency_code=usd"
        ))
        .json()["product"]["variants"][0]["calculated_price"]
        .clone();
    assert_eq!(
        (
            price["calculated_amount"].clone(),
            price["original_amount"].clone()
        ),
        (json!(80), json!(80))
    );
    assert_eq!(price["calculated_price"]["price_list_type"], "override");
}

#[test]
fn publishable_key_channels_are_linked_and_unlinked() {
    let app = TestApp::start();
    let sc = channel(&app);
    let ctx = app.engine().ctx().clone();
    let store = app.engine().store().clone();
    let channels = store
        .write(move |tx| {
            let key = stockroom::modules::api_key::create_publishable(
                tx,
                &ctx,
                "Kiosk",
                Some("pk_kiosk"),
                "",
            )?;
            let added = stockroom::flows::publishable_keys::link_sales_channels(
                tx,
                &ctx,
                &key.id,
                std::slice::from_ref(&sc),
                &[],
            )?;
            assert_eq!(added, std::slice::from_ref(&sc));
            stockroom::flows::publishable_keys::link_sales_channels(tx, &ctx, &key.id, &[], &[sc])
        })
        .unwrap_or_default();
    assert!(channels.is_empty());
    let reply = app.request(
        "GET",
        "/store/products",
        &[("x-publishable-api-key", "pk_kiosk")],
        None,
    );
    assert_eq!(
        reply.status, 400,
        "a key without channels cannot list products"
    );
}

#[test]
fn a_region_made_by_admin_is_listed_with_its_providers() {
    use stockroom::flows::create_region::{self, RegionInput};
    use stockroom::modules::region::NewRegion;
    let app = TestApp::start();
    let input = RegionInput {
        region: NewRegion {
            name: "United Kingdom".into(),
            currency_code: "gbp".into(),
            countries: vec!["gb".into()],
            automatic_taxes: true,
            metadata: None,
        },
        payment_providers: vec!["pp_system_default".into()],
        is_tax_inclusive: true,
    };
    let ctx = app.engine().ctx().clone();
    let region = app
        .engine()
        .store()
        .write(move |tx| create_region::run(tx, &ctx, &input))
        .map(|r| r.id)
        .unwrap_or_default();
    assert_eq!(app.store_get("/store/regions").json()["count"], 3);
    let providers = app
        .store_get(&format!("/store/payment-providers?region_id={region}"))
        .json();
    assert_eq!(providers["count"], 1);
}

#[test]
fn an_admin_update_changes_fields_tags_and_channels() {
    use stockroom::http::admin::products::product_update;
    let app = TestApp::start();
    let sc = channel(&app);
    let id = create(&app, body(&sc, "to-update", "UPD")).unwrap_or_default();
    let tag =
        app.store_get("/store/product-tags?value=New").json()["product_tags"][0]["id"].clone();
    let update = |change: Value| {
        let (change, channels) = product_update(&change);
        let ctx = app.engine().ctx().clone();
        let target = id.clone();
        app.engine().store().write(move |tx| {
            create_product::update(tx, &ctx, &target, &change, channels.as_deref())
        })
    };
    update(json!({"title": "Updated Jacket", "subtitle": "warm", "tags": [{"id": tag}]}))
        .unwrap_or_default();
    let p = app
        .store_get(&format!("/store/products/{id}?fields=title,subtitle,*tags"))
        .json()["product"]
        .clone();
    assert_eq!(
        (p["title"].clone(), p["subtitle"].clone()),
        (json!("Updated Jacket"), json!("warm"))
    );
    assert_eq!(p["tags"][0]["value"], "New");
    assert_eq!(
        handles_for(&app, "q=updated"),
        ["to-update"],
        "the search index follows the title"
    );
    assert_eq!(
        update(json!({"status": "nope"}))
            .map(|_| ())
            .unwrap_err()
            .status(),
        400
    );
    update(json!({"subtitle": null, "sales_channels": []})).unwrap_or_default();
    assert_eq!(
        app.store_get(&format!("/store/products/{id}")).status,
        404,
        "no channel: off the store"
    );
}

fn handles_for(app: &TestApp, query: &str) -> Vec<String> {
    let body = app
        .store_get(&format!("/store/products?fields=handle&{query}"))
        .json();
    body["products"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|p| p["handle"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
