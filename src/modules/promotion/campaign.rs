//! Campaigns: a name, dates, and an optional budget capping how often (`usage`) or how much
//! (`spend`, minor units of its currency) its promotions may give.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// A campaign's budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    /// `probudg_…`
    pub id: String,
    /// `usage` | `spend`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The currency of a spend budget.
    pub currency_code: Option<String>,
    /// Uses (usage) or minor units (spend); none: unlimited.
    pub limit: Option<i64>,
    /// Uses or minor units consumed.
    pub used: i64,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// A campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    /// `procamp_…`
    pub id: String,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Unique identifier chosen by the merchant.
    pub campaign_identifier: String,
    /// ISO-8601; its promotions apply from then.
    pub starts_at: Option<String>,
    /// ISO-8601; its promotions apply until then.
    pub ends_at: Option<String>,
    /// The budget.
    pub budget: Option<Budget>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 once deleted.
    pub deleted_at: Option<String>,
}

impl Campaign {
    /// Whether `now` is inside the campaign's dates.
    pub fn is_running(&self, now: &str) -> bool {
        self.starts_at.as_deref().is_none_or(|s| s <= now)
            && self.ends_at.as_deref().is_none_or(|e| e >= now)
    }
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewCampaign {
    /// Name.
    pub name: String,
    /// Unique identifier.
    pub campaign_identifier: String,
    /// Free text.
    pub description: Option<String>,
    /// ISO-8601.
    pub starts_at: Option<String>,
    /// ISO-8601.
    pub ends_at: Option<String>,
    /// `(type, currency, limit)`.
    pub budget: Option<(String, Option<String>, Option<i64>)>,
}

const COLUMNS: &str = "id, name, description, campaign_identifier, starts_at, ends_at, created_at,
    updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        campaign_identifier: r.get(3)?,
        starts_at: r.get(4)?,
        ends_at: r.get(5)?,
        budget: None,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        deleted_at: r.get(8)?,
    })
}

fn check_identifier(conn: &Connection, identifier: &str, except: &str) -> Result<()> {
    let taken: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM promotion_campaign WHERE campaign_identifier = ?1 AND id != ?2
             AND deleted_at IS NULL",
        )?
        .query_row([identifier, except], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(Error::Duplicate(format!(
            "Campaign with campaign_identifier: {identifier}, already exists."
        ))),
        None => Ok(()),
    }
}

/// Creates a campaign (and its budget). Returns its id.
///
/// # Errors
/// 422 when the identifier is taken; database failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewCampaign) -> Result<String> {
    check_identifier(conn, &input.campaign_identifier, "")?;
    let (id, now) = (ctx.id("procamp"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO promotion_campaign (id, name, description, campaign_identifier, starts_at, ends_at,
           created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        input.name,
        input.description,
        input.campaign_identifier,
        input.starts_at,
        input.ends_at,
        now
    ])?;
    if let Some((kind, currency, limit)) = &input.budget {
        conn.prepare_cached_static(
            "INSERT INTO promotion_campaign_budget (id, campaign_id, type, currency_code, budget_limit,
               created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        )?
        .execute(params![ctx.id("probudg"), id, kind, currency, limit, now])?;
    }
    Ok(id)
}

/// A live campaign with its budget, if there is one.
///
/// # Errors
/// Database failures.
pub fn find(conn: &Connection, id: &str) -> Result<Option<Campaign>> {
    let found = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM promotion_campaign WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?;
    let Some(mut campaign) = found else {
        return Ok(None);
    };
    campaign.budget = budget_of(conn, id)?;
    Ok(Some(campaign))
}

/// A live campaign with its budget.
///
/// # Errors
/// 404 "Campaign with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Campaign> {
    find(conn, id)?.ok_or_else(|| Error::not_found("Campaign", id))
}

fn budget_of(conn: &Connection, campaign_id: &str) -> Result<Option<Budget>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id, type, currency_code, budget_limit, used, created_at, updated_at
             FROM promotion_campaign_budget WHERE campaign_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([campaign_id], |r| {
            Ok(Budget {
                id: r.get(0)?,
                kind: r.get(1)?,
                currency_code: r.get(2)?,
                limit: r.get(3)?,
                used: r.get(4)?,
                created_at: r.get(5)?,
                updated_at: r.get(6)?,
            })
        })
        .optional()?)
}

/// A page of live campaigns (newest first), filtered by `q` (name or identifier) and ids,
/// with the count of all matches.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    q: Option<&str>,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<Campaign>, u64)> {
    list_sorted(
        conn,
        q,
        ids,
        &crate::modules::SortKey::NEWEST,
        offset,
        limit,
    )
}

/// Columns a campaign list can be sorted on ([`list_sorted`]).
pub const SORTABLE: &[&str] = &[
    "created_at",
    "updated_at",
    "name",
    "campaign_identifier",
    "starts_at",
    "ends_at",
];

/// [`list`] in `order` (a column of [`SORTABLE`]).
///
/// # Errors
/// 400 for a column that is not sortable; database failures.
pub fn list_sorted(
    conn: &Connection,
    q: Option<&str>,
    ids: &[String],
    order: &crate::modules::SortKey,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Campaign>, u64)> {
    let order_sql = order.sql(SORTABLE)?;
    let filter = "deleted_at IS NULL
        AND (?1 IS NULL OR name LIKE '%' || ?1 || '%' OR campaign_identifier LIKE '%' || ?1 || '%')
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))";
    let ids = crate::modules::json_list(ids);
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM promotion_campaign WHERE {filter}"
        ))?
        .query_row(params![q, ids], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM promotion_campaign WHERE {filter}
         ORDER BY {order_sql} LIMIT ?3 OFFSET ?4"
    ))?;
    let mut found = stmt
        .query_map(params![q, ids, clamp(limit), clamp(offset)], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for campaign in &mut found {
        campaign.budget = budget_of(conn, &campaign.id)?;
    }
    Ok((found, u64::try_from(count).unwrap_or_default()))
}

/// Updates `name`, `description`, `campaign_identifier`, `starts_at`, `ends_at`, and the
/// budget's limit when `budget_limit` is given.
///
/// # Errors
/// 404; 422 for a taken identifier; 400 for a limit under what was already used.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
    budget_limit: Option<Option<i64>>,
) -> Result<()> {
    let found = retrieve(conn, id)?;
    if let Some(identifier) = changes.get("campaign_identifier").and_then(Value::as_str) {
        check_identifier(conn, identifier, id)?;
    }
    let now = ctx.now();
    update_columns(
        conn,
        "promotion_campaign",
        id,
        &[
            "name",
            "description",
            "campaign_identifier",
            "starts_at",
            "ends_at",
        ],
        changes,
        &now,
    )?;
    if let (Some(limit), Some(budget)) = (budget_limit, found.budget) {
        if limit.is_some_and(|l| l < budget.used) {
            return Err(Error::invalid(
                "Campaign budget limit cannot be lower than the amount already used",
            ));
        }
        conn.prepare_cached_static(
            "UPDATE promotion_campaign_budget SET budget_limit = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![budget.id, limit, now])?;
    }
    Ok(())
}

/// Soft-deletes a campaign and its budget; its promotions stay, outside any campaign.
///
/// # Errors
/// Database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE promotion_campaign SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE promotion_campaign_budget SET deleted_at = ?2, updated_at = ?2
         WHERE campaign_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE promotion SET campaign_id = NULL, updated_at = ?2 WHERE campaign_id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}
