//! An order's own fields and status as staff change them (Medusa 2.21.2's order module
//! `archive`, `completeOrder` and the update of `update-order-workflow`). Each status move is
//! an `UPDATE` guarded on the statuses it may leave, so the check and the write hold together
//! even if a caller skipped the check.

use super::{ADDRESS_FIELDS, Order, insert_address, retrieve};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

/// The statuses Medusa lets an order be archived from.
const ARCHIVABLE: &str = "('completed', 'canceled', 'draft')";

/// Archives an order (Medusa's `archive`: only from completed, canceled or draft).
///
/// # Errors
/// 404 for an unknown order; 400 with Medusa's message otherwise (its wording reads as the
/// opposite of its rule, and is kept so clients see the same text).
pub fn archive(conn: &Connection, ctx: &Ctx, id: &str) -> Result<Order> {
    let order = retrieve(conn, id)?;
    let moved = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "UPDATE \"order\" SET status = 'archived', updated_at = ?2
             WHERE id = ?1 AND status IN {ARCHIVABLE}"
        ))?
        .execute(params![order.id, ctx.now()])?;
    if moved == 0 {
        return Err(Error::invalid(format!(
            "Orders {} are completed, canceled, or in draft and cannot be archived",
            order.id
        )));
    }
    retrieve(conn, id)
}

/// Makes a just-created order a draft (staff's order, not yet placed: not in the order
/// listings or count).
///
/// # Errors
/// Database failures.
pub fn mark_draft(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached_static("UPDATE \"order\" SET status = 'draft' WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Places a draft: `draft` → `pending` (the same id), guarded so it happens once.
///
/// # Errors
/// 400 "Order X is not a draft" (also when placed already).
pub fn place_draft(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let moved = conn
        .prepare_cached_static(
            "UPDATE \"order\" SET status = 'pending', updated_at = ?2
             WHERE id = ?1 AND status = 'draft' AND deleted_at IS NULL",
        )?
        .execute(params![id, ctx.now()])?;
    if moved != 1 {
        return Err(Error::invalid(format!("Order {id} is not a draft")));
    }
    Ok(())
}

/// Completes an order (Medusa's `completeOrder`: anything but a canceled order, again if
/// already completed).
///
/// # Errors
/// 404 for an unknown order; 400 "Orders X are canceled and cannot be completed".
pub fn complete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<Order> {
    let order = retrieve(conn, id)?;
    let moved = conn
        .prepare_cached_static(
            "UPDATE \"order\" SET status = 'completed', updated_at = ?2
             WHERE id = ?1 AND status != 'canceled'",
        )?
        .execute(params![order.id, ctx.now()])?;
    if moved == 0 {
        return Err(Error::invalid(format!(
            "Orders {} are canceled and cannot be completed",
            order.id
        )));
    }
    retrieve(conn, id)
}

/// What `POST /admin/orders/:id` may change; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct OrderUpdate {
    /// The new contact email (checked by the caller's flow).
    pub email: Option<String>,
    /// Address fields merged over the current shipping address.
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields merged over the current billing address.
    pub billing_address: Option<Map<String, Value>>,
    /// `Some(None)` clears the metadata; `Some(Some(_))` replaces it.
    pub metadata: Option<Option<Value>>,
}

/// Which address of an order.
#[derive(Debug, Clone, Copy)]
pub enum AddressKind {
    /// `shipping_address_id`
    Shipping,
    /// `billing_address_id`
    Billing,
}

impl AddressKind {
    fn column(self) -> &'static str {
        match self {
            AddressKind::Shipping => "shipping_address_id",
            AddressKind::Billing => "billing_address_id",
        }
    }

    /// The name Medusa gives the change (`details.type`).
    pub fn name(self) -> &'static str {
        match self {
            AddressKind::Shipping => "shipping_address",
            AddressKind::Billing => "billing_address",
        }
    }
}

/// Medusa's rule: an address update may not move it to another country (taxes and shipping
/// were computed for this one).
///
/// # Errors
/// 400 "Country code cannot be changed".
pub fn check_country(
    current: Option<&Map<String, Value>>,
    input: &Map<String, Value>,
) -> Result<()> {
    let Some(wanted) = input.get("country_code").and_then(Value::as_str) else {
        return Ok(());
    };
    let had = current
        .and_then(|a| a.get("country_code"))
        .and_then(Value::as_str);
    if had != Some(wanted) {
        return Err(Error::invalid("Country code cannot be changed"));
    }
    Ok(())
}

