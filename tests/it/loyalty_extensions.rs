//! The loyalty example's extension points over the public API: typed models (enums,
//! belongs-to, restore), the typed workflow handle and its boundary, route middleware, the
//! `customer_created` referral hook and the nightly points-expiry job.

use crate::common;

use crate::example_loyalty as loyalty;

use common::{TestApp, check, config};
use serde_json::{Value, json};
use stockroom::Engine;
use stockroom::model::Entity;
use stockroom::workflow;

fn app() -> TestApp {
    TestApp::with(config(), loyalty::register(Engine::builder()))
}

fn account(engine: &Engine, customer: &str) -> Value {
    let (ctx, customer) = (engine.ctx().clone(), customer.to_string());
    engine
        .store()
        .write(move |tx| loyalty::account_for(tx, &ctx, &customer))
        .map(|account| json!(account))
        .unwrap()
}

fn in_write<T: Send + 'static>(
    engine: &Engine,
    f: impl FnOnce(&stockroom::db::Tx, &stockroom::ctx::Ctx) -> stockroom::Result<T> + Send + 'static,
) -> stockroom::Result<T> {
    let ctx = engine.ctx().clone();
    engine.store().write(move |tx| f(tx, &ctx))
}

#[test]
fn typed_models_create_filter_update_delete_and_restore() {
    use loyalty::{Account, AccountChanges, AccountFilter, NewAccount, Tier};
    let app = app();
    in_write(app.engine(), |tx, ctx| {
        let new = |customer: &str| NewAccount {
            customer_id: customer.into(),
            points: None,
            tier: None,
        };
        let a = Account::create(tx, ctx, &new("cus_a"))?;
        let b = Account::create(tx, ctx, &new("cus_b"))?;
        assert_eq!(
            (a.points, a.tier, a.id.starts_with("lacc_")),
            (0, None, true)
        );
        let gold = AccountChanges {
            tier: Some(Some(Tier::Gold)),
            ..Default::default()
        };
        assert_eq!(
            Account::update(tx, ctx, &b.id, &gold)?.tier,
            Some(Tier::Gold)
        );
        let by_tier = |tier: Option<Tier>| {
            let filter = AccountFilter::default().tier(tier);
            Account::list(tx, &filter, 10, 0).map(|(items, _)| items)
        };
        assert_eq!(by_tier(Some(Tier::Gold))?[0].id, b.id);
        assert_eq!(
            by_tier(None)?[0].id,
            a.id,
            "a null filter matches unset tiers"
        );
        let both = AccountFilter::default()
            .customer_id("cus_a")
            .customer_id("cus_b");
        assert_eq!(
            Account::list(tx, &both, 1, 1)?,
            (vec![Account::retrieve(tx, &b.id)?], 2)
        );
        Account::soft_delete(tx, ctx, &a.id)?;
        assert_eq!(
            Account::retrieve(tx, &a.id).unwrap_err().to_json()["type"],
            "not_found"
        );
        assert!(Account::first(tx, &AccountFilter::default().customer_id("cus_a"))?.is_none());
        let restored = Account::restore(tx, ctx, &a.id)?;
        assert_eq!(
            (restored.deleted_at, restored.customer_id),
            (None, "cus_a".into())
        );
        let again = Account::restore(tx, ctx, &a.id).unwrap_err();
        assert_eq!(
            again.to_string(),
            format!("Deleted loyalty account with id: {} was not found", a.id)
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn enum_fields_refuse_other_texts_in_the_dynamic_layer_too() {
    let app = app();
    let err = in_write(app.engine(), |tx, ctx| {
        loyalty::Account::model().create(tx, ctx, &json!({"customer_id": "c", "tier": "platinum"}))
    })
    .unwrap_err();
    assert_eq!(
        (err.status(), err.to_string()),
        (
            400,
            "Invalid request: Invalid enum value for field 'tier'. Expected 'bronze' | 'silver' | 'gold', received 'platinum'".into()
        )
    );
}

#[test]
fn belongs_to_needs_a_live_parent_and_lists_children() {
    use loyalty::{Account, NewAccount, NewTransaction, Transaction};
    use stockroom::model::BelongsTo;
    let app = app();
    in_write(app.engine(), |tx, ctx| {
        let entry = |account_id: &str| NewTransaction {
            account_id: account_id.into(),
            amount: 5,
            reason: "gift".into(),
            source_id: None,
        };
        let orphan = Transaction::create(tx, ctx, &entry("lacc_missing")).unwrap_err();
        assert_eq!(
            orphan.to_string(),
            "Loyalty account with id: lacc_missing was not found"
        );
        let new = NewAccount {
            customer_id: "cus_p".into(),
            points: Some(5),
            tier: None,
        };
        let account = Account::create(tx, ctx, &new)?;
        let first = Transaction::create(tx, ctx, &entry(&account.id))?;
        Transaction::create(tx, ctx, &entry(&account.id))?;
        assert_eq!(first.parent(tx)?.customer_id, "cus_p");
        assert_eq!(account.children::<Transaction>(tx)?.len(), 2);
        Transaction::soft_delete(tx, ctx, &first.id)?;
        assert_eq!(account.children::<Transaction>(tx)?.len(), 1);
        Account::soft_delete(tx, ctx, &account.id)?;
        let err = Transaction::restore(tx, ctx, &first.id).unwrap_err();
        assert_eq!(
            err.to_json()["type"],
            "not_found",
            "no restoring under a deleted parent"
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn typed_workflow_handle_and_its_boundary() {
    let app = app();
    let engine = app.engine();
    let input = loyalty::Adjust {
        customer_id: "cus_t".into(),
        amount: 1200,
        reason: "vip".into(),
    };
    let account = loyalty::ADJUST.run(engine, &input, None).unwrap();
    assert_eq!(
        (account.points, account.tier),
        (1200, Some(loyalty::Tier::Gold))
    );
    let typo = json!({"customer_id": "cus_t", "amout": 5, "reason": "x"});
    let err = workflow::run(engine, "loyalty-adjust-points", typo, None).unwrap_err();
    assert_eq!(
        (err.status(), err.to_string()),
        (400, "Invalid request: Unrecognized fields: 'amout'".into())
    );
    let missing = json!({"amount": 5, "reason": "x"});
    let err = loyalty::ADJUST.run_json(engine, missing, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid request: Field 'customer_id' is required"
    );
    let runs: i64 = engine
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM workflow_execution", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(runs, 1, "refused inputs never start an execution");
}

#[test]
fn a_route_body_with_a_missing_field_is_a_400_naming_it() {
    let app = app();
    let (customer_id, _) = app.signup("typed@example.com", "secret-password");
    let admin = format!("Bearer {}", app.admin_token());
    let path = format!("/admin/loyalty/{customer_id}/adjust");
    let reply = app.admin_call("POST", &path, &admin, Some(&json!({"amount": 5})));
    check(
        &reply,
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Field 'reason' is required"}),
    );
}

#[test]
fn a_referral_code_at_sign_up_credits_the_referrer_and_a_bad_one_refuses_it() {
    let app = app();
    let (referrer, token) = app.signup("referrer@example.com", "secret-password");
    let mine = app.store_call("GET", "/store/loyalty", &token, None).json();
    let code = mine["loyalty_account"]["id"].clone();
    let register = |email: &str, code: &Value| {
        let registration = app.register("customer", email, "secret-password");
        let body = json!({"email": email, "additional_data": {"referral_code": code}});
        app.store_call("POST", "/store/customers", &registration, Some(&body))
    };
    let refused = register("new@example.com", &json!("lacc_nope"));
    check(
        &refused,
        400,
        json!({"type": "invalid_data", "message": "Unknown referral code lacc_nope"}),
    );
    let joined = register("new@example.com", &code);
    assert_eq!(
        joined.status,
        200,
        "the refused sign-up left nothing behind: {}",
        joined.text()
    );
    let newcomer = joined.json()["customer"]["id"].clone();
    let after = account(app.engine(), &referrer);
    assert_eq!(after["points"], loyalty::REFERRAL_BONUS);
    let admin = format!("Bearer {}", app.admin_token());
    let path = format!("/admin/loyalty/{referrer}/transactions");
    let history = app.admin_call("GET", &path, &admin, None).json();
    assert_eq!(
        (
            history["count"].clone(),
            history["loyalty_transactions"][0]["source_id"].clone()
        ),
        (json!(1), newcomer)
    );
}

#[test]
fn the_nightly_job_expires_balances_untouched_for_a_year_once() {
    let app = app();
    let engine = app.engine();
    let input = |customer: &str| loyalty::Adjust {
        customer_id: customer.into(),
        amount: 300,
        reason: "welcome".into(),
    };
    loyalty::ADJUST
        .run(engine, &input("cus_old"), None)
        .unwrap();
    let half_year = 183 * 86_400_000;
    engine.clock().advance(half_year);
    assert!(
        engine
            .run_due_jobs()
            .iter()
            .all(|run| run.result.as_ref().unwrap()["expired"] == 0)
    );
    loyalty::ADJUST
        .run(engine, &input("cus_new"), None)
        .unwrap();
    // The fixture clock moves through test-control, which runs what became due.
    let moved = app.request(
        "POST",
        "/test-control/clock",
        &[("content-type", "application/json")],
        Some(&json!({"advance_ms": half_year + 86_400_000}).to_string()),
    );
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_eq!(account(engine, "cus_old")["points"], 0);
    assert_eq!(account(engine, "cus_old")["tier"], "bronze");
    assert_eq!(
        account(engine, "cus_new")["points"],
        300,
        "changed half a year ago"
    );
    let runs = engine
        .store()
        .read(|c| stockroom::jobs::list_runs(c, 10))
        .unwrap();
    assert_eq!(
        runs.len(),
        2,
        "one run per catch-up, not one per missed night: {runs:?}"
    );
    assert_eq!(
        (
            runs[0]["job"].clone(),
            runs[0]["status"].clone(),
            runs[0]["result"].clone()
        ),
        (
            json!("loyalty-expire-points"),
            json!("done"),
            json!({"expired": 1})
        )
    );
    assert!(engine.run_due_jobs().is_empty(), "nothing more is due");
}

#[test]
fn the_history_route_declares_its_query() {
    let app = app();
    let admin = format!("Bearer {}", app.admin_token());
    let path = "/admin/loyalty/cus_1/transactions";
    let bad = app.admin_call("GET", &format!("{path}?limit=all"), &admin, None);
    assert_eq!(bad.status, 400, "{}", bad.text());
    let unknown = app.admin_call("GET", &format!("{path}?order=id"), &admin, None);
    assert_eq!(unknown.status, 400, "{}", unknown.text());
    let paged = app.admin_call("GET", &format!("{path}?limit=5&offset=0"), &admin, None);
    assert_eq!(
        (paged.status, paged.json()["limit"].clone()),
        (200, json!(5))
    );
}
