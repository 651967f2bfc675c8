//! Admin order management (issue 6): fulfillments and shipments, payment capture and refund,
//! order cancellation, the admin's direct edits (update, archive, complete), and order transfers — each a registered workflow (journaled, idempotent under a key,
//! provider calls as external steps with compensation of the local work before them).

pub mod cancel;
pub mod change_inputs;
pub mod claim_items;
pub mod draft_promotions;
pub mod draft_shipping;
pub mod draft_types;
pub mod draft_update;
pub mod drafts;
pub mod edit_shipping;
pub mod edit_types;
pub mod edits;
pub mod exchange_types;
pub mod exchanges;
pub mod exchanges_confirm;
pub mod fulfill;
pub mod fulfill_types;
pub mod manage;
pub mod payment_collections;
pub mod payments;
pub mod return_shipping;
pub mod return_store;
pub mod return_types;
pub mod returns;
pub mod returns_confirm;
pub mod returns_receive;
pub mod sequences;
pub mod shipping_options;
pub mod targets;
pub mod transfer;
pub mod transfer_guest;

#[cfg(test)]
mod recovery_tests;

use crate::workflow::Workflow;

/// Every order-management workflow, registered by `Engine::builder`.
pub fn workflows() -> Vec<Workflow> {
    vec![
        fulfill::create_workflow(),
        fulfill::shipment_workflow(),
        fulfill::delivered_workflow(),
        fulfill::cancel_workflow(),
        payments::capture_workflow(),
        payments::refund_workflow(),
        cancel::workflow(),
        transfer_guest::workflow(),
    ]
    .into_iter()
    .chain(transfer::workflows())
    .chain(manage::workflows())
    .chain(returns::workflows())
    .chain(edits::workflows())
    .chain(drafts::workflows())
    .chain(exchanges::workflows())
    .chain(payment_collections::workflows())
    .collect()
}
