//! Price lists after creation: pages of them, partial updates (rules replaced whole), soft
//! deletion with their prices, and their prices one by one (`prices/batch`). Also replacing a
//! price set's default prices (a variant's `prices` on update).

use super::{NewPrice, PRICE_LIST_COLUMNS, PriceList, insert_price, price_list_from};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list, update_columns};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A list's rules: `(attribute, accepted values)`.
pub type ListRules = Vec<(String, Vec<String>)>;

/// Filters of [`list`]; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct PriceListFilter {
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these statuses.
    pub statuses: Vec<String>,
    /// Case-insensitive substring of the title or description.
    pub q: Option<String>,
}

/// A page of live price lists (newest first) and the total matching `f`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    f: &PriceListFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<PriceList>, u64)> {
    let where_sql = "deleted_at IS NULL
        AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '[]' OR status IN (SELECT value FROM json_each(?2)))
        AND (?3 IS NULL OR instr(lower(title || ' ' || description), lower(?3)) > 0)";
    let (ids, statuses) = (json_list(&f.ids), json_list(&f.statuses));
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM pricing_price_list WHERE {where_sql}"
        ))?
        .query_row(params![ids, statuses, f.q], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PRICE_LIST_COLUMNS} FROM pricing_price_list WHERE {where_sql}
         ORDER BY created_at DESC, id DESC LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt.query_map(
        params![ids, statuses, f.q, clamp(limit), clamp(offset)],
        price_list_from,
    )?;
    Ok((
        rows.collect::<rusqlite::Result<_>>()?,
        u64::try_from(count).unwrap_or(0),
    ))
}

fn insert_rules(
    conn: &Connection,
    ctx: &Ctx,
    list_id: &str,
    rules: &[(String, Vec<String>)],
) -> Result<()> {
    for (attribute, values) in rules {
        conn.prepare_cached_static(
            "INSERT INTO pricing_price_list_rule (id, price_list_id, attribute, value, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("prule"), list_id, attribute, json_list(values), ctx.now()])?;
    }
    Ok(())
}

/// Updates a price list's `title`, `description`, `status`, `type`, `starts_at`, `ends_at`
/// from `changes`; `rules`, when given, replace its rules.
///
/// # Errors
/// 404 when absent; 400 for a blank title.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
    rules: Option<&[(String, Vec<String>)]>,
) -> Result<PriceList> {
    super::retrieve_price_list(conn, id)?;
    if changes
        .get("title")
        .and_then(Value::as_str)
        .is_some_and(|t| t.trim().is_empty())
    {
        return Err(Error::invalid(
            "Invalid request: Field 'title' cannot be empty",
        ));
    }
    let now = ctx.now();
    let columns = [
        "title",
        "description",
        "status",
        "type",
        "starts_at",
        "ends_at",
    ];
    update_columns(conn, "pricing_price_list", id, &columns, changes, &now)?;
    if let Some(rules) = rules {
        conn.prepare_cached_static(
            "UPDATE pricing_price_list_rule SET deleted_at = ?2, updated_at = ?2
             WHERE price_list_id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, now])?;
        insert_rules(conn, ctx, id, rules)?;
        conn.prepare_cached_static("UPDATE pricing_price_list SET rules_count = ?2 WHERE id = ?1")?
            .execute(params![id, i64::try_from(rules.len()).unwrap_or(0)])?;
    }
    super::retrieve_price_list(conn, id)
}

fn delete_prices_where(
    conn: &Connection,
    condition: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE pricing_price_rule SET deleted_at = ?1, updated_at = ?1
         WHERE deleted_at IS NULL AND price_id IN (SELECT id FROM pricing_price WHERE {condition})"
    ))?
    .execute(args)?;
    conn.prepare_cached(&format!(
        "UPDATE pricing_price SET deleted_at = ?1, updated_at = ?1 WHERE {condition}"
    ))?
    .execute(args)?;
    Ok(())
}

/// Soft-deletes a price list with its rules and prices (store prices fall back at once).
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    super::retrieve_price_list(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE pricing_price_list SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE pricing_price_list_rule SET deleted_at = ?2, updated_at = ?2
         WHERE price_list_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    delete_prices_where(
        conn,
        "price_list_id = ?2 AND deleted_at IS NULL",
        &[&now, &id],
    )
}

/// Replaces the default (non-list) prices of price set `set_id` with `prices`.
///
/// # Errors
/// An unknown currency or a negative amount.
pub fn replace_set_prices(
    conn: &Connection,
    ctx: &Ctx,
    set_id: &str,
    prices: &[NewPrice],
) -> Result<()> {
    let now = ctx.now();
    delete_prices_where(
        conn,
        "price_set_id = ?2 AND price_list_id IS NULL AND deleted_at IS NULL",
        &[&now, &set_id],
    )?;
    for price in prices {
        insert_price(conn, ctx, set_id, None, price)?;
    }
    Ok(())
}

/// A price of a price list, as `prices/batch` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPrice {
    /// `price_…`
    pub id: String,
    /// Its set.
    pub price_set_id: String,
    /// Its list.
    pub price_list_id: String,
    /// Currency.
    pub currency_code: String,
    /// Exact minor units.
    pub amount: i64,
    /// Bounds.
    pub min_quantity: Option<i64>,
    /// Bounds.
    pub max_quantity: Option<i64>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Adds a price for price set `set_id` to list `list_id`; returns its id.
