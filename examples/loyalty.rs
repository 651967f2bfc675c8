//! A loyalty-points module built only on Stockroom's public API, the way a Medusa user extends
//! Medusa: its own tables and migration, typed models with a generated service (`Account`,
//! `Transaction` belonging to it, the `Tier` enum), a link to the core customer, a subscriber
//! (`order.placed` → points), a typed workflow with compensation (including an external
//! partner call), a `customer_created` hook (referral codes), a nightly points-expiry job,
//! store/admin routes with declared middleware, and the admin UI: a widget in
//! `customer.details.after` with the customer's points and tier, and a "Loyalty" page listing
//! the top members.
//!
//! ```sh
//! cargo run --example loyalty -- serve --demo            # the demo store + loyalty routes
//! cargo run --example loyalty -- adjust --db shop.db --customer cus_1 --amount 50 --reason gift
//! cargo run --example loyalty -- recover --db shop.db    # start-up recovery, then exit
//! ```
//!
//! `LOYALTY_PARTNER_LEDGER=FILE` makes the partner call append to FILE (the external side
//! effect); `LOYALTY_PARTNER_FAIL=1` makes the partner refuse, so the workflow compensates.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::io::Write;
use stockroom::clock::format_iso8601;
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions, Tx};
use stockroom::events::{Event, ack_in};
use stockroom::http::middleware::RateLimit;
use stockroom::http::ui::{Ui, WidgetContext};
use stockroom::http::validate::{Kind, Schema};
use stockroom::http::{Access, Request, Response, Route, list_envelope};
use stockroom::jobs::JobRun;
use stockroom::link::{Link, LinkEnd, define_link};
use stockroom::maud::{Markup, html};
use stockroom::model::Entity;
use stockroom::workflow::hooks::{Hook, points};
use stockroom::workflow::{Done, Handle, Step, Workflow};
use stockroom::{Engine, EngineBuilder, Error, Result, ctx::Ctx};

stockroom::model_enum! {
    /// A customer's standing, from their balance.
    pub enum Tier { Bronze = "bronze", Silver = "silver", Gold = "gold" }
}

impl Tier {
    fn for_points(points: i64) -> Tier {
        match points {
            p if p >= 1000 => Tier::Gold,
            p if p >= 200 => Tier::Silver,
            _ => Tier::Bronze,
        }
    }
}

stockroom::model! {
    /// A loyalty account: one per customer (`tier` is unset until the balance first moves).
    pub struct Account in "loyalty_account" as "lacc" {
        customer_id: String,
        points: i64 = 0,
        tier: Option<Tier>,
    }
    new NewAccount, changes AccountChanges, filter AccountFilter
}

stockroom::model! {
    /// One change to an account's points, and why (`source_id`: the order it was earned by).
    pub struct Transaction in "loyalty_transaction" as "ltx" {
        account_id: String,
        amount: i64,
        reason: String,
        source_id: Option<String>,
    }
    belongs_to Account by account_id;
    new NewTransaction, changes TransactionChanges, filter TransactionFilter
}

/// The module: tables `loyalty_*`, its migration, its models.
pub fn module() -> Module {
    Module::new("loyalty", "loyalty")
        .migration(Migration::embedded(
            "0001_init.sql",
            include_str!("loyalty/0001_init.sql"),
        ))
        .model(Account::model().clone())
        .model(Transaction::model().clone())
}

/// Customer (core) ↔ loyalty account (ours).
pub fn customer_link() -> Link {
    define_link(
        LinkEnd::new("customer", "customer_id"),
        LinkEnd::new("loyalty_account", "loyalty_account_id"),
    )
}

/// The customer's account, created on first use (and linked to the customer).
pub fn account_for(tx: &Tx, ctx: &Ctx, customer_id: &str) -> Result<Account> {
    let mine = AccountFilter::default().customer_id(customer_id);
    if let Some(account) = Account::first(tx, &mine)? {
        return Ok(account);
    }
    let new = NewAccount {
        customer_id: customer_id.into(),
        points: None,
        tier: None,
    };
    let account = Account::create(tx, ctx, &new)?;
    customer_link().create(tx, &ctx.id("lnk"), customer_id, &account.id, &ctx.now())?;
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
) -> Result<Account> {
    let account = account_for(tx, ctx, customer_id)?;
    record(tx, ctx, &account, amount, reason, source_id)?;
    change_balance(tx, ctx, &account.id, amount)
}

fn record(
    tx: &Tx,
    ctx: &Ctx,
    account: &Account,
    amount: i64,
    reason: &str,
    source_id: Option<&str>,
) -> Result<Transaction> {
    let entry = NewTransaction {
        account_id: account.id.clone(),
        amount,
        reason: reason.into(),
        source_id: source_id.map(String::from),
    };
    Transaction::create(tx, ctx, &entry)
}

