//! `kill -9` (a failpoint's abort) in the middle of an order mail, on the real binary over a
//! file store: the in-process path (the `local` provider, handled inside the job that places
//! the order) commits with the order or not at all, leaves no trace of an interrupted
//! attempt, and once that job committed sends nothing again; the journaled path (SMTP to a loopback sink) sends again only
//! in its documented window — after the server accepted, before the record committed — and
//! under the same `Message-ID`; once the record committed, never.

use crate::common;

use common::binary::{Server, clean, count, query, sandbox, serve_command};
use common::smtp::smtp_sink;
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

const SECRET: &str = "notification-crash-secret-0123456789abcdef0123";

fn command(db: &Path, smtp: Option<u16>, failpoint: Option<&str>) -> Command {
    let mut cmd = serve_command(db, SECRET);
    if let Some(port) = smtp {
        cmd.env(
            "STOCKROOM_SMTP_URL",
            format!("smtp://127.0.0.1:{port}?tls=none"),
        )
        .env("STOCKROOM_SMTP_FROM", "shop@example.com");
    }
    if let Some(point) = failpoint {
        cmd.env("STOCKROOM_FAILPOINT", point);
    }
    cmd
}

/// Seeds the demo into `db` (a first run that places nothing) so the crashing run starts
/// from a store whose own start-up sends no mail.
fn seed(db: &Path) {
    let mut cmd = command(db, None, None);
    cmd.arg("--demo");
    Server::spawn(cmd).kill();
}

/// Completes a ready cart on a server the armed failpoint kills while it mails the order
/// (the reply may or may not arrive first); waits for the abort.
fn order_and_crash(mut server: Server) {
    let cart = server.ready_cart(1);
    let path = format!("/store/carts/{cart}/complete");
    let _ = std::panic::catch_unwind(|| server.call("POST", &path, None, Some(json!({}))));
    let status = server.child.wait().expect("the process ends");
    assert!(!status.success(), "aborted at the failpoint");
}

/// Waits for the order mail's delivery to be settled in the file (the server works on its
/// own; there is no engine here to wait on).
fn wait_delivered(db: &Path, orders: i64) {
    let sql = "SELECT count(*) FROM event_delivery
               WHERE subscriber = 'notify.order-placed' AND status = 'done'";
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(db, sql) < orders {
        assert!(
            Instant::now() < deadline,
            "the order mail was never delivered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn message_id(mail: &str) -> &str {
    mail.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .expect("a Message-ID header")
}

fn next_mail(inbox: &Receiver<String>) -> String {
    inbox
        .recv_timeout(Duration::from_secs(30))
        .expect("a mail reaches the sink")
}

/// Kills the in-process mail at `point`: it is handled inside the job that places the order
/// (the completion's last job fans its `order.placed` out), so the crash comes before that
/// job commits and before the client hears back. Restarted, the store holds neither the
/// order nor any trace of its mail (nothing acknowledged is lost: the client had no answer),
/// and the next order is mailed once.
fn crash_inside_the_fan_out_job(name: &str, point: &str) {
    let db = sandbox(name);
    seed(&db);
    order_and_crash(Server::spawn(command(&db, None, Some(point))));
    assert_eq!(
        count(&db, "SELECT count(*) FROM \"order\""),
        0,
        "the order commits with its mail or not at all"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM notification"), 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM event_delivery WHERE subscriber = 'notify.order-placed'"
        ),
        0,
        "the fan-out rolled back with the mail"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM event_outbox WHERE name = 'order.placed'"
        ),
        0,
        "the event rolled back with its order"
    );

    let second = Server::spawn(command(&db, None, None));
    second.place_order(1);
    wait_delivered(&db, 1);
    drop(second);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notification WHERE template = 'order-placed' AND status = 'success'"
        ),
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM notification"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT attempts FROM event_delivery WHERE subscriber = 'notify.order-placed'"
        ),
        1,
        "the interrupted attempt left no trace"
    );
    clean(&db);
}

#[test]
fn a_crash_inside_the_in_process_mail_job_loses_nothing_and_sends_once() {
    crash_inside_the_fan_out_job("notify-crash-local", "notify:in-process:sent");
}

#[test]
fn a_crash_before_the_order_and_its_mail_commit_leaves_neither_and_the_next_is_sent_once() {
    crash_inside_the_fan_out_job("notify-crash-fan-out", "events:inline:handled");
}

#[test]
fn a_crash_after_the_fan_out_job_with_the_mail_committed_never_sends_it_again() {
    let db = sandbox("notify-crash-fan-out-committed");
    seed(&db);
    order_and_crash(Server::spawn(command(
        &db,
        None,
        Some("events:inline:committed"),
    )));
    // The order, its fan-out, the mail and its `done` committed in one job before the abort.
    assert_eq!(query(&db, "SELECT status FROM notification"), "success");
    assert_eq!(
        query(
            &db,
            "SELECT status || ' ' || attempts FROM event_delivery
             WHERE subscriber = 'notify.order-placed'"
        ),
        "done 1"
    );

    let second = Server::spawn(command(&db, None, None));
    second.place_order(1);
    wait_delivered(&db, 2);
    drop(second);
    assert_eq!(
        count(&db, "SELECT count(*) FROM notification"),
        2,
        "the second order's mail only"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT resource_id) FROM notification WHERE template = 'order-placed'"
        ),
        2
    );
    clean(&db);
}

#[test]
fn a_crash_after_the_smtp_server_accepted_resends_under_the_same_message_id() {
    let db = sandbox("notify-crash-smtp-window");
    seed(&db);
    let (port, inbox) = smtp_sink();
    order_and_crash(Server::spawn(command(&db, Some(port), Some("notify:sent"))));
    let first = next_mail(&inbox);
    assert_eq!(
        query(&db, "SELECT status FROM notification"),
        "pending",
        "claimed before the send, not recorded"
    );

    let second = Server::spawn(command(&db, Some(port), None));
    let again = next_mail(&inbox);
    wait_delivered(&db, 1);
    drop(second);
    assert_eq!(
        message_id(&first),
        message_id(&again),
        "the documented window: sent again, same Message-ID"
    );
    assert_eq!(query(&db, "SELECT status FROM notification"), "success");
    assert_eq!(count(&db, "SELECT count(*) FROM notification"), 1);
    clean(&db);
}

#[test]
fn a_crash_after_the_smtp_mail_was_recorded_never_sends_it_again() {
    let db = sandbox("notify-crash-smtp-recorded");
    seed(&db);
    let (port, inbox) = smtp_sink();
    order_and_crash(Server::spawn(command(
        &db,
        Some(port),
        Some("notify:recorded"),
    )));
    let first = next_mail(&inbox);
    // The record and the acknowledgement committed in one job before the abort.
    assert_eq!(query(&db, "SELECT status FROM notification"), "success");
    assert_eq!(
        query(
            &db,
            "SELECT status FROM event_delivery WHERE subscriber = 'notify.order-placed'"
        ),
        "done"
    );

    // Deliveries go in outbox order: a resend of the first mail would reach the sink before
    // the second order's.
    let second = Server::spawn(command(&db, Some(port), None));
    let order = second.place_order(1);
    let next = next_mail(&inbox);
    wait_delivered(&db, 2);
    drop(second);
    let display = order["display_id"].as_i64().unwrap();
    assert!(
        next.contains(&format!("Subject: Your order #{display} is confirmed")),
        "{next}"
    );
    assert_ne!(message_id(&first), message_id(&next));
    assert_eq!(count(&db, "SELECT count(*) FROM notification"), 2);
    clean(&db);
}