/// Gives the order a new address row holding the current one's fields with `input` over
/// them (as Medusa does: the old row stays, for the change history). Returns the new
/// address's id.
///
/// # Errors
/// Database failures.
pub fn replace_address(
    conn: &Connection,
    ctx: &Ctx,
    order: &Order,
    kind: AddressKind,
    input: &Map<String, Value>,
) -> Result<Option<String>> {
    let current = match kind {
        AddressKind::Shipping => order.shipping_address_id.as_deref(),
        AddressKind::Billing => order.billing_address_id.as_deref(),
    };
    let mut fields = super::address(conn, current)?.unwrap_or_default();
    fields.retain(|k, _| ADDRESS_FIELDS.contains(&k.as_str()));
    for (key, value) in input {
        fields.insert(key.clone(), value.clone());
    }
    let id = insert_address(conn, ctx, Some(&fields))?;
    conn.prepare_cached(&format!(
        "UPDATE \"order\" SET {} = ?2, updated_at = ?3 WHERE id = ?1",
        kind.column()
    ))?
    .execute(params![order.id, id, ctx.now()])?;
    Ok(id)
}

/// Sets the email and / or metadata.
///
/// # Errors
/// Database failures.
pub fn set_fields(conn: &Connection, ctx: &Ctx, id: &str, input: &OrderUpdate) -> Result<()> {
    let metadata = input
        .metadata
        .as_ref()
        .map(|m| m.as_ref().map(Value::to_string));
    conn.prepare_cached_static(
        "UPDATE \"order\" SET email = COALESCE(?2, email),
           metadata = CASE WHEN ?3 THEN ?4 ELSE metadata END, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        input.email,
        metadata.is_some(),
        metadata.flatten(),
        ctx.now()
    ])?;
    Ok(())
}

/// Gives the order to a customer (staff setting the first email of an order without one).
///
/// # Errors
/// Database failures.
pub fn set_customer(conn: &Connection, ctx: &Ctx, id: &str, customer_id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE \"order\" SET customer_id = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, customer_id, ctx.now()])?;
    Ok(())
}

/// `{type, old, new}`: the details of a registered `update_order` change.
pub fn change_details(kind: &str, old: Value, new: Value) -> Value {
    json!({"type": kind, "old": old, "new": new})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    /// The draft listing's query is served by the partial draft index, not a walk of every
    /// order.
    #[test]
    fn the_draft_listing_uses_the_draft_index() {
        let (conn, _, _) = setup();
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM \"order\" WHERE deleted_at IS NULL AND status = 'draft'
                 ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET 0",
            )
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("order_draft_created")),
            "{plan:?}"
        );
    }

    fn setup() -> (Connection, Ctx, String) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[super::super::module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let input = super::super::NewOrder {
            currency_code: "usd".into(),
            ..Default::default()
        };
        let id = super::super::create(&conn, &ctx, &input).unwrap();
        (conn, ctx, id)
    }

    fn set_status(conn: &Connection, id: &str, status: &str) {
        conn.execute(
            "UPDATE \"order\" SET status = ?2 WHERE id = ?1",
            params![id, status],
        )
        .unwrap();
    }

    #[test]
    fn archive_takes_only_completed_canceled_or_draft_orders() {
        let (conn, ctx, id) = setup();
        assert!(archive(&conn, &ctx, &id).is_err(), "pending");
        for status in ["completed", "canceled", "draft"] {
            set_status(&conn, &id, status);
            assert_eq!(archive(&conn, &ctx, &id).unwrap().status, "archived");
        }
        assert!(archive(&conn, &ctx, &id).is_err(), "archived twice");
    }

    #[test]
    fn complete_refuses_only_canceled_orders() {
        let (conn, ctx, id) = setup();
        assert_eq!(complete(&conn, &ctx, &id).unwrap().status, "completed");
        assert_eq!(complete(&conn, &ctx, &id).unwrap().status, "completed");
        set_status(&conn, &id, "canceled");
        let refused = complete(&conn, &ctx, &id).unwrap_err().to_string();
        assert!(
            refused.contains("are canceled and cannot be completed"),
            "{refused}"
        );
        assert_eq!(retrieve(&conn, &id).unwrap().status, "canceled");
    }

    #[test]
    fn a_replaced_address_keeps_the_fields_not_sent() {
        let (conn, ctx, id) = setup();
        let first: Map<String, Value> =
            serde_json::from_value(json!({"city": "Oslo", "country_code": "no"})).unwrap();
        let order = retrieve(&conn, &id).unwrap();
        replace_address(&conn, &ctx, &order, AddressKind::Shipping, &first).unwrap();
        let order = retrieve(&conn, &id).unwrap();
        let patch: Map<String, Value> = serde_json::from_value(json!({"city": "Bergen"})).unwrap();
        let new = replace_address(&conn, &ctx, &order, AddressKind::Shipping, &patch).unwrap();
        let address = super::super::address(&conn, new.as_deref())
            .unwrap()
            .unwrap();
        assert_eq!(
            (&address["city"], &address["country_code"]),
            (&json!("Bergen"), &json!("no"))
        );
        let current = super::super::address(&conn, order.shipping_address_id.as_deref()).unwrap();
        assert!(check_country(current.as_ref(), &first).is_ok());
        let moved: Map<String, Value> =
            serde_json::from_value(json!({"country_code": "se"})).unwrap();
        assert!(check_country(current.as_ref(), &moved).is_err());
    }
}