fn change_balance(tx: &Tx, ctx: &Ctx, account_id: &str, amount: i64) -> Result<Account> {
    let account = Account::retrieve(tx, account_id)?;
    let points = account.points + amount;
    if points < 0 {
        return Err(Error::not_allowed(format!(
            "Not enough points: the balance is {}",
            account.points
        )));
    }
    let changes = AccountChanges {
        points: Some(points),
        tier: Some(Some(Tier::for_points(points))),
        ..Default::default()
    };
    let updated = Account::update(tx, ctx, account_id, &changes)?;
    ctx.emit(
        tx,
        "loyalty.points_changed",
        json!({"id": account_id, "points": points}),
    )?;
    Ok(updated)
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
    let order_id = event.data["id"]
        .as_str()
        .ok_or_else(|| Error::invalid("order.placed without an order id"))?
        .to_string();
    let (ctx, event) = (engine.ctx().clone(), event.clone());
    engine.store().write(move |tx| {
        let awarded = TransactionFilter::default().source_id(order_id.clone());
        if Transaction::first(tx, &awarded)?.is_none() {
            add_points(tx, &ctx, &customer_id, points, "order", Some(&order_id))?;
        }
        ack_in(tx, &ctx, &event)
    })
}

/// Points lapse after this many days without any change to the balance.
pub const EXPIRY_DAYS: i64 = 365;

/// The nightly job (`0 3 * * *`): balances untouched for [`EXPIRY_DAYS`] expire, each with
/// an `expired` transaction, in one write job. Its result (journaled) counts them.
pub fn expire_points(engine: &Engine, _run: &JobRun) -> Result<Value> {
    let ctx = engine.ctx().clone();
    let cutoff = format_iso8601(engine.clock().now() - EXPIRY_DAYS * 86_400_000);
    let expired = engine.store().write(move |tx| {
        let stale: Vec<String> = tx
            .prepare_cached(
                "SELECT id FROM loyalty_account
                 WHERE deleted_at IS NULL AND points > 0 AND updated_at < ?1",
            )?
            .query_map([&cutoff], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &stale {
            let account = Account::retrieve(tx, id)?;
            record(tx, &ctx, &account, -account.points, "expired", None)?;
            change_balance(tx, &ctx, id, -account.points)?;
        }
        Ok(stale.len())
    })?;
    Ok(json!({ "expired": expired }))
}

/// Points a referrer earns when someone signs up with their code.
pub const REFERRAL_BONUS: i64 = 100;

/// What the `customer_created` hook reads from the request's `additional_data`.
#[derive(Deserialize)]
struct Referral {
    /// The referrer's loyalty account id (what `GET /store/loyalty` shows them).
    referral_code: Option<String>,
}

/// The customer the hook point names.
#[derive(Deserialize)]
struct CustomerCreated {
    customer_id: String,
}

/// Hook at `customer_created`: a sign-up with `additional_data.referral_code` credits the
/// referrer, in the same transaction as the new customer; an unknown code refuses the
/// sign-up (400, nothing is created).
pub fn referral_hook() -> Hook {
    Hook::new(points::CUSTOMER_CREATED, "loyalty.referral", |tx, hook| {
        let Referral {
            referral_code: Some(code),
        } = hook.additional_as()?
        else {
            return Ok(Value::Null);
        };
        let created: CustomerCreated = hook.data_as()?;
        let referrer = Account::retrieve(tx, &code)
            .map_err(|_| Error::invalid(format!("Unknown referral code {code}")))?;
        let ctx = hook.engine.ctx();
        let source = Some(created.customer_id.as_str());
        add_points(
            tx,
            ctx,
            &referrer.customer_id,
            REFERRAL_BONUS,
            "referral",
            source,
        )?;
        Ok(json!(referrer.customer_id))
    })
    // Runs if a workflow fails after the point (a plain write job simply rolls back).
    .compensate(|tx, hook, referrer| match referrer.as_str() {
        Some(customer) => {
            let ctx = hook.engine.ctx();
            add_points(
                tx,
                ctx,
                customer,
                -REFERRAL_BONUS,
                "referral-reverted",
                None,
            )
            .map(|_| ())
        }
        None => Ok(()),
    })
}

/// What an adjustment takes (`loyalty-adjust-points`' input).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjust {
    pub customer_id: String,
    pub amount: i64,
    pub reason: String,
}

/// The adjustment workflow: typed input, the account after it as output.
pub const ADJUST: Handle<Adjust, Account> = Handle::new("loyalty-adjust-points");

/// What undoing an applied balance change needs.
#[derive(Serialize, Deserialize)]
struct Applied {
    account_id: String,
    amount: i64,
}

