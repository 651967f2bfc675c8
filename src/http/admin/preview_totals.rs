//! The preview's totals (`/admin/orders/:id/preview` and every after-sales route's
//! `order_preview`), recomputed as Medusa's preview does: the order's lines and shipping as
//! the open change would leave them — an edit's new quantities and new lines, outbound
//! shipping taxed at the order's address — and a summary whose `current_order_total` also
//! takes off what the change's returned items would be credited (its `original_order_total`
//! is the order's current total, from before the change); a draft's
//! edit also re-prices or removes its methods and recomputes its promotions. So the
//! preview's `pending_difference` is what the order's will be once the change is confirmed.

use super::order_json::{paid, summary};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::draft_promotions;
use crate::flows::orders::edits::order_tax_lines;
use crate::http::store::checkout_json::totals_fields;
use crate::modules::order::changes::{
    ChangeAction, ITEM_ADD, ITEM_UPDATE, OrderChange, SHIPPING_REMOVE,
};
use crate::modules::order::draft_lines::SHIPPING_UPDATE;
use crate::modules::order::return_actions::{RETURN_ITEM, SHIPPING_ADD};
use crate::modules::order::{self, LineItem, ShippingMethod};
use crate::totals::{Line, Totals};
use rusqlite::Connection;
use serde_json::{Map, Value};

/// The order's lines and methods with `actions` applied, and what they credit back. A new
/// line or method takes its action's id (promotions need each line named).
fn previewed(
    conn: &Connection,
    engine: &Engine,
    found: &order::Order,
    actions: &[ChangeAction],
) -> Result<(Vec<LineItem>, Vec<ShippingMethod>, i64)> {
    let mut items = order::items::items_of(conn, &found.id)?;
    let mut methods = order::shipping::methods_of(conn, &found.id)?;
    let mut credit = 0;
    for a in actions {
        let amount = a.amount.unwrap_or_default();
        let target = a.reference_id.as_deref();
        match a.action.as_str() {
            ITEM_UPDATE => {
                let line = a.details["reference_id"].as_str();
                if let Some(item) = items.iter_mut().find(|i| Some(i.id.as_str()) == line) {
                    item.quantity = a.details["quantity"].as_i64().unwrap_or(item.quantity);
                }
            }
            ITEM_ADD => {
                if let Ok(mut item) = serde_json::from_value::<LineItem>(a.details["item"].clone())
                {
                    item.id.clone_from(&a.id);
                    items.push(item);
                }
            }
            SHIPPING_ADD if a.return_id.is_none() => methods.push(ShippingMethod {
                id: a.id.clone(),
                amount,
                shipping_option_id: a.details["shipping_option_id"].as_str().map(str::to_string),
                tax_lines: order_tax_lines(conn, engine, found, &LineItem::default())?,
                ..ShippingMethod::default()
            }),
            SHIPPING_ADD => credit -= amount,
            SHIPPING_UPDATE => {
                for m in methods.iter_mut().filter(|m| Some(m.id.as_str()) == target) {
                    m.amount = amount;
                    m.shipping_option_id = a.details["new_shipping_option_id"]
                        .as_str()
                        .map(str::to_string);
                }
            }
            SHIPPING_REMOVE => methods.retain(|m| Some(m.id.as_str()) != target),
            // Claim items (WRITE_OFF_ITEM) move no money, as in Medusa.
            RETURN_ITEM => credit += amount,
            _ => {}
        }
    }
    if found.status == "draft" {
        let codes = draft_promotions::codes_after(conn, &found.id, actions)?;
        let now = engine.ctx().now();
        draft_promotions::adjust(conn, &now, found, &codes, &mut items, &mut methods)?;
    }
    Ok((items, methods, credit))
}

/// Replaces the preview document's totals and summary with the change's outcome.
///
/// # Errors
/// Database failures; amounts out of range.
pub fn recompute(
    conn: &Connection,
    engine: &Engine,
    doc: &mut Map<String, Value>,
    change: &OrderChange,
    actions: &[ChangeAction],
) -> Result<()> {
    let found = order::retrieve(conn, &change.order_id)?;
    let (items, methods, credit) = previewed(conn, engine, &found, actions)?;
    let item_lines: Vec<Line> = items.iter().map(LineItem::totals_line).collect();
    let method_lines: Vec<Line> = methods.iter().map(ShippingMethod::totals_line).collect();
    let totals = Totals::of(&item_lines, &method_lines)?;
    let currency = found.currency_code.clone();
    doc.extend(totals_fields(&totals, &currency));
    let owed = order::returns::refund_owed(conn, &found.id)?
        + order::after_sales::claims_owed(conn, &found.id)?
        + credit;
    // Medusa's preview: the original total is the order's as it stands before the change.
    let original = order::summary::current_total(conn, &found.id)?;
    let sums = paid(conn, doc)?;
    doc.insert(
        "summary".into(),
        summary(original, totals.total() - owed, &sums, &currency),
    );
    Ok(())
}
