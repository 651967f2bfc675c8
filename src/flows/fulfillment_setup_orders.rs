//! `/admin/fulfillments/:id/shipment|cancel` outside an order's routes: every fulfillment
//! this engine makes belongs to an order (`order_fulfillment` link), so these resolve the
//! order and run the order's own workflows (`create-order-shipment`,
//! `cancel-order-fulfillment`) — the same checks, stock movements and events as the order
//! routes, with no second way to change a fulfillment.

use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::fulfillment::records;
use rusqlite::Connection;

/// The order a fulfillment belongs to.
///
/// # Errors
/// 404 for an unknown fulfillment; 400 `not_allowed` for one without an order.
pub fn order_of_fulfillment(conn: &Connection, id: &str) -> Result<String> {
    records::retrieve(conn, id)?;
    links::order_fulfillment()
        .lefts_of(conn, id)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::not_allowed(format!(
                "Fulfillment {id} belongs to no order; only order fulfillments can be changed here"
            ))
        })
}
