//! Provider traits through the public API (issue 20 part 6): fulfillment (the
//! `weight_shipping` example: options, option validation, calculated prices in the cart and
//! `/calculate`, create and cancel at the provider, and a provider that fails), tax (a region
//! naming a custom provider taxes its carts through it), payment (a custom provider offered
//! by a region and used at checkout) and file (a custom provider behind `/admin/uploads`) —
//! each registered with `EngineBuilder::<kind>_provider`.

use crate::common;

use crate::example_weight_shipping as weight_shipping;

use common::client::send;
use common::{TestApp, config};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stockroom::modules::file::NewFile;
use stockroom::modules::file::provider::{FileCall, FileProvider, FileRef};
use stockroom::modules::fulfillment::provider::{
    FulfillmentCall, FulfillmentOption, FulfillmentProvider,
};
use stockroom::modules::payment::provider::{Call, PaymentProvider, Reply};
use stockroom::modules::tax::TaxRate;
use stockroom::modules::tax::provider::{LineRate, TaxProvider, TaxableLine};
use stockroom::{Engine, Error, Result};
use weight_shipping::WeightShipping;

struct Shop {
    app: TestApp,
    auth: String,
}

impl Shop {
    fn with(builder: stockroom::EngineBuilder) -> Shop {
        let app = TestApp::with(config(), builder);
        let auth = format!("Bearer {}", app.admin_token());
        Shop { app, auth }
    }

    fn admin(&self, method: &str, path: &str, body: Option<&Value>) -> common::client::Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    #[track_caller]
    fn admin_ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let reply = self.admin(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    /// Enables `provider` at the demo's stock location and adds an option of it to the zone
    /// of the demo's first option; returns the new option's id.
    fn option_of(&self, provider: &str, price_type: &str, data: Value) -> String {
        let location =
            self.admin_ok("GET", "/admin/stock-locations", None)["stock_locations"][0]["id"]
                .as_str()
                .expect("a location")
                .to_string();
        self.admin_ok(
            "POST",
            &format!("/admin/stock-locations/{location}/fulfillment-providers"),
            Some(&json!({"add": [provider]})),
        );
        let first =
            self.admin_ok("GET", "/admin/shipping-options", None)["shipping_options"][0].clone();
        let body = json!({
            "name": format!("By {provider}"), "service_zone_id": first["service_zone_id"],
            "shipping_profile_id": first["shipping_profile_id"], "provider_id": provider,
            "price_type": price_type, "data": data,
            "type": {"label": "Carrier", "description": "By weight", "code": "carrier"},
            "prices": if price_type == "flat" { json!([{"currency_code": "usd", "amount": 3}]) } else { json!([]) },
            "rules": [{"attribute": "enabled_in_store", "operator": "eq", "value": "true"},
                      {"attribute": "is_return", "operator": "eq", "value": "false"}],
        });
        let reply = self.admin("POST", "/admin/shipping-options", Some(&body));
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["shipping_option"]["id"]
            .as_str()
            .expect("option id")
            .to_string()
    }

    /// A US cart of `quantity` of the first variant, with email and addresses.
    fn cart(&self, quantity: i64) -> String {
        let variant = self.app.variant();
        let cart = self.app.cart_with("usd", &variant, quantity);
        let address = common::checkout::address("us");
        self.app.ok(
            &format!("/store/carts/{cart}"),
            &json!({"email": "ada@example.com", "shipping_address": address, "billing_address": address}),
        );
        cart
    }

    /// Ships `cart` with `option`, pays with `provider` and completes it; returns the order.
    fn place(&self, cart: &str, option: &str, provider: &str) -> Value {
        self.app.ok(
            &format!("/store/carts/{cart}/shipping-methods"),
            &json!({"option_id": option}),
        );
        let pc = self
            .app
            .ok("/store/payment-collections", &json!({"cart_id": cart}))["payment_collection"]["id"]
            .as_str()
            .expect("collection")
            .to_string();
        self.app.ok(
            &format!("/store/payment-collections/{pc}/payment-sessions"),
            &json!({"provider_id": provider}),
        );
        let reply = self.app.complete(cart);
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["type"], "order", "{}", reply.text());
        reply.json()["order"].clone()
    }

    fn sql_row(&self, sql: &str) -> (String, String) {
        let sql = sql.to_string();
        self.app
            .engine()
            .store()
            .read(move |c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
            .expect("row")
    }
}

fn first_variant_grams(shop: &Shop) -> f64 {
    let variant = shop.app.variant();
    shop.app
        .engine()
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT coalesce(v.weight, p.weight) FROM product_variant v JOIN product p ON p.id = v.product_id WHERE v.id = ?1",
                [&variant],
                |r| r.get(0),
            )?)
        })
        .expect("weight")
}

