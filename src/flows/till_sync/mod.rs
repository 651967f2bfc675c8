//! Offline sync between tills and a central store (issue 17). A till is a whole Stockroom
//! store of its own that keeps selling while central is away:
//! * **push** — every order placed in the till's POS sales channel is queued
//!   ([`queue_new_sales`]) and pushed as a self-contained [`message::SaleMessage`] keyed by
//!   the till's order id; central ingests it with [`ingest`] exactly once;
//! * **pull** — central's [`capture`] triggers log row images of the catalog; a till applies
//!   them page by page ([`changes`]), each page with its cursor in one write job.
//!
//! [`worker`] runs both on `serve`'s background thread, [`cli`] is `stockroom till …`.

pub mod capture;
pub mod changes;
pub mod cli;
pub mod client;
pub mod compaction;
pub mod ingest;
pub mod message;
pub mod worker;

use crate::error::Result;
use crate::events;
use crate::modules::{order, till_sync};
use crate::workflow::Workflow;

/// The workflows this flow registers.
pub fn workflows() -> Vec<Workflow> {
    vec![ingest::workflow()]
}

/// Queues the orders placed in the till's POS channel since the last call, from the
/// `order.placed` events of the outbox (each store's own sequence), and moves the event
/// cursor in the same write job — so a crash neither loses nor doubles a queue entry, and
/// whoever placed the order (the till UI, a Store API checkout, a draft converted) it is
/// pushed. Returns how many were queued; nothing on a store that is not a till.
///
/// # Errors
/// Database failures.
pub fn queue_new_sales(tx: &crate::db::Tx, ctx: &crate::ctx::Ctx) -> Result<usize> {
    let Some(config) = till_sync::config(tx)? else {
        return Ok(0);
    };
    let (placed, last) = events::named_after(tx, "order.placed", till_sync::event_cursor(tx)?)?;
    let mut queued = 0;
    for (_, data) in placed {
        let order_id = data["id"].as_str().unwrap_or_default();
        let Ok(found) = order::retrieve(tx, order_id) else {
            continue; // deleted since (a compensated placement)
        };
        if found.sales_channel_id.as_deref() == Some(config.sales_channel_id.as_str()) {
            till_sync::enqueue(tx, ctx, order_id)?;
            queued += 1;
        }
    }
    till_sync::set_event_cursor(tx, last)?;
    Ok(queued)
}

/// Installs central's capture triggers, or removes them on a till (called by
/// `Engine::build` after the migrations).
///
/// # Errors
/// Database failures.
pub fn prepare_store(tx: &crate::db::Tx) -> Result<()> {
    let is_till = till_sync::config(tx)?.is_some();
    capture::ensure(tx, !is_till)
}
