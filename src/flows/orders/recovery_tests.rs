//! Order workflows journaled before they were typed recover on the typed steps (rows written
//! with the untyped steps' JSON shapes; helpers from the checkout's recovery tests).

use crate::flows::checkout::recovery_tests::{Recorder, engine, journal, status};
use serde_json::{Value, json};

#[test]
fn a_capture_journaled_untyped_resumes_at_the_provider_under_its_key() {
    let recorder = Recorder::default();
    let engine = engine(&recorder);
    // `capture-payment` resumes after a crash: the untyped `record-capture` wrote its plan
    // `{provider_id, amount, data, currency_code, key}` and the capture id as compensation.
    let plan = json!({
        "provider_id": "pp_recorder", "amount": 700, "data": {"ref": "r9"},
        "currency_code": "eur", "key": "pay_1:capture:capt_1",
    });
    journal(
        &engine,
        "wf_exec_old_capture",
        "capture-payment",
        &json!({"payment_id": "pay_1", "amount": null}),
        &[
            (0, "record-capture", "local", "done", plan, json!("capt_1")),
            (
                1,
                "capture-at-provider",
                "external",
                "invoking",
                Value::Null,
                Value::Null,
            ),
        ],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_capture"), "done");
    let captures = recorder.captures.lock().expect("lock").clone();
    assert_eq!(
        captures,
        vec![(
            "pay_1:capture:capt_1".to_string(),
            700,
            "eur".to_string(),
            json!({"ref": "r9"})
        )]
    );
    let record = engine
        .store()
        .read(|c| crate::workflow::load_execution(c, "wf_exec_old_capture"))
        .expect("execution");
    assert_eq!(record.result, Some(json!({"payment_id": "pay_1"})));
}
