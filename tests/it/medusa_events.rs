//! Core flows emit Medusa's events through the outbox: a subscriber registered through the
//! public builder sees them (and a mailer can deliver the password-reset token).

use crate::common;

use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::Engine;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

fn app_recording(names: &[&'static str]) -> (TestApp, Seen) {
    let seen = Seen::default();
    let mut builder = Engine::builder();
    for name in names {
        let seen = seen.clone();
        builder = builder.on(&format!("test.{name}"), name, move |_, event| {
            seen.lock()
                .unwrap()
                .push((event.name.clone(), event.data.clone()));
            Ok(())
        });
    }
    (TestApp::with(config(), builder), seen)
}

#[test]
fn signing_up_emits_customer_created() {
    let (app, seen) = app_recording(&["customer.created"]);
    let (customer_id, _) = app.signup("events@example.com", "secret-password");
    app.engine().wait_idle().unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![("customer.created".to_string(), json!({"id": customer_id}))]
    );
}

#[test]
fn a_password_reset_hands_the_token_to_subscribers() {
    let (app, seen) = app_recording(&["auth.password_reset"]);
    app.signup("forgetful@example.com", "old-password-1");
    let reply = app.post(
        "/auth/customer/emailpass/reset-password",
        &[],
        &json!({"identifier": "forgetful@example.com"}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    app.engine().wait_idle().unwrap();
    let events = seen.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    let token = events[0].1["token"].as_str().unwrap().to_string();
    assert_eq!(events[0].1["entity_id"], "forgetful@example.com");
    let update = app.request(
        "POST",
        "/auth/customer/emailpass/update",
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {token}")),
        ],
        Some(&json!({"password": "new-password-2"}).to_string()),
    );
    assert_eq!(update.status, 200, "{}", update.text());
    assert_eq!(
        app.login_reply("customer", "forgetful@example.com", "new-password-2")
            .status,
        200
    );
}
