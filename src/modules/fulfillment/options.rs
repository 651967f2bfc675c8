//! Shipping options: creation, lookup, and the options serving an address.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// A shipping option rule (`attribute operator value`, e.g. `is_return eq "false"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionRule {
    /// Rule attribute.
    pub attribute: String,
    /// `eq`, `ne`, `in`…
    pub operator: String,
    /// JSON-encoded value as Medusa stores it (`"\"true\""`).
    pub value: String,
}

/// A flat price of an option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionPrice {
    /// `price_…`
    pub id: String,
    /// Currency.
    pub currency_code: String,
    /// Only in this region, when set.
    pub region_id: Option<String>,
    /// Minor units.
    pub amount: i64,
}

/// A shipping option with its zone, rules and prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShippingOption {
    /// `so_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// `flat` (or `calculated`).
    pub price_type: String,
    /// `serzo_…`
    pub service_zone_id: String,
    /// `fuset_…` of the zone.
    pub fulfillment_set_id: String,
    /// `sp_…`
    pub shipping_profile_id: Option<String>,
    /// `manual_manual`.
    pub provider_id: String,
    /// Provider data.
    pub data: Option<Value>,
    /// `(id, label, description, code)` of the option type.
    pub type_id: String,
    /// Type label.
    pub type_label: String,
    /// Type description.
    pub type_description: String,
    /// Type code.
    pub type_code: String,
    /// Rules.
    pub rules: Vec<OptionRule>,
    /// Prices.
    pub prices: Vec<OptionPrice>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

impl ShippingOption {
    /// Whether the rule `attribute` (if present) allows `value` (`"true"`/`"false"`).
    pub fn rule_allows(&self, attribute: &str, value: &str) -> bool {
        self.rules
            .iter()
            .filter(|r| r.attribute == attribute)
            .all(|r| {
                let stored = r.value.trim_matches('"');
                match r.operator.as_str() {
                    "ne" => stored != value,
                    _ => stored == value,
                }
            })
    }
}

/// Input of [`create_option`].
#[derive(Debug, Clone, Default)]
pub struct NewShippingOption {
    /// Display name.
    pub name: String,
    /// `serzo_…`
    pub service_zone_id: String,
    /// `sp_…`
    pub shipping_profile_id: Option<String>,
    /// Defaults to `manual_manual`.
    pub provider_id: Option<String>,
    /// Type label (e.g. `Standard`).
    pub type_label: String,
    /// Type code (e.g. `standard`).
    pub type_code: String,
    /// `(currency, region, amount in minor units)`.
    pub prices: Vec<(String, Option<String>, i64)>,
    /// A return option (rule `is_return = "true"`).
    pub is_return: bool,
}

