//! Shipping options: creation, lookup, and the options serving an address.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// A shipping option rule (`attribute operator value`, e.g. `is_return eq "false"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionRule {
    /// `sorul_…` (not serialized: the store's documents carry attribute, operator and value
    /// only, as Medusa's store fields do; the admin document adds it explicitly).
    #[serde(skip_serializing)]
    pub id: String,
    /// Rule attribute.
    pub attribute: String,
    /// `eq`, `ne`, `in`…
    pub operator: String,
    /// JSON-encoded value as Medusa stores it (`"\"true\""`); serialized as the string or
    /// array it encodes, as Medusa answers it.
    #[serde(serialize_with = "decoded")]
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
    /// Whether the rules on `attribute` (if any) allow `value` (`"true"`/`"false"`): `eq` /
    /// `in` must name it, `ne` / `nin` must not; comparisons Medusa only uses for numbers
    /// do not constrain these flags.
    pub fn rule_allows(&self, attribute: &str, value: &str) -> bool {
        self.rules
            .iter()
            .filter(|r| r.attribute == attribute)
            .all(|r| {
                let named = rule_values(&r.value).iter().any(|v| v == value);
                match r.operator.as_str() {
                    "eq" | "in" => named,
                    "ne" | "nin" => !named,
                    _ => true,
                }
            })
    }
}

fn decoded<S: serde::Serializer>(stored: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let value = serde_json::from_str(stored).unwrap_or_else(|_| Value::String(stored.into()));
    serde::Serialize::serialize(&value, serializer)
}

