//! Offline sync between tills and a central store (issue 17). A till is a whole Stockroom
//! store of its own that keeps selling while central is away:
//! * **push** — every order placed in the till's POS sales channel is queued
//!   ([`queue_subscriber`]) and pushed as a self-contained [`message::SaleMessage`] keyed by
//!   the till's order id; central ingests it with [`ingest`] exactly once;
//! * **pull** — central's [`capture`] triggers log row images of the catalog; a till applies
//!   them page by page ([`changes`]), each page with its cursor in one write job.
//!
//! [`worker`] runs both on `serve`'s background thread, [`cli`] is `stockroom till …`.

pub mod capture;
pub mod changes;
pub mod cli;
pub mod client;
pub mod ingest;
pub mod message;
pub mod worker;

use crate::engine::Engine;
use crate::error::Result;
use crate::events::{Event, Subscriber, ack_in};
use crate::modules::{order, till_sync};
use crate::workflow::Workflow;

/// The workflows this flow registers.
pub fn workflows() -> Vec<Workflow> {
    vec![ingest::workflow()]
}

/// Queues each order a till places in its POS sales channel, in the same write job as the
/// event's acknowledgement (so a crash never queues twice nor loses one). On a store that is
/// not a till it only acknowledges.
pub fn queue_subscriber() -> Subscriber {
    Subscriber::new("till-sync-queue", "order.placed", queue_sale)
}

fn queue_sale(engine: &Engine, event: &Event) -> Result<()> {
    let order_id = event.data["id"].as_str().unwrap_or_default().to_string();
    let event = event.clone();
    let ctx = engine.ctx().clone();
    engine.store().write(move |tx| {
        if let Some(config) = till_sync::config(tx)? {
            let placed = order::retrieve(tx, &order_id)?;
            if placed.sales_channel_id.as_deref() == Some(config.sales_channel_id.as_str()) {
                till_sync::enqueue(tx, &ctx, &order_id)?;
            }
        }
        ack_in(tx, &ctx, &event)
    })
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
