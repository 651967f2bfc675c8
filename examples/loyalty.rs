//! A loyalty-points module built only on Stockroom's public API, the way a Medusa user extends
//! Medusa: its own tables and migration, declared models with generated CRUD, a service
//! method, a link to the core customer, a subscriber (`order.placed` → points), a workflow with
//! compensation (including an external partner call), store/admin routes, and the admin UI:
//! a widget in `customer.details.after` with the customer's points and tier, and a
//! "Loyalty" page listing the top members.
//!
//! ```sh
//! cargo run --example loyalty -- serve --demo            # the demo store + loyalty routes
//! cargo run --example loyalty -- adjust --db shop.db --customer cus_1 --amount 50 --reason gift
//! cargo run --example loyalty -- recover --db shop.db    # start-up recovery, then exit
//! ```
//!
//! `LOYALTY_PARTNER_LEDGER=FILE` makes the partner call append to FILE (the external side
//! effect); `LOYALTY_PARTNER_FAIL=1` makes the partner refuse, so the workflow compensates.

use serde_json::{Value, json};
use std::io::Write;
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions, Tx};
use stockroom::events::{Event, ack_in};
use stockroom::http::ui::{Ui, WidgetContext};
use stockroom::http::validate::{Kind, Schema};
use stockroom::http::{Access, Request, Response, Route, list_envelope};
use stockroom::link::{Link, LinkEnd, define_link};
use stockroom::maud::{Markup, html};
use stockroom::model::{Field, Model};
use stockroom::workflow::{self, Done, Step, Workflow};
use stockroom::{Engine, EngineBuilder, Error, Result, ctx::Ctx};

/// Loyalty accounts: one per customer.
pub fn account_model() -> Model {
    Model::new("loyalty_account", "lacc")
        .field(Field::text("customer_id"))
        .field(Field::integer("points").default(json!(0)))
        .field(Field::text("tier").nullable())
}

/// Every change to an account's points.
pub fn transaction_model() -> Model {
    Model::new("loyalty_transaction", "ltx")
        .field(Field::text("account_id"))
        .field(Field::integer("amount"))
        .field(Field::text("reason"))
        .field(Field::text("source_id").nullable())
}

/// The module: tables `loyalty_*`, its migration, its models.
pub fn module() -> Module {
    Module::new("loyalty", "loyalty")
        .migration(Migration::embedded(
            "0001_init.sql",
            include_str!("loyalty/0001_init.sql"),
        ))
        .model(account_model())
        .model(transaction_model())
}

/// Customer (core) ↔ loyalty account (ours).
pub fn customer_link() -> Link {
    define_link(
        LinkEnd::new("customer", "customer_id"),
        LinkEnd::new("loyalty_account", "loyalty_account_id"),
    )
}

/// The customer's account, created on first use (and linked to the customer).
pub fn account_for(tx: &Tx, ctx: &Ctx, customer_id: &str) -> Result<Value> {
    let filters = json!({"customer_id": customer_id});
    let (found, _) =
        account_model().list(tx, filters.as_object().unwrap_or(&Default::default()), 1, 0)?;
    if let Some(account) = found.into_iter().next() {
        return Ok(account);
    }
    let account = account_model().create(tx, ctx, &json!({"customer_id": customer_id}))?;
    customer_link().create(
        tx,
        &ctx.id("lnk"),
        customer_id,
        str_of(&account, "id"),
        &ctx.now(),
    )?;
    Ok(account)
}

/// The service method: adds (or with a negative amount, removes) points, recording why.
/// A balance may not go below zero.
pub fn add_points(
    tx: &Tx,
    ctx: &Ctx,
    customer_id: &str,
    amount: i64,
    reason: &str,
    source_id: Option<&str>,
) -> Result<Value> {
    let account = account_for(tx, ctx, customer_id)?;
    let account_id = str_of(&account, "id").to_string();
    transaction_model().create(tx, ctx, &json!({"account_id": account_id, "amount": amount, "reason": reason, "source_id": source_id}))?;
    change_balance(tx, ctx, &account_id, amount)
}

