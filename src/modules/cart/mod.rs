//! Carts: region, currency, sales channel, customer, email, addresses, metadata; line items
//! ([`items`]), shipping methods ([`shipping`]) and the tax lines of both. Totals are computed
//! on read (`crate::totals`), never stored.

mod address_json;
pub mod items;
pub mod shipping;
#[cfg(test)]
mod tests;

pub use address_json::address_json;
pub use items::LineItem;
pub use shipping::ShippingMethod;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::{metadata_from_sql, sql_value, update_columns};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// The module: tables `cart*`.
pub fn module() -> Module {
    Module::new("cart", "cart")
        .migration(migration!("cart", "0001_init.sql"))
        .migration(migration!("cart", "0002_adjustments.sql"))
}

/// A cart as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cart {
    /// `cart_…`
    pub id: String,
    /// `reg_…`
    pub region_id: Option<String>,
    /// `cus_…`
    pub customer_id: Option<String>,
    /// `sc_…`
    pub sales_channel_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Currency.
    pub currency_code: String,
    /// `caaddr_…`
    pub shipping_address_id: Option<String>,
    /// `caaddr_…`
    pub billing_address_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601 once an order was placed.
    pub completed_at: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewCart {
    /// `reg_…`
    pub region_id: Option<String>,
    /// `cus_…`
    pub customer_id: Option<String>,
    /// `sc_…`
    pub sales_channel_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Currency.
    pub currency_code: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
}

pub use crate::lines::{Adjustment, TaxLine};

/// Replaces the promotion adjustments of one line item (`item = true`) or shipping method.
///
/// # Errors
/// Database failures.
pub fn set_adjustments(
    conn: &Connection,
    ctx: &Ctx,
    item: bool,
    owner: &str,
    rows: &[Adjustment],
) -> Result<()> {
    let tables = if item {
        ("cart_line_item_adjustment", "item_id", "caliadj")
    } else {
        (
            "cart_shipping_method_adjustment",
            "shipping_method_id",
            "casmadj",
        )
    };
    crate::lines::replace_adjustments(conn, ctx, tables, owner, rows)
}

const COLUMNS: &str =
    "id, region_id, customer_id, sales_channel_id, email, currency_code, shipping_address_id,
    billing_address_id, metadata, completed_at, created_at, updated_at";

fn from_row(r: &Row) -> rusqlite::Result<Cart> {
    Ok(Cart {
        id: r.get(0)?,
        region_id: r.get(1)?,
        customer_id: r.get(2)?,
        sales_channel_id: r.get(3)?,
        email: r.get(4)?,
        currency_code: r.get(5)?,
        shipping_address_id: r.get(6)?,
        billing_address_id: r.get(7)?,
        metadata: metadata_from_sql(r.get(8)?),
        completed_at: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

/// Creates a cart. Returns its id.
///
/// # Errors
/// Database failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewCart) -> Result<String> {
    let (id, now) = (ctx.id("cart"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO cart (id, region_id, customer_id, sales_channel_id, email, currency_code, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        id, input.region_id, input.customer_id, input.sales_channel_id, input.email,
        input.currency_code.to_lowercase(), input.metadata.as_ref().map(Value::to_string), now
    ])?;
    Ok(id)
}

/// A cart by id.
///
/// # Errors
/// 404 "Cart id not found: X".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Cart> {
    shared(conn, id).map(std::rc::Rc::unwrap_or_clone)
}

/// [`retrieve`]'s cart shared with the write job's memo, for readers that change nothing.
///
/// # Errors
/// As [`retrieve`].
pub fn shared(conn: &Connection, id: &str) -> Result<std::rc::Rc<Cart>> {
    // A checkout's write jobs read their cart ~17 times; within a job it is read once until
    // the job changes it.
    crate::db::job_memo::shared("cart", id, &["cart"], || {
        conn.prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM cart WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("Cart id not found: {id}")))
    })
}

/// A cart that may still change.
///
/// # Errors
/// 404; 400 "Cart X is already completed.".
pub fn retrieve_open(conn: &Connection, id: &str) -> Result<std::rc::Rc<Cart>> {
    let cart = shared(conn, id)?;
    if cart.completed_at.is_some() {
        return Err(Error::invalid(format!("Cart {id} is already completed.")));
    }
    Ok(cart)
}

