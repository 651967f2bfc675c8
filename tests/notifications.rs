//! The notification module: order, password-reset and invite mails sent by outbox subscribers
//! through the local provider (read back) and through SMTP (a loopback sink in the test),
//! once per event even when the event is delivered again; `/admin/notifications` as Medusa's.

mod common;

use common::orders::{Admin, Seen};
use common::{TestApp, config};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;
use stockroom::Engine;
use stockroom::modules::notification::provider::LocalProvider;

fn with_local() -> (Admin, LocalProvider) {
    let local = LocalProvider::quiet();
    let builder = Engine::builder().notification_provider(Arc::new(local.clone()));
    let app = TestApp::with(config(), builder);
    let auth = format!("Bearer {}", app.admin_token());
    let admin = Admin {
        app,
        auth,
        seen: Seen::default(),
    };
    (admin, local)
}

fn notifications(admin: &Admin, query: &str) -> Vec<Value> {
    admin.get(&format!("/admin/notifications?{query}"))["notifications"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn an_order_is_mailed_once_even_when_its_event_is_delivered_again() {
    let (admin, local) = with_local();
    let order = admin.order(2);
    admin.app.engine().wait_idle().unwrap();
    let sent = local.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mail = &sent[0];
    assert_eq!(mail.to, order["email"].as_str().unwrap());
    assert_eq!(mail.template, "order-placed");
    let display = order["display_id"].as_i64().unwrap();
    assert_eq!(mail.subject, format!("Your order #{display} is confirmed"));
    assert!(mail.text.contains("2 × "), "{}", mail.text);
    assert!(mail.text.contains("Total: "), "{}", mail.text);

    // The dispatcher delivers the event again (as after a crash before its acknowledgement).
    admin
        .app
        .engine()
        .store()
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE event_delivery SET status = 'pending'
                 WHERE subscriber = 'notify.order-placed'",
                [],
            )?)
        })
        .unwrap();
    admin.app.engine().wait_idle().unwrap();
    assert_eq!(local.sent().len(), 1, "a redelivery never mails twice");

    let listed = notifications(&admin, "template=order-placed");
    assert_eq!(listed.len(), 1);
    let row = &listed[0];
    assert_eq!(
        (
            row["status"].clone(),
            row["provider_id"].clone(),
            row["channel"].clone()
        ),
        (json!("success"), json!("local"), json!("email"))
    );
    assert_eq!(row["resource_id"], order["id"]);
    assert_eq!(row["trigger_type"], "order.placed");
    assert_eq!(
        row["external_id"],
        format!("local_{}", row["id"].as_str().unwrap())
    );
    let id = row["id"].as_str().unwrap();
    assert!(id.starts_with("noti_"));
    let one = admin.get(&format!("/admin/notifications/{id}"));
    assert_eq!(one["notification"], *row);
    assert_eq!(
        admin
            .call("GET", "/admin/notifications/noti_nope", None)
            .status,
        404
    );
    assert_eq!(admin.app.get("/admin/notifications").status, 401);
    assert!(notifications(&admin, "channel=feed").is_empty());
    let bad = admin.call("GET", "/admin/notifications?order=to", None);
    assert_eq!(bad.status, 400, "{}", bad.text());
}

#[test]
fn password_resets_and_invites_are_mailed_with_their_token() {
    let (admin, local) = with_local();
    let reply = admin.app.request(
        "POST",
        "/auth/user/emailpass/reset-password",
        &[("content-type", "application/json")],
        Some(r#"{"identifier": "admin@example.com"}"#),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    let invite =
        admin.post("/admin/invites", &json!({"email": "new.staff@example.com"}))["invite"].clone();
    admin.app.engine().wait_idle().unwrap();
    let sent = local.sent();
    let reset = sent
        .iter()
        .find(|m| m.template == "password-reset")
        .expect("a reset mail");
    assert_eq!(reset.to, "admin@example.com");
    let token = reset.data["token"].as_str().unwrap();
    assert!(token.len() > 20 && reset.text.contains(token));
    let invited = sent
        .iter()
        .find(|m| m.template == "invite")
        .expect("an invite mail");
    assert_eq!(invited.to, "new.staff@example.com");
    assert!(invited.text.contains(invite["token"].as_str().unwrap()));
    // An unknown identity gets the same 201 and no mail.
    admin.app.request(
        "POST",
        "/auth/user/emailpass/reset-password",
        &[("content-type", "application/json")],
        Some(r#"{"identifier": "nobody@example.com"}"#),
    );
    admin.app.engine().wait_idle().unwrap();
    assert_eq!(local.sent().len(), 2);
}

#[test]
fn send_is_a_plain_function_and_refuses_unknown_templates() {
    let (admin, local) = with_local();
    let engine = admin.app.engine();
    let sent = stockroom::flows::notifications::send(
        engine,
        "till@example.com",
        "order-placed",
        json!({"display_id": 12, "total": 990, "currency_code": "eur", "items": [{"title": "Tea", "quantity": 1}]}),
    )
    .unwrap();
    assert_eq!(sent.status, "success");
    assert!(local.sent()[0].text.contains("Total: 9.90 EUR"));
    let refused =
        stockroom::flows::notifications::send(engine, "x@example.com", "newsletter", json!({}));
    assert_eq!(refused.unwrap_err().status(), 400);
    assert_eq!(
        notifications(&admin, "").len(),
        1,
        "a refused send writes nothing"
    );
}

/// A loopback SMTP server that accepts every message and hands over the conversation.
fn smtp_sink() -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sent, inbox) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let mut transcript = String::new();
            let _ = writer.write_all(b"220 sink ESMTP\r\n");
            let mut in_data = false;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                transcript.push_str(&line);
                let reply: &[u8] = if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        b"250 queued\r\n"
                    } else {
                        b""
                    }
                } else {
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = writer.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    }
                };
                let _ = writer.write_all(reply);
                line.clear();
            }
            let _ = sent.send(transcript);
        }
    });
    (port, inbox)
}

#[test]
fn the_smtp_provider_mails_through_a_server() {
    let (port, inbox) = smtp_sink();
    let mut config = config();
    config.ops.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
    config.ops.smtp_from = Some("Shop <shop@example.com>".into());
    let app = TestApp::with(config, Engine::builder());
    let auth = format!("Bearer {}", app.admin_token());
    let admin = Admin {
        app,
        auth,
        seen: Seen::default(),
    };
    let order = admin.order(1);
    let mail = inbox.recv_timeout(Duration::from_secs(15)).expect("a mail");
    let email = order["email"].as_str().unwrap();
    assert!(mail.contains(&format!("RCPT TO:<{email}>")), "{mail}");
    assert!(mail.contains("MAIL FROM:<shop@example.com>"), "{mail}");
    assert!(mail.contains("Subject: Your order #"), "{mail}");
    admin.app.engine().wait_idle().unwrap();
    let row = notifications(&admin, "template=order-placed")[0].clone();
    assert_eq!(
        (row["provider_id"].clone(), row["status"].clone()),
        (json!("smtp"), json!("success"))
    );
    let message_id = row["external_id"].as_str().unwrap();
    assert_eq!(
        message_id,
        format!("<{}@example.com>", row["id"].as_str().unwrap())
    );
    assert!(
        mail.contains(&format!("Message-ID: {message_id}")),
        "{mail}"
    );
}