fn change_balance(tx: &Tx, ctx: &Ctx, account_id: &str, amount: i64) -> Result<Value> {
    let account = account_model().retrieve(tx, account_id)?;
    let points = account["points"].as_i64().unwrap_or(0) + amount;
    if points < 0 {
        return Err(Error::not_allowed(format!(
            "Not enough points: the balance is {}",
            account["points"]
        )));
    }
    let updated = account_model().update(
        tx,
        ctx,
        account_id,
        &json!({"points": points, "tier": tier(points)}),
    )?;
    ctx.emit(
        tx,
        "loyalty.points_changed",
        json!({"id": account_id, "points": points}),
    )?;
    Ok(updated)
}

fn tier(points: i64) -> &'static str {
    match points {
        p if p >= 1000 => "gold",
        p if p >= 200 => "silver",
        _ => "bronze",
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// Subscriber: one point per whole unit of currency of a placed order, once per order. The
/// award and the delivery acknowledgement commit together (exactly-once effect).
pub fn on_order_placed(engine: &Engine, event: &Event) -> Result<()> {
    let Some(customer_id) = event.data["customer_id"].as_str().map(str::to_string) else {
        return Ok(()); // guest order: nothing to award
    };
    let currency = event.data["currency_code"]
        .as_str()
        .unwrap_or("usd")
        .to_string();
    let minor = stockroom::money::parse_major(&event.data["total"], &currency)
        .map_err(|e| Error::invalid(e.to_string()))?;
    let points = minor / 10_i64.pow(stockroom::money::exponent_or_default(&currency));
    let (ctx, event) = (engine.ctx().clone(), event.clone());
    engine.store().write(move |tx| {
        let order_id = event.data["id"].as_str().unwrap_or_default().to_string();
        let already = json!({"source_id": order_id});
        let (awarded, _) = transaction_model().list(
            tx,
            already.as_object().unwrap_or(&Default::default()),
            1,
            0,
        )?;
        if awarded.is_empty() {
            add_points(tx, &ctx, &customer_id, points, "order", Some(&order_id))?;
        }
        ack_in(tx, &ctx, &event)
    })
}

/// The admin adjustment as a workflow: record the transaction, tell the partner (external),
/// apply the balance. Any failure undoes what was done, in reverse.
pub fn adjust_workflow() -> Workflow {
    Workflow::new("loyalty-adjust-points")
        .step(
            Step::local("record-transaction", |tx, ctx| {
                let ectx = ctx.engine.ctx();
                let customer_id = ctx.input["customer_id"].as_str().unwrap_or_default();
                let account = account_for(tx, ectx, customer_id)?;
                let entry = json!({"account_id": account["id"], "amount": ctx.input["amount"], "reason": ctx.input["reason"]});
                let created = transaction_model().create(tx, ectx, &entry)?;
                Ok(Done::with_compensation(json!({"account_id": account["id"], "transaction_id": created["id"]}), created["id"].clone()))
            })
            .compensate(|tx, ctx, transaction_id| transaction_model().soft_delete(tx, ctx.engine.ctx(), transaction_id.as_str().unwrap_or_default())),
        )
        .step(
            Step::external("notify-partner", |ctx| {
                partner_call(&ctx.idempotency_key(), &format!("+{}", ctx.input["amount"]))?;
                Ok(Done::new(json!({"partner_ref": ctx.idempotency_key()})))
            })
            // Works from the key alone, as recovery may call it without data.
            .compensate_external(|ctx, _| partner_call(&ctx.idempotency_key(), "cancel")),
        )
        .step(
            Step::local("apply-balance", |tx, ctx| {
                let account_id = str_of(ctx.result("record-transaction"), "account_id");
                let amount = ctx.input["amount"].as_i64().unwrap_or(0);
                let account = change_balance(tx, ctx.engine.ctx(), account_id, amount)?;
                Ok(Done::with_compensation(account, json!({"account_id": account_id, "amount": amount})))
            })
            .compensate(|tx, ctx, data| {
                change_balance(tx, ctx.engine.ctx(), str_of(data, "account_id"), -data["amount"].as_i64().unwrap_or(0)).map(|_| ())
            }),
        )
}

/// The "partner": appends `key verb` to the ledger file, once per (key, verb).
fn partner_call(key: &str, verb: &str) -> Result<()> {
    if std::env::var("LOYALTY_PARTNER_FAIL").is_ok_and(|v| v == "1") && verb != "cancel" {
        return Err(Error::UnexpectedState("partner refused".into()));
    }
    let Ok(path) = std::env::var("LOYALTY_PARTNER_LEDGER") else {
        return Ok(());
    };
    let line = format!("{key} {}", if verb == "cancel" { "cancel" } else { verb });
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    if existing.lines().any(|l| l == line) {
        return Ok(()); // idempotent: this call already happened
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(file, "{line}").map_err(|e| Error::Internal(e.to_string()))
}

/// `GET /store/loyalty`: the signed-in customer's account (401 for guests).
fn store_loyalty(engine: &Engine, req: &Request) -> Result<Response> {
    let customer_id = req.actor.customer_id.clone().ok_or(Error::Unauthorized)?;
    let ctx = engine.ctx().clone();
    let account = engine
        .store()
        .write(move |tx| account_for(tx, &ctx, &customer_id))?;
    Ok(Response::json(json!({"loyalty_account": account})))
}

/// `POST /admin/loyalty/:customer_id/adjust` `{amount, reason}`.
fn admin_adjust(engine: &Engine, req: &Request) -> Result<Response> {
    let body = req.body_with(
        &Schema::new()
            .required("amount", Kind::Integer)
            .required("reason", Kind::String),
    )?;
    let input = json!({"customer_id": req.param("customer_id"), "amount": body["amount"], "reason": body["reason"]});
    let key = req.header("idempotency-key");
    let account = workflow::run(engine, "loyalty-adjust-points", input, key)?;
    Ok(Response::json(json!({"loyalty_account": account})))
}

/// `GET /admin/loyalty/:customer_id/transactions`.
fn admin_transactions(engine: &Engine, req: &Request) -> Result<Response> {
    let customer_id = req.param("customer_id").to_string();
    let items = engine.store().read(move |conn| {
        let ids = customer_link().rights_of(conn, &customer_id)?;
        let filters = json!({"account_id": ids});
        transaction_model().list(
            conn,
            filters.as_object().unwrap_or(&Default::default()),
            100,
            0,
        )
    })?;
    let count = items.1;
    Ok(Response::json(list_envelope(
        "loyalty_transactions",
        items.0,
        count,
        0,
        100,
    )))
}

/// The customer's account, if it has one (read only: the admin UI never creates one).
pub fn account_of(conn: &rusqlite::Connection, customer_id: &str) -> Result<Option<Value>> {
    let filters = json!({"customer_id": customer_id});
    let (found, _) = account_model().list(
        conn,
        filters.as_object().unwrap_or(&Default::default()),
        1,
        0,
    )?;
    Ok(found.into_iter().next())
}

/// The `customer.details.after` widget: the customer's points and tier.
fn points_widget(cx: &WidgetContext) -> Result<Markup> {
    let customer_id = cx.entity_id.to_string();
    let account = cx
        .engine
        .store()
        .read(move |conn| account_of(conn, &customer_id))?;
    let points = account
        .as_ref()
        .and_then(|a| a["points"].as_i64())
        .unwrap_or(0);
    let tier = account
        .as_ref()
        .and_then(|a| a["tier"].as_str().map(str::to_string))
        .unwrap_or_else(|| tier(0).to_string());
    Ok(html! {
        h2 { "Loyalty" }
        p class="loyalty-points" { strong { (points) } " points · " (tier) " tier" }
    })
}

/// The members with the most points, best first.
fn top_members(conn: &rusqlite::Connection, limit: u32) -> Result<Vec<(String, i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, points, coalesce(tier, '') FROM loyalty_account
         WHERE deleted_at IS NULL ORDER BY points DESC, id LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The "Loyalty" admin page: the top 50 members with their emails (the customer module's
/// service) and points.
fn loyalty_page(engine: &Engine, _: &Request, _: &Ui) -> Result<Markup> {
    let members = engine.store().read(|conn| {
        top_members(conn, 50)?
            .into_iter()
            .map(|(customer_id, points, tier)| {
                let email = stockroom::modules::customer::retrieve(conn, &customer_id)
                    .ok()
                    .and_then(|c| c.email);
                Ok((customer_id, email, points, tier))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(html! {
        table {
            caption { "Top members" }
            thead { tr { th scope="col" { "Customer" } th scope="col" class="num" { "Points" } th scope="col" { "Tier" } } }
            tbody {
                @if members.is_empty() { tr { td colspan="3" { "No members yet." } } }
                @for (id, email, points, tier) in &members {
                    tr {
                        td { a href={ "/app/customers/" (id) } { (email.as_deref().unwrap_or(id)) } }
                        td class="num" { (points) }
                        td { (tier) }
                    }
                }
            }
        }
    })
}

/// Everything the module adds, through the same builder calls the core uses.
pub fn register(builder: EngineBuilder) -> EngineBuilder {
    builder
        .module(module())
        .link(customer_link())
        .workflow(adjust_workflow())
        .on(
            "loyalty.award-order-points",
            "order.placed",
            on_order_placed,
        )
        .route(Route::new(
            "GET",
            "/store/loyalty",
            Access::Customer,
            "The customer's loyalty account",
            store_loyalty,
        ))
        .route(Route::new(
            "POST",
            "/admin/loyalty/:customer_id/adjust",
            Access::Admin,
            "Adjust a customer's points",
            admin_adjust,
        ))
        .route(Route::new(
            "GET",
            "/admin/loyalty/:customer_id/transactions",
            Access::Admin,
            "A customer's point history",
            admin_transactions,
        ))
        .widget("customer.details.after", points_widget)
        .admin_page("loyalty", "Loyalty", loyalty_page)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run_cli(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loyalty: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn run_cli(args: &[String]) -> Result<()> {
    let open = || -> Result<Engine> {
        let db = flag(args, "--db").ok_or_else(|| Error::invalid("--db PATH is required"))?;
        register(Engine::builder()).build(Store::open(db, StoreOptions::default())?)
    };
    match args.first().map(String::as_str) {
        Some("serve") => {
            let rest: Vec<String> = args.to_vec();
            let stockroom::config::Command::Serve(config) =
                stockroom::config::parse(&rest, &|k| std::env::var(k).ok())?
            else {
                return Ok(());
            };
            let app = stockroom::app::start(&config, register(Engine::builder()))?;
            println!(
                "Stockroom + loyalty listening on http://{}",
                app.server.addr()
            );
            std::thread::park();
            Ok(())
        }
        Some("adjust") => {
            let engine = open()?;
            let amount: i64 = flag(args, "--amount")
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| Error::invalid("--amount N is required"))?;
            let input = json!({"customer_id": flag(args, "--customer").unwrap_or("cus_demo"), "amount": amount, "reason": flag(args, "--reason").unwrap_or("adjustment")});
            let outcome =
                workflow::run(&engine, "loyalty-adjust-points", input, flag(args, "--key"));
            engine.shutdown();
            println!("{}", outcome?);
            Ok(())
        }
        Some("recover") => {
            // Building the engine runs start-up recovery.
            open()?.shutdown();
            Ok(())
        }
        _ => Err(Error::invalid(
            "usage: loyalty serve [serve flags] | adjust --db PATH --customer ID --amount N [--reason R] [--key K] | recover --db PATH",
        )),
    }
}