#[test]
fn weight_shipping_prices_fulfils_and_cancels_through_its_provider() {
    let provider = WeightShipping::default();
    let shop = Shop::with(weight_shipping::register(
        Engine::builder(),
        provider.clone(),
    ));
    let options = shop.admin_ok(
        "GET",
        "/admin/fulfillment-providers/weight_weight/options",
        None,
    );
    assert_eq!(
        options["fulfillment_options"],
        json!([{"id": "weight-standard"}])
    );
    let listed = shop.admin_ok("GET", "/admin/fulfillment-providers", None);
    let ids: Vec<&str> = listed["fulfillment_providers"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, ["manual_manual", "weight_weight"]);

    // The provider checks the option's data; the manual provider cannot calculate.
    let _ = shop.option_of(
        "weight_weight",
        "calculated",
        json!({"base": 500, "per_kg": 250}),
    );
    let first =
        shop.admin_ok("GET", "/admin/shipping-options", None)["shipping_options"][0].clone();
    let bad = json!({
        "name": "Bad", "service_zone_id": first["service_zone_id"],
        "shipping_profile_id": first["shipping_profile_id"], "provider_id": "weight_weight",
        "price_type": "calculated", "data": {"base": -1, "per_kg": 250},
        "type": {"label": "B", "description": "B", "code": "b"}, "prices": [],
    });
    let refused = shop.admin("POST", "/admin/shipping-options", Some(&bad));
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert!(refused.text().contains("data.base"), "{}", refused.text());
    let mut manual = bad.clone();
    manual["provider_id"] = json!("manual_manual");
    manual["data"] = json!({});
    assert_eq!(
        shop.admin("POST", "/admin/shipping-options", Some(&manual))
            .status,
        400
    );

    let option = shop.admin_ok(
        "GET",
        "/admin/shipping-options?provider_id=weight_weight",
        None,
    )["shipping_options"][0]["id"]
        .as_str()
        .expect("the weight option")
        .to_string();
    let quantity = 3;
    let cart = shop.cart(quantity);
    let grams = first_variant_grams(&shop) * quantity as f64;
    let expected = 500 + 250 * (grams / 1000.0).ceil() as i64;
    let offered = shop
        .app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    let ours = offered["shipping_options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["id"] == option.as_str())
        .cloned()
        .expect("the calculated option is offered");
    let major = |minor: i64| json!(minor as f64 / 100.0);
    assert_eq!(ours["amount"].as_f64(), major(expected).as_f64(), "{ours}");
    let calculated = shop.app.ok(
        &format!("/store/shipping-options/{option}/calculate"),
        &json!({"cart_id": cart}),
    );
    assert_eq!(
        calculated["shipping_option"]["amount"].as_f64(),
        major(expected).as_f64()
    );

    let order = shop.place(&cart, &option, "pp_system_default");
    assert_eq!(
        order["shipping_methods"][0]["amount"].as_f64(),
        major(expected).as_f64()
    );
    let (order_id, line) = (
        order["id"].as_str().expect("id").to_string(),
        order["items"][0]["id"].as_str().expect("line").to_string(),
    );
    shop.admin_ok(
        "POST",
        &format!("/admin/orders/{order_id}/fulfillments"),
        Some(&json!({"items": [{"id": line, "quantity": quantity}]})),
    );
    let (provider_id, data) = shop.sql_row("SELECT provider_id, data FROM fulfillment");
    assert_eq!(provider_id, "weight_weight");
    assert_eq!(
        data,
        json!({"pickup": format!("WT-{order_id}")}).to_string()
    );
    let fulfillment = shop.sql_row("SELECT id, provider_id FROM fulfillment").0;
    shop.admin_ok(
        "POST",
        &format!("/admin/orders/{order_id}/fulfillments/{fulfillment}/cancel"),
        Some(&json!({})),
    );
    let seen = provider.bookings.lock().expect("ledger").clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].starts_with("book ") && seen[1].starts_with("cancel "),
        "{seen:?}"
    );
}

/// A carrier that is down: every call fails.
struct Down {
    calls: Arc<Mutex<Vec<&'static str>>>,
}

