//! Till workflows journaled before they were typed recover on the typed steps: rows written
//! by hand in the untyped steps' JSON shapes (helpers from the checkout's recovery tests).

use crate::db::{Store, StoreOptions};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::checkout::recovery_tests::{journal, status};
use crate::modules::payment::provider::{Call, PaymentProvider, Reply};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A provider that records the refunds it is asked for: `(key, amount, currency)`.
#[derive(Clone, Default)]
struct Refunds(Arc<Mutex<Vec<(String, i64, String)>>>);

impl PaymentProvider for Refunds {
    fn id(&self) -> &'static str {
        "pp_refunds"
    }
    fn initiate(&self, call: &Call) -> Result<Reply> {
        Ok(reply("pending", call))
    }
    fn authorize(&self, call: &Call) -> Result<Reply> {
        Ok(reply("authorized", call))
    }
    fn capture(&self, call: &Call) -> Result<Reply> {
        Ok(reply("captured", call))
    }
    fn refund(&self, call: &Call) -> Result<Reply> {
        let seen = (
            call.idempotency_key.clone(),
            call.amount,
            call.currency_code.clone(),
        );
        self.0.lock().expect("lock").push(seen);
        Ok(reply("captured", call))
    }
    fn cancel(&self, call: &Call) -> Result<Reply> {
        Ok(reply("canceled", call))
    }
}

fn reply(status: &'static str, call: &Call) -> Reply {
    Reply {
        status,
        data: call.data.clone(),
    }
}

fn engine(refunds: &Refunds) -> Engine {
    Engine::builder()
        .payment_provider(refunds.clone())
        .build(Store::memory(StoreOptions::default()).expect("store"))
        .expect("engine")
}

fn result(engine: &Engine, id: &str) -> Option<Value> {
    engine
        .store()
        .read(|c| crate::workflow::load_execution(c, id))
        .expect("execution")
        .result
}

#[test]
fn a_till_return_journaled_untyped_refunds_at_the_provider_under_its_key() {
    let refunds = Refunds::default();
    let engine = engine(&refunds);
    // What the till's return page journaled, and `take-return`'s untyped output (its refund
    // plans as `refund-payment`'s `record-refund` wrote them); the provider call started
    // but never answered.
    let input = json!({
        "session_id": "possess_1", "user_id": "user_1", "receipt_number": "T1-0001",
        "items": [{"id": "ordli_1", "quantity": 1}], "refund": "original",
    });
    let taken = json!({
        "return_id": "return_1", "order_id": "order_1", "amount": 1200, "from_drawer": 200,
        "refunds": [
            {"provider_id": "pp_refunds", "amount": 1000, "data": {}, "currency_code": "eur",
             "key": "pay_card:refund:ref_1"},
            {"provider_id": "pp_refunds", "amount": 200, "data": {"pos_tender": "cash"},
             "currency_code": "eur", "key": "pay_cash:refund:ref_2"},
        ],
        "payments": ["pay_card", "pay_cash"],
    });
    journal(
        &engine,
        "wf_exec_old_till_return",
        "pos-return",
        &input,
        &[
            (0, "take-return", "local", "done", taken, Value::Null),
            (
                1,
                "refund-at-provider",
                "external",
                "invoking",
                Value::Null,
                Value::Null,
            ),
        ],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_till_return"), "done");
    assert_eq!(
        refunds.0.lock().expect("lock").clone(),
        vec![
            ("pay_card:refund:ref_1".to_string(), 1000, "eur".to_string()),
            ("pay_cash:refund:ref_2".to_string(), 200, "eur".to_string()),
        ]
    );
    assert_eq!(
        result(&engine, "wf_exec_old_till_return"),
        Some(
            json!({"return_id": "return_1", "order_id": "order_1", "amount": 1200, "from_drawer": 200})
        )
    );
}

#[test]
fn a_till_sale_journaled_untyped_is_captured_and_finished() {
    let engine = engine(&Refunds::default());
    // The till's pay form's input (a card slip reference, then cash) and every step up to
    // the order's placing in the untyped shapes; the captures at the provider not yet made.
    let input = json!({
        "session_id": "possess_1", "user_id": "user_1",
        "tenders": [
            {"kind": "card", "tendered": 1000, "reference": "slip 7"},
            {"kind": "cash", "tendered": 500},
        ],
    });
    let planned = json!({
        "cart_id": "cart_1", "register_id": "posreg_1", "total": 1300, "currency_code": "eur",
        "plan": {"tenders": [
            {"kind": "card", "payment_amount": 1000, "kept": 1000, "tendered": 1000, "change": 0,
             "reference": "slip 7"},
            {"kind": "cash", "payment_amount": 300, "kept": 300, "tendered": 500, "change": 200,
             "reference": null},
        ], "rounding": 0, "change": 200},
    });
    let capture = |payment: &str, amount: i64| {
        json!({"provider_id": "pp_system_default", "amount": amount, "data": {},
               "currency_code": "eur", "key": format!("{payment}:capture:capt_{payment}")})
    };
    let placed = json!({
        "order_id": "order_1", "receipt_number": "T1-0001", "change": 200,
        "payments": ["pay_1", "pay_2"], "captures": [capture("pay_1", 1000), capture("pay_2", 300)],
    });
    journal(
        &engine,
        "wf_exec_old_till_sale",
        "pos-complete-sale",
        &input,
        &[
            (0, "plan-sale", "local", "done", planned, Value::Null),
            (
                1,
                "authorize-tenders",
                "external",
                "done",
                json!({"data": [{}, {}]}),
                Value::Null,
            ),
            (2, "place-sale", "local", "done", placed, Value::Null),
            (
                3,
                "capture-at-provider",
                "external",
                "invoking",
                Value::Null,
                Value::Null,
            ),
        ],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_till_sale"), "done");
    assert_eq!(
        result(&engine, "wf_exec_old_till_sale"),
        Some(json!({"order_id": "order_1", "receipt_number": "T1-0001", "change": 200}))
    );
    // The old input parses as the handle's type and serializes back to the same JSON.
    let typed: super::types::CompleteSale =
        crate::workflow::parse_input(&input).expect("old input");
    let mut back = serde_json::to_value(&typed).expect("json");
    back["tenders"][1]
        .as_object_mut()
        .expect("tender")
        .remove("reference");
    assert_eq!(back, input);
}
