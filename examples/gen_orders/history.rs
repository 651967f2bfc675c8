//! The whole history: seed the fixture, register the customers, place a few real orders,
//! then write the rest as copies of them in large write jobs, oldest first.

use crate::copies::{self, Copy, Plan};
use crate::people::{self, Customer, Rng};
use crate::templates::{self, PERSONAS, Shop, Template};
use std::sync::Arc;
use stockroom::clock::Millis;
use stockroom::db::Tx;
use stockroom::flows::{seed, seed_files};
use stockroom::{Engine, Error, Result};

const DAY_MS: Millis = 86_400_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Orders in the history, real ones included.
    pub orders: u64,
    /// Registered customers.
    pub customers: usize,
    /// Real checkouts to copy from (at most one per persona, at most `orders`).
    pub templates: usize,
    /// Orders per write job.
    pub batch: u64,
    /// Days the history spans, from the engine clock's time at the start.
    pub span_days: i64,
    /// Seed of the customer and persona choices.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            orders: 10_000,
            customers: 300,
            templates: PERSONAS.len(),
            batch: 10_000,
            span_days: 365,
            seed: 7,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The registered customers (index 0 places the most orders).
    pub customers: Vec<Customer>,
    /// The real orders.
    pub templates: Vec<Template>,
    /// Compiled templates (rows per order, reservations).
    pub plans: Vec<Plan>,
    /// Copies made of each template.
    pub copies: Vec<u64>,
    /// Orders placed by each customer (real and copies).
    pub orders_per_customer: Vec<u64>,
}

/// Seeds `fixture` (its image files read from `dir`, the fixture's folder) into the engine's
/// (empty) store and generates the history.
///
/// # Errors
/// Seeding, registration or a checkout failing; a write job failing.
pub fn generate(
    engine: &Engine,
    (fixture, dir): (&str, &std::path::Path),
    options: &Options,
) -> Result<Summary> {
    if !engine.subscribers().is_empty() {
        return Err(Error::invalid(
            "copied events are marked dispatched: use an engine without subscribers",
        ));
    }
    let start = engine.clock().now();
    let parsed = seed::parse(fixture)?;
    let base_url = seed_files::base_url_for("localhost", 9000);
    let files = seed_files::FixtureFiles::from_dir(&parsed, dir, &base_url)?;
    seed::load_with_files(engine, parsed, &files)?;
    engine.clock().advance(60_000);
    let customers = people::register(engine, options.customers)?;
    let shop = Shop::discover(engine)?;
    let count = options
        .templates
        .min(PERSONAS.len())
        .min(usize::try_from(options.orders).unwrap_or(usize::MAX));
    let mut made = Vec::with_capacity(count);
    for index in 0..count {
        engine.clock().advance(60_000);
        made.push(templates::record(engine, &shop, index, customers.first())?);
    }
    let plans = made.iter().map(copies::plan).collect::<Result<Vec<_>>>()?;
    let mut summary = Summary {
        orders_per_customer: vec![0; customers.len()],
        copies: vec![0; plans.len()],
        customers,
        templates: made,
        plans,
    };
    for t in &summary.templates {
        if t.customer.is_some() {
            summary.orders_per_customer[0] += 1;
        }
    }
    let end = start + options.span_days * DAY_MS;
    write_copies(engine, options, end, &mut summary)?;
    Ok(summary)
}

/// One copy to write: its template, customer (registered templates), start and display id.
struct Assignment {
    template: usize,
    customer: Option<usize>,
    guest: u64,
    start_ms: Millis,
    display_id: i64,
}

fn write_copies(engine: &Engine, options: &Options, end: Millis, s: &mut Summary) -> Result<()> {
    let total = options.orders.saturating_sub(s.templates.len() as u64);
    if total == 0 {
        return Ok(());
    }
    let first = engine.clock().now() + 60_000;
    let step = (end - first) / total as i64;
    let widest = s.plans.iter().map(|p| p.span_ms).max().unwrap_or(0);
    if step <= widest {
        return Err(Error::invalid(format!(
            "{total} orders do not fit in {} days one after the other",
            options.span_days
        )));
    }
    let next_display: i64 = engine.store().read(|c| {
        Ok(c.query_row(
            "SELECT COALESCE(MAX(display_id), 0) + 1 FROM \"order\"",
            [],
            |r| r.get(0),
        )?)
    })?;
    let plans = Arc::new(s.plans.clone());
    let customers = Arc::new(s.customers.clone());
    let mut rng = Rng::new(options.seed);
    let mut done = 0u64;
    while done < total {
        let size = options.batch.max(1).min(total - done);
        let mut batch = Vec::with_capacity(size as usize);
        for i in done..done + size {
            let template = rng.below(plans.len());
            let mut customer = None;
            if plans[template].registered && !customers.is_empty() {
                let c = people::pick(&mut rng, customers.len());
                s.orders_per_customer[c] += 1;
                customer = Some(c);
            }
            s.copies[template] += 1;
            batch.push(Assignment {
                template,
                customer,
                guest: rng.next_u64() % 10_000,
                start_ms: first + i as i64 * step,
                display_id: next_display + i as i64,
            });
        }
        let (plans, customers, ctx) = (plans.clone(), customers.clone(), engine.ctx().clone());
        engine
            .store()
            .write(move |tx| write_batch(tx, &ctx, &plans, &customers, &batch))?;
        done += size;
    }
    Ok(())
}

/// One write job: the copies, the stock they hold, and the event cursor past their events
/// (history is long dispatched; the core registers no subscribers, so the dispatcher would
/// only move the cursor).
fn write_batch(
    tx: &Tx,
    ctx: &stockroom::ctx::Ctx,
    plans: &[Plan],
    customers: &[Customer],
    batch: &[Assignment],
) -> Result<()> {
    let mut held = vec![0i64; plans.len()];
    for a in batch {
        let guest;
        let (customer_id, email) = match a.customer {
            Some(c) => (Some(customers[c].id.as_str()), customers[c].email.as_str()),
            None => {
                guest = format!("guest-{:04}@example.com", a.guest);
                (None, guest.as_str())
            }
        };
        let copy = Copy {
            start_ms: a.start_ms,
            display_id: a.display_id,
            customer_id,
            email,
        };
        copies::insert(tx, ctx, &plans[a.template], &copy)?;
        held[a.template] += 1;
    }
    for (plan, copies) in plans.iter().zip(held) {
        for (item, location, quantity) in &plan.reservations {
            tx.prepare_cached(
                "UPDATE inventory_level SET reserved_quantity = reserved_quantity + ?3
                 WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
            )?
            .execute(rusqlite::params![item, location, quantity * copies])?;
        }
    }
    tx.execute(
        "UPDATE event_cursor SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM event_outbox) WHERE id = 1",
        [],
    )?;
    Ok(())
}
