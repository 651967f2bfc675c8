//! Pricing: price sets (linked to variants by a link), prices in exact minor units with
//! optional rules (`region_id`, `customer_group_id`…) and quantity bounds, price lists
//! (sale / override, time window, customer-group rules), and price preferences (whether
//! prices of a currency or region include tax). [`calc`] picks the price for a context.

pub mod calc;
pub mod lists;
pub mod preferences;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::json_list;
use calc::{Candidate, ListInfo};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// The module: tables `pricing*`.
pub fn module() -> Module {
    Module::new("pricing", "pricing").migration(migration!("pricing", "0001_init.sql"))
}

/// A price to store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPrice {
    /// Lower-case ISO 4217.
    pub currency_code: String,
    /// Exact minor units.
    pub amount: i64,
    /// Lowest quantity.
    pub min_quantity: Option<i64>,
    /// Highest quantity.
    pub max_quantity: Option<i64>,
    /// `(attribute, value)` equality rules, e.g. `("region_id", "reg_…")`.
    pub rules: Vec<(String, String)>,
}

/// Creates a price set holding `prices`; returns its id.
///
/// # Errors
/// An unknown currency or a negative amount.
pub fn create_price_set(conn: &Connection, ctx: &Ctx, prices: &[NewPrice]) -> Result<String> {
    let id = ctx.id("pset");
    conn.prepare_cached_static(
        "INSERT INTO pricing_price_set (id, created_at, updated_at) VALUES (?1, ?2, ?2)",
    )?
    .execute(params![id, ctx.now()])?;
    for price in prices {
        insert_price(conn, ctx, &id, None, price)?;
    }
    Ok(id)
}

pub(crate) fn insert_price(
    conn: &Connection,
    ctx: &Ctx,
    price_set_id: &str,
    price_list_id: Option<&str>,
    price: &NewPrice,
) -> Result<String> {
    let currency = price.currency_code.to_ascii_lowercase();
    crate::money::require_exponent(&currency).map_err(|e| Error::invalid(e.to_string()))?;
    if price.amount < 0 {
        return Err(Error::invalid(
            "Invalid request: Price amounts cannot be negative",
        ));
    }
    let id = ctx.id("price");
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO pricing_price (id, price_set_id, currency_code, amount, min_quantity,
            max_quantity, rules_count, price_list_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        price_set_id,
        currency,
        price.amount,
        price.min_quantity,
        price.max_quantity,
        price.rules.len() as i64,
        price_list_id,
        now
    ])?;
    for (attribute, value) in &price.rules {
        conn.prepare_cached_static(
            "INSERT INTO pricing_price_rule (id, price_id, attribute, value, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("prule"), id, attribute, value, now])?;
    }
    Ok(id)
}

/// A price list as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PriceList {
    /// `plist_…`
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// `active` or `draft`.
    pub status: String,
    /// `sale` or `override`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Start.
    pub starts_at: Option<String>,
    /// End.
    pub ends_at: Option<String>,
    /// Number of rules.
    pub rules_count: i64,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// The columns [`price_list_from`] reads.
pub(crate) const PRICE_LIST_COLUMNS: &str =
    "id, title, description, status, type, starts_at, ends_at, rules_count, created_at, updated_at";

/// A price list from [`PRICE_LIST_COLUMNS`].
pub(crate) fn price_list_from(r: &rusqlite::Row) -> rusqlite::Result<PriceList> {
    Ok(PriceList {
        id: r.get(0)?,
        title: r.get(1)?,
        description: r.get(2)?,
        status: r.get(3)?,
        kind: r.get(4)?,
        starts_at: r.get(5)?,
        ends_at: r.get(6)?,
        rules_count: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

/// A price list by id.
///
/// # Errors
/// 404 "Price list with id: X was not found".
pub fn retrieve_price_list(conn: &Connection, id: &str) -> Result<PriceList> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {PRICE_LIST_COLUMNS} FROM pricing_price_list WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], price_list_from)
    .optional()?
    .ok_or_else(|| Error::not_found("Price list", id))
}

/// Input of [`create_price_list`].
#[derive(Debug, Clone, Default)]
pub struct NewPriceList {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// `active` or `draft`.
    pub status: String,
    /// `sale` or `override`.
    pub kind: String,
    /// Start.
    pub starts_at: Option<String>,
    /// End.
    pub ends_at: Option<String>,
    /// Rules: attribute → accepted values (e.g. `customer_group_id`).
    pub rules: Vec<(String, Vec<String>)>,
    /// `(price set id, price)` pairs.
    pub prices: Vec<(String, NewPrice)>,
}

