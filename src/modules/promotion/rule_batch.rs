//! A promotion's rules changed in batches (`/admin/promotions/:id/rules/batch` and its
//! `target-rules` / `buy-rules` twins): create, update (values replaced), delete.

use super::model::Rule;
use super::write::{NewRule, add_rules};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::json_list;
use rusqlite::{Connection, OptionalExtension, params};

/// A rule's changes; `values` replaces the rule's values.
#[derive(Debug, Clone, Default)]
pub struct RuleUpdate {
    /// `prorul_…`
    pub id: String,
    /// New attribute.
    pub attribute: Option<String>,
    /// New operator.
    pub operator: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// The values.
    pub values: Vec<String>,
}

/// What a batch did: created and updated rule ids, deleted ids.
#[derive(Debug, Clone, Default)]
pub struct BatchResult {
    /// Created.
    pub created: Vec<String>,
    /// Updated.
    pub updated: Vec<String>,
    /// Deleted.
    pub deleted: Vec<String>,
}

/// Applies a batch to the promotion's rules of `kind`.
///
/// # Errors
/// 404 for an unknown promotion or a rule that is not one of its `kind`.
pub fn batch(
    conn: &Connection,
    ctx: &Ctx,
    promotion_id: &str,
    kind: &str,
    (create, update, delete): (&[NewRule], &[RuleUpdate], &[String]),
) -> Result<BatchResult> {
    super::model::retrieve(conn, promotion_id)?;
    let now = ctx.now();
    for id in update.iter().map(|u| &u.id).chain(delete) {
        owned(conn, promotion_id, kind, id)?;
    }
    let created = add_rules(conn, ctx, promotion_id, kind, create)?;
    for u in update {
        conn.prepare_cached_static(
            "UPDATE promotion_rule SET attribute = COALESCE(?2, attribute), operator = COALESCE(?3, operator),
               description = COALESCE(?4, description), updated_at = ?5 WHERE id = ?1",
        )?
        .execute(params![u.id, u.attribute, u.operator, u.description, now])?;
        replace_values(conn, ctx, &u.id, &u.values)?;
    }
    conn.prepare_cached_static(
        "UPDATE promotion_rule_value SET deleted_at = ?2, updated_at = ?2
         WHERE promotion_rule_id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL",
    )?
    .execute(params![json_list(delete), now])?;
    conn.prepare_cached_static(
        "UPDATE promotion_rule SET deleted_at = ?2, updated_at = ?2
         WHERE id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL",
    )?
    .execute(params![json_list(delete), now])?;
    Ok(BatchResult {
        created,
        updated: update.iter().map(|u| u.id.clone()).collect(),
        deleted: delete.to_vec(),
    })
}

fn owned(conn: &Connection, promotion_id: &str, kind: &str, id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "SELECT id FROM promotion_rule WHERE id = ?1 AND promotion_id = ?2 AND kind = ?3
         AND deleted_at IS NULL",
    )?
    .query_row([id, promotion_id, kind], |r| r.get::<_, String>(0))
    .optional()?
    .map(|_| ())
    .ok_or_else(|| Error::not_found("Promotion rule", id))
}

fn replace_values(conn: &Connection, ctx: &Ctx, rule_id: &str, values: &[String]) -> Result<()> {
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE promotion_rule_value SET deleted_at = ?2, updated_at = ?2
         WHERE promotion_rule_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![rule_id, now])?;
    for value in values {
        conn.prepare_cached_static(
            "INSERT INTO promotion_rule_value (id, promotion_rule_id, value, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![ctx.id("prorulval"), rule_id, value, now])?;
    }
    Ok(())
}

/// Live rules by id, with their values, in id order.
///
/// # Errors
/// Database failures.
pub fn by_ids(conn: &Connection, ids: &[String]) -> Result<Vec<Rule>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT r.id, r.attribute, r.operator, r.description, v.id, v.value
         FROM promotion_rule r LEFT JOIN promotion_rule_value v
           ON v.promotion_rule_id = r.id AND v.deleted_at IS NULL
         WHERE r.id IN (SELECT value FROM json_each(?1)) AND r.deleted_at IS NULL ORDER BY r.id, v.id",
    )?;
    let rows = stmt.query_map([json_list(ids)], |r| {
        let value: Option<(String, String)> = match r.get::<_, Option<String>>(4)? {
            Some(id) => Some((id, r.get(5)?)),
            None => None,
        };
        Ok(Rule {
            id: r.get(0)?,
            attribute: r.get(1)?,
            operator: r.get(2)?,
            description: r.get(3)?,
            values: value.into_iter().collect(),
        })
    })?;
    let mut out: Vec<Rule> = Vec::new();
    for row in rows {
        let rule = row?;
        match out.last_mut() {
            Some(last) if last.id == rule.id => last.values.extend(rule.values),
            _ => out.push(rule),
        }
    }
    Ok(out)
}
