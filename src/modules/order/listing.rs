//! The order listing behind `/admin/orders`, `/admin/draft-orders`, the admin UI's order
//! pages and a customer's `/store/orders`: which index serves each filter and where each
//! count comes from (`migrations/order/0012_admin_lists.sql`; BENCHMARKS.md "Admin order
//! lists at 1M orders"). Medusa's contract (`offset`, `limit`, `count`) is unchanged.
//!
//! - **The page** is a walk of rowids, newest (or oldest) first, in an index that holds every
//!   column the listing's condition reads: an `offset` skips index entries without reading
//!   their orders (still linear in the offset, as in Medusa on PostgreSQL, but over index
//!   pages only). The page's own orders are then read by rowid. A filter on one of the common
//!   columns (status, region, sales channel, customer) is a range of that column's index;
//!   several values of it are merged from their ranges (`UNION ALL … ORDER BY`, no sort).
//! - **The count** of all listed orders, or of those with given values of one common column,
//!   is a sum of trigger-kept counts (`order_listed_count`): constant time at any history
//!   size. Any other count is counted over the covering index the page uses: linear in the
//!   matches, not in the history.
//! - **`q`** is Medusa's free-text search: every whitespace-separated word must be a
//!   case-insensitive substring of the display id, the email or a first or last name of the
//!   order's addresses. Words of three characters or more are answered by the trigram index
//!   `order_search` (once per request; the page and the count read the matched orders by
//!   rowid); a shorter word (`q=42`) is checked on each order the walk meets.

use super::admin::{OrderFilter, any_of, ranges};
use super::{COLUMNS, Order, from_row};
use crate::error::Result;
use crate::modules::clamp;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};

/// The condition every order listing starts with: live orders, drafts left out. The
/// `order_listed_*` partial indexes and the trigger-kept counts use exactly this condition
/// (a partial index serves a query only when the query repeats its condition).
pub(crate) const LISTED: &str = "deleted_at IS NULL AND status <> 'draft'";

/// The condition of the draft-order listing (`order_draft_created`).
const DRAFTS: &str = "deleted_at IS NULL AND status = 'draft'";

/// Most values of one column merged from their index ranges; more fall back to one walk with
/// `IN` (and a sort of the matches).
const MERGE_MAX: usize = 8;

/// A filter as SQL: conditions joined by `AND`, their parameters, and the one common
/// column filtered on alone (if so), for the count and the merge.
struct Query {
    terms: Vec<String>,
    args: Vec<SqlValue>,
    /// `(column, values)` when the filter is the listing's condition and this column only.
    alone: Option<(&'static str, Vec<String>)>,
}

/// A page of orders, newest first (or oldest first), and the count of all that match.
///
/// # Errors
/// An unknown range operator; database failures.
pub fn list(
    conn: &Connection,
    filter: &OrderFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Order>, u64)> {
    let query = Query::of(conn, filter)?;
    let count = query.count(conn)?;
    let direction = if filter.oldest_first { "ASC" } else { "DESC" };
    let rowids = query.page(conn, direction, offset, limit)?;
    Ok((by_rowid(conn, &rowids)?, count))
}

/// A customer's listed orders (among `ids` when not empty), newest first, and their count:
/// the same walk and count as the admin list filtered on the customer.
///
/// # Errors
/// Database failures.
pub fn list_for_customer(
    conn: &Connection,
    customer_id: &str,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<Order>, u64)> {
    let filter = OrderFilter {
        customer_ids: vec![customer_id.to_string()],
        ids: ids.to_vec(),
        ..OrderFilter::default()
    };
    list(conn, &filter, offset, limit)
}

impl Query {
    fn of(conn: &Connection, filter: &OrderFilter) -> Result<Self> {
        let base = if filter.drafts { DRAFTS } else { LISTED };
        let mut terms = vec![base.to_string()];
        let mut args = Vec::new();
        any_of("id", &filter.ids, &mut terms, &mut args);
        let columns = [
            ("status", &filter.statuses),
            ("region_id", &filter.region_ids),
            ("sales_channel_id", &filter.sales_channel_ids),
            ("customer_id", &filter.customer_ids),
        ];
        for (column, values) in columns {
            any_of(column, values, &mut terms, &mut args);
        }
        ranges("created_at", &filter.created_at, &mut terms, &mut args)?;
        ranges("updated_at", &filter.updated_at, &mut terms, &mut args)?;
        if let Some(display_id) = filter.display_id {
            args.push(SqlValue::Integer(display_id));
            terms.push(format!("display_id = ?{}", args.len()));
        }
        if let Some(q) = filter.q.as_deref() {
            search(conn, q, &mut terms, &mut args)?;
        }
        let alone = if filter.drafts || terms.len() != 2 {
            None
        } else {
            columns
                .into_iter()
                .find(|(_, values)| !values.is_empty())
                .map(|(column, values)| (column, dedup(values)))
        };
        Ok(Self { terms, args, alone })
    }