/// Creates a price list with its rules and prices; returns its id.
///
/// # Errors
/// A bad status or type, an unknown price set or currency.
pub fn create_price_list(conn: &Connection, ctx: &Ctx, input: &NewPriceList) -> Result<String> {
    if input.title.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'title' is required"));
    }
    let id = ctx.id("plist");
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO pricing_price_list (id, title, description, status, type, starts_at,
            ends_at, rules_count, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        input.title,
        input.description,
        input.status,
        input.kind,
        input.starts_at,
        input.ends_at,
        input.rules.len() as i64,
        now
    ])?;
    for (attribute, values) in &input.rules {
        conn.prepare_cached_static(
            "INSERT INTO pricing_price_list_rule (id, price_list_id, attribute, value, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("prule"), id, attribute, json_list(values), now])?;
    }
    for (price_set_id, price) in &input.prices {
        insert_price(conn, ctx, price_set_id, Some(&id), price)?;
    }
    Ok(id)
}

/// Sets whether prices for `attribute` (`currency_code` or `region_id`) = `value` include tax.
///
/// # Errors
/// An unknown attribute.
pub fn set_preference(
    conn: &Connection,
    ctx: &Ctx,
    attribute: &str,
    value: &str,
    is_tax_inclusive: bool,
) -> Result<()> {
    if !matches!(attribute, "currency_code" | "region_id") {
        return Err(Error::invalid(format!(
            "Unknown price preference attribute {attribute}"
        )));
    }
    conn.prepare_cached_static(
        "INSERT INTO pricing_price_preference (id, attribute, value, is_tax_inclusive, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (attribute, value) WHERE deleted_at IS NULL
         DO UPDATE SET is_tax_inclusive = excluded.is_tax_inclusive, updated_at = excluded.updated_at",
    )?
    .execute(params![ctx.id("prpref"), attribute, value, is_tax_inclusive, ctx.now()])?;
    Ok(())
}

/// Whether prices in this context include tax: a region preference wins over a currency one.
///
/// # Errors
/// Database failures.
pub fn is_tax_inclusive(
    conn: &Connection,
    currency_code: &str,
    region_id: Option<&str>,
) -> Result<bool> {
    // Asked about twelve times per checkout (every pricing of items and shipping); price
    // preferences change only when a shop edits them.
    let key = [
        "tax-inclusive:",
        currency_code,
        ":",
        region_id.unwrap_or("\u{0}"),
    ]
    .concat();
    let flag = crate::db::cached::cached(&key, &["pricing_price_preference"], || {
        read_tax_inclusive(conn, currency_code, region_id)
    })?;
    Ok(*flag)
}

