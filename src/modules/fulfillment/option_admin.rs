//! Shipping options as the admin manages them: filtered pages, field updates, prices and
//! rules replaced as Medusa's `updateShippingOptions` does (entries with an `id` are kept
//! and changed, entries without one created, the rest deleted), and the rules batch.

use super::options::{COLUMNS, JOINS, NewRule, attach, from_row, retrieve_option};
use super::{OptionRule, ShippingOption};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, params};
use serde_json::Value;

/// List filters of [`list`]; empty vectors filter nothing.
#[derive(Debug, Clone, Default)]
pub struct OptionFilter {
    /// Substring of the name.
    pub q: Option<String>,
    /// Exact ids.
    pub ids: Vec<String>,
    /// Service zones.
    pub service_zone_ids: Vec<String>,
    /// Shipping profiles.
    pub shipping_profile_ids: Vec<String>,
    /// Providers.
    pub provider_ids: Vec<String>,
    /// Option types.
    pub type_ids: Vec<String>,
    /// Fulfillment sets (a stock location's, resolved by the caller); `None` filters nothing.
    pub set_ids: Option<Vec<String>>,
    /// Return options only (`true`) or none of them (`false`).
    pub is_return: Option<bool>,
    /// Options disabled in the store only (`true`) or none of them (`false`).
    pub admin_only: Option<bool>,
}

const WHERE: &str = "o.deleted_at IS NULL
    AND (?1 IS NULL OR o.name LIKE ?1 ESCAPE '\\')
    AND (?2 = '[]' OR o.id IN (SELECT value FROM json_each(?2)))
    AND (?3 = '[]' OR o.service_zone_id IN (SELECT value FROM json_each(?3)))
    AND (?4 = '[]' OR o.shipping_profile_id IN (SELECT value FROM json_each(?4)))
    AND (?5 = '[]' OR o.provider_id IN (SELECT value FROM json_each(?5)))
    AND (?6 = '[]' OR o.type_id IN (SELECT value FROM json_each(?6)))
    AND (?7 IS NULL OR z.fulfillment_set_id IN (SELECT value FROM json_each(?7)))
    AND (?8 IS NULL OR ?8 = EXISTS (SELECT 1 FROM fulfillment_shipping_option_rule r
        WHERE r.shipping_option_id = o.id AND r.deleted_at IS NULL
          AND r.attribute = 'is_return' AND r.value = '\"true\"'))
    AND (?9 IS NULL OR ?9 = EXISTS (SELECT 1 FROM fulfillment_shipping_option_rule r
        WHERE r.shipping_option_id = o.id AND r.deleted_at IS NULL
          AND r.attribute = 'enabled_in_store' AND r.value = '\"false\"'))";

/// A page of live options (oldest first unless `order` says otherwise) with rules and
/// prices, and the count of all matching.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &OptionFilter,
    order: Option<&str>,
    (offset, limit): (u64, u64),
) -> Result<(Vec<ShippingOption>, u64)> {
    let allowed = [
        "name",
        "price_type",
        "provider_id",
        "created_at",
        "updated_at",
        "id",
    ];
    let order = super::order_by(order, &allowed, "o.")?;
    let q = filter.q.as_deref().map(super::like_pattern);
    let sets = filter.set_ids.as_deref().map(json_list);
    let args = (
        q,
        json_list(&filter.ids),
        json_list(&filter.service_zone_ids),
        json_list(&filter.shipping_profile_ids),
        json_list(&filter.provider_ids),
        json_list(&filter.type_ids),
        sets,
        filter.is_return,
        filter.admin_only,
    );
    let count: i64 = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT COUNT(*) FROM fulfillment_shipping_option o {JOINS} WHERE {WHERE}"
        ))?
        .query_row(
            params![
                args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8
            ],
            |r| r.get(0),
        )?;
    let mut options: Vec<ShippingOption> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM fulfillment_shipping_option o {JOINS} WHERE {WHERE}
             ORDER BY {order} LIMIT ?10 OFFSET ?11"
        ))?
        .query_map(
            params![
                args.0,
                args.1,
                args.2,
                args.3,
                args.4,
                args.5,
                args.6,
                args.7,
                args.8,
                clamp(limit),
                clamp(offset)
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    for option in &mut options {
        attach(conn, option)?;
    }
    Ok((options, count as u64))
}

/// Scalar changes of [`update`]; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OptionChanges {
    /// New name.
    pub name: Option<String>,
    /// `flat` or `calculated`.
    pub price_type: Option<String>,
    /// New provider.
    pub provider_id: Option<String>,
    /// New profile.
    pub shipping_profile_id: Option<String>,
    /// New provider data (`Some(None)` clears it).
    pub data: Option<Option<Value>>,
    /// New type id.
    pub type_id: Option<String>,
}

/// Changes an option's own fields.
///
/// # Errors
/// 404 when absent; database failures.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &OptionChanges,
) -> Result<ShippingOption> {
    let current = retrieve_option(conn, id)?;
    let data = match &changes.data {
        Some(d) => d.as_ref().map(Value::to_string),
        None => current.data.as_ref().map(Value::to_string),
    };
    conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_option
         SET name = coalesce(?2, name), price_type = coalesce(?3, price_type),
             provider_id = coalesce(?4, provider_id),
             shipping_profile_id = coalesce(?5, shipping_profile_id),
             data = ?6, type_id = coalesce(?7, type_id), updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        changes.name,
        changes.price_type,
        changes.provider_id,
        changes.shipping_profile_id,
        data,
        changes.type_id,
        ctx.now()
    ])?;
    retrieve_option(conn, id)
}

