//! Domain modules, one folder each. Each owns its tables (by prefix), its migrations
//! (`migrations/<name>/`) and its service functions over `&Connection`.
//!
//! **Invariant:** a domain module never imports another domain module. Cross-module relations
//! are links (`crate::link`), cross-module operations are workflows (`crate::flows`).

pub mod api_key;
pub mod auth;
pub mod cart;
pub mod currency;
pub mod customer;
pub mod file;
pub mod fulfillment;
pub mod inventory;
pub mod notification;
pub mod order;
pub mod payment;
pub mod pos;
pub mod pricing;
pub mod product;
pub mod promotion;
pub mod region;
pub mod sales_channel;
pub mod settings;
pub mod stock_location;
pub mod store;
pub mod tax;
pub mod till_sync;
pub mod user;

use crate::db::module::Module;
use crate::error::{Error, Result};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

/// Every core module, in registration order.
pub fn core_modules() -> Vec<Module> {
    vec![
        sales_channel::module(),
        api_key::module(),
        store::module(),
        auth::module(),
        user::module(),
        customer::module(),
        region::module(),
        product::module(),
        pricing::module(),
        tax::module(),
        stock_location::module(),
        inventory::module(),
        fulfillment::module(),
        payment::module(),
        cart::module(),
        order::module(),
        promotion::module(),
        file::module(),
        notification::module(),
        settings::module(),
        till_sync::module(),
        pos::module(),
    ]
}

/// Reads an optional JSON metadata column.
pub(crate) fn metadata_from_sql(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// Applies a partial update from a validated JSON body: each key of `changes` that is in
/// `allowed` sets that column (strings and numbers as is, booleans as 0/1, objects such as
/// `metadata` as JSON text, `null` clears). Returns whether a live row was changed.
///
/// # Errors
/// A key outside `allowed` (a bug in the caller's schema); database failures.
pub(crate) fn update_columns(
    conn: &Connection,
    table: &str,
    id: &str,
    allowed: &[&str],
    changes: &Map<String, Value>,
    now: &str,
) -> Result<bool> {
    use std::fmt::Write as _;
    // One string written in place: this runs for every cart update of a checkout.
    let mut sql = String::with_capacity(128);
    let _ = write!(sql, "UPDATE {table} SET updated_at = ?1");
    let mut values: Vec<SqlValue> = vec![SqlValue::Text(now.to_string())];
    for (key, value) in changes {
        let column = allowed
            .iter()
            .find(|c| **c == key.as_str())
            .ok_or_else(|| Error::invalid(format!("Unrecognized fields: '{key}'")))?;
        values.push(sql_value(value));
        let _ = write!(sql, ", {column} = ?{}", values.len());
    }
    values.push(SqlValue::Text(id.to_string()));
    let _ = write!(sql, " WHERE id = ?{} AND deleted_at IS NULL", values.len());
    Ok(conn
        .prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?
        > 0)
}

/// A JSON body value as a column value.
pub(crate) fn sql_value(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map_or_else(
            || SqlValue::Real(n.as_f64().unwrap_or(0.0)),
            SqlValue::Integer,
        ),
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// A list as JSON array text, for `json_each(?)` parameters (one cached statement whatever
/// the list length).
pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

/// A page bound as SQLite's signed integer.
pub(crate) fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A list's sort order from Medusa's `order` parameter (`field`, or `-field` for
/// descending): one column of the module's own whitelist, ties broken by `id` in the same
/// direction. The column is a `&'static str` out of that whitelist, so nothing a client sends
/// ever reaches the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// The column.
    pub column: &'static str,
    /// Descending.
    pub descending: bool,
}

impl SortKey {
    /// Newest first: every list's order when none is asked for.
    pub const NEWEST: SortKey = SortKey {
        column: "created_at",
        descending: true,
    };

    /// `order` (`email`, `-created_at`) among `allowed`.
    ///
    /// # Errors
    /// 400 for a column that is not in `allowed`.
    pub fn parse(order: &str, allowed: &[&'static str]) -> Result<SortKey> {
        let (descending, name) = match order.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, order),
        };
        allowed
            .iter()
            .find(|c| **c == name)
            .map(|column| SortKey { column, descending })
            .ok_or_else(|| Error::invalid(format!("Invalid request: Cannot order by '{name}'")))
    }

    /// `column DIR, id DIR`, checked once more against the module's `allowed` columns.
    ///
    /// # Errors
    /// 400 for a column that is not in `allowed`.
    pub fn sql(&self, allowed: &[&'static str]) -> Result<String> {
        let key = SortKey::parse(self.column, allowed)?;
        let direction = if self.descending { "DESC" } else { "ASC" };
        Ok(format!("{} {direction}, id {direction}", key.column))
    }

    /// The `order` parameter that asks for this order.
    pub fn param(&self) -> String {
        if self.descending {
            format!("-{}", self.column)
        } else {
            self.column.to_string()
        }
    }
}

#[cfg(test)]
mod sort_key_tests {
    use super::SortKey;

    #[test]
    fn only_listed_columns_are_sorted_on() {
        let allowed = ["created_at", "email"];
        let key = SortKey::parse("-email", &allowed).unwrap();
        assert_eq!(key.sql(&allowed).unwrap(), "email DESC, id DESC");
        assert_eq!(key.param(), "-email");
        let asc = SortKey::parse("created_at", &allowed).unwrap();
        assert_eq!(asc.sql(&allowed).unwrap(), "created_at ASC, id ASC");
        for bad in ["password", "email; DROP TABLE customer", "-", "", "--email"] {
            assert_eq!(
                SortKey::parse(bad, &allowed).unwrap_err().status(),
                400,
                "{bad}"
            );
        }
        assert!(key.sql(&["created_at"]).is_err(), "another module's column");
    }
}
