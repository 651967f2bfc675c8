//! Promotions (issue 14, Medusa's promotion module): promotions with an application method
//! and rules ([`model`], [`mod@write`]), campaigns with budgets ([`campaign`]), rule evaluation
//! ([`rules`]), the adjustments promotions give a cart ([`compute`]) and usage registered
//! at completion ([`usage`]). The module knows nothing of carts: flows hand it a
//! [`compute::Context`] and store the adjustments it returns in the cart module.

pub mod buy_get;
pub mod campaign;
pub mod compute;
pub mod model;
pub mod rule_batch;
pub mod rules;
pub mod usage;
pub mod write;

pub use campaign::{Budget, Campaign};
pub use model::{ApplicationMethod, Promotion, Rule};

use crate::db::module::Module;
use crate::error::Result;
use crate::migration;
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, params};

/// The module: tables `promotion*`.
pub fn module() -> Module {
    Module::new("promotion", "promotion").migration(migration!("promotion", "0001_init.sql"))
}

/// Filters of the admin list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Substring of the code.
    pub q: Option<String>,
    /// Exact codes.
    pub codes: Vec<String>,
    /// Ids.
    pub ids: Vec<String>,
    /// Campaigns.
    pub campaign_ids: Vec<String>,
}

/// A page of live promotions, newest first, complete, with the count of all matches.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &Filter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Promotion>, u64)> {
    list_sorted(
        conn,
        filter,
        &crate::modules::SortKey::NEWEST,
        offset,
        limit,
    )
}

/// Columns a promotion list can be sorted on ([`list_sorted`]).
pub const SORTABLE: &[&str] = &["created_at", "updated_at", "code", "status", "used"];

/// [`list`] in `order` (a column of [`SORTABLE`]).
///
/// # Errors
/// 400 for a column that is not sortable; database failures.
pub fn list_sorted(
    conn: &Connection,
    filter: &Filter,
    order: &crate::modules::SortKey,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Promotion>, u64)> {
    let order_sql = order.sql(SORTABLE)?;
    let clause = "deleted_at IS NULL
        AND (?1 IS NULL OR code LIKE '%' || ?1 || '%')
        AND (?2 = '[]' OR code IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR id IN (SELECT value FROM json_each(?3)))
        AND (?4 = '[]' OR campaign_id IN (SELECT value FROM json_each(?4)))";
    let args = (
        filter.q.as_deref(),
        json_list(&filter.codes),
        json_list(&filter.ids),
        json_list(&filter.campaign_ids),
    );
    let count: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM promotion WHERE {clause}"))?
        .query_row(params![args.0, args.1, args.2, args.3], |r| r.get(0))?;
    let ids: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT id FROM promotion WHERE {clause} ORDER BY {order_sql} LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![args.0, args.1, args.2, args.3, clamp(limit), clamp(offset)],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut found = model::by_ids(conn, &ids)?;
    // `by_ids` loads in its own order: put the page back in the query's.
    found.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok((found, u64::try_from(count).unwrap_or_default()))
}

/// The promotions of a campaign.
///
/// # Errors
/// Database failures.
pub fn of_campaign(conn: &Connection, campaign_id: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id FROM promotion WHERE campaign_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([campaign_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Attaches (`Some`) or detaches (`None`) promotions to / from a campaign.
///
/// # Errors
/// Database failures.
pub fn set_campaign(
    conn: &Connection,
    ctx: &crate::ctx::Ctx,
    ids: &[String],
    campaign_id: Option<&str>,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE promotion SET campaign_id = ?2, updated_at = ?3
         WHERE id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL",
    )?
    .execute(params![json_list(ids), campaign_id, ctx.now()])?;
    Ok(())
}

/// How many times live promotions were used, in all.
///
/// # Errors
/// Database failures.
pub fn uses(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached_static(
            "SELECT COALESCE(SUM(used), 0) FROM promotion WHERE deleted_at IS NULL",
        )?
        .query_row([], |r| r.get(0))?)
}
