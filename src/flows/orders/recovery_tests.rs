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

#[test]
fn a_draft_create_journaled_untyped_is_closed_and_its_json_runs_typed() {
    let engine = engine(&Recorder::default());
    let ctx = engine.ctx().clone();
    let region = engine
        .store()
        .write(move |tx| {
            let new = crate::modules::region::NewRegion {
                name: "Europe".into(),
                currency_code: "eur".into(),
                countries: vec!["de".into()],
                automatic_taxes: true,
                metadata: None,
            };
            Ok(crate::modules::region::create(tx, &ctx, &new)?.id)
        })
        .expect("region");
    // The route journaled the checked body as it came, nulls included.
    let input = json!({
        "email": "phone@example.com", "customer_id": null, "region_id": region,
        "sales_channel_id": null, "metadata": null,
        "items": [{"title": "Gift wrap", "quantity": 2, "unit_price": 2.5}],
        "shipping_methods": [{"name": "Courier", "amount": 4}],
    });
    // Every after-sales workflow is one local step: a run cut off before its write job
    // committed left nothing, and recovery closes it without running anything.
    journal(
        &engine,
        "wf_exec_old_draft",
        "create-draft-order",
        &input,
        &[],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_draft"), "reverted");
    // The same journaled JSON runs through the typed handle and answers the typed output.
    let made = super::draft_types::CREATE_DRAFT
        .run_json(&engine, input, None)
        .expect("old shape runs");
    let draft = engine
        .store()
        .read(|c| crate::modules::order::retrieve(c, &made.order_id))
        .expect("draft");
    assert_eq!(
        (draft.status.as_str(), draft.email.as_deref()),
        ("draft", Some("phone@example.com"))
    );
}

/// Every after-sales input as its callers have journaled it parses as the handle's type,
/// and the typed value serializes back to the same JSON (so a re-run journals what the
/// old build did).
#[test]
fn after_sales_inputs_keep_their_journaled_shapes() {
    use super::{draft_types as d, edit_types as e, exchange_types as x, return_types as r};
    use crate::workflow::{Handle, parse_input};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    fn same<I: Serialize + DeserializeOwned, O>(handle: Handle<I, O>, old: Value) {
        // Absent and null read the same at the top level; compare without those nulls.
        fn no_nulls(mut v: Value) -> Value {
            if let Some(o) = v.as_object_mut() {
                o.retain(|_, v| !v.is_null());
            }
            v
        }
        let typed: I = parse_input(&old).unwrap_or_else(|e| panic!("{}: {e}", handle.name()));
        let back = serde_json::to_value(&typed).expect("serialize");
        assert_eq!(no_nulls(back), no_nulls(old), "{}", handle.name());
    }
    same(
        r::BEGIN_RETURN,
        json!({"order_id": "order_1", "location_id": "sloc_1", "created_by": "user_1"}),
    );
    same(
        r::REQUEST_ITEMS,
        json!({"return_id": "return_1", "items": [{"id": "ordli_1", "quantity": 1, "reason_id": "rr_1", "internal_note": "scuffed"}]}),
    );
    same(
        r::UPDATE_REQUEST_ITEM,
        json!({"return_id": "return_1", "action_id": "ordchact_1", "quantity": 2, "reason_id": null}),
    );
    same(
        r::ADD_SHIPPING,
        json!({"return_id": "return_1", "shipping_option_id": "so_1", "custom_amount": 4.5}),
    );
    same(
        r::CONFIRM_REQUEST,
        json!({"return_id": "return_1", "confirmed_by": "user_1"}),
    );
    same(
        r::CANCEL_RETURN,
        json!({"return_id": "return_1", "canceled_by": null, "no_notification": true}),
    );
    same(
        r::RECEIVE_ITEMS,
        json!({"return_id": "return_1", "items": [{"id": "ordli_1", "quantity": 1}]}),
    );
    same(
        r::STORE_RETURN,
        json!({"order_id": "order_1", "items": [{"id": "ordli_1", "quantity": 1, "note": "too small"}],
               "return_shipping": {"option_id": "so_r"}, "customer_id": "cus_1"}),
    );
    same(
        x::EXCHANGE.begin,
        json!({"order_id": "order_1", "created_by": "user_1"}),
    );
    same(
        x::CLAIM.begin,
        json!({"order_id": "order_1", "type": "replace", "created_by": "user_1"}),
    );
    same(
        x::CLAIM.outbound_add,
        json!({"claim_id": "claim_1", "items": [{"variant_id": "variant_1", "quantity": 1}]}),
    );
    same(
        x::EXCHANGE.inbound_shipping_update,
        json!({"exchange_id": "oexc_1", "action_id": "ordchact_1", "internal_note": null}),
    );
    same(
        x::CLAIM_ITEMS,
        json!({"claim_id": "claim_1", "items": [{"id": "ordli_1", "quantity": 1, "reason": "production_failure"}]}),
    );
    same(
        x::EXCHANGE.cancel_request,
        json!({"exchange_id": "oexc_1", "canceled_by": "user_1"}),
    );
    same(
        e::BEGIN_EDIT,
        json!({"order_id": "order_1", "created_by": "user_1", "description": "phone call"}),
    );
    same(
        e::UPDATE_QUANTITY,
        json!({"order_id": "order_1", "item_id": "ordli_1", "quantity": 3}),
    );
    same(
        e::UPDATE_ACTION,
        json!({"order_id": "order_1", "action_id": "ordchact_1", "unit_price": 9.99}),
    );
    same(
        e::REQUEST_EDIT,
        json!({"order_id": "order_1", "requested_by": "user_1"}),
    );
    same(
        e::ADD_PROMOTIONS,
        json!({"order_id": "order_1", "promo_codes": ["TEN"]}),
    );
    same(
        e::UPDATE_DRAFT_METHOD,
        json!({"order_id": "order_1", "shipping_method_id": "ordsm_1", "custom_amount": 3}),
    );
    same(d::CONVERT_DRAFT, json!({"order_id": "order_1"}));
    same(
        d::UPDATE_DRAFT,
        json!({"order_id": "order_1", "email": "a@example.com", "user_id": "user_1"}),
    );
    same(
        d::CREATE_DRAFT,
        json!({"region_id": "reg_1", "email": "a@example.com", "items": [{"variant_id": "variant_1", "quantity": 1}],
               "shipping_methods": [{"shipping_option_id": "so_1"}], "promo_codes": ["TEN"]}),
    );
    let typo = json!({"return_id": "return_1", "confirmd_by": "user_1"});
    let err = parse_input::<r::OnReturn<super::targets::Confirm>>(&typo).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid request: Unrecognized fields: 'confirmd_by'"
    );
}
