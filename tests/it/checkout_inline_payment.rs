//! Payment providers that live in the process (`PaymentProvider::in_process`): the checkout
//! calls them inside the write job, so a payment session and a completion are one job each,
//! while the journal and the admin's execution view still show the provider step done with
//! its output. A provider that does not say so (the default, any third-party one) keeps the
//! journaled external path. Declines, repeats and idempotency keys behave as before.

use crate::common;

use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use stockroom::Engine;
use stockroom::Result;
use stockroom::modules::payment::provider::{Call, PaymentProvider, Reply};

/// A provider that logs each call with its key and the thread it ran on, and declines
/// authorizations while `decline` is set.
struct Logged {
    id: &'static str,
    in_process: bool,
    decline: Arc<AtomicBool>,
    calls: Arc<Mutex<Vec<String>>>,
}

impl Logged {
    fn answer(&self, op: &str, call: &Call, status: &'static str) -> Result<Reply> {
        let thread = match std::thread::current().name() {
            Some("stockroom-writer") => "writer",
            _ => "caller",
        };
        self.calls
            .lock()
            .expect("calls")
            .push(format!("{op} {} on {thread}", call.idempotency_key));
        Ok(Reply {
            status,
            data: json!({"by": self.id, "op": op}),
        })
    }
}

impl PaymentProvider for Logged {
    fn id(&self) -> &'static str {
        self.id
    }
    fn initiate(&self, call: &Call) -> Result<Reply> {
        self.answer("initiate", call, "pending")
    }
    fn authorize(&self, call: &Call) -> Result<Reply> {
        match self.decline.load(Ordering::SeqCst) {
            true => self.answer("authorize", call, "error"),
            false => self.answer("authorize", call, "authorized"),
        }
    }
    fn capture(&self, call: &Call) -> Result<Reply> {
        self.answer("capture", call, "captured")
    }
    fn refund(&self, call: &Call) -> Result<Reply> {
        self.answer("refund", call, "captured")
    }
    fn cancel(&self, call: &Call) -> Result<Reply> {
        self.answer("cancel", call, "canceled")
    }
    fn in_process(&self) -> bool {
        self.in_process
    }
}

type Calls = Arc<Mutex<Vec<String>>>;

/// The demo shop with `pp_local_local` (in process) and `pp_remote_remote` (not) offered in
/// the usd region; the local one declines while the flag is set.
fn shop() -> (TestApp, Calls, Arc<AtomicBool>) {
    let (calls, decline) = (Calls::default(), Arc::new(AtomicBool::new(false)));
    let provider = |id, in_process| Logged {
        id,
        in_process,
        decline: if in_process {
            decline.clone()
        } else {
            Arc::default()
        },
        calls: calls.clone(),
    };
    let builder = Engine::builder()
        .payment_provider(provider("pp_local_local", true))
        .payment_provider(provider("pp_remote_remote", false));
    let app = TestApp::with(config(), builder);
    let region = app.region("usd");
    let auth = format!("Bearer {}", app.admin_token());
    let providers =
        json!({"payment_providers": ["pp_system_default", "pp_local_local", "pp_remote_remote"]});
    let reply = app.admin_call(
        "POST",
        &format!("/admin/regions/{region}"),
        &auth,
        Some(&providers),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    (app, calls, decline)
}

fn ready_cart(app: &TestApp, provider: &str) -> String {
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", provider);
    cart
}

/// `workflow_step` rows of `workflow`'s executions (steps of a job that did not finish its
/// execution; a run done in one job keeps its steps on the execution row instead).
fn step_rows(app: &TestApp, workflow: &'static str) -> i64 {
    app.engine()
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT count(*) FROM workflow_step s JOIN workflow_execution e
                 ON e.id = s.execution_id WHERE e.workflow = ?1",
                [workflow],
                |r| r.get(0),
            )?)
        })
        .expect("read")
}

/// The admin's view of `complete-cart` under transaction id `cart`.
fn completion_view(app: &TestApp, cart: &str) -> Value {
    let auth = format!("Bearer {}", app.admin_token());
    let path = format!("/admin/workflows-executions/complete-cart/{cart}");
    let reply = app.admin_call("GET", &path, &auth, None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["workflow_execution"].clone()
}

/// The view's step named `name` (keys are paths: `_root.validate-cart.create-order…`).
fn view_step<'a>(view: &'a Value, name: &str) -> &'a Value {
    let steps = view["execution"]["steps"].as_object().expect("steps");
    steps
        .iter()
        .find(|(path, _)| path.ends_with(&format!(".{name}")))
        .map(|(_, step)| step)
        .unwrap_or_else(|| panic!("no step {name} in {view}"))
}

fn reserved(app: &TestApp) -> i64 {
    app.engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("read")
}

