//! Product CSV export and import through the routes (issue 13): `POST /admin/products/export`
//! writes Medusa's layout through the file provider and posts its URL to the admin feed;
//! `POST /admin/products/import` (multipart) and `/imports` (a file key) answer a summary and
//! write nothing; the confirmation imports everything in one journaled job — a bad row is a
//! 400 naming it and loses nothing. Export → import into an empty store → export gives the
//! same bytes.

use crate::common;

use common::TestApp;
use common::client::{Reply, send};
use serde_json::{Value, json};
use std::path::PathBuf;

const BOUNDARY: &str = "----stockroom-csv-test";

struct Shop {
    app: TestApp,
    auth: String,
}

fn multipart(field: &str, filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The demo fixture without its products (and what names them): an empty store whose
/// channels, regions, collections, categories, tags and types are the demo's.
fn empty_fixture() -> PathBuf {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json");
    let mut fixture: Value = serde_json::from_str(&std::fs::read_to_string(demo).unwrap()).unwrap();
    for key in ["products", "price_lists", "promotions", "pos_registers"] {
        fixture[key] = json!([]);
    }
    let path =
        std::env::temp_dir().join(format!("stockroom-csv-empty-{}.json", std::process::id()));
    std::fs::write(&path, fixture.to_string()).unwrap();
    path
}

impl Shop {
    fn start(fixture: Option<PathBuf>) -> Shop {
        let mut config = common::config();
        config.body_limit = 8 * 1024 * 1024;
        if let Some(path) = fixture {
            config.fixture = Some(path);
            config.demo = false;
        }
        let app = TestApp::with(config, stockroom::Engine::builder());
        let auth = format!("Bearer {}", app.admin_token());
        Shop { app, auth }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    fn upload(&self, path: &str, field: &str, csv: &[u8]) -> Reply {
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        send(
            &self.app.addr,
            "POST",
            path,
            &[
                ("authorization", &self.auth),
                ("content-type", &content_type),
            ],
            Some(&multipart(field, "products.csv", csv)),
        )
    }

    fn product_count(&self) -> u64 {
        let reply = self.call("GET", "/admin/products?limit=1", None);
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["count"].as_u64().unwrap()
    }

    /// Exports, checks the feed notification, downloads the file.
    fn export(&self) -> String {
        let reply = self.call("POST", "/admin/products/export", Some(&json!({})));
        assert_eq!(reply.status, 202, "{}", reply.text());
        let transaction = reply.json()["transaction_id"].as_str().unwrap().to_string();
        let execution = self
            .call(
                "GET",
                &format!("/admin/workflows-executions/export-products/{transaction}"),
                None,
            )
            .json();
        let execution = &execution["workflow_execution"];
        assert_eq!(execution["state"], "done", "{execution}");
        let url = execution["context"]["result"]["url"]
            .as_str()
            .unwrap()
            .to_string();
        let feed = self
            .call("GET", "/admin/notifications?channel=feed", None)
            .json();
        let posted = feed["notifications"].as_array().unwrap().iter().any(|n| {
            n["data"]["file"]["url"] == url.as_str() && n["data"]["title"] == "Product export"
        });
        assert!(posted, "the export's file is in the admin feed: {feed}");
        let path = url
            .split_once("/static/")
            .map(|(_, key)| format!("/static/{key}"))
            .unwrap();
        let file = self.app.get(&path);
        assert_eq!(file.status, 200);
        assert_eq!(file.header("content-type"), Some("text/csv"));
        file.text()
    }

    /// Uploads `csv` and confirms it: `(summary, confirm reply)`.
    fn import(&self, csv: &str) -> (Value, Reply) {
        let reply = self.upload("/admin/products/import", "file", csv.as_bytes());
        assert_eq!(reply.status, 202, "{}", reply.text());
        let body = reply.json();
        let transaction = body["transaction_id"].as_str().unwrap();
        let confirm = self.call(
            "POST",
            &format!("/admin/products/import/{transaction}/confirm"),
            None,
        );
        (body["summary"].clone(), confirm)
    }
}

/// The first id of an admin list.
fn first_id(shop: &Shop, path: &str, key: &str) -> String {
    let list = shop.call("GET", path, None).json();
    list[key][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: {list}"))
        .to_string()
}

/// Products made through the admin API with every column the CSV carries, awkward text
/// included (quotes, commas, newlines, a would-be formula).
fn make_products(shop: &Shop) {
    let collection = first_id(shop, "/admin/collections", "collections");
    let product_type = first_id(shop, "/admin/product-types", "product_types");
    let tag = first_id(shop, "/admin/product-tags", "product_tags");
    let category = first_id(shop, "/admin/product-categories", "product_categories");
    let channels = shop.call("GET", "/admin/sales-channels", None).json()["sales_channels"].clone();
    let region = shop.call("GET", "/admin/regions", None).json()["regions"][0].clone();
    let tee = json!({
        "title": "Round Trip Tee", "handle": "round-trip-tee", "subtitle": "Soft, \"washed\"",
        "description": "Line one\nline two, with a comma", "status": "published",
        "thumbnail": "http://cdn.example/tee.png",
        "images": [{"url": "http://cdn.example/tee.png"}, {"url": "http://cdn.example/tee-back.png"}],
        "weight": 200, "material": "Cotton", "origin_country": "dk",
        "collection_id": collection, "type_id": product_type,
        "tags": [{"id": tag}], "categories": [{"id": category}],
        "sales_channels": [{"id": channels[0]["id"]}, {"id": channels[1]["id"]}],
        "options": [{"title": "Size", "values": ["S", "M"]}, {"title": "Color", "values": ["Red"]}],
        "variants": [
            {"title": "S / Red", "sku": "RT-S", "options": {"Size": "S", "Color": "Red"},
             "prices": [{"currency_code": "usd", "amount": 21.5}, {"currency_code": "eur", "amount": 19.99},
                        {"currency_code": region["currency_code"], "amount": 18, "rules": {"region_id": region["id"]}}]},
            {"title": "M / Red", "sku": "RT-M", "ean": "5701234567890", "allow_backorder": true,
             "manage_inventory": false, "options": {"Size": "M", "Color": "Red"},
             "prices": [{"currency_code": "usd", "amount": 22}]}
        ]
    });
    let mug = json!({
        "title": "=Formula Mug", "handle": "formula-mug", "discountable": false,
        "options": [{"title": "Default", "values": ["One"]}],
        "variants": [{"title": "-5 One", "options": {"Default": "One"}, "prices": [{"currency_code": "usd", "amount": 5}]}]
    });
    for body in [tee, mug] {
        let reply = shop.call("POST", "/admin/products", Some(&body));
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
}

#[test]
fn export_then_import_into_an_empty_store_exports_the_same_bytes() {
    let fixture = empty_fixture();
    let (source, empty) = (
        Shop::start(Some(fixture.clone())),
        Shop::start(Some(fixture.clone())),
    );
    std::fs::remove_file(fixture).ok();
    make_products(&source);
    let csv = source.export();
    assert_eq!(csv.lines().next().unwrap().split(',').count(), 50, "{csv}");
    assert!(
        csv.contains(",'=Formula Mug,"),
        "a would-be formula is guarded: {csv}"
    );
    assert!(csv.contains("Variant Price USD"), "{csv}");

    assert_eq!(empty.product_count(), 0);
    let reply = empty.upload("/admin/products/import", "file", csv.as_bytes());
    assert_eq!(reply.status, 202, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["summary"], json!({"toCreate": 2, "toUpdate": 0}));
    assert_eq!(empty.product_count(), 0, "an upload writes nothing");
    let transaction = body["transaction_id"].as_str().unwrap();
    let confirm = empty.call(
        "POST",
        &format!("/admin/products/import/{transaction}/confirm"),
        None,
    );
    assert_eq!(
        (confirm.status, confirm.json()),
        (202, json!({})),
        "{}",
        confirm.text()
    );
    assert_eq!(empty.product_count(), 2);
    assert_eq!(
        empty.export(),
        csv,
        "export → import → export is byte-identical"
    );

    let journal = empty
        .call(
            "GET",
            &format!("/admin/workflows-executions/confirm-product-import/{transaction}"),
            None,
        )
        .json();
    // Medusa's step map: each step nested under the one before it.
    let steps = journal["workflow_execution"]["execution"]["steps"]
        .as_object()
        .unwrap();
    assert!(steps.contains_key("_root.notify-on-failure.import-products.send-notifications"));
    let mut steps: Vec<(u64, &str)> = steps
        .values()
        .filter_map(|s| Some((s["idx"].as_u64()?, s["name"].as_str()?)))
        .collect();
    steps.sort();
    let steps: Vec<&str> = steps.into_iter().map(|(_, name)| name).collect();
    assert_eq!(
        steps,
        ["notify-on-failure", "import-products", "send-notifications"]
    );

    let again = empty.call(
        "POST",
        &format!("/admin/products/import/{transaction}/confirm"),
        None,
    );
    assert_eq!(
        again.status, 202,
        "a repeated confirmation answers the first"
    );
    assert_eq!(empty.product_count(), 2);
}

#[test]
fn reimporting_an_export_updates_in_place() {
    let demo = Shop::start(None);
    let csv = demo.export();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("Product Id,Product Handle,Product Title,Product Subtitle"),
        "{header}"
    );
    for column in [
        "Variant Price USD",
        "Variant Price EUR",
        "Variant Option 1 Name",
        "Product Sales Channel 1",
        "Product Category 1",
        "Product Tag 1",
        "Product Image 1",
    ] {
        assert!(header.contains(column), "{column} in {header}");
    }
    let variants = demo
        .call("GET", "/admin/product-variants?limit=1", None)
        .json()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        1 + variants,
        "one row per variant"
    );
    let edited = csv.replace(",Classic T-Shirt,", ",Classic Tee,");
    assert_ne!(edited, csv);
    let (summary, confirm) = demo.import(&edited);
    assert_eq!(summary, json!({"toCreate": 0, "toUpdate": 58}));
    assert_eq!(confirm.status, 202, "{}", confirm.text());
    assert_eq!(demo.product_count(), 58);
    let products = demo
        .call("GET", "/admin/products?handle=classic-t-shirt", None)
        .json();
    assert_eq!(products["products"][0]["title"], "Classic Tee");
    assert_eq!(demo.export(), edited);
}

#[test]
fn a_bad_row_is_named_and_loses_nothing() {
    let demo = Shop::start(None);
    let header = "Product Handle,Product Title,Variant Title,Variant Sku,Variant Price USD,Variant Option 1 Name,Variant Option 1 Value";
    let refused = demo.upload(
        "/admin/products/import",
        "file",
        format!("{header}\nmug,Mug,One,MUG-1,12,Size,One\nbowl,Bowl,One,BOWL-1,twelve,Size,One\n")
            .as_bytes(),
    );
    assert_eq!(refused.status, 400);
    let message = refused.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("Row 2: Invalid value provided for \"variant price usd\""),
        "{message}"
    );

    // Readable, but the second product's SKU is the first's: the confirmation fails on row 3
    // and neither product is kept.
    let before = demo.product_count();
    let (summary, confirm) = demo.import(&format!(
        "{header}\nmug,Mug,One,MUG-1,12,Size,One\nmug,,Two,MUG-2,13,Size,Two\nbowl,Bowl,One,MUG-1,9,Size,One\n"
    ));
    assert_eq!(summary, json!({"toCreate": 2, "toUpdate": 0}));
    assert_eq!(confirm.status, 400, "{}", confirm.text());
    let message = confirm.json()["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("Row 3: "), "{message}");
    assert_eq!(
        demo.product_count(),
        before,
        "nothing of the import is kept"
    );
    let feed = demo
        .call("GET", "/admin/notifications?channel=feed", None)
        .json();
    let failed =
        feed["notifications"].as_array().unwrap().iter().any(|n| {
            n["data"]["description"] == "Failed to import products from file products.csv"
        });
    assert!(failed, "{feed}");

    let (summary, confirm) = demo.import(&format!(
        "{header}\nmug,Mug,One,MUG-1,12,Size,One\nmug,,Two,MUG-2,13.5,Size,Two\n"
    ));
    assert_eq!(summary, json!({"toCreate": 1, "toUpdate": 0}));
    assert_eq!(confirm.status, 202, "{}", confirm.text());
    let mug = demo.call("GET", "/admin/products?handle=mug", None).json()["products"][0].clone();
    assert_eq!(mug["variants"].as_array().unwrap().len(), 2);
    assert_eq!(mug["options"][0]["title"], "Size");
    let prices: Vec<&Value> = mug["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["prices"][0]["amount"])
        .collect();
    assert_eq!(prices, [&json!(12), &json!(13.5)]);
}

#[test]
fn imports_by_file_key_and_refusals() {
    let demo = Shop::start(None);
    let csv = "Product Handle,Product Title,Variant Title,Variant Price EUR\nposter,Poster,A2,15\n";
    let uploaded = send(
        &demo.app.addr,
        "POST",
        "/admin/uploads",
        &[
            ("authorization", &demo.auth),
            (
                "content-type",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
            ),
        ],
        Some(&multipart("files", "posters.csv", csv.as_bytes())),
    );
    assert_eq!(uploaded.status, 200, "{}", uploaded.text());
    let key = uploaded.json()["files"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"file_key": key, "originalname": "posters.csv", "extension": "csv", "size": csv.len(), "mime_type": "text/csv"});
    let started = demo.call("POST", "/admin/products/imports", Some(&body));
    assert_eq!(started.status, 202, "{}", started.text());
    assert_eq!(
        started.json()["summary"],
        json!({"toCreate": 1, "toUpdate": 0})
    );
    let transaction = started.json()["transaction_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The other route's confirmation does not know this upload.
    let wrong = demo.call(
        "POST",
        &format!("/admin/products/import/{transaction}/confirm"),
        None,
    );
    assert_eq!(wrong.status, 404);
    let confirm = demo.call(
        "POST",
        &format!("/admin/products/imports/{transaction}/confirm"),
        None,
    );
    assert_eq!(confirm.status, 202, "{}", confirm.text());
    let poster = demo
        .call("GET", "/admin/products?handle=poster", None)
        .json();
    assert_eq!(poster["products"][0]["variants"][0]["title"], "A2");

    let missing = demo.call(
        "POST",
        "/admin/products/imports",
        Some(&json!({"file_key": key})),
    );
    assert_eq!(missing.status, 400);
    let unknown = demo.call("POST", "/admin/products/imports", Some(&json!({"file_key": "file_nope", "originalname": "a.csv", "extension": "csv", "size": 1, "mime_type": "text/csv"})));
    assert_eq!(unknown.status, 404, "{}", unknown.text());
    let no_file = demo.call("POST", "/admin/products/import", Some(&json!({})));
    assert_eq!(no_file.status, 400);
    assert_eq!(
        no_file.json()["message"],
        "No file was uploaded for importing"
    );
    let columns = demo.upload(
        "/admin/products/import",
        "file",
        b"Product Handle,Colour\nx,red\n",
    );
    assert_eq!(
        columns.json()["message"],
        "Invalid column name(s) \"Colour\""
    );
    let field = demo.upload("/admin/products/import", "files", csv.as_bytes());
    assert_eq!(
        (field.status, field.json()["message"].clone()),
        (400, json!("Unexpected field: files"))
    );
    let anonymous = send(&demo.app.addr, "POST", "/admin/products/export", &[], None);
    assert_eq!(anonymous.status, 401);
    let nope = demo.call("POST", "/admin/products/import/trx_nope/confirm", None);
    assert_eq!(nope.status, 404);
}

#[test]
fn inventory_export_has_a_row_per_variant_and_levels_per_location() {
    let demo = Shop::start(None);
    let reply = demo.call("POST", "/admin/inventory-items/export", None);
    assert_eq!(reply.status, 202, "{}", reply.text());
    let transaction = reply.json()["transaction_id"].as_str().unwrap().to_string();
    let execution = demo
        .call(
            "GET",
            &format!("/admin/workflows-executions/export-inventory-items/{transaction}"),
            None,
        )
        .json();
    let url = execution["workflow_execution"]["context"]["result"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = url
        .split_once("/static/")
        .map(|(_, key)| format!("/static/{key}"))
        .unwrap();
    let csv = demo.app.get(&path).text();
    let header = csv.lines().next().unwrap().to_string();
    assert!(
        header.starts_with("Item Id,Item Sku,Item Title,"),
        "{header}"
    );
    let location =
        demo.call("GET", "/admin/stock-locations", None).json()["stock_locations"][0]["name"]
            .clone();
    let stocked = format!("Location [{}] Stocked Quantity", location.as_str().unwrap());
    assert!(header.contains(&stocked), "{header}");
    let items = demo
        .call("GET", "/admin/inventory-items?limit=1", None)
        .json()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        1 + items,
        "one row per item (each demo item has one variant)"
    );
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(",variant_"), "the item's variant: {row}");
    let sku = demo
        .call("GET", "/admin/inventory-items?limit=1", None)
        .json()["inventory_items"][0]["sku"]
        .clone();
    let filtered = demo.call(
        "POST",
        &format!(
            "/admin/inventory-items/export?sku={}",
            sku.as_str().unwrap()
        ),
        None,
    );
    assert_eq!(filtered.status, 202);
    let feed = demo
        .call("GET", "/admin/notifications?channel=feed", None)
        .json();
    let exports = feed["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["data"]["title"] == "Inventory export")
        .count();
    assert_eq!(exports, 2, "{feed}");
}

#[test]
fn admin_search_answers_every_entity_through_the_lists() {
    let demo = Shop::start(None);
    let all = demo.call("GET", "/admin/search?q=shirt", None);
    assert_eq!(all.status, 200, "{}", all.text());
    let results = all.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 22);
    let products = results.iter().find(|r| r["entity"] == "product").unwrap();
    assert!(products["count"].as_u64().unwrap() > 0, "{products}");
    let first = products["data"][0].as_object().unwrap();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        ["id", "thumbnail", "title"]
    );
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("shirt")
    );
    let none = results.iter().find(|r| r["entity"] == "region").unwrap();
    assert_eq!(
        (none["count"].clone(), none["limit"].clone()),
        (json!(0), json!(20))
    );

    let some = demo
        .call("GET", "/admin/search?entity=product,customer&limit=2", None)
        .json();
    let names: Vec<&str> = some["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["product", "customer"]);
    assert_eq!(some["results"][0]["data"].as_array().unwrap().len(), 2);

    let unknown = demo.call("GET", "/admin/search?entity=spaceship", None);
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("No search entity registered for \"spaceship\"")
    );
    assert_eq!(
        demo.call("GET", "/admin/search?limit=101", None).status,
        400
    );
    assert_eq!(
        demo.call("GET", "/admin/search?colour=red", None).status,
        400
    );
    assert_eq!(
        send(&demo.app.addr, "GET", "/admin/search", &[], None).status,
        401
    );
}