/// Columns a cart update may set.
pub const UPDATABLE: &[&str] = &[
    "region_id",
    "customer_id",
    "sales_channel_id",
    "email",
    "currency_code",
    "metadata",
];

/// Applies a partial update of [`UPDATABLE`] columns.
///
/// # Errors
/// Database failures.
pub fn update(conn: &Connection, ctx: &Ctx, id: &str, changes: &Map<String, Value>) -> Result<()> {
    update_columns(conn, "cart", id, UPDATABLE, changes, &ctx.now())?;
    Ok(())
}

/// Sets `completed_at` (or clears it, for compensation).
///
/// # Errors
/// Database failures.
pub fn set_completed(conn: &Connection, ctx: &Ctx, id: &str, completed: bool) -> Result<()> {
    let at = completed.then(|| ctx.now());
    conn.prepare_cached_static("UPDATE cart SET completed_at = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, at, ctx.now()])?;
    Ok(())
}

/// Counts a completion attempt; returns the new count (part of the payment idempotency key).
///
/// # Errors
/// Database failures.
pub fn next_attempt(conn: &Connection, id: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached_static("UPDATE cart SET completion_attempts = completion_attempts + 1 WHERE id = ?1 RETURNING completion_attempts")?
        .query_row([id], |r| r.get(0))?)
}

/// Address columns, as a cart address body carries them.
pub const ADDRESS_FIELDS: &[&str] = &[
    "customer_id",
    "company",
    "first_name",
    "last_name",
    "address_1",
    "address_2",
    "city",
    "country_code",
    "province",
    "postal_code",
    "phone",
    "metadata",
];

/// Replaces the cart's `kind` (`shipping` or `billing`) address with `fields` (or none).
///
/// The replaced address row is deleted unless the cart's other address is the same row:
/// every address row belongs to one cart, and a cart created with the region's only country
/// and then given a full address used to leave its first row behind (one orphan per checkout).
///
/// # Errors
/// Database failures.
pub fn set_address(
    conn: &Connection,
    ctx: &Ctx,
    cart_id: &str,
    kind: &str,
    fields: Option<&Map<String, Value>>,
) -> Result<()> {
    let column = if kind == "billing" {
        "billing_address_id"
    } else {
        "shipping_address_id"
    };
    let address_id = match fields {
        Some(fields) => {
            let id = ctx.id("caaddr");
            insert_address(conn, &id, &ctx.now(), fields)?;
            Some(id)
        }
        None => None,
    };
    let replaced: Option<String> = conn
        .prepare_cached_static(crate::sql_text!(
            [column],
            "SELECT {column} FROM cart WHERE id = ?1"
        ))?
        .query_row(params![cart_id], |r| r.get(0))
        .optional()?
        .flatten();
    conn.prepare_cached_static(crate::sql_text!(
        [column],
        "UPDATE cart SET {column} = ?2, updated_at = ?3 WHERE id = ?1"
    ))?
    .execute(params![cart_id, address_id, ctx.now()])?;
    if let Some(replaced) = replaced {
        conn.prepare_cached_static(
            "DELETE FROM cart_address WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM cart \
             WHERE id = ?2 AND (shipping_address_id = ?1 OR billing_address_id = ?1))",
        )?
        .execute(params![replaced, cart_id])?;
    }
    Ok(())
}