/// The admin adjustment as a workflow: record the transaction, tell the partner (external),
/// apply the balance. Any failure undoes what was done, in reverse.
pub fn adjust_workflow() -> Workflow {
    ADJUST
        .workflow()
        .step(
            Step::local("record-transaction", |tx, ctx| {
                let input: Adjust = ctx.input_as()?;
                let account = account_for(tx, ctx.engine.ctx(), &input.customer_id)?;
                let entry = record(
                    tx,
                    ctx.engine.ctx(),
                    &account,
                    input.amount,
                    &input.reason,
                    None,
                )?;
                Done::of(&entry)?.undo_with(&entry.id)
            })
            .compensate_with(|tx, ctx, entry_id: String| {
                Transaction::soft_delete(tx, ctx.engine.ctx(), &entry_id)
            }),
        )
        .step(
            Step::external("notify-partner", |ctx| {
                let input: Adjust = ctx.input_as()?;
                partner_call(&ctx.idempotency_key(), &format!("+{}", input.amount))?;
                Ok(Done::new(json!({"partner_ref": ctx.idempotency_key()})))
            })
            // Works from the key alone, as recovery may call it without data.
            .compensate_external(|ctx, _| partner_call(&ctx.idempotency_key(), "cancel")),
        )
        .step(
            Step::local("apply-balance", |tx, ctx| {
                let input: Adjust = ctx.input_as()?;
                let entry: Transaction = ctx.result_as("record-transaction")?;
                let account =
                    change_balance(tx, ctx.engine.ctx(), &entry.account_id, input.amount)?;
                let applied = Applied {
                    account_id: entry.account_id,
                    amount: input.amount,
                };
                Done::of(&account)?.undo_with(&applied)
            })
            .compensate_with(|tx, ctx, applied: Applied| {
                change_balance(tx, ctx.engine.ctx(), &applied.account_id, -applied.amount)
                    .map(|_| ())
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

/// The body of an adjustment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdjustBody {
    amount: i64,
    reason: String,
}

/// `POST /admin/loyalty/:customer_id/adjust` `{amount, reason}`.
fn admin_adjust(engine: &Engine, req: &Request) -> Result<Response> {
    let body: AdjustBody = req.body_as()?;
    let input = Adjust {
        customer_id: req.param("customer_id").into(),
        amount: body.amount,
        reason: body.reason,
    };
    let account = ADJUST.run(engine, &input, req.header("idempotency-key"))?;
    Ok(Response::json(json!({"loyalty_account": account})))
}

/// `GET /admin/loyalty/:customer_id/transactions?limit&offset` (the route's query schema
/// has checked both are integers).
fn admin_transactions(engine: &Engine, req: &Request) -> Result<Response> {
    let number = |key: &str, default: u64| {
        req.query_str(key)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(default)
    };
    let (limit, offset) = (number("limit", 100).min(100), number("offset", 0));
    let customer_id = req.param("customer_id").to_string();
    let (items, count) = engine.store().read(move |conn| {
        let accounts = customer_link().rights_of(conn, &customer_id)?;
        let filter = TransactionFilter {
            account_id: Some(accounts),
            ..Default::default()
        };
        Transaction::list(conn, &filter, limit, offset)
    })?;
    let items = items.iter().map(|t| json!(t)).collect();
    Ok(Response::json(list_envelope(
        "loyalty_transactions",
        items,
        count,
        offset,
        limit,
    )))
}

/// The customer's account, if it has one (read only: the admin UI never creates one).
pub fn account_of(conn: &rusqlite::Connection, customer_id: &str) -> Result<Option<Account>> {
    Account::first(conn, &AccountFilter::default().customer_id(customer_id))
}

/// The `customer.details.after` widget: the customer's points and tier.
fn points_widget(cx: &WidgetContext) -> Result<Markup> {
    let customer_id = cx.entity_id.to_string();
    let account = cx
        .engine
        .store()
        .read(move |conn| account_of(conn, &customer_id))?;
    let points = account.as_ref().map_or(0, |a| a.points);
    let tier = account
        .and_then(|a| a.tier)
        .unwrap_or_else(|| Tier::for_points(points));
    Ok(html! {
        h2 { "Loyalty" }
        p class="loyalty-points" { strong { (points) } " points · " (tier.as_str()) " tier" }
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
        .hook(referral_hook())
        .job("loyalty-expire-points", "0 3 * * *", expire_points)
        .on(
            "loyalty.award-order-points",
            "order.placed",
            on_order_placed,
        )
        .route(
            Route::new(
                "GET",
                "/store/loyalty",
                Access::Customer,
                "The customer's loyalty account",
                store_loyalty,
            )
            .rate_limit(RateLimit::per_minute(60)),
        )
        .route(Route::new(
            "POST",
            "/admin/loyalty/:customer_id/adjust",
            Access::Admin,
            "Adjust a customer's points",
            admin_adjust,
        ))
        .route(
            Route::new(
                "GET",
                "/admin/loyalty/:customer_id/transactions",
                Access::Admin,
                "A customer's point history",
                admin_transactions,
            )
            .query(
                Schema::new()
                    .optional("limit", Kind::Integer)
                    .optional("offset", Kind::Integer),
            ),
        )
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
            let input = Adjust {
                customer_id: flag(args, "--customer").unwrap_or("cus_demo").into(),
                amount,
                reason: flag(args, "--reason").unwrap_or("adjustment").into(),
            };
            let outcome = ADJUST.run(&engine, &input, flag(args, "--key"));
            engine.shutdown();
            println!("{}", json!(outcome?));
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