impl FulfillmentProvider for Down {
    fn id(&self) -> &'static str {
        "down_down"
    }
    fn options(&self) -> Vec<FulfillmentOption> {
        Vec::new()
    }
    fn create_fulfillment(&self, _: &FulfillmentCall) -> Result<Value> {
        self.calls.lock().expect("calls").push("create");
        Err(Error::invalid("the carrier is down"))
    }
    fn cancel_fulfillment(&self, _: &FulfillmentCall) -> Result<()> {
        self.calls.lock().expect("calls").push("cancel");
        Ok(())
    }
}

#[test]
fn a_failing_fulfillment_provider_leaves_the_order_and_stock_untouched() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let shop = Shop::with(Engine::builder().fulfillment_provider(Down {
        calls: calls.clone(),
    }));
    let option = shop.option_of("down_down", "flat", json!({}));
    let cart = shop.cart(1);
    let order = shop.place(&cart, &option, "pp_system_default");
    let (order_id, line) = (
        order["id"].as_str().expect("id").to_string(),
        order["items"][0]["id"].as_str().expect("line").to_string(),
    );
    let stock = || {
        let sql = format!(
            "SELECT stocked_quantity, reserved_quantity FROM inventory_level WHERE inventory_item_id =
               (SELECT inventory_item_id FROM inventory_reservation_item WHERE line_item_id = '{line}' LIMIT 1)"
        );
        shop.app
            .engine()
            .store()
            .read(move |c| {
                Ok(c.query_row(&sql, [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?)
            })
            .expect("stock")
    };
    let before = stock();
    let reply = shop.admin(
        "POST",
        &format!("/admin/orders/{order_id}/fulfillments"),
        Some(&json!({"items": [{"id": line, "quantity": 1}]})),
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("the carrier is down"));
    assert_eq!(stock(), before);
    let count: i64 = shop
        .app
        .engine()
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM fulfillment", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(count, 0);
    assert_eq!(*calls.lock().expect("calls"), ["create"]);
}

/// Ten percent on everything, whatever the tax module's rates say.
struct FlatTax;

impl TaxProvider for FlatTax {
    fn id(&self) -> &'static str {
        "tp_flat"
    }
    fn rates_for_line(&self, line: &TaxableLine, _: &[TaxRate]) -> Result<Vec<LineRate>> {
        let name = if line.is_shipping {
            "Flat (shipping)"
        } else {
            "Flat"
        };
        Ok(vec![LineRate {
            tax_rate_id: None,
            code: "FLAT".into(),
            name: name.into(),
            rate_ppm: 10_000_000,
        }])
    }
}

#[test]
fn a_tax_region_naming_a_custom_provider_taxes_carts_through_it() {
    let shop = Shop::with(Engine::builder().tax_provider(FlatTax));
    let providers = shop.admin_ok("GET", "/admin/tax-providers", None);
    assert_eq!(
        providers["tax_providers"],
        json!([{"id": "tp_system", "is_enabled": true}, {"id": "tp_flat", "is_enabled": true}])
    );
    let unknown = shop.admin(
        "POST",
        "/admin/tax-regions",
        Some(&json!({"country_code": "ca", "provider_id": "tp_nope"})),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.text());
    let regions = shop.admin_ok("GET", "/admin/tax-regions", None);
    let us = regions["tax_regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["country_code"] == "us")
        .and_then(|r| r["id"].as_str())
        .expect("the US tax region")
        .to_string();
    shop.admin_ok("DELETE", &format!("/admin/tax-regions/{us}"), None);
    let made = shop.admin_ok(
        "POST",
        "/admin/tax-regions",
        Some(&json!({"country_code": "us", "provider_id": "tp_flat"})),
    );
    assert_eq!(made["tax_region"]["provider_id"], "tp_flat");
    let cart = shop.cart(1);
    let doc = shop
        .app
        .store_get(&format!("/store/carts/{cart}?fields=*items.tax_lines"))
        .json();
    let line = &doc["cart"]["items"][0]["tax_lines"][0];
    assert_eq!(line["code"], "FLAT", "{doc}");
    assert_eq!(line["provider_id"], "tp_flat");
    assert_eq!(line["rate"].as_f64(), Some(10.0));
}

/// A payment provider that authorizes everything and remembers each call.
struct Acme {
    calls: Arc<Mutex<Vec<String>>>,
}

impl Acme {
    fn answer(&self, op: &str, call: &Call, status: &'static str) -> Result<Reply> {
        self.calls
            .lock()
            .expect("calls")
            .push(format!("{op} {}", call.amount));
        Ok(Reply {
            status,
            data: json!({"acme": op}),
        })
    }
}

impl PaymentProvider for Acme {
    fn id(&self) -> &'static str {
        "pp_acme_acme"
    }
    fn initiate(&self, call: &Call) -> Result<Reply> {
        self.answer("initiate", call, "pending")
    }
    fn authorize(&self, call: &Call) -> Result<Reply> {
        self.answer("authorize", call, "authorized")
    }
    fn capture(&self, call: &Call) -> Result<Reply> {
        self.answer("capture", call, "captured")
    }
    fn refund(&self, call: &Call) -> Result<Reply> {
        self.answer("refund", call, "captured")
    }
    fn cancel(&self, call: &Call) -> Result<Reply> {
        self.answer("cancel", call, "canceled")
    }
}