/// Inserts the address `id` with the [`ADDRESS_FIELDS`] among `fields` (others are ignored;
/// the country code in lower case), in one statement.
fn insert_address(
    conn: &Connection,
    id: &str,
    now: &str,
    fields: &Map<String, Value>,
) -> Result<()> {
    use std::fmt::Write as _;
    // The statement is written in place (an address is set twice per checkout).
    let mut sql = String::with_capacity(256);
    sql.push_str("INSERT INTO cart_address (id, created_at, updated_at");
    let mut marks = String::from("?1, ?2, ?2");
    let mut values = vec![
        SqlValue::Text(id.to_string()),
        SqlValue::Text(now.to_string()),
    ];
    for (key, value) in fields {
        if !ADDRESS_FIELDS.contains(&key.as_str()) {
            continue;
        }
        values.push(match value {
            Value::String(code) if key == "country_code" => SqlValue::Text(code.to_lowercase()),
            other => sql_value(other),
        });
        sql.push_str(", ");
        sql.push_str(key);
        let _ = write!(marks, ", ?{}", values.len());
    }
    let _ = write!(sql, ") VALUES ({marks})");
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// An address as JSON (Medusa's address fields), or `None`.
///
/// # Errors
/// Database failures.
pub fn address(conn: &Connection, id: Option<&str>) -> Result<Option<Map<String, Value>>> {
    let Some(id) = id else { return Ok(None) };
    crate::db::job_memo::remembered("cart_address", id, &["cart_address"], || {
        read_address(conn, id)
    })
}

fn read_address(conn: &Connection, id: &str) -> Result<Option<Map<String, Value>>> {
    // A fixed statement, not the generic row loader: a checkout reads an address about
    // fourteen times (every cart reply renders two), and building the loader's SQL and
    // column names each time cost more than the query.
    let mut stmt = conn.prepare_cached_static(address_json::SELECT)?;
    let found = stmt
        .query_row([id], |r| {
            let mut map = Map::new();
            for i in 0..r.as_ref().column_count() {
                let name = r.as_ref().column_name(i)?.to_string();
                let value = r.get::<_, rusqlite::types::Value>(i)?;
                map.insert(name, crate::model::rows::sql_to_json(value));
            }
            Ok(map)
        })
        .optional()?;
    Ok(found.map(|mut map| {
        let metadata = map
            .get("metadata")
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str(t).ok());
        map.insert("metadata".into(), metadata.unwrap_or(Value::Null));
        map
    }))
}

/// The address `id`'s country (lower case) and province, each `None` when empty: what
/// shipping and taxes are chosen by, read without building the whole address.
///
/// # Errors
/// Database failures.
pub fn address_place(
    conn: &Connection,
    id: Option<&str>,
) -> Result<Option<(Option<String>, Option<String>)>> {
    let Some(id) = id else { return Ok(None) };
    // Each refresh and each shipping-option lookup asks (six times per checkout).
    crate::db::job_memo::remembered("cart_address_place", id, &["cart_address"], || {
        let mut stmt = conn.prepare_cached_static(
            "SELECT country_code, province FROM cart_address WHERE id = ?1 AND deleted_at IS NULL",
        )?;
        let lower = |v: Option<String>| v.filter(|s| !s.is_empty()).map(|s| s.to_lowercase());
        Ok(stmt
            .query_row([id], |r| Ok((lower(r.get(0)?), lower(r.get(1)?))))
            .optional()?)
    })
}

/// Replaces the tax lines of an item or shipping method.
///
/// # Errors
/// Database failures.
pub fn set_tax_lines(
    conn: &Connection,
    ctx: &Ctx,
    table: &'static str,
    owner_column: &'static str,
    owner: &str,
    lines: &[TaxLine],
) -> Result<()> {
    conn.prepare_cached_static(crate::sql_text!(
        [table, owner_column],
        "DELETE FROM {table} WHERE {owner_column} = ?1"
    ))?
    .execute([owner])?;
    let prefix = if table == "cart_line_item_tax_line" {
        "calitxl"
    } else {
        "casmtxl"
    };
    let mut insert = conn.prepare_cached_static(crate::sql_text!(
        [table, owner_column],
        "INSERT INTO {table} (id, {owner_column}, description, tax_rate_id, code, rate_ppm, provider_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
    ))?;
    for line in lines {
        insert.execute(params![
            ctx.id(prefix),
            owner,
            line.description,
            line.tax_rate_id,
            line.code,
            line.rate_ppm,
            line.provider_id,
            ctx.now()
        ])?;
    }
    Ok(())
}

/// Whether a live cart has this id.
///
/// # Errors
/// Database failures.
pub fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached_static("SELECT 1 FROM cart WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}