#[test]
fn the_system_provider_runs_inside_the_one_job_and_the_journal_still_shows_its_step() {
    let app = TestApp::start();
    let cart = ready_cart(&app, "pp_system_default");
    let done = app.complete(&cart);
    assert_eq!(done.json()["type"], "order", "{}", done.text());
    assert_eq!(step_rows(&app, "create-payment-session"), 0);
    assert_eq!(step_rows(&app, "complete-cart"), 0);
    let view = completion_view(&app, &cart);
    assert_eq!(view["state"], "done");
    let authorize = view_step(&view, "authorize-payment");
    assert_eq!(authorize["kind"], "external");
    assert_eq!(authorize["invoke"]["state"], "done");
    assert_eq!(authorize["compensate"]["state"], "dormant");
    assert_eq!(authorize["definition"]["local"], false);
    assert!(authorize["output"]["data"].is_object(), "{authorize}");
    assert_eq!(
        view["context"]["data"]["invoke"]["authorize-payment"]["output"]["output"],
        authorize["output"]
    );
    assert_eq!(
        view_step(&view, "finalize-order")["invoke"]["state"],
        "done"
    );
}

#[test]
fn an_in_process_provider_is_called_on_the_writer_and_any_other_outside_it() {
    let (app, calls, _) = shop();
    let local = ready_cart(&app, "pp_local_local");
    assert_eq!(app.complete(&local).json()["type"], "order");
    assert_eq!(step_rows(&app, "complete-cart"), 0);
    let seen = calls.lock().expect("calls").clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("initiate ") && seen[0].ends_with(" on writer"));
    assert_eq!(seen[1], format!("authorize {local}:authorize:1 on writer"));

    calls.lock().expect("calls").clear();
    let remote = ready_cart(&app, "pp_remote_remote");
    assert_eq!(app.complete(&remote).json()["type"], "order");
    let seen = calls.lock().expect("calls").clone();
    assert!(seen[0].ends_with(" on caller"), "{seen:?}");
    assert_eq!(seen[1], format!("authorize {remote}:authorize:1 on caller"));
    assert!(
        step_rows(&app, "complete-cart") > 0,
        "a third-party provider keeps the intent row and the second job"
    );
    let view = completion_view(&app, &remote);
    let authorize = view_step(&view, "authorize-payment");
    assert_eq!(authorize["invoke"]["state"], "done");
    assert_eq!(authorize["output"]["data"]["by"], "pp_remote_remote");
}

#[test]
fn an_in_process_decline_compensates_the_order_and_answers_with_the_cart() {
    let (app, calls, decline) = shop();
    let cart = ready_cart(&app, "pp_local_local");
    let before = reserved(&app);
    decline.store(true, Ordering::SeqCst);
    let refused = app.complete(&cart);
    assert_eq!(refused.status, 200, "{}", refused.text());
    let body = refused.json();
    assert_eq!(body["type"], "cart", "{body}");
    assert_eq!(body["cart"]["id"], cart.as_str());
    assert_eq!(body["error"]["message"], "Payment authorization failed");
    assert_eq!(reserved(&app), before, "the reservation was compensated");
    let view = completion_view(&app, &cart);
    assert_eq!(view["state"], "reverted");
    assert_eq!(
        view_step(&view, "authorize-payment")["invoke"]["state"],
        "failed"
    );
    for undone in ["create-order", "reserve-inventory"] {
        assert_eq!(
            view_step(&view, undone)["compensate"]["state"],
            "reverted",
            "{undone}"
        );
    }
    let orders: i64 = app
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM link_order_cart WHERE deleted_at IS NULL",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("read");
    assert_eq!(orders, 0, "no order is left linked to a cart");

    decline.store(false, Ordering::SeqCst);
    let placed = app.complete(&cart);
    assert_eq!(placed.json()["type"], "order", "{}", placed.text());
    let seen = calls.lock().expect("calls").clone();
    assert_eq!(
        seen[1..],
        [
            format!("authorize {cart}:authorize:1 on writer"),
            format!("authorize {cart}:authorize:2 on writer"),
        ],
        "the declined attempt was counted: the retry has a key of its own"
    );
    assert_eq!(reserved(&app), before + 1);
}

#[test]
fn a_repeated_completion_replays_the_order_under_either_key() {
    let app = TestApp::start();
    let cart = ready_cart(&app, "pp_system_default");
    let first = app.complete(&cart).json();
    assert_eq!(first["type"], "order", "{first}");
    let again = app.complete(&cart).json();
    assert_eq!(again["order"]["id"], first["order"]["id"]);
    let path = format!("/store/carts/{cart}/complete");
    let keyed = app
        .store_with(
            "POST",
            &path,
            &[("idempotency-key", "another")],
            Some(&json!({})),
        )
        .json();
    assert_eq!(keyed["type"], "order", "{keyed}");
    assert_eq!(keyed["order"]["id"], first["order"]["id"]);
}