    fn clause(&self) -> String {
        self.terms.join(" AND ")
    }

    /// All listed orders and one common column alone: the trigger-kept counts. Otherwise
    /// counted over the index the page walks.
    fn count(&self, conn: &Connection) -> Result<u64> {
        let n: i64 = conn
            .prepare_cached(&self.count_sql())?
            .query_row(params_from_iter(self.count_args().iter()), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    fn count_sql(&self) -> String {
        if self.terms.len() == 1 && self.terms[0] == LISTED {
            "SELECT live FROM order_live_count WHERE id = 1".to_string()
        } else if self.alone.is_some() {
            "SELECT COALESCE(SUM(listed), 0) FROM order_listed_count
             WHERE dimension = ?1 AND value IN (SELECT value FROM json_each(?2))"
                .to_string()
        } else {
            format!("SELECT COUNT(*) FROM \"order\" WHERE {}", self.clause())
        }
    }

    fn count_args(&self) -> Vec<SqlValue> {
        if self.terms.len() == 1 && self.terms[0] == LISTED {
            Vec::new()
        } else if let Some((column, values)) = &self.alone {
            vec![
                SqlValue::Text((*column).to_string()),
                SqlValue::Text(crate::modules::json_list(values)),
            ]
        } else {
            self.args.clone()
        }
    }

    /// The rowids of the page, in order.
    fn page(
        &self,
        conn: &Connection,
        direction: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<i64>> {
        let (sql, mut args) = self.page_sql(direction);
        args.push(SqlValue::Integer(clamp(limit)));
        args.push(SqlValue::Integer(clamp(offset)));
        let rowids = conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(rowids)
    }

    /// The page's query and its parameters but the last two (`LIMIT`, `OFFSET`).
    fn page_sql(&self, direction: &str) -> (String, Vec<SqlValue>) {
        let mut args = self.args.clone();
        let sql = match &self.alone {
            Some((column, values)) if (2..=MERGE_MAX).contains(&values.len()) => {
                // Only the values: the arms' condition is the listing's alone.
                args.clear();
                let base = &self.terms[0];
                let arms: Vec<String> = values
                    .iter()
                    .map(|value| {
                        args.push(SqlValue::Text(value.clone()));
                        format!(
                            "SELECT rowid, created_at, id FROM \"order\" WHERE {base} AND {column} = ?{}",
                            args.len()
                        )
                    })
                    .collect();
                format!(
                    "SELECT rowid FROM ({} ORDER BY 2 {direction}, 3 {direction} LIMIT ?{} OFFSET ?{})",
                    arms.join(" UNION ALL "),
                    args.len() + 1,
                    args.len() + 2
                )
            }
            _ => format!(
                "SELECT rowid FROM \"order\" WHERE {} ORDER BY created_at {direction}, id {direction} LIMIT ?{} OFFSET ?{}",
                self.clause(),
                args.len() + 1,
                args.len() + 2
            ),
        };
        (sql, args)
    }
}

/// The orders of a page, read by rowid in the page's order.
fn by_rowid(conn: &Connection, rowids: &[i64]) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM \"order\" WHERE rowid = ?1"
    ))?;
    rowids
        .iter()
        .map(|rowid| Ok(stmt.query_row([rowid], from_row)?))
        .collect()
}

/// Distinct values, first occurrence first (a value repeated in the query string is one arm
/// and counted once).
fn dedup(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        if !out.contains(value) {
            out.push(value.clone());
        }
    }
    out
}

/// Medusa's `q`: each whitespace-separated word a case-insensitive substring of one of the
/// searchable fields. Words of three characters or more go to the trigram index as one
/// query (`"word" AND "word"`), run once here: the count and the page then read the same
/// rowids (the index query is the costly part when its trigrams are common, as `history-`
/// is in every generated email). Shorter words are matched with `LIKE` on the same document
/// the index holds (`order_search_doc`), order by order.
fn search(
    conn: &Connection,
    q: &str,
    terms: &mut Vec<String>,
    args: &mut Vec<SqlValue>,
) -> Result<()> {
    let (long, short): (Vec<&str>, Vec<&str>) =
        q.split_whitespace().partition(|w| w.chars().count() >= 3);
    if !long.is_empty() {
        let phrases: Vec<String> = long
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect();
        let rowids: Vec<i64> = conn
            .prepare_cached(MATCHES)?
            .query_map([phrases.join(" AND ")], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        args.push(SqlValue::Text(serde_json::Value::from(rowids).to_string()));
        terms.push(format!(
            "rowid IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    for word in short {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(SqlValue::Text(format!("%{escaped}%")));
        terms.push(format!(
            "EXISTS (SELECT 1 FROM order_search_doc d WHERE d.order_rowid = \"order\".rowid
               AND d.doc LIKE ?{} ESCAPE '\\')",
            args.len()
        ));
    }
    Ok(())
}

/// The rowids of the orders whose search document holds every phrase.
const MATCHES: &str = "SELECT rowid FROM order_search WHERE order_search MATCH ?1";

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
