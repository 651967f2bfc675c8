//! The notification module: order, password-reset and invite mails sent by outbox subscribers
//! through the local provider (read back) and through SMTP (a loopback sink in the test),
//! once per event even when the event is delivered again; `/admin/notifications` as Medusa's.
//! The write jobs a mail costs on each path (in process: none of its own, it rides in the
//! dispatcher's fan-out job; journaled: claim, then record),
//! and a refused send's retries and dead letter on both.

use crate::common;

use common::orders::{Admin, Seen};
use common::smtp::smtp_sink;
use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stockroom::Engine;
use stockroom::events::dispatcher::RetryPolicy;
use stockroom::modules::notification::provider::{LocalProvider, Message, NotificationProvider};

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

/// A provider that refuses its first `failures` sends, keeps what it accepts, and declares
/// itself in-process or not (the journaled path, as SMTP takes).
struct Flaky {
    in_process: bool,
    failures: AtomicU32,
    sent: Mutex<Vec<Message>>,
}

impl NotificationProvider for Flaky {
    fn id(&self) -> &str {
        "flaky"
    }

    fn channels(&self) -> Vec<String> {
        vec!["email".into()]
    }

    fn send(&self, message: &Message) -> stockroom::error::Result<String> {
        let left = self.failures.load(Ordering::SeqCst);
        if left > 0 {
            self.failures.store(left - 1, Ordering::SeqCst);
            return Err(stockroom::error::Error::UnexpectedState("refused".into()));
        }
        self.sent.lock().unwrap().push(message.clone());
        Ok(format!("flaky_{}", message.notification_id))
    }

    fn in_process(&self) -> bool {
        self.in_process
    }
}

fn with_flaky(in_process: bool, failures: u32) -> (Admin, Arc<Flaky>) {
    let flaky = Arc::new(Flaky {
        in_process,
        failures: AtomicU32::new(failures),
        sent: Mutex::new(Vec::new()),
    });
    let builder = Engine::builder()
        .notification_provider(flaky.clone())
        .event_retry(RetryPolicy {
            max_attempts: 3,
            base_backoff: Duration::from_millis(1),
        });
    let app = TestApp::with(config(), builder);
    let auth = format!("Bearer {}", app.admin_token());
    let admin = Admin {
        app,
        auth,
        seen: Seen::default(),
    };
    (admin, flaky)
}

/// Write jobs the writer ran for `change` and everything the dispatcher did about it: counted
/// from a settled dispatcher to a settled dispatcher (`wait_idle`), nothing else writing.
fn jobs_for(admin: &Admin, change: impl FnOnce(&Engine)) -> u64 {
    let engine = admin.app.engine();
    engine.wait_idle().unwrap();
    let before = engine.store().writer_stats().jobs;
    change(engine);
    engine.wait_idle().unwrap();
    engine.store().writer_stats().jobs - before
}

/// Emits `order.placed` for `order` again (a new event, so a new mail).
fn place_again(engine: &Engine, order: &Value) {
    let (ctx, id) = (engine.ctx().clone(), order["id"].clone());
    engine
        .store()
        .write(move |tx| ctx.emit(tx, "order.placed", json!({ "id": id })))
        .unwrap();
}

/// Puts the order mails' deliveries back to pending, as a crash before their
/// acknowledgement would leave them.
fn redeliver(engine: &Engine) {
    engine
        .store()
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE event_delivery SET status = 'pending'
                 WHERE subscriber = 'notify.order-placed'",
                [],
            )?)
        })
        .unwrap();
}

/// (status, attempts, last error) of the order mails' deliveries, oldest first.
fn deliveries(engine: &Engine) -> Vec<(String, i64, Option<String>)> {
    engine
        .store()
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT status, attempts, last_error FROM event_delivery
                 WHERE subscriber = 'notify.order-placed' ORDER BY event_seq",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
}

#[test]
fn an_in_process_mail_is_claimed_sent_recorded_and_acknowledged_in_one_write_job() {
    let (admin, local) = with_local();
    let order = admin.order(1);
    let jobs = jobs_for(&admin, |engine| place_again(engine, &order));
    // The emit, and the fan-out job that carries the mail (before: the fan-out, then the
    // mail's own job; before that: claim, record, `done`).
    assert_eq!(jobs, 2);
    assert_eq!(local.sent().len(), 2, "one mail per order.placed event");
    let listed = notifications(&admin, "template=order-placed");
    assert!(
        listed.iter().all(|n| n["status"] == "success"),
        "{listed:?}"
    );
    let engine = admin.app.engine();
    assert_eq!(deliveries(engine), vec![("done".into(), 1, None); 2]);

    // A redelivery finds the mails sent: one job each acknowledges, nothing is sent.
    let jobs = jobs_for(&admin, redeliver);
    assert_eq!(jobs, 1 + 2, "the reset, then one job per delivery");
    assert_eq!(local.sent().len(), 2);
    assert_eq!(notifications(&admin, "template=order-placed").len(), 2);
}

#[test]
fn a_journaled_mail_commits_its_claim_before_the_send_and_acknowledges_with_its_record() {
    let (admin, flaky) = with_flaky(false, 0);
    let order = admin.order(1);
    let jobs = jobs_for(&admin, |engine| place_again(engine, &order));
    // The emit, the fan-out, the claim, the record with the acknowledgement.
    assert_eq!(jobs, 4);
    assert_eq!(flaky.sent.lock().unwrap().len(), 2);
    let engine = admin.app.engine();
    assert_eq!(deliveries(engine), vec![("done".into(), 1, None); 2]);
    let jobs = jobs_for(&admin, redeliver);
    assert_eq!(jobs, 1 + 2, "a sent mail's claim acknowledges it");
    assert_eq!(flaky.sent.lock().unwrap().len(), 2, "never sent twice");
}

#[test]
fn a_refused_mail_is_recorded_as_failed_retried_and_sent_once_on_both_paths() {
    for in_process in [true, false] {
        let (admin, flaky) = with_flaky(in_process, 1);
        admin.order(1);
        admin.app.engine().wait_idle().unwrap();
        let sent = flaky.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1, "in process: {in_process}");
        let listed = notifications(&admin, "template=order-placed");
        assert_eq!(listed.len(), 1, "the retry reuses the claimed row");
        assert_eq!(listed[0]["status"], "success");
        assert_eq!(sent[0].notification_id, listed[0]["id"].as_str().unwrap());
        let delivered = deliveries(admin.app.engine());
        assert_eq!(delivered.len(), 1);
        let (status, attempts, error) = &delivered[0];
        assert_eq!((status.as_str(), *attempts), ("done", 2), "{in_process}");
        assert!(
            error.as_deref().unwrap_or("").contains("refused"),
            "{error:?}"
        );
    }
}

#[test]
fn a_mail_refused_every_time_is_dead_lettered_with_its_failure_recorded() {
    for in_process in [true, false] {
        let (admin, flaky) = with_flaky(in_process, u32::MAX);
        admin.order(1);
        admin.app.engine().wait_idle().unwrap();
        assert!(flaky.sent.lock().unwrap().is_empty());
        let listed = notifications(&admin, "template=order-placed");
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["status"], "failure", "in process: {in_process}");
        let delivered = deliveries(admin.app.engine());
        assert_eq!(delivered.len(), 1);
        assert_eq!((delivered[0].0.as_str(), delivered[0].1), ("dead", 3));
    }
}
