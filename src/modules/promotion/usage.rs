//! Usage: what an order consumed of a promotion's `limit` and its campaign's budget,
//! registered at cart completion and given back by compensation.
//!
//! **Invariant:** `used ≤ limit` for every promotion and budget. Each registration is one
//! guarded `UPDATE … WHERE used + n ≤ limit` inside the completion's write job (as stock
//! reservations are guarded), so concurrent completions can never overspend: the writer
//! runs them one after the other and the one that would cross the limit changes no row
//! and is refused.

use super::model;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

/// One promotion used by one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    /// `promo_…`
    pub promotion_id: String,
    /// What it gave, minor units of `currency_code`.
    pub amount: i64,
    /// The order's currency.
    pub currency_code: String,
}

/// Registers each use: `used + 1` on the promotion, and on its campaign's budget `+1`
/// (usage) or `+amount` (spend, in the budget's currency), each only within its limit.
///
/// # Errors
/// 400 `not_allowed` "Promotion with code X exceeded its usage limit" / "… exceeded its
/// campaign budget" (the caller's transaction is then rolled back); database failures.
pub fn register(conn: &Connection, ctx: &Ctx, uses: &[Use]) -> Result<()> {
    let now = ctx.now();
    let ids: Vec<String> = uses.iter().map(|u| u.promotion_id.clone()).collect();
    let found = model::by_ids(conn, &ids)?;
    for u in uses {
        // The cart's adjustments date from its last refresh: a promotion deleted or no
        // longer active since then must not reach the order unaccounted.
        let promotion = found
            .iter()
            .find(|p| p.id == u.promotion_id && p.status == "active")
            .ok_or_else(|| {
                Error::not_allowed(format!(
                    "Promotion {} is no longer active; refresh the cart",
                    u.promotion_id
                ))
            })?;
        let changed = conn
            .prepare_cached_static(
                "UPDATE promotion SET used = used + 1, updated_at = ?2
                 WHERE id = ?1 AND (usage_limit IS NULL OR used + 1 <= usage_limit)",
            )?
            .execute(params![promotion.id, now])?;
        if changed == 0 {
            return Err(Error::not_allowed(format!(
                "Promotion with code {} exceeded its usage limit",
                promotion.code
            )));
        }
        if let Some((budget_id, n)) = budget_share(promotion, u)? {
            let changed = conn
                .prepare_cached_static(
                    "UPDATE promotion_campaign_budget SET used = used + ?2, updated_at = ?3
                     WHERE id = ?1 AND (budget_limit IS NULL OR used + ?2 <= budget_limit)",
                )?
                .execute(params![budget_id, n, now])?;
            if changed == 0 {
                return Err(Error::not_allowed(format!(
                    "Promotion with code {} exceeded its campaign budget",
                    promotion.code
                )));
            }
        }
    }
    Ok(())
}

/// The budget a use counts against, and by how much.
///
/// # Errors
/// 400 `not_allowed` for a spend budget in another currency than the order's: the use
/// could not be counted against it.
fn budget_share(promotion: &model::Promotion, u: &Use) -> Result<Option<(String, i64)>> {
    let Some(budget) = promotion.campaign.as_ref().and_then(|c| c.budget.as_ref()) else {
        return Ok(None);
    };
    match budget.kind.as_str() {
        "usage" => Ok(Some((budget.id.clone(), 1))),
        _ if budget
            .currency_code
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(&u.currency_code)) =>
        {
            Ok(Some((budget.id.clone(), u.amount)))
        }
        _ => Err(Error::not_allowed(format!(
            "Promotion with code {} exceeded its campaign budget",
            promotion.code
        ))),
    }
}

/// Gives registered uses back (compensation of [`register`]).
///
/// # Errors
/// Database failures.
pub fn revert(conn: &Connection, ctx: &Ctx, uses: &[Use]) -> Result<()> {
    let now = ctx.now();
    for u in uses {
        let Some(promotion) = model::by_ids(conn, std::slice::from_ref(&u.promotion_id))?
            .into_iter()
            .next()
        else {
            continue;
        };
        conn.prepare_cached_static(
            "UPDATE promotion SET used = MAX(used - 1, 0), updated_at = ?2 WHERE id = ?1",
        )?
        .execute(params![promotion.id, now])?;
        if let Ok(Some((budget_id, n))) = budget_share(&promotion, u) {
            conn.prepare_cached_static(
                "UPDATE promotion_campaign_budget SET used = MAX(used - ?2, 0), updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![budget_id, n, now])?;
        }
    }
    Ok(())
}
