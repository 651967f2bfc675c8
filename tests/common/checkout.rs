//! Helpers for the checkout tests: discover the demo region and variants, and walk a cart
//! through the storefront's calls.

use super::client::Reply;
use super::{DEMO_KEY, TestApp};
use serde_json::{Value, json};

/// Percent-encodes a query value (the storefront's `fields=` strings carry `*`, `,`, spaces).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A storefront address in `country`.
pub fn address(country: &str) -> Value {
    json!({"first_name": "Ada", "last_name": "Lovelace", "address_1": "1 Main St", "address_2": "",
        "company": "", "postal_code": "10001", "city": "Springfield", "country_code": country,
        "province": "", "phone": ""})
}

impl TestApp {
    /// The id of the demo region with `currency`.
    pub fn region(&self, currency: &str) -> String {
        let regions = self.store_get("/store/regions").json();
        regions["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["currency_code"] == currency)
            .and_then(|r| r["id"].as_str())
            .expect("a region in that currency")
            .to_string()
    }

    /// Ids of the variants of the `n`-th demo product (by listing order).
    pub fn variants(&self, n: usize) -> Vec<String> {
        let reply = self.store_get(&format!(
            "/store/products?limit=1&offset={n}&fields={}",
            enc("*variants")
        ));
        let product = &reply.json()["products"][0];
        product["variants"]
            .as_array()
            .expect("variants")
            .iter()
            .map(|v| v["id"].as_str().expect("id").to_string())
            .collect()
    }

    /// The first variant of the first product.
    pub fn variant(&self) -> String {
        self.variants(0).remove(0)
    }

    /// A store call with the demo key and extra headers.
    pub fn store_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let mut all = vec![
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ];
        all.extend_from_slice(headers);
        let text = body.map(Value::to_string);
        self.request(method, path, &all, text.as_deref())
    }

    /// POST and expect 200; returns the JSON body.
    #[track_caller]
    pub fn ok(&self, path: &str, body: &Value) -> Value {
        let reply = self.store_post(path, body);
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text());
        reply.json()
    }

    /// A cart in the region of `currency` holding `quantity` of `variant`; returns its id.
    pub fn cart_with(&self, currency: &str, variant: &str, quantity: i64) -> String {
        let cart = self.ok("/store/carts", &json!({"region_id": self.region(currency)}));
        let id = cart["cart"]["id"].as_str().expect("cart id").to_string();
        self.ok(
            &format!("/store/carts/{id}/line-items"),
            &json!({"variant_id": variant, "quantity": quantity}),
        );
        id
    }

    /// Email, addresses (in `country`), the first shipping option, a payment session with
    /// `provider`: everything a cart needs before completion.
    pub fn ready(&self, cart: &str, country: &str, provider: &str) {
        let body = json!({"email": "ada@example.com", "shipping_address": address(country), "billing_address": address(country)});
        self.ok(&format!("/store/carts/{cart}"), &body);
        let options = self
            .store_get(&format!("/store/shipping-options?cart_id={cart}"))
            .json();
        let option = options["shipping_options"][0]["id"]
            .as_str()
            .expect("a shipping option")
            .to_string();
        self.ok(
            &format!("/store/carts/{cart}/shipping-methods"),
            &json!({"option_id": option}),
        );
        let collection = self.ok("/store/payment-collections", &json!({"cart_id": cart}));
        let pc = collection["payment_collection"]["id"]
            .as_str()
            .expect("collection")
            .to_string();
        self.ok(
            &format!("/store/payment-collections/{pc}/payment-sessions"),
            &json!({"provider_id": provider}),
        );
    }

    /// `POST /store/carts/:id/complete`.
    pub fn complete(&self, cart: &str) -> Reply {
        self.store_post(&format!("/store/carts/{cart}/complete"), &json!({}))
    }

    /// A whole guest checkout of one unit of `variant` in `currency`; returns the reply of
    /// the completion.
    pub fn checkout(&self, currency: &str, variant: &str) -> Reply {
        let cart = self.cart_with(currency, variant, 1);
        self.ready(
            &cart,
            if currency == "eur" { "de" } else { "us" },
            "pp_system_default",
        );
        self.complete(&cart)
    }

    /// Test control: script the test provider.
    pub fn script_payments(&self, outcomes: &[&str]) {
        let reply = self.request(
            "POST",
            "/test-control/payment-provider/script",
            &[("content-type", "application/json")],
            Some(&json!({"outcomes": outcomes}).to_string()),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
    }

    /// Test control: set a variant's stock.
    pub fn set_stock(&self, variant: &str, stocked: i64) {
        let reply = self.request(
            "POST",
            &format!("/test-control/variants/{variant}/stock"),
            &[("content-type", "application/json")],
            Some(&json!({"stocked_quantity": stocked}).to_string()),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
}
