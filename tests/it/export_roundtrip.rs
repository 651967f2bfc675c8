//! `stockroom export` (issue 8): a store written back to the fixture format loads into the
//! same store, and export → load → export is byte-identical — for the demo and for a store
//! changed over the API (customers with logins and addresses, stock at a second location).

use crate::common;

use common::{TestApp, config};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use stockroom::Result;
use stockroom::flows::export::{self, Export};
use stockroom::modules::tax::TaxRate;
use stockroom::modules::tax::provider::{LineRate, TaxProvider, TaxableLine};

fn export_of(app: &TestApp) -> Export {
    app.engine().store().read(export::export).unwrap()
}

fn text_of(app: &TestApp) -> String {
    export::to_json(&export_of(app).fixture).unwrap()
}

/// Writes an export — the fixture and its image files beside it — into a folder of its own.
fn temp_export(name: &str, exported: &Export) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    for (path, bytes) in &exported.files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let fixture = dir.join("fixture.json");
    std::fs::write(&fixture, export::to_json(&exported.fixture).unwrap()).unwrap();
    fixture
}

/// A body with the server's own address (image URLs) written as `http://SERVER`.
fn without_address(app: &TestApp, body: &str) -> String {
    let port = app.addr.rsplit(':').next().unwrap();
    body.replace(&format!("http://localhost:{port}"), "http://SERVER")
}

fn app_from(path: &Path) -> TestApp {
    let mut cfg = config();
    cfg.fixture = Some(path.to_path_buf());
    cfg.demo = false;
    TestApp::with(cfg, stockroom::Engine::builder())
}

#[test]
fn the_demo_exports_loads_back_identically_and_serves_the_same_bodies() {
    let demo = TestApp::start();
    let exported = export_of(&demo);
    assert!(exported.skipped.is_empty(), "{:?}", exported.skipped);
    let first = export::to_json(&exported.fixture).unwrap();
    // The demo's images are its own files: exported under the paths the demo names them by.
    assert_eq!(exported.files.len(), 99);
    let demo_json: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/demo.json").unwrap()).unwrap();
    let exported_json: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        exported_json["products"][0]["images"],
        demo_json["products"][0]["images"]
    );
    for (path, bytes) in &exported.files {
        assert_eq!(
            &std::fs::read(Path::new("fixtures").join(path)).unwrap(),
            bytes,
            "{path}"
        );
    }
    let path = temp_export("demo", &exported);
    let loaded = app_from(&path);
    let again = export_of(&loaded);
    let second = export::to_json(&again.fixture).unwrap();
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
    assert_eq!(first, second, "export → load → export is byte-identical");
    assert_eq!(exported.files, again.files, "and so are the image files");

    // The loaded store is the same store: same ids, prices, taxonomy, in the same order.
    let region = demo.store_get("/store/regions").json()["regions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "/store/regions".to_string(),
        format!("/store/products?limit=100&region_id={region}"),
        "/store/product-categories?limit=100".to_string(),
        "/store/collections".to_string(),
    ] {
        let (a, b) = (demo.store_get(&path), loaded.store_get(&path));
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(
            without_address(&demo, &a.text()),
            without_address(&loaded, &b.text()),
            "{path}"
        );
    }
    assert!(first.contains("\"password_hash\": \"$argon2id$"));
    assert!(
        !first.contains("supersecret"),
        "no plain password is written"
    );
}

