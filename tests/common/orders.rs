//! Admin helpers for the order-management tests: an app recording the order, fulfillment
//! and payment events, an admin token, orders placed through the store checkout, and the
//! stock behind an order line.

use super::client::Reply;
use super::{TestApp, config};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use stockroom::Engine;

/// Events seen by the recording subscribers.
pub type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// The events recorded.
pub const EVENTS: &[&str] = &[
    "order.fulfillment_created",
    "order.fulfillment_canceled",
    "shipment.created",
    "delivery.created",
    "payment.captured",
    "payment.refunded",
    "order.canceled",
    "order.updated",
    "order.archived",
    "order.completed",
    "order.transfer_requested",
    "order.return_requested",
    "order.return_received",
    "order.return_canceled",
    "order-edit.requested",
    "order-edit.confirmed",
    "order-edit.canceled",
    "order.exchange_created",
    "order.claim_created",
];

/// An app with an admin token and recorded events.
pub struct Admin {
    /// The app.
    pub app: TestApp,
    /// `Bearer <token>`.
    pub auth: String,
    /// Recorded `(name, data)`.
    pub seen: Seen,
}

impl Admin {
    /// Starts the demo app with the recording subscribers.
    pub fn start() -> Admin {
        let seen = Seen::default();
        let mut builder = Engine::builder();
        for name in EVENTS {
            let seen = seen.clone();
            builder = builder.on(&format!("test.{name}"), name, move |_, event| {
                seen.lock()
                    .unwrap()
                    .push((event.name.clone(), event.data.clone()));
                Ok(())
            });
        }
        let app = TestApp::with(config(), builder);
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth, seen }
    }

    /// An admin call.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    /// GET, expecting 200.
    #[track_caller]
    pub fn get(&self, path: &str) -> Value {
        let reply = self.call("GET", path, None);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
        reply.json()
    }

    /// POST, expecting 200.
    #[track_caller]
    pub fn post(&self, path: &str, body: &Value) -> Value {
        let reply = self.call("POST", path, Some(body));
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text());
        reply.json()
    }

    /// POST, expecting `status` and error `type`.
    #[track_caller]
    pub fn refused(&self, path: &str, body: &Value, status: u16, kind: &str) -> Value {
        let reply = self.call("POST", path, Some(body));
        assert_eq!(reply.status, status, "POST {path}: {}", reply.text());
        let json = reply.json();
        assert_eq!(json["type"], kind, "{json}");
        json
    }

    /// Places an order of `quantity` units of the first demo variant; returns the order.
    pub fn order(&self, quantity: i64) -> Value {
        let variant = self.app.variant();
        let cart = self.app.cart_with("usd", &variant, quantity);
        self.app.ready(&cart, "us", "pp_system_default");
        let reply = self.app.complete(&cart);
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["order"].clone()
    }

    /// `(stocked, reserved)` of the inventory item behind an order line.
    pub fn stock(&self, line: &str) -> (i64, i64) {
        let sql = format!(
            "SELECT stocked_quantity, reserved_quantity FROM inventory_level WHERE inventory_item_id =
               (SELECT inventory_item_id FROM inventory_reservation_item WHERE line_item_id = '{line}' LIMIT 1)"
        );
        self.app
            .engine()
            .store()
            .read(move |c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
            .unwrap()
    }

    /// Every recorded event, once deliveries settle.
    pub fn events(&self) -> Vec<(String, Value)> {
        self.app.engine().wait_idle().unwrap();
        self.seen.lock().unwrap().clone()
    }
}

/// The `id` of a JSON object.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// The first payment of an order document.
pub fn payment_of(order: &Value) -> String {
    id(&order["payment_collections"][0]["payments"][0])
}