///
/// # Errors
/// 404 for an unknown list; an unknown currency or a negative amount.
pub fn add_price(
    conn: &Connection,
    ctx: &Ctx,
    list_id: &str,
    set_id: &str,
    price: &NewPrice,
) -> Result<String> {
    super::retrieve_price_list(conn, list_id)?;
    insert_price(conn, ctx, set_id, Some(list_id), price)
}

/// Updates price `price_id` of list `list_id` in place (set, currency, amount, bounds).
///
/// # Errors
/// 404 when the price is not a live price of that list; as [`add_price`].
pub fn update_price(
    conn: &Connection,
    ctx: &Ctx,
    list_id: &str,
    price_id: &str,
    set_id: &str,
    price: &NewPrice,
) -> Result<()> {
    let found: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM pricing_price WHERE id = ?1 AND price_list_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![price_id, list_id], |r| r.get(0))
        .optional()?;
    if found.is_none() {
        return Err(Error::not_found("Price", price_id));
    }
    let currency = price.currency_code.to_ascii_lowercase();
    crate::money::require_exponent(&currency).map_err(|e| Error::invalid(e.to_string()))?;
    if price.amount < 0 {
        return Err(Error::invalid(
            "Invalid request: Price amounts cannot be negative",
        ));
    }
    conn.prepare_cached_static(
        "UPDATE pricing_price SET price_set_id = ?2, currency_code = ?3, amount = ?4,
            min_quantity = ?5, max_quantity = ?6, updated_at = ?7 WHERE id = ?1",
    )?
    .execute(params![
        price_id,
        set_id,
        currency,
        price.amount,
        price.min_quantity,
        price.max_quantity,
        ctx.now()
    ])?;
    Ok(())
}

/// Soft-deletes prices `ids` of list `list_id`.
///
/// # Errors
/// 404 for an id that is not a live price of that list.
pub fn delete_prices(conn: &Connection, ctx: &Ctx, list_id: &str, ids: &[String]) -> Result<()> {
    let found = prices(conn, list_id, ids)?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|p| &p.id == *id)) {
        return Err(Error::not_found("Price", missing));
    }
    let now = ctx.now();
    let (ids, list) = (json_list(ids), list_id.to_string());
    delete_prices_where(
        conn,
        "price_list_id = ?3 AND id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL",
        &[&now, &ids, &list],
    )
}

/// Live prices `ids` of list `list_id`, in id order.
///
/// # Errors
/// Database failures.
pub fn prices(conn: &Connection, list_id: &str, ids: &[String]) -> Result<Vec<ListPrice>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, price_set_id, price_list_id, currency_code, amount, min_quantity,
                max_quantity, created_at, updated_at
         FROM pricing_price
         WHERE price_list_id = ?1 AND id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![list_id, json_list(ids)], list_price_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn list_price_from(r: &rusqlite::Row) -> rusqlite::Result<ListPrice> {
    Ok(ListPrice {
        id: r.get(0)?,
        price_set_id: r.get(1)?,
        price_list_id: r.get(2)?,
        currency_code: r.get(3)?,
        amount: r.get(4)?,
        min_quantity: r.get(5)?,
        max_quantity: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

/// Every instant at which a live price list starts or ends, ascending. Between two of them
/// the set of lists inside their window cannot change (a list applies when `starts_at <= now
/// < ends_at`), so prices computed at one instant hold for the whole interval — which is how
/// long the store listing keeps a rendered page (see `http::store::products`).
///
/// # Errors
/// Database failures.
pub fn window_boundaries(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT starts_at FROM pricing_price_list
         WHERE starts_at IS NOT NULL AND deleted_at IS NULL
         UNION
         SELECT ends_at FROM pricing_price_list WHERE ends_at IS NOT NULL AND deleted_at IS NULL
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The live rules of these lists: list id → `(attribute, accepted values)`.
///
/// # Errors
/// Database failures.
pub fn rules_of(conn: &Connection, list_ids: &[String]) -> Result<HashMap<String, ListRules>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT price_list_id, attribute, value FROM pricing_price_list_rule
         WHERE price_list_id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL
         ORDER BY price_list_id, attribute, id",
    )?;
    let mut rows = stmt.query([json_list(list_ids)])?;
    let mut map: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let values: String = r.get(2)?;
        let values: Vec<String> = serde_json::from_str(&values).unwrap_or_default();
        map.entry(r.get(0)?).or_default().push((r.get(1)?, values));
    }
    Ok(map)
}

/// Every live price of these lists: list id → prices in id order.
///
/// # Errors
/// Database failures.
pub fn prices_of(
    conn: &Connection,
    list_ids: &[String],
) -> Result<HashMap<String, Vec<ListPrice>>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, price_set_id, price_list_id, currency_code, amount, min_quantity,
                max_quantity, created_at, updated_at
         FROM pricing_price
         WHERE price_list_id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL
         ORDER BY price_list_id, id",
    )?;
    let rows = stmt.query_map([json_list(list_ids)], list_price_from)?;
    let mut map: HashMap<String, Vec<ListPrice>> = HashMap::new();
    for price in rows {
        let price = price?;
        map.entry(price.price_list_id.clone())
            .or_default()
            .push(price);
    }
    Ok(map)
}