#[test]
fn a_changed_store_keeps_customers_logins_addresses_and_stock() {
    let app = TestApp::start();
    let admin = format!("Bearer {}", app.admin_token());
    let (_, token) = app.signup("ada@example.com", "secret-password");
    let address = json!({"first_name": "Ada", "address_1": "1 Loop Rd", "city": "Bytes",
        "country_code": "us", "postal_code": "12345", "is_default_shipping": true});
    let reply = app.store_call(
        "POST",
        "/store/customers/me/addresses",
        &token,
        Some(&address),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = json!({"name": "Backroom", "address": {"address_1": "2 Dock Rd", "country_code": "dk", "city": "Aarhus", "province": "midtjylland"}});
    let reply = app.admin_call("POST", "/admin/stock-locations", &admin, Some(&body));
    let backroom = reply.json()["stock_location"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = app
        .admin_call(
            "GET",
            "/admin/inventory-items?sku=CLASSIC-T-SHIRT-S-WHITE",
            &admin,
            None,
        )
        .json()["inventory_items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let levels = format!("/admin/inventory-items/{item}/location-levels");
    let reply = app.admin_call(
        "POST",
        &levels,
        &admin,
        Some(&json!({"location_id": backroom, "stocked_quantity": 4})),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let warehouse = app
        .admin_call("GET", "/admin/stock-locations", &admin, None)
        .json()["stock_locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Main Warehouse")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = app.admin_call(
        "POST",
        &format!("{levels}/{warehouse}"),
        &admin,
        Some(&json!({"stocked_quantity": 7})),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());

    let secret = json!({"title": "CI", "type": "secret"});
    let reply = app.admin_call("POST", "/admin/api-keys", &admin, Some(&secret));
    assert_eq!(reply.status, 200, "{}", reply.text());

    let exported = export_of(&app);
    assert_eq!(
        exported.skipped,
        vec!["1 secret API key(s): only their hashes are stored".to_string()],
        "what the format cannot hold is named"
    );
    let first = export::to_json(&exported.fixture).unwrap();
    let doc: Value = serde_json::from_str(&first).unwrap();
    let ada = doc["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "ada@example.com")
        .unwrap();
    // The demo's VIP group and its price list come back naming the group by key.
    assert_eq!(
        doc["customer_groups"],
        json!([{"key": "vip", "name": "VIP", "customers": ["vera@example.com"]}])
    );
    let vip_list = doc["price_lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["title"] == "VIP prices")
        .unwrap();
    assert_eq!(vip_list["rules"], json!({"customer.groups.id": ["vip"]}));
    assert!(
        ada["password_hash"]
            .as_str()
            .unwrap()
            .starts_with("$argon2")
    );
    assert_eq!(ada["addresses"][0]["address_1"], "1 Loop Rd");
    assert_eq!(doc["inventory"]["stocked"]["CLASSIC-T-SHIRT-S-WHITE"], 7);
    assert_eq!(
        doc["inventory"]["levels"],
        json!([{"sku": "CLASSIC-T-SHIRT-S-WHITE", "location": "backroom", "stocked": 4}])
    );
    assert_eq!(
        doc["stock_locations"][1]["address"]["province"],
        "midtjylland"
    );

    let path = temp_export("changed", &exported);
    let loaded = app_from(&path);
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
    assert_eq!(
        first,
        text_of(&loaded),
        "export → load → export is byte-identical"
    );
    // The customer logs in with the original password, which the file never held.
    let token = loaded.login("customer", "ada@example.com", "secret-password");
    let me = loaded
        .store_call("GET", "/store/customers/me", &token, None)
        .json();
    assert_eq!(me["customer"]["addresses"][0]["city"], "Bytes");
    assert_eq!(me["customer"]["has_account"], true);
    let admin = format!(
        "Bearer {}",
        loaded.login("user", "admin@example.com", "supersecret")
    );
    let stock = loaded
        .admin_call(
            "GET",
            "/admin/inventory-items?sku=CLASSIC-T-SHIRT-S-WHITE",
            &admin,
            None,
        )
        .json();
    assert_eq!(stock["inventory_items"][0]["stocked_quantity"], 11);
}

#[test]
fn the_cli_exports_a_file_store_and_refuses_a_missing_one() {
    let bin = env!("CARGO_BIN_EXE_stockroom");
    let dir = std::env::temp_dir().join(format!("stockroom-export-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (db, db2) = (dir.join("a.db"), dir.join("b.db"));
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json");
    // Export writes the image files under the folder it runs in, beside the fixture here.
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    assert!(
        run(&["seed", "--db", db.to_str().unwrap(), demo])
            .status
            .success()
    );
    let first = run(&["export", "--db", db.to_str().unwrap()]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let file = dir.join("export.json");
    std::fs::write(&file, &first.stdout).unwrap();
    assert!(
        run(&[
            "seed",
            "--db",
            db2.to_str().unwrap(),
            file.to_str().unwrap()
        ])
        .status
        .success()
    );
    let second = run(&["export", "--db", db2.to_str().unwrap()]);
    assert_eq!(
        first.stdout, second.stdout,
        "byte-identical through two file stores"
    );

    let missing = run(&["export", "--db", dir.join("nope.db").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no store file"));
    assert!(
        !dir.join("nope.db").exists(),
        "a missing store is not created"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Ten percent on everything: a provider both ends of the round trip register.
struct FlatTax;

impl TaxProvider for FlatTax {
    fn id(&self) -> &'static str {
        "tp_flat"
    }
    fn rates_for_line(&self, _: &TaxableLine, _: &[TaxRate]) -> Result<Vec<LineRate>> {
        Ok(vec![LineRate {
            tax_rate_id: None,
            code: "FLAT".into(),
            name: "Flat".into(),
            rate_ppm: 10_000_000,
        }])
    }
}

/// Issue 15 / 20: draft orders (with their customer, lines, promotion code and the second
/// shipping method an edit gave one) and a tax region's provider come back from a fixture,
/// priced, taxed and discounted as they were.
#[test]
fn drafts_and_a_tax_region_s_provider_survive_export_and_load() {
    let builder = || stockroom::Engine::builder().tax_provider(FlatTax);
    let app = TestApp::with(config(), builder());
    let auth = format!("Bearer {}", app.admin_token());
    let ok = |method: &str, path: &str, body: Value| {
        let reply = app.admin_call(method, path, &auth, Some(&body));
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    };
    let regions = ok("GET", "/admin/tax-regions", json!({}))["tax_regions"].clone();
    let fr = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country_code"] == "fr")
        .and_then(|r| r["id"].as_str())
        .unwrap()
        .to_string();
    ok(
        "POST",
        &format!("/admin/tax-regions/{fr}"),
        json!({"provider_id": "tp_flat"}),
    );
    ok(
        "POST",
        "/admin/promotions",
        json!({"code": "TEN", "type": "standard", "status": "active",
        "application_method": {"type": "percentage", "target_type": "order", "value": 10}}),
    );
    let grace = ok(
        "POST",
        "/admin/customers",
        json!({"email": "grace@example.com"}),
    )["customer"]["id"]
        .clone();
    let draft = ok(
        "POST",
        "/admin/draft-orders",
        json!({
            "customer_id": grace,
            "region_id": app.region("eur"),
            "items": [
                {"variant_id": app.variant(), "quantity": 2, "metadata": {"gift": true}},
                {"title": "Engraving", "unit_price": 7.5, "quantity": 1},
            ],
            "shipping_address": {"first_name": "Grace", "city": "Paris", "country_code": "fr"},
            "shipping_methods": [{"name": "Courier", "amount": 9}],
            "promo_codes": ["TEN"],
            "metadata": {"source": "phone"},
        }),
    )["draft_order"]
        .clone();
    let id = draft["id"].as_str().unwrap().to_string();
    let edit = format!("/admin/draft-orders/{id}/edit");
    ok("POST", &edit, json!({}));
    let option =
        ok("GET", "/admin/shipping-options?limit=1", json!({}))["shipping_options"][0]["id"]
            .clone();
    ok(
        "POST",
        &format!("{edit}/shipping-methods"),
        json!({"shipping_option_id": option, "custom_amount": 3}),
    );
    ok("POST", &format!("{edit}/confirm"), json!({}));
    let before = ok("GET", &format!("/admin/draft-orders/{id}"), json!({}))["draft_order"].clone();
    assert_eq!(before["items"][0]["tax_lines"][0]["provider_id"], "tp_flat");
    assert!(before["discount_total"].as_f64().unwrap() > 0.0, "{before}");

    let exported = export_of(&app);
    assert!(exported.skipped.is_empty(), "{:?}", exported.skipped);
    let first = export::to_json(&exported.fixture).unwrap();
    let doc: Value = serde_json::from_str(&first).unwrap();
    let fr_doc = doc["tax_regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["country_code"] == "fr")
        .unwrap();
    assert_eq!(fr_doc["provider_id"], "tp_flat");
    let d = &doc["draft_orders"][0];
    assert_eq!(d["customer"], "grace@example.com");
    assert_eq!(d["promo_codes"], json!(["TEN"]));
    assert_eq!(
        d["items"][1],
        json!({"title": "Engraving", "quantity": 1, "unit_price": 7.5})
    );
    assert_eq!(d["shipping_methods"].as_array().unwrap().len(), 2);

    let path = temp_export("drafts", &exported);
    let mut cfg = config();
    cfg.fixture = Some(path.clone());
    cfg.demo = false;
    let loaded = TestApp::with(cfg, builder());
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
    assert_eq!(
        first,
        text_of(&loaded),
        "export → load → export is byte-identical"
    );
    let auth = format!(
        "Bearer {}",
        loaded.login("user", "admin@example.com", "supersecret")
    );
    let listed = loaded
        .admin_call("GET", "/admin/draft-orders", &auth, None)
        .json();
    let again = &listed["draft_orders"][0];
    for key in [
        "total",
        "tax_total",
        "discount_total",
        "shipping_total",
        "email",
    ] {
        assert_eq!(again[key], before[key], "{key}");
    }
}
