//! Helpers for the admin fulfillment setup tests: an admin client that records the setup
//! events, and a stock location set up to ship to some countries through the admin API.

use super::client::Reply;
use super::{TestApp, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::Engine;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// The events recorded.
const EVENTS: &[&str] = &[
    "shipping-profile.created",
    "shipping-option-type.created",
    "shipping-option.created",
    "shipping-option.updated",
    "shipping-option.deleted",
    "shipping-option-rule.created",
    "shipping-option-rule.updated",
    "shipping-option-rule.deleted",
    "geo-zone.created",
    "geo-zone.updated",
    "geo-zone.deleted",
    "fulfillment-set.created",
    "fulfillment-set.deleted",
    "service-zone.created",
    "service-zone.deleted",
];

/// An admin client over the demo app, recording the setup events.
pub struct Admin {
    /// The app.
    pub app: TestApp,
    auth: String,
    seen: Seen,
}

impl Admin {
    pub fn start() -> Admin {
        let seen = Seen::default();
        let mut builder = Engine::builder();
        for name in EVENTS {
            let seen = seen.clone();
            builder = builder.on(&format!("test.{name}"), name, move |_, event| {
                let mut seen = seen.lock().expect("lock");
                seen.push((event.name.clone(), event.data.clone()));
                Ok(())
            });
        }
        let app = TestApp::with(config(), builder);
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth, seen }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    #[track_caller]
    pub fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    /// Expects `status` and Medusa's error `type`; returns the message.
    #[track_caller]
    pub fn refused(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        status: u16,
        kind: &str,
    ) -> String {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        let json = reply.json();
        assert_eq!(json["type"], kind, "{}", reply.text());
        json["message"].as_str().expect("message").to_string()
    }

    pub fn events(&self, name: &str) -> Vec<Value> {
        self.app.engine().wait_idle().expect("idle");
        let seen = self.seen.lock().expect("lock");
        seen.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .collect()
    }

    /// A stock location with `manual_manual` enabled, a shipping set and a zone over
    /// `countries`; returns `(location, set, zone)`.
    pub fn shipping_from(&self, name: &str, countries: &[&str]) -> (String, String, String) {
        let body =
            json!({"name": name, "address": {"address_1": "1 Quay", "country_code": countries[0]}});
        let location =
            id(&self.ok("POST", "/admin/stock-locations", Some(&body))["stock_location"]);
        let add = json!({"add": ["manual_manual"]});
        self.ok(
            "POST",
            &format!("/admin/stock-locations/{location}/fulfillment-providers"),
            Some(&add),
        );
        let set = json!({"name": format!("{name} shipping"), "type": "shipping"});
        let doc = self.ok(
            "POST",
            &format!("/admin/stock-locations/{location}/fulfillment-sets"),
            Some(&set),
        );
        let set = id(&doc["stock_location"]["fulfillment_sets"][0]);
        let geo: Vec<Value> = countries
            .iter()
            .map(|c| json!({"type": "country", "country_code": c}))
            .collect();
        let zone = json!({"name": format!("{name} zone"), "geo_zones": geo});
        let doc = self.ok(
            "POST",
            &format!("/admin/fulfillment-sets/{set}/service-zones"),
            Some(&zone),
        );
        let zone = id(&doc["fulfillment_set"]["service_zones"][0]);
        (location, set, zone)
    }

    pub fn profile(&self, name: &str) -> String {
        let body = json!({"name": name, "type": "default"});
        id(&self.ok("POST", "/admin/shipping-profiles", Some(&body))["shipping_profile"])
    }

    pub fn option(&self, zone: &str, profile: &str, prices: Value) -> Value {
        let body = json!({
            "name": "Courier", "service_zone_id": zone, "shipping_profile_id": profile,
            "provider_id": "manual_manual", "price_type": "flat",
            "type": {"label": "Courier", "description": "Next day", "code": "courier"},
            "prices": prices,
            "rules": [{"attribute": "enabled_in_store", "operator": "eq", "value": "true"},
                      {"attribute": "is_return", "operator": "eq", "value": "false"}],
        });
        self.ok("POST", "/admin/shipping-options", Some(&body))["shipping_option"].clone()
    }
}

/// The `id` of a JSON object.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}