fn read_tax_inclusive(
    conn: &Connection,
    currency_code: &str,
    region_id: Option<&str>,
) -> Result<bool> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT is_tax_inclusive FROM pricing_price_preference
         WHERE attribute = ?1 AND value = ?2 AND deleted_at IS NULL",
    )?;
    if let Some(region) = region_id
        && let Some(flag) = stmt
            .query_row(["region_id", region], |r| r.get(0))
            .optional()?
    {
        return Ok(flag);
    }
    Ok(stmt
        .query_row(["currency_code", currency_code], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Every live price of these price sets in `currency`, with rules and lists, by price set.
///
/// # Errors
/// Database failures.
pub fn candidates(
    conn: &Connection,
    price_set_ids: &[String],
    currency: &str,
) -> Result<HashMap<String, Vec<Candidate>>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT p.id, p.price_set_id, p.amount, p.min_quantity, p.max_quantity,
                r.attribute, r.operator, r.value, l.id, l.type, l.status, l.starts_at, l.ends_at
         FROM pricing_price p
         LEFT JOIN pricing_price_rule r ON r.price_id = p.id AND r.deleted_at IS NULL
         LEFT JOIN pricing_price_list l ON l.id = p.price_list_id AND l.deleted_at IS NULL
         WHERE p.price_set_id IN (SELECT value FROM json_each(?1)) AND p.currency_code = ?2
           AND p.deleted_at IS NULL
         ORDER BY p.price_set_id, p.id",
    )?;
    let mut rows = stmt.query(params![json_list(price_set_ids), currency])?;
    let mut map: HashMap<String, Vec<Candidate>> = HashMap::new();
    let mut list_ids = Vec::new();
    while let Some(r) = rows.next()? {
        let set: String = r.get(1)?;
        let prices = map.entry(set.clone()).or_default();
        let id: String = r.get(0)?;
        if prices.last().is_none_or(|c| c.id != id) {
            let list_id: Option<String> = r.get(8)?;
            let list = match list_id {
                Some(list_id) => {
                    list_ids.push(list_id.clone());
                    Some(ListInfo {
                        id: list_id,
                        kind: r.get(9)?,
                        status: r.get(10)?,
                        starts_at: r.get(11)?,
                        ends_at: r.get(12)?,
                        rules: Vec::new(),
                    })
                }
                None => None,
            };
            prices.push(Candidate {
                id,
                price_set_id: set,
                currency_code: currency.to_string(),
                amount: r.get(2)?,
                min_quantity: r.get(3)?,
                max_quantity: r.get(4)?,
                rules: Vec::new(),
                list,
            });
        }
        if let (Some(attribute), Some(last)) = (r.get::<_, Option<String>>(5)?, prices.last_mut()) {
            last.rules.push((attribute, r.get(6)?, r.get(7)?));
        }
    }
    if !list_ids.is_empty() {
        attach_list_rules(conn, &mut map, &list_ids)?;
    }
    Ok(map)
}

fn attach_list_rules(
    conn: &Connection,
    map: &mut HashMap<String, Vec<Candidate>>,
    list_ids: &[String],
) -> Result<()> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT price_list_id, attribute, value FROM pricing_price_list_rule
         WHERE price_list_id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL",
    )?;
    let mut rules: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
    let mut rows = stmt.query([json_list(list_ids)])?;
    while let Some(r) = rows.next()? {
        let values: String = r.get(2)?;
        let values: Vec<String> = serde_json::from_str(&values).unwrap_or_default();
        rules
            .entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, values));
    }
    for candidate in map.values_mut().flatten() {
        if let Some(list) = candidate.list.as_mut() {
            list.rules = rules.get(&list.id).cloned().unwrap_or_default();
        }
    }
    Ok(())
}

/// A stored price as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPrice {
    /// `price_…`
    pub id: String,
    /// Its set.
    pub price_set_id: String,
    /// Currency.
    pub currency_code: String,
    /// Exact minor units.
    pub amount: i64,
    /// Bounds.
    pub min_quantity: Option<i64>,
    /// Bounds.
    pub max_quantity: Option<i64>,
    /// Equality rules.
    pub rules: Vec<(String, String)>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Default (non-list) prices of these price sets, by price set.
///
/// # Errors
/// Database failures.
pub fn prices_of(
    conn: &Connection,
    price_set_ids: &[String],
) -> Result<HashMap<String, Vec<StoredPrice>>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT p.id, p.price_set_id, p.currency_code, p.amount, p.min_quantity, p.max_quantity,
                p.created_at, p.updated_at, r.attribute, r.value
         FROM pricing_price p LEFT JOIN pricing_price_rule r ON r.price_id = p.id AND r.deleted_at IS NULL
         WHERE p.price_set_id IN (SELECT value FROM json_each(?1)) AND p.deleted_at IS NULL
           AND p.price_list_id IS NULL
         ORDER BY p.price_set_id, p.id",
    )?;
    let mut rows = stmt.query([json_list(price_set_ids)])?;
    let mut map: HashMap<String, Vec<StoredPrice>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let set: String = r.get(1)?;
        let prices = map.entry(set.clone()).or_default();
        if prices.last().is_none_or(|p| p.id != id) {
            prices.push(StoredPrice {
                id,
                price_set_id: set,
                currency_code: r.get(2)?,
                amount: r.get(3)?,
                min_quantity: r.get(4)?,
                max_quantity: r.get(5)?,
                rules: Vec::new(),
                created_at: r.get(6)?,
                updated_at: r.get(7)?,
            });
        }
        if let (Some(attribute), Some(last)) = (r.get::<_, Option<String>>(8)?, prices.last_mut()) {
            last.rules.push((attribute, r.get(9)?));
        }
    }
    Ok(map)
}