#[test]
fn a_payment_provider_registered_through_the_builder_takes_payments() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let shop = Shop::with(Engine::builder().payment_provider(Acme {
        calls: calls.clone(),
    }));
    let listed = shop.admin_ok("GET", "/admin/payments/payment-providers", None);
    assert!(
        listed["payment_providers"]
            .as_array()
            .expect("list")
            .iter()
            .any(|p| p["id"] == "pp_acme_acme"),
        "{listed}"
    );
    let region = shop.app.region("usd");
    shop.admin_ok(
        "POST",
        &format!("/admin/regions/{region}"),
        Some(&json!({"payment_providers": ["pp_system_default", "pp_acme_acme"]})),
    );
    let cart = shop.cart(1);
    let options = shop
        .app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    let option = options["shipping_options"][0]["id"]
        .as_str()
        .expect("an option")
        .to_string();
    let order = shop.place(&cart, &option, "pp_acme_acme");
    let total = (order["total"].as_f64().expect("total") * 100.0).round() as i64;
    let seen = calls.lock().expect("calls").clone();
    assert_eq!(
        seen,
        [format!("initiate {total}"), format!("authorize {total}")]
    );
}

/// Files kept in memory, served from a pretend CDN.
#[derive(Default)]
struct MemoryFiles {
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl FileProvider for MemoryFiles {
    fn id(&self) -> &'static str {
        "memory"
    }
    fn upload(&self, call: &FileCall, files: Vec<NewFile>) -> Result<Vec<FileRef>> {
        let mut kept = self.files.lock().expect("files");
        Ok(files
            .iter()
            .map(|f| {
                let id = call.ctx.id("file");
                kept.insert(id.clone(), f.content().to_vec());
                FileRef {
                    url: format!("https://cdn.example/{id}/{}", f.filename()),
                    id,
                }
            })
            .collect())
    }
    fn get(&self, _: &FileCall, id: &str) -> Result<FileRef> {
        match self.files.lock().expect("files").contains_key(id) {
            true => Ok(FileRef {
                id: id.to_string(),
                url: format!("https://cdn.example/{id}"),
            }),
            false => Err(Error::NotFound(format!("File with id: {id} not found"))),
        }
    }
    fn delete(&self, _: &FileCall, id: &str) -> Result<()> {
        self.files.lock().expect("files").remove(id);
        Ok(())
    }
}

fn blobs(shop: &Shop) -> i64 {
    shop.app
        .engine()
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM file_blob", [], |r| r.get(0))?))
        .expect("count")
}

#[test]
fn the_file_provider_behind_admin_uploads_can_be_replaced() {
    let files = MemoryFiles::default();
    let kept = files.files.clone();
    let shop = Shop::with(Engine::builder().file_provider(files));
    let before = blobs(&shop);
    let boundary = "----providers-test";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let reply = send(
        &shop.app.addr,
        "POST",
        "/admin/uploads",
        &[
            ("authorization", &shop.auth),
            ("content-type", &content_type),
        ],
        Some(body.as_bytes()),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let file = reply.json()["files"][0].clone();
    let id = file["id"].as_str().expect("id").to_string();
    assert_eq!(file["url"], format!("https://cdn.example/{id}/a.txt"));
    assert_eq!(kept.lock().expect("files")[&id], b"hello");
    assert_eq!(blobs(&shop), before, "the local provider stored nothing");
    let got = shop.admin_ok("GET", &format!("/admin/uploads/{id}"), None);
    assert_eq!(got["file"]["url"], format!("https://cdn.example/{id}"));
    shop.admin_ok("DELETE", &format!("/admin/uploads/{id}"), None);
    assert!(kept.lock().expect("files").is_empty());
    assert_eq!(
        shop.admin("GET", &format!("/admin/uploads/{id}"), None)
            .status,
        404
    );
}
