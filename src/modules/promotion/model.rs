//! Promotions as stored, and their loading: a promotion with its application method, its
//! rules (each with its values) and its campaign with the budget.

use super::campaign::{self, Campaign};
use crate::error::{Error, Result};
use crate::modules::json_list;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use std::collections::HashMap;

/// A rule: `attribute operator values` (`region.id in [reg_1]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// `prorul_…`
    pub id: String,
    /// A dotted path into the cart (promotion rules) or an item (target rules),
    /// e.g. `customer.groups.id`, `items.product.id`.
    pub attribute: String,
    /// `eq`, `ne`, `in`, `gt`, `gte`, `lt`, `lte`.
    pub operator: String,
    /// Free text.
    pub description: Option<String>,
    /// `(prorulval_…, value)`.
    pub values: Vec<(String, String)>,
}

/// How a promotion discounts: what it targets, by how much, spread how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationMethod {
    /// `proappmet_…`
    pub id: String,
    /// `fixed` | `percentage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `items` | `shipping_methods` | `order`.
    pub target_type: String,
    /// `each` | `across` (none for `order`).
    pub allocation: Option<String>,
    /// Decimal text as given: a percentage, or major units of `currency_code`.
    pub value: String,
    /// The currency of a fixed value.
    pub currency_code: Option<String>,
    /// Units per line an `each` promotion applies to.
    pub max_quantity: Option<i64>,
    /// Buy-get: units given.
    pub apply_to_quantity: Option<i64>,
    /// Buy-get: units to buy.
    pub buy_rules_min_quantity: Option<i64>,
    /// Free text.
    pub description: Option<String>,
    /// Which items or shipping methods it applies to.
    pub target_rules: Vec<Rule>,
    /// Buy-get: what must be bought.
    pub buy_rules: Vec<Rule>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// A promotion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Promotion {
    /// `promo_…`
    pub id: String,
    /// The code customers enter (unique among live promotions).
    pub code: String,
    /// `standard` | `buyget`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `draft` | `active` | `inactive`; only active promotions apply.
    pub status: String,
    /// Applied to every cart its rules allow, without a code.
    pub is_automatic: bool,
    /// Whether the value and the adjustments include tax.
    pub is_tax_inclusive: bool,
    /// How many orders may use it (none: unlimited).
    pub limit: Option<i64>,
    /// How many orders used it.
    pub used: i64,
    /// `procamp_…`
    pub campaign_id: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 once deleted.
    pub deleted_at: Option<String>,
    /// The application method.
    pub application_method: Option<ApplicationMethod>,
    /// Promotion rules: the cart must satisfy all of them.
    pub rules: Vec<Rule>,
    /// The campaign, with its budget.
    pub campaign: Option<Campaign>,
}

pub(crate) const COLUMNS: &str =
    "id, code, type, status, is_automatic, is_tax_inclusive, usage_limit, used,
    campaign_id, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<Promotion> {
    Ok(Promotion {
        id: r.get(0)?,
        code: r.get(1)?,
        kind: r.get(2)?,
        status: r.get(3)?,
        is_automatic: r.get(4)?,
        is_tax_inclusive: r.get(5)?,
        limit: r.get(6)?,
        used: r.get(7)?,
        campaign_id: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        deleted_at: r.get(11)?,
        application_method: None,
        rules: Vec::new(),
        campaign: None,
    })
}