/// A price to keep (`id`) or create: `(currency, region, minor amount)`.
pub type PriceInput = (Option<String>, String, Option<String>, i64);

/// Replaces an option's prices: ids sent are updated, new entries created, the rest deleted.
///
/// # Errors
/// 404 for a price id not of this option; database failures.
pub fn replace_prices(
    conn: &Connection,
    ctx: &Ctx,
    option: &ShippingOption,
    prices: &[PriceInput],
) -> Result<()> {
    let now = ctx.now();
    for (id, currency, region, amount) in prices {
        match id {
            Some(id) => {
                if !option.prices.iter().any(|p| &p.id == id) {
                    return Err(Error::not_found("Price", id));
                }
                conn.prepare_cached_static(
                    "UPDATE fulfillment_shipping_option_price
                     SET currency_code = ?2, region_id = ?3, amount = ?4, updated_at = ?5 WHERE id = ?1",
                )?
                .execute(params![id, currency.to_lowercase(), region, amount, now])?;
            }
            None => super::insert_price(
                conn,
                ctx,
                &option.id,
                &(currency.clone(), region.clone(), *amount),
            )?,
        }
    }
    for old in &option.prices {
        if !prices
            .iter()
            .any(|p| p.0.as_deref() == Some(old.id.as_str()))
        {
            conn.prepare_cached_static(
                "UPDATE fulfillment_shipping_option_price SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![old.id, now])?;
        }
    }
    Ok(())
}

/// A rule to keep (`id`) or create.
pub type RuleInput = (Option<String>, NewRule);

/// Replaces an option's rules: ids sent are updated, new entries created, the rest deleted.
///
/// # Errors
/// 404 for a rule id not of this option; database failures.
pub fn replace_rules(
    conn: &Connection,
    ctx: &Ctx,
    option: &ShippingOption,
    rules: &[RuleInput],
) -> Result<()> {
    for (id, rule) in rules {
        match id {
            Some(id) => update_rule(conn, ctx, option, id, rule)?,
            None => {
                super::insert_rule(conn, ctx, &option.id, rule)?;
            }
        }
    }
    let stale: Vec<String> = option
        .rules
        .iter()
        .filter(|old| {
            !rules
                .iter()
                .any(|r| r.0.as_deref() == Some(old.id.as_str()))
        })
        .map(|old| old.id.clone())
        .collect();
    delete_rules(conn, ctx, &stale)
}

fn update_rule(
    conn: &Connection,
    ctx: &Ctx,
    option: &ShippingOption,
    id: &str,
    (attribute, operator, value): &NewRule,
) -> Result<()> {
    if !option.rules.iter().any(|r| r.id == id) {
        return Err(Error::not_found("ShippingOptionRule", id));
    }
    conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_option_rule
         SET attribute = ?2, operator = ?3, value = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, attribute, operator, value, ctx.now()])?;
    Ok(())
}

fn delete_rules(conn: &Connection, ctx: &Ctx, ids: &[String]) -> Result<()> {
    let mut stmt = conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_option_rule SET deleted_at = ?2, updated_at = ?2
         WHERE id = ?1 AND deleted_at IS NULL",
    )?;
    for id in ids {
        stmt.execute(params![id, ctx.now()])?;
    }
    Ok(())
}

/// What a rules batch did: the rules created and updated, and the ids deleted.
#[derive(Debug, Clone, Default)]
pub struct RuleBatch {
    /// Created rules.
    pub created: Vec<OptionRule>,
    /// Updated rules.
    pub updated: Vec<OptionRule>,
    /// Deleted rule ids.
    pub deleted: Vec<String>,
}

/// `POST /admin/shipping-options/:id/rules/batch`: creates, updates and deletes rules of one
/// option.
///
/// # Errors
/// 404 for an unknown option, or a rule to update or delete that is not the option's.
pub fn batch_rules(
    conn: &Connection,
    ctx: &Ctx,
    option_id: &str,
    create: &[NewRule],
    update: &[(String, NewRule)],
    delete: &[String],
) -> Result<RuleBatch> {
    let option = retrieve_option(conn, option_id)?;
    for id in delete {
        if !option.rules.iter().any(|r| &r.id == id) {
            return Err(Error::not_found("ShippingOptionRule", id));
        }
    }
    let mut created_ids = Vec::new();
    for rule in create {
        created_ids.push(super::insert_rule(conn, ctx, option_id, rule)?);
    }
    for (id, rule) in update {
        update_rule(conn, ctx, &option, id, rule)?;
    }
    delete_rules(conn, ctx, delete)?;
    let after = retrieve_option(conn, option_id)?;
    let pick = |ids: &[String]| -> Vec<OptionRule> {
        after
            .rules
            .iter()
            .filter(|r| ids.contains(&r.id))
            .cloned()
            .collect()
    };
    let updated_ids: Vec<String> = update.iter().map(|(id, _)| id.clone()).collect();
    Ok(RuleBatch {
        created: pick(&created_ids),
        updated: pick(&updated_ids),
        deleted: delete.to_vec(),
    })
}
