//! A tax rate after creation: retrieve it, update it (rules replaced whole), soft-delete it.

use super::{TaxRate, rates_of};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::money::Rate;
use rusqlite::{Connection, OptionalExtension, params};

/// Input of [`update`]; `None` fields are left as they are.
#[derive(Debug, Clone, Default)]
pub struct RateUpdate {
    /// The rate (`Some(None)` clears it).
    pub rate: Option<Option<Rate>>,
    /// Code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Make it the region's default (the previous default stops being one).
    pub is_default: Option<bool>,
    /// Combinable with the parent's rate.
    pub is_combinable: Option<bool>,
    /// Replaces the rules.
    pub rules: Option<Vec<(String, String)>>,
    /// Metadata (replaced whole; `Some(None)` clears it).
    pub metadata: Option<Option<serde_json::Value>>,
}

/// A live tax rate by id, with its rules.
///
/// # Errors
/// 404 "TaxRate with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<TaxRate> {
    let region: Option<String> = conn
        .prepare_cached_static(
            "SELECT tax_region_id FROM tax_rate WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let region = region.ok_or_else(|| Error::not_found("TaxRate", id))?;
    rates_of(conn, &region)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Error::not_found("TaxRate", id))
}

/// Applies `change` to rate `id`.
///
/// # Errors
/// 404 when absent; 400 for a blank code or name.
pub fn update(conn: &Connection, ctx: &Ctx, id: &str, change: &RateUpdate) -> Result<TaxRate> {
    let current = retrieve(conn, id)?;
    let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
    if blank(&change.code) || blank(&change.name) {
        return Err(Error::invalid(
            "Invalid request: Field 'code' and 'name' cannot be empty",
        ));
    }
    let now = ctx.now();
    if change.is_default == Some(true) && !current.is_default {
        conn.prepare_cached_static(
            "UPDATE tax_rate SET is_default = 0, updated_at = ?2
             WHERE tax_region_id = ?1 AND is_default = 1 AND deleted_at IS NULL",
        )?
        .execute(params![current.tax_region_id, now])?;
    }
    let rate = change.rate.unwrap_or(current.rate);
    let metadata = change.metadata.clone().unwrap_or(current.metadata);
    conn.prepare_cached_static(
        "UPDATE tax_rate SET rate_ppm = ?2, code = ?3, name = ?4, is_default = ?5,
            is_combinable = ?6, updated_at = ?7, metadata = ?8 WHERE id = ?1",
    )?
    .execute(params![
        id,
        rate.map(Rate::percent_ppm),
        change.code.as_ref().unwrap_or(&current.code),
        change.name.as_ref().unwrap_or(&current.name),
        change.is_default.unwrap_or(current.is_default),
        change.is_combinable.unwrap_or(current.is_combinable),
        now,
        metadata.as_ref().map(serde_json::Value::to_string)
    ])?;
    if let Some(rules) = &change.rules {
        conn.prepare_cached_static(
            "UPDATE tax_rate_rule SET deleted_at = ?2, updated_at = ?2
             WHERE tax_rate_id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, now])?;
        for (reference, reference_id) in rules {
            conn.prepare_cached_static(
                "INSERT INTO tax_rate_rule (id, tax_rate_id, reference, reference_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![ctx.id("txrule"), id, reference, reference_id, now])?;
        }
    }
    retrieve(conn, id)
}

/// Soft-deletes rate `id` and its rules.
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE tax_rate SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE tax_rate_rule SET deleted_at = ?2, updated_at = ?2
         WHERE tax_rate_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Adds the rule `(reference, reference_id)` to rate `rate_id` (Medusa's
/// `createTaxRateRulesWorkflow`); returns the rule's id.
///
/// # Errors
/// 404 for an unknown rate; 400 for a blank reference; 422 when the rate already has a rule
/// for that `reference_id` (Medusa's unique `(tax_rate_id, reference_id)`).
pub fn add_rule(
    conn: &Connection,
    ctx: &Ctx,
    rate_id: &str,
    reference: &str,
    reference_id: &str,
) -> Result<String> {
    let rate = retrieve(conn, rate_id)?;
    if reference.trim().is_empty() || reference_id.trim().is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'reference' and 'reference_id' cannot be empty",
        ));
    }
    if rate.rules.iter().any(|(_, id)| id == reference_id) {
        return Err(Error::Duplicate(format!(
            "Tax rate rule with tax_rate_id: {rate_id}, reference_id: {reference_id}, already exists."
        )));
    }
    let (id, now) = (ctx.id("txrule"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO tax_rate_rule (id, tax_rate_id, reference, reference_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, rate_id, reference, reference_id, now])?;
    Ok(id)
}

/// Soft-deletes rule `rule_id` of rate `rate_id`.
///
/// # Errors
/// 404 for an unknown rate, or a rule that is not a live rule of that rate.
pub fn delete_rule(conn: &Connection, ctx: &Ctx, rate_id: &str, rule_id: &str) -> Result<()> {
    retrieve(conn, rate_id)?;
    let changed = conn
        .prepare_cached_static(
            "UPDATE tax_rate_rule SET deleted_at = ?3, updated_at = ?3
             WHERE id = ?1 AND tax_rate_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![rule_id, rate_id, ctx.now()])?;
    if changed == 0 {
        return Err(Error::not_found("TaxRateRule", rule_id));
    }
    Ok(())
}
