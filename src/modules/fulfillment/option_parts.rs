//! What the admin's shipping option document shows beyond [`ShippingOption`](super::ShippingOption):
//! its rules with their ids and timestamps, its service zone and its shipping profile, as
//! stored rows (`GET /admin/shipping-options/:id`).

use crate::error::Result;
use rusqlite::Connection;
use serde_json::{Value, json};

/// The option's live rules as Medusa renders them: `{id, attribute, operator, value,
/// shipping_option_id, created_at, updated_at, deleted_at}`, `value` decoded from the JSON
/// text it is stored as (`"\"true\""` → `"true"`).
///
/// # Errors
/// Database failures.
pub fn rules_of(conn: &Connection, option_id: &str) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, attribute, operator, value, created_at, updated_at
         FROM fulfillment_shipping_option_rule
         WHERE shipping_option_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([option_id], |r| {
        let raw: String = r.get(3)?;
        let value = serde_json::from_str::<Value>(&raw).unwrap_or(Value::String(raw));
        Ok(json!({
            "id": r.get::<_, String>(0)?,
            "attribute": r.get::<_, String>(1)?,
            "operator": r.get::<_, String>(2)?,
            "value": value,
            "shipping_option_id": option_id,
            "created_at": r.get::<_, String>(4)?,
            "updated_at": r.get::<_, String>(5)?,
            "deleted_at": null,
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A live service zone row (`{id, name, fulfillment_set_id, metadata, created_at, …}`).
///
/// # Errors
/// Database failures.
pub fn service_zone(conn: &Connection, id: &str) -> Result<Option<Value>> {
    row(conn, "fulfillment_service_zone", id)
}

/// A live shipping profile row (`{id, name, type, metadata, created_at, …}`).
///
/// # Errors
/// Database failures.
pub fn shipping_profile(conn: &Connection, id: Option<&str>) -> Result<Option<Value>> {
    match id {
        Some(id) => row(conn, "fulfillment_shipping_profile", id),
        None => Ok(None),
    }
}

fn row(conn: &Connection, table: &str, id: &str) -> Result<Option<Value>> {
    let rows = crate::model::rows::load_rows(conn, table, &[id.to_string()])?;
    Ok(rows.into_iter().next().map(|v| match v {
        Value::Object(mut map) => {
            map.entry("metadata").or_insert(Value::Null);
            Value::Object(map)
        }
        other => other,
    }))
}
