//! Executions journaled before the checkout workflows were typed recover on the typed steps:
//! the journal rows below are written with the JSON shapes the untyped steps wrote. The
//! helpers serve the order workflows' recovery tests too.

use crate::db::{Store, StoreOptions};
use crate::engine::Engine;
use crate::error::Result;
use crate::modules::payment::provider::{Call, PaymentProvider, Reply};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A call as the provider saw it: key, amount, currency, data.
pub(crate) type Seen = (String, i64, String, Value);

/// A provider that remembers every cancel and capture it is asked for.
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    pub(crate) cancels: Arc<Mutex<Vec<Seen>>>,
    pub(crate) captures: Arc<Mutex<Vec<Seen>>>,
}

fn seen(call: &Call) -> Seen {
    (
        call.idempotency_key.clone(),
        call.amount,
        call.currency_code.clone(),
        call.data.clone(),
    )
}

impl PaymentProvider for Recorder {
    fn id(&self) -> &'static str {
        "pp_recorder"
    }
    fn initiate(&self, call: &Call) -> Result<Reply> {
        Ok(reply("pending", call))
    }
    fn authorize(&self, call: &Call) -> Result<Reply> {
        Ok(reply("authorized", call))
    }
    fn capture(&self, call: &Call) -> Result<Reply> {
        self.captures.lock().expect("lock").push(seen(call));
        Ok(reply("captured", call))
    }
    fn refund(&self, call: &Call) -> Result<Reply> {
        Ok(reply("captured", call))
    }
    fn cancel(&self, call: &Call) -> Result<Reply> {
        self.cancels.lock().expect("lock").push(seen(call));
        Ok(reply("canceled", call))
    }
}

fn reply(status: &'static str, call: &Call) -> Reply {
    Reply {
        status,
        data: call.data.clone(),
    }
}

pub(crate) fn engine(recorder: &Recorder) -> Engine {
    Engine::builder()
        .payment_provider(recorder.clone())
        .build(Store::memory(StoreOptions::default()).expect("store"))
        .expect("engine")
}

/// Writes an execution left `running` by a crash, with its step rows
/// `(idx, name, kind, status, output, compensation)`.
pub(crate) fn journal(
    engine: &Engine,
    id: &str,
    workflow: &str,
    input: &Value,
    steps: &[(i64, &str, &str, &str, Value, Value)],
) {
    let (id, workflow, input) = (id.to_string(), workflow.to_string(), input.to_string());
    let steps: Vec<_> = steps
        .iter()
        .map(|(idx, name, kind, status, out, comp)| {
            let text = |v: &Value| (!v.is_null()).then(|| v.to_string());
            (
                *idx,
                name.to_string(),
                kind.to_string(),
                status.to_string(),
                text(out),
                text(comp),
            )
        })
        .collect();
    engine
        .store()
        .write(move |tx| {
            tx.execute(
                "INSERT INTO workflow_execution (id, workflow, status, input, created_at, updated_at)
                 VALUES (?1, ?2, 'running', ?3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                rusqlite::params![id, workflow, input],
            )?;
            for (idx, name, kind, status, output, compensation) in steps {
                tx.execute(
                    "INSERT INTO workflow_step (execution_id, idx, name, kind, status, output,
                       compensation, attempts, started_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                    rusqlite::params![id, idx, name, kind, status, output, compensation],
                )?;
            }
            Ok(())
        })
        .expect("journal");
}

pub(crate) fn status(engine: &Engine, id: &str) -> String {
    engine
        .store()
        .read(|c| crate::workflow::load_execution(c, id))
        .expect("execution")
        .status
}

#[test]
fn a_payment_session_journaled_untyped_is_cancelled_at_the_provider_by_its_key() {
    let recorder = Recorder::default();
    let engine = engine(&recorder);
    // What the untyped route and steps journaled: the input with `data: null`, the amount
    // step's `{amount, currency_code}`, and the provider call started but never answered.
    let input =
        json!({"payment_collection_id": "pay_col_1", "provider_id": "pp_recorder", "data": null});
    journal(
        &engine,
        "wf_exec_old_session",
        "create-payment-session",
        &input,
        &[
            (
                0,
                "validate-collection",
                "local",
                "done",
                json!({"amount": 2500, "currency_code": "eur"}),
                Value::Null,
            ),
            (
                1,
                "initiate-payment",
                "external",
                "invoking",
                Value::Null,
                Value::Null,
            ),
        ],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_session"), "reverted");
    let cancels = recorder.cancels.lock().expect("lock").clone();
    assert_eq!(
        cancels,
        vec![(
            "pay_col_1:session:pp_recorder:2500".to_string(),
            2500,
            "eur".to_string(),
            json!({})
        )]
    );
}

#[test]
fn a_completion_journaled_untyped_compensates_its_authorization() {
    let recorder = Recorder::default();
    let engine = engine(&recorder);
    // A repeat's validate-cart (`{"existing": …}`) has nothing to cancel; a first completion's
    // (the full payment) is cancelled under `<cart>:authorize:<attempt>`.
    let validated = json!({
        "existing": null, "collection_id": "pay_col_1", "session_id": "payses_1",
        "provider_id": "pp_recorder", "amount": 1200, "data": {"ref": "r1"},
        "currency_code": "usd", "attempt": 2, "total": 1200,
    });
    journal(
        &engine,
        "wf_exec_old_completion",
        "complete-cart",
        &json!({"cart_id": "cart_1"}),
        &[
            (0, "validate-cart", "local", "done", validated, Value::Null),
            (
                5,
                "authorize-payment",
                "external",
                "invoking",
                Value::Null,
                Value::Null,
            ),
        ],
    );
    journal(
        &engine,
        "wf_exec_old_repeat",
        "complete-cart",
        &json!({"cart_id": "cart_2"}),
        &[
            (
                0,
                "validate-cart",
                "local",
                "done",
                json!({"existing": "order_1"}),
                Value::Null,
            ),
            (
                1,
                "create-order",
                "local",
                "done",
                json!({"order_id": "order_1"}),
                Value::Null,
            ),
            (
                2,
                "reserve-inventory",
                "local",
                "done",
                Value::Null,
                Value::Null,
            ),
            (
                3,
                "register-usage",
                "local",
                "done",
                Value::Null,
                Value::Null,
            ),
            (
                4,
                "hook-order_placed",
                "local",
                "done",
                Value::Null,
                Value::Null,
            ),
            (
                5,
                "authorize-payment",
                "external",
                "invoking",
                Value::Null,
                Value::Null,
            ),
        ],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 2);
    assert_eq!(status(&engine, "wf_exec_old_completion"), "reverted");
    assert_eq!(status(&engine, "wf_exec_old_repeat"), "reverted");
    let cancels = recorder.cancels.lock().expect("lock").clone();
    assert_eq!(
        cancels,
        vec![(
            "cart_1:authorize:2".to_string(),
            1200,
            "usd".to_string(),
            json!({"ref": "r1"})
        )]
    );
}
