//! Admin handlers called directly (the route table's access check is what keeps them behind
//! authentication; these tests exercise what runs after it): bodies in, Medusa JSON out.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};
use stockroom::Engine;
use stockroom::http::admin::{channels, price_lists, products, regions, taxonomy};
use stockroom::http::{Body, Request, Response};

type Handler = fn(&Engine, &Request) -> stockroom::Result<Response>;

fn call(
    app: &TestApp,
    handler: Handler,
    id: &str,
    body: Option<Value>,
) -> stockroom::Result<Value> {
    let request = Request {
        method: if body.is_some() { "POST" } else { "GET" }.into(),
        params: vec![("id".into(), id.into())],
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        ..Request::default()
    };
    let response = handler(app.engine(), &request)?;
    Ok(match response.body {
        Body::Json(v) => v,
        Body::RawJson(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
        _ => Value::Null,
    })
}

fn channel_id(app: &TestApp) -> String {
    let list = call(app, channels::list_channels, "", None).unwrap_or_default();
    list["sales_channels"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn product_create_retrieve_update_list_delete() {
    let app = TestApp::start();
    let sc = channel_id(&app);
    let body = json!({
        "title": "Handler Hat", "status": "published",
        "options": [{"title": "Color", "values": ["Red", "Blue"]}],
        "sales_channels": [{"id": sc}],
        "variants": [
            {"title": "Red", "sku": "HH-RED", "options": {"Color": "Red"},
             "prices": [{"currency_code": "usd", "amount": 12.5}, {"currency_code": "eur", "amount": 11}]},
            {"title": "Blue", "sku": "HH-BLUE", "options": {"Color": "Blue"}, "prices": []}
        ]
    });
    let created = call(&app, products::create, "", Some(body)).unwrap_or_default();
    let product = &created["product"];
    assert_eq!(
        (product["handle"].clone(), product["status"].clone()),
        (json!("handler-hat"), json!("published"))
    );
    let prices = &product["variants"][0]["prices"];
    assert_eq!(prices.as_array().map(Vec::len), Some(2));
    assert_eq!(prices[0]["amount"], json!(12.5));
    assert_eq!(product["sales_channels"][0]["id"], json!(sc));
    let id = product["id"].as_str().unwrap_or_default().to_string();
    let updated =
        call(&app, products::update, &id, Some(json!({"title": "Hat"}))).unwrap_or_default();
    assert_eq!(updated["product"]["title"], "Hat");
    let drafts = call(&app, products::list, "", None).unwrap_or_default();
    assert_eq!(drafts["count"], 59, "admin lists every status");
    let deleted = call(&app, products::delete, &id, None).unwrap_or_default();
    assert_eq!(
        deleted,
        json!({"id": id, "object": "product", "deleted": true})
    );
    let gone = call(&app, products::retrieve, &id, None)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        gone.to_string(),
        format!("Product with id: {id} was not found")
    );
}

#[test]
fn product_body_is_strict() {
    let app = TestApp::start();
    let err = call(
        &app,
        products::create,
        "",
        Some(json!({"title": "X", "colour": "red"})),
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid request: Unrecognized fields: 'colour'"
    );
    let err = call(&app, products::create, "", Some(json!({})))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid request: Field 'title' is required"
    );
}

#[test]
fn regions_and_tax() {
    let app = TestApp::start();
    let region = call(
        &app,
        regions::create,
        "",
        Some(json!({"name": "UK", "currency_code": "gbp", "countries": ["gb"], "payment_providers": ["pp_system_default"]})),
    )
    .unwrap_or_default();
    assert_eq!(region["region"]["countries"][0]["iso_2"], "gb");
    let taken = call(
        &app,
        regions::create,
        "",
        Some(json!({"name": "Again", "currency_code": "gbp", "countries": ["gb"]})),
    );
    assert_eq!(taken.map(|_| ()).unwrap_err().status(), 400);
    let tax_region = call(
        &app,
        regions::create_tax_region,
        "",
        Some(json!({"country_code": "gb", "default_tax_rate": {"rate": 20, "code": "VAT", "name": "UK VAT"}})),
    )
    .unwrap_or_default();
    let tax_region_id = tax_region["tax_region"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rate = call(
        &app,
        regions::create_tax_rate,
        "",
        Some(
            json!({"tax_region_id": tax_region_id, "rate": 5, "code": "RED", "name": "Reduced",
                    "rules": [{"reference": "product_type", "reference_id": "ptyp_x"}]}),
        ),
    )
    .unwrap_or_default();
    assert_eq!(
        (
            rate["tax_rate"]["rate"].clone(),
            rate["tax_rate"]["rules"][0]["reference"].clone()
        ),
        (json!(5), json!("product_type"))
    );
    let list = call(&app, regions::list_tax_regions, "", None).unwrap_or_default();
    assert_eq!(list["count"], 12, "11 from the demo store + gb");
}

#[test]
fn taxonomy_keys_and_price_lists() {
    let app = TestApp::start();
    let parent = call(
        &app,
        taxonomy::create_category,
        "",
        Some(json!({"name": "Outerwear", "is_active": true})),
    )
    .unwrap_or_default();
    let parent_id = parent["product_category"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let child = call(
        &app,
        taxonomy::create_category,
        "",
        Some(json!({"name": "Coats", "parent_category_id": parent_id})),
    )
    .unwrap_or_default();
    assert_eq!(
        child["product_category"]["mpath"]
            .as_str()
            .map(|m| m.starts_with(&parent_id)),
        Some(true)
    );
    let col = call(
        &app,
        taxonomy::create_collection,
        "",
        Some(json!({"title": "Autumn"})),
    )
    .unwrap_or_default();
    assert_eq!(col["collection"]["handle"], "autumn");
    let dup = call(
        &app,
        taxonomy::create_tag,
        "",
        Some(json!({"value": "New"})),
    );
    assert_eq!(dup.map(|_| ()).unwrap_err().status(), 422);
    let key = call(
        &app,
        channels::create_key,
        "",
        Some(json!({"title": "POS", "type": "publishable"})),
    )
    .unwrap_or_default();
    let key_id = key["api_key"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        key["api_key"]["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("pk_"))
    );
    let sc = channel_id(&app);
    let linked = call(
        &app,
        channels::key_channels,
        &key_id,
        Some(json!({"add": [sc]})),
    )
    .unwrap_or_default();
    assert_eq!(linked["api_key"]["sales_channels"][0]["id"], json!(sc));
    let revoked = call(&app, channels::revoke_key, &key_id, Some(json!({}))).unwrap_or_default();
    assert!(revoked["api_key"]["revoked_at"].is_string());
    let bad = call(
        &app,
        price_lists::create,
        "",
        Some(json!({"title": "T", "description": "", "type": "nope"})),
    );
    assert_eq!(bad.map(|_| ()).unwrap_err().status(), 400);
    let stores = call(&app, channels::list_stores, "", None).unwrap_or_default();
    assert_eq!(stores["stores"][0]["name"], "Stockroom Demo Store");
}

#[test]
fn deleting_taxonomy_detaches_products() {
    let app = TestApp::start();
    let tags = app.store_get("/store/product-tags?value=Unisex").json();
    let tag = tags["product_tags"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let tagged = |app: &TestApp| {
        app.store_get(&format!("/store/products?tag_id={tag}&limit=1"))
            .json()["count"]
            .clone()
    };
    assert_eq!(tagged(&app), json!(28));
    let deleted = call(&app, taxonomy::delete_tag, &tag, None).unwrap_or_default();
    assert_eq!(
        deleted,
        json!({"id": tag, "object": "product_tag", "deleted": true})
    );
    assert_eq!(tagged(&app), json!(0));
    assert_eq!(
        app.store_get(&format!("/store/product-tags/{tag}")).status,
        404
    );
    let again = call(&app, taxonomy::delete_tag, &tag, None)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        again.to_string(),
        format!("Product tag with id: {tag} was not found")
    );
    let cats = app
        .store_get("/store/product-categories?handle=tops")
        .json();
    let tops = cats["product_categories"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    call(&app, taxonomy::delete_category, &tops, None).unwrap_or_default();
    let roots = app
        .store_get("/store/product-categories?parent_category_id=null&fields=handle")
        .json();
    let handles: Vec<&str> = roots["product_categories"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["handle"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        handles.contains(&"shirts"),
        "children of a deleted category become roots: {handles:?}"
    );
}

#[test]
fn variants_are_added_and_deleted() {
    use stockroom::http::admin::variants;
    let app = TestApp::start();
    let list = app
        .store_get("/store/products?handle=classic-t-shirt&fields=id,*variants")
        .json();
    let id = list["products"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let before = list["products"][0]["variants"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    let body = json!({"title": "XL / White", "sku": "CLASSIC-XL-W", "options": {"Size": "L", "Color": "White"},
                      "prices": [{"currency_code": "usd", "amount": 25}]});
    let added = call(&app, variants::create, &id, Some(body)).unwrap_or_default();
    let variants_after = added["product"]["variants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(variants_after.len(), before + 1);
    let new = variants_after
        .iter()
        .find(|v| v["sku"] == "CLASSIC-XL-W")
        .cloned()
        .unwrap_or_default();
    assert_eq!(new["prices"][0]["amount"], json!(25));
    let bad = json!({"title": "Z", "options": {"Size": "XXXL"}, "prices": []});
    assert_eq!(
        call(&app, variants::create, &id, Some(bad))
            .map(|_| ())
            .unwrap_err()
            .status(),
        400
    );
    let request = Request {
        method: "DELETE".into(),
        params: vec![
            ("id".into(), id.clone()),
            (
                "variant_id".into(),
                new["id"].as_str().unwrap_or_default().into(),
            ),
        ],
        ..Request::default()
    };
    let reply = match variants::delete(app.engine(), &request).map(|r| r.body) {
        Ok(Body::RawJson(text)) => serde_json::from_str::<Value>(&text).unwrap_or_default(),
        _ => Value::Null,
    };
    assert_eq!(
        (reply["object"].clone(), reply["deleted"].clone()),
        (json!("variant"), json!(true))
    );
    assert_eq!(
        reply["parent"]["variants"].as_array().map(Vec::len),
        Some(before)
    );
    assert_eq!(
        variants::delete(app.engine(), &request)
            .map(|_| ())
            .unwrap_err()
            .status(),
        404
    );
}
