//! Issue 12's checkout findings: unguessable IDs from a real engine (finding 2), payment
//! providers checked against the cart's region and the test provider only where enabled
//! (finding 6), a cart update's sales channel checked against the publishable key
//! (finding 7).

use crate::common;

use common::{TestApp, config};
use serde_json::json;
use stockroom::Engine;
use stockroom::db::{Store, StoreOptions};

#[test]
fn ids_of_a_real_engine_are_not_neighbours() {
    let engine = Engine::builder()
        .build(Store::memory(StoreOptions::default()).expect("store"))
        .expect("engine");
    let mut randoms: Vec<u128> = (0..10_000)
        .map(|_| {
            let id = engine.ctx().id("cart");
            let ulid = id.split_once('_').expect("prefix").1;
            ulid::Ulid::from_string(ulid).expect("ulid").random()
        })
        .collect();
    randoms.sort_unstable();
    let closest = randoms
        .windows(2)
        .map(|w| w[1] - w[0])
        .min()
        .expect("pairs");
    assert!(closest > 1_000, "two IDs are {closest} apart");
    engine.shutdown();
}

fn session(app: &TestApp, cart: &str, provider: &str) -> common::client::Reply {
    let collection = app.ok("/store/payment-collections", &json!({"cart_id": cart}));
    let id = collection["payment_collection"]["id"].as_str().expect("id");
    app.store_post(
        &format!("/store/payment-collections/{id}/payment-sessions"),
        &json!({"provider_id": provider}),
    )
}

#[test]
fn a_provider_the_region_does_not_offer_is_refused() {
    let app = TestApp::start();
    let region = app.region("usd");
    let auth = format!("Bearer {}", app.admin_token());
    let reply = app.admin_call(
        "POST",
        &format!("/admin/regions/{region}"),
        &auth,
        Some(&json!({"payment_providers": []})),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let cart = app.cart_with("usd", &app.variant(), 1);
    let refused = session(&app, &cart, "pp_system_default");
    assert_eq!(refused.status, 400, "{}", refused.text());
    // Medusa 2.21.2's exact answer, asked of the real one.
    assert_eq!(
        refused.json(),
        json!({"type": "invalid_data", "message": format!(
            "Payment provider pp_system_default is not enabled in the cart's region {region}."
        )})
    );
    // The scripted test provider stays offered everywhere in a fixture store.
    assert_eq!(session(&app, &cart, "pp_test_test").status, 200);
    // Medusa answers an unknown provider the same way (400, not 404).
    let unknown = session(&app, &cart, "pp_nope_nope");
    assert_eq!(unknown.status, 400, "{}", unknown.text());
    assert_eq!(unknown.json()["type"], "invalid_data");
}

#[test]
fn the_test_provider_does_not_exist_unless_enabled() {
    let app = TestApp::with(config(), Engine::builder().test_payment_provider(false));
    let cart = app.cart_with("usd", &app.variant(), 1);
    let refused = session(&app, &cart, "pp_test_test");
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.json()["type"], "invalid_data");
    assert_eq!(session(&app, &cart, "pp_system_default").status, 200);
}

#[test]
fn a_cart_update_cannot_move_to_a_channel_outside_the_key() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let created = app.admin_call(
        "POST",
        "/admin/sales-channels",
        &auth,
        Some(&json!({"name": "Back office"})),
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let channel = created.json()["sales_channel"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let cart = app.cart_with("usd", &app.variant(), 1);
    let refused = app.store_post(
        &format!("/store/carts/{cart}"),
        &json!({"sales_channel_id": channel}),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    // The same answer as creating a cart in that channel (Medusa's `errors` body).
    assert!(
        refused
            .text()
            .contains("is not associated with the Publishable API Key")
    );
    let unchanged = app.store_get(&format!("/store/carts/{cart}")).json();
    assert_ne!(unchanged["cart"]["sales_channel_id"], channel);
}