/// The values a stored rule value names: a JSON string, a JSON array of strings, or (for
/// rows written before values were JSON-encoded) the bare text.
fn rule_values(stored: &str) -> Vec<String> {
    match serde_json::from_str::<Value>(stored) {
        Ok(Value::Array(items)) => items.iter().map(plain).collect(),
        Ok(other) => vec![plain(&other)],
        Err(_) => vec![stored.to_string()],
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A rule to create: `(attribute, operator, JSON-encoded value)`.
pub type NewRule = (String, String, String);

/// The option's type: an existing one, or a new one made for it.
#[derive(Debug, Clone)]
pub enum TypeChoice {
    /// `sotype_…` of an existing type.
    Existing(String),
    /// `(label, code, description)` of a type created with the option.
    New(String, String, String),
}

impl Default for TypeChoice {
    fn default() -> Self {
        TypeChoice::New(String::new(), String::new(), String::new())
    }
}

/// Input of [`create_option`].
#[derive(Debug, Clone, Default)]
pub struct NewShippingOption {
    /// Display name.
    pub name: String,
    /// `flat` or `calculated`; `flat` when empty.
    pub price_type: String,
    /// `serzo_…`
    pub service_zone_id: String,
    /// `sp_…`
    pub shipping_profile_id: Option<String>,
    /// Defaults to `manual_manual`.
    pub provider_id: Option<String>,
    /// Provider data.
    pub data: Option<Value>,
    /// The option type.
    pub kind: TypeChoice,
    /// `(currency, region, amount in minor units)`.
    pub prices: Vec<(String, Option<String>, i64)>,
    /// Rules as given; `None` gives the fixture defaults `enabled_in_store = "true"` and
    /// `is_return = is_return`.
    pub rules: Option<Vec<NewRule>>,
    /// A return option (only read when `rules` is `None`).
    pub is_return: bool,
}

/// Creates an option with its type (unless an existing one is named), rules and prices.
///
/// # Errors
/// 404 for an unknown existing type; database failures.
pub fn create_option(
    conn: &Connection,
    ctx: &Ctx,
    input: &NewShippingOption,
) -> Result<ShippingOption> {
    let (id, now) = (ctx.id("so"), ctx.now());
    let provider = input
        .provider_id
        .clone()
        .unwrap_or_else(|| super::provider::MANUAL.into());
    let type_id = match &input.kind {
        TypeChoice::Existing(type_id) => super::option_types::retrieve(conn, type_id)?.id,
        TypeChoice::New(label, code, description) => {
            super::option_types::create(conn, ctx, label, code, description)?.id
        }
    };
    let price_type = if input.price_type.is_empty() {
        "flat"
    } else {
        &input.price_type
    };
    let data = input.data.as_ref().map(Value::to_string);
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_shipping_option
           (id, name, price_type, service_zone_id, shipping_profile_id, provider_id, data, type_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![id, input.name, price_type, input.service_zone_id, input.shipping_profile_id, provider, data, type_id, now])?;
    let defaults = || {
        vec![
            ("enabled_in_store".into(), "eq".into(), "\"true\"".into()),
            (
                "is_return".into(),
                "eq".into(),
                format!("\"{}\"", input.is_return),
            ),
        ]
    };
    for rule in input.rules.clone().unwrap_or_else(defaults) {
        insert_rule(conn, ctx, &id, &rule)?;
    }
    for price in &input.prices {
        insert_price(conn, ctx, &id, price)?;
    }
    retrieve_option(conn, &id)
}

/// Adds a rule to an option; returns its id.
///
/// # Errors
/// Database failures.
pub fn insert_rule(
    conn: &Connection,
    ctx: &Ctx,
    option_id: &str,
    rule: &NewRule,
) -> Result<String> {
    let id = ctx.id("sorul");
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_shipping_option_rule (id, shipping_option_id, attribute, operator, value, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![id, option_id, rule.0, rule.1, rule.2, ctx.now()])?;
    Ok(id)
}

/// Adds a price `(currency, region, minor amount)` to an option.
///
/// # Errors
/// Database failures.
pub fn insert_price(
    conn: &Connection,
    ctx: &Ctx,
    option_id: &str,
    (currency, region, amount): &(String, Option<String>, i64),
) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_shipping_option_price (id, shipping_option_id, currency_code, region_id, amount, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![ctx.id("price"), option_id, currency.to_lowercase(), region, amount, ctx.now()])?;
    Ok(())
}

/// The option columns [`from_row`] reads; queries join the zone as `z` and the type as `t`
/// (a deleted type still names its options' type, as in Medusa).
pub(super) const COLUMNS: &str =
    "o.id, o.name, o.price_type, o.service_zone_id, z.fulfillment_set_id, o.shipping_profile_id,
    o.provider_id, o.data, o.type_id, t.label, t.description, t.code, o.created_at, o.updated_at";

/// The joins [`COLUMNS`] needs.
pub(super) const JOINS: &str = "JOIN fulfillment_service_zone z ON z.id = o.service_zone_id
    JOIN fulfillment_shipping_option_type t ON t.id = o.type_id";

pub(super) fn from_row(r: &Row) -> rusqlite::Result<ShippingOption> {
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
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM fulfillment_shipping_option o {JOINS}
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
) -> Result<std::sync::Arc<Vec<ShippingOption>>> {
    // Every cart change re-checks its shipping methods against these, and the storefront
    // lists them once per checkout; they change only when a shop edits its shipping.
    let sets = serde_json::to_string(set_ids).map_err(|e| Error::Internal(e.to_string()))?;
    let key = format!("shipping-options:{sets}:{country}:{province:?}");
    crate::db::cached::cached(&key, &OPTION_TABLES, || {
        read_options_in_sets(conn, &sets, country, province)
    })
}

/// Every table [`options_in_sets`] reads.
const OPTION_TABLES: [&str; 6] = [
    "fulfillment_shipping_option",
    "fulfillment_service_zone",
    "fulfillment_shipping_option_type",
    "fulfillment_geo_zone",
    "fulfillment_shipping_option_rule",
    "fulfillment_shipping_option_price",
];

fn read_options_in_sets(
    conn: &Connection,
    sets: &str,
    country: &str,
    province: Option<&str>,
) -> Result<Vec<ShippingOption>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!([], "SELECT {COLUMNS} FROM fulfillment_shipping_option o {JOINS}
         WHERE z.deleted_at IS NULL AND z.fulfillment_set_id IN (SELECT value FROM json_each(?1)) AND o.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM fulfillment_geo_zone g WHERE g.service_zone_id = z.id
                AND g.deleted_at IS NULL AND g.country_code = ?2
                AND (g.type = 'country' OR g.province_code = lower(?3)))
         ORDER BY o.id"))?;
    let rows = stmt.query_map(params![sets, country.to_lowercase(), province], from_row)?;
    let mut options: Vec<ShippingOption> = rows.collect::<rusqlite::Result<_>>()?;
    for option in &mut options {
        attach(conn, option)?;
    }
    Ok(options)
}

pub(super) fn attach(conn: &Connection, option: &mut ShippingOption) -> Result<()> {
    let mut rules = conn.prepare_cached_static(
        "SELECT id, attribute, operator, value FROM fulfillment_shipping_option_rule
         WHERE shipping_option_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    option.rules = rules
        .query_map([&option.id], |r| {
            Ok(OptionRule {
                id: r.get(0)?,
                attribute: r.get(1)?,
                operator: r.get(2)?,
                value: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut prices = conn.prepare_cached_static(
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
