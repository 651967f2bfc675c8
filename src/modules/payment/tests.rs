//! Unit tests of collections, sessions, authorization records and the providers.

use super::provider::{self, Call, PaymentProvider, Scripted};
use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;
use serde_json::json;

fn setup() -> (Connection, Ctx) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    (
        conn,
        Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1)),
    )
}

#[test]
fn session_authorize_undo_and_amount_change() {
    let (conn, ctx) = setup();
    let id = create_collection(&conn, &ctx, "usd", 2100, None).unwrap();
    let collection = retrieve_collection(&conn, &id).unwrap();
    let session = create_session(&conn, &ctx, &collection, provider::SYSTEM, &json!({})).unwrap();
    let payment = record_authorization(&conn, &ctx, &session, &json!({})).unwrap();
    let c = retrieve_collection(&conn, &id).unwrap();
    assert_eq!(
        (c.status.as_str(), c.authorized_amount, c.payments.len()),
        ("authorized", 2100, 1)
    );
    undo_authorization(&conn, &ctx, &payment).unwrap();
    let c = retrieve_collection(&conn, &id).unwrap();
    assert_eq!(
        (c.status.as_str(), c.authorized_amount, c.payments.len()),
        ("awaiting", 0, 0)
    );
    assert_eq!(c.payment_sessions[0].status, "pending");
    assert!(!set_amount(&conn, &ctx, &id, 2100).unwrap());
    assert!(set_amount(&conn, &ctx, &id, 2200).unwrap());
    assert!(
        retrieve_collection(&conn, &id)
            .unwrap()
            .payment_sessions
            .is_empty()
    );
}

#[test]
fn capture_and_refund_are_recorded() {
    let (conn, ctx) = setup();
    let id = create_collection(&conn, &ctx, "usd", 1000, None).unwrap();
    let collection = retrieve_collection(&conn, &id).unwrap();
    let session = create_session(&conn, &ctx, &collection, provider::SYSTEM, &json!({})).unwrap();
    let payment = record_authorization(&conn, &ctx, &session, &json!({})).unwrap();
    assert!(
        record_capture(&conn, &ctx, &payment, 1000)
            .unwrap()
            .starts_with("capt_")
    );
    assert!(
        record_refund(&conn, &ctx, &payment, 400, None)
            .unwrap()
            .starts_with("ref_")
    );
    let c = retrieve_collection(&conn, &id).unwrap();
    assert_eq!((c.captured_amount, c.refunded_amount), (1000, 400));
}

#[test]
fn script_queue_and_test_provider_outcomes() {
    let (conn, ctx) = setup();
    script_push(&conn, &ctx, &[Scripted::Decline, Scripted::Error]).unwrap();
    let test = provider::TestProvider;
    let mut call = Call {
        idempotency_key: "cart_1:authorize:1".into(),
        ..Call::default()
    };
    call.scripted = script_pop(&conn).unwrap();
    assert_eq!(test.authorize(&call).unwrap().status, "error");
    call.scripted = script_pop(&conn).unwrap();
    assert!(test.authorize(&call).is_err());
    call.scripted = script_pop(&conn).unwrap();
    let reply = test.authorize(&call).unwrap();
    assert_eq!(
        (reply.status, &reply.data["idempotency_key"]),
        ("authorized", &json!("cart_1:authorize:1"))
    );
    assert_eq!(Scripted::parse("slow:20"), Some(Scripted::Slow(20)));
}