/// Creates a flat-priced option with the rules `enabled_in_store` and `is_return`.
///
/// # Errors
/// Database failures.
pub fn create_option(
    conn: &Connection,
    ctx: &Ctx,
    input: &NewShippingOption,
) -> Result<ShippingOption> {
    let (id, now) = (ctx.id("so"), ctx.now());
    let provider = input
        .provider_id
        .clone()
        .unwrap_or_else(|| super::MANUAL_PROVIDER.into());
    conn.prepare_cached(
        "INSERT INTO fulfillment_shipping_option
           (id, name, service_zone_id, shipping_profile_id, provider_id, type_id, type_label, type_code, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![id, input.name, input.service_zone_id, input.shipping_profile_id, provider, ctx.id("sotype"), input.type_label, input.type_code, now])?;
    let mut rule = conn.prepare_cached(
        "INSERT INTO fulfillment_shipping_option_rule (id, shipping_option_id, attribute, operator, value, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'eq', ?4, ?5, ?5)",
    )?;
    rule.execute(params![
        ctx.id("sorul"),
        id,
        "enabled_in_store",
        "\"true\"",
        now
    ])?;
    let is_return = format!("\"{}\"", input.is_return);
    rule.execute(params![ctx.id("sorul"), id, "is_return", is_return, now])?;
    let mut price = conn.prepare_cached(
        "INSERT INTO fulfillment_shipping_option_price (id, shipping_option_id, currency_code, region_id, amount, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    for (currency, region, amount) in &input.prices {
        price.execute(params![
            ctx.id("price"),
            id,
            currency.to_lowercase(),
            region,
            amount,
            now
        ])?;
    }
    retrieve_option(conn, &id)
}

const COLUMNS: &str = "o.id, o.name, o.price_type, o.service_zone_id, z.fulfillment_set_id, o.shipping_profile_id,
    o.provider_id, o.data, o.type_id, o.type_label, o.type_description, o.type_code, o.created_at, o.updated_at";

fn from_row(r: &Row) -> rusqlite::Result<ShippingOption> {
    let data: Option<String> = r.get(7)?;
    Ok(ShippingOption {
        id: r.get(0)?,
        name: r.get(1)?,
        price_type: r.get(2)?,
        service_zone_id: r.get(3)?,
        fulfillment_set_id: r.get(4)?,
        shipping_profile_id: r.get(5)?,
        provider_id: r.get(6)?,
        data: data.and_then(|d| serde_json::from_str(&d).ok()),
        type_id: r.get(8)?,
        type_label: r.get(9)?,
        type_description: r.get(10)?,
        type_code: r.get(11)?,
        rules: Vec::new(),
        prices: Vec::new(),
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

/// An option by id, with rules and prices.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_option(conn: &Connection, id: &str) -> Result<ShippingOption> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM fulfillment_shipping_option o
             JOIN fulfillment_service_zone z ON z.id = o.service_zone_id
             WHERE o.id = ?1 AND o.deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?;
    let mut option = found.ok_or_else(|| Error::not_found("Shipping option", id))?;
    attach(conn, &mut option)?;
    Ok(option)
}

/// Live options in any of `set_ids` whose service zone covers `country` (and `province`).
///
/// # Errors
/// Database failures.
pub fn options_in_sets(
    conn: &Connection,
    set_ids: &[String],
    country: &str,
    province: Option<&str>,
) -> Result<Vec<ShippingOption>> {
    let sets = serde_json::to_string(set_ids).map_err(|e| Error::Internal(e.to_string()))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM fulfillment_shipping_option o
         JOIN fulfillment_service_zone z ON z.id = o.service_zone_id AND z.deleted_at IS NULL
         WHERE z.fulfillment_set_id IN (SELECT value FROM json_each(?1)) AND o.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM fulfillment_geo_zone g WHERE g.service_zone_id = z.id
                AND g.deleted_at IS NULL AND g.country_code = ?2
                AND (g.type = 'country' OR g.province_code = lower(?3)))
         ORDER BY o.id"
    ))?;
    let rows = stmt.query_map(params![sets, country.to_lowercase(), province], from_row)?;
    let mut options: Vec<ShippingOption> = rows.collect::<rusqlite::Result<_>>()?;
    for option in &mut options {
        attach(conn, option)?;
    }
    Ok(options)
}

fn attach(conn: &Connection, option: &mut ShippingOption) -> Result<()> {
    let mut rules = conn.prepare_cached(
        "SELECT attribute, operator, value FROM fulfillment_shipping_option_rule
         WHERE shipping_option_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    option.rules = rules
        .query_map([&option.id], |r| {
            Ok(OptionRule {
                attribute: r.get(0)?,
                operator: r.get(1)?,
                value: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut prices = conn.prepare_cached(
        "SELECT id, currency_code, region_id, amount FROM fulfillment_shipping_option_price
         WHERE shipping_option_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    option.prices = prices
        .query_map([&option.id], |r| {
            Ok(OptionPrice {
                id: r.get(0)?,
                currency_code: r.get(1)?,
                region_id: r.get(2)?,
                amount: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

/// The option's price for a cart: a region price wins over a currency price.
pub fn price_for<'a>(
    option: &'a ShippingOption,
    currency: &str,
    region_id: Option<&str>,
) -> Option<&'a OptionPrice> {
    let in_currency = |p: &&OptionPrice| p.currency_code == currency;
    option
        .prices
        .iter()
        .filter(in_currency)
        .find(|p| p.region_id.is_some() && p.region_id.as_deref() == region_id)
        .or_else(|| {
            option
                .prices
                .iter()
                .filter(in_currency)
                .find(|p| p.region_id.is_none())
        })
}