fn method_from_row(r: &Row) -> rusqlite::Result<ApplicationMethod> {
    Ok(ApplicationMethod {
        id: r.get(0)?,
        kind: r.get(1)?,
        target_type: r.get(2)?,
        allocation: r.get(3)?,
        value: r.get(4)?,
        currency_code: r.get(5)?,
        max_quantity: r.get(6)?,
        apply_to_quantity: r.get(7)?,
        buy_rules_min_quantity: r.get(8)?,
        description: r.get(9)?,
        target_rules: Vec::new(),
        buy_rules: Vec::new(),
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

/// The live promotions whose ids are in `ids`, complete, in id (creation) order.
///
/// # Errors
/// Database failures.
pub fn by_ids(conn: &Connection, ids: &[String]) -> Result<Vec<Promotion>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM promotion WHERE id IN (SELECT value FROM json_each(?1))
         AND deleted_at IS NULL ORDER BY id"
    ))?;
    let found = stmt
        .query_map([json_list(ids)], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    complete(conn, found)
}

/// The live promotions with these codes (exact match), complete, in creation order.
///
/// # Errors
/// Database failures.
pub fn by_codes(conn: &Connection, codes: &[String]) -> Result<Vec<Promotion>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM promotion WHERE code IN (SELECT value FROM json_each(?1))
         AND deleted_at IS NULL ORDER BY id"
    ))?;
    let found = stmt
        .query_map([json_list(codes)], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    complete(conn, found)
}

/// The live automatic promotions that are `active`, complete (every cart refresh asks).
///
/// # Errors
/// Database failures.
pub fn automatic(conn: &Connection) -> Result<Vec<Promotion>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM promotion WHERE is_automatic = 1 AND status = 'active'
         AND deleted_at IS NULL ORDER BY id"
    ))?;
    let found = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    complete(conn, found)
}

/// A live promotion by id, complete.
///
/// # Errors
/// 404 "Promotion with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Promotion> {
    let found = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM promotion WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("Promotion", id))?;
    Ok(complete(conn, vec![found])?.remove(0))
}

/// Loads the application method, rules and campaign of each promotion.
pub(crate) fn complete(conn: &Connection, mut found: Vec<Promotion>) -> Result<Vec<Promotion>> {
    for promotion in &mut found {
        promotion.application_method = method_of(conn, &promotion.id)?;
        let mut rules = rules_of(conn, &promotion.id)?;
        promotion.rules = rules.remove("rules").unwrap_or_default();
        if let Some(method) = promotion.application_method.as_mut() {
            method.target_rules = rules.remove("target_rules").unwrap_or_default();
            method.buy_rules = rules.remove("buy_rules").unwrap_or_default();
        }
        if let Some(campaign_id) = promotion.campaign_id.as_deref() {
            promotion.campaign = campaign::find(conn, campaign_id)?;
        }
    }
    Ok(found)
}

fn method_of(conn: &Connection, promotion_id: &str) -> Result<Option<ApplicationMethod>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id, type, target_type, allocation, value, currency_code, max_quantity,
               apply_to_quantity, buy_rules_min_quantity, description, created_at, updated_at
             FROM promotion_application_method WHERE promotion_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([promotion_id], method_from_row)
        .optional()?)
}

/// A promotion's live rules grouped by kind (`rules`, `target_rules`, `buy_rules`).
fn rules_of(conn: &Connection, promotion_id: &str) -> Result<HashMap<String, Vec<Rule>>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT r.kind, r.id, r.attribute, r.operator, r.description, v.id, v.value
         FROM promotion_rule r LEFT JOIN promotion_rule_value v
           ON v.promotion_rule_id = r.id AND v.deleted_at IS NULL
         WHERE r.promotion_id = ?1 AND r.deleted_at IS NULL ORDER BY r.id, v.id",
    )?;
    let mut out: HashMap<String, Vec<Rule>> = HashMap::new();
    let rows = stmt.query_map([promotion_id], |r| {
        let value: Option<(String, String)> = match r.get::<_, Option<String>>(5)? {
            Some(id) => Some((id, r.get(6)?)),
            None => None,
        };
        Ok((
            r.get::<_, String>(0)?,
            Rule {
                id: r.get(1)?,
                attribute: r.get(2)?,
                operator: r.get(3)?,
                description: r.get(4)?,
                values: value.into_iter().collect(),
            },
        ))
    })?;
    for row in rows {
        let (kind, rule) = row?;
        let list = out.entry(kind).or_default();
        match list.last_mut() {
            Some(last) if last.id == rule.id => last.values.extend(rule.values),
            _ => list.push(rule),
        }
    }
    Ok(out)
}
