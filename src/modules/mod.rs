//! Domain modules, one folder each. Each owns its tables (by prefix), its migrations
//! (`migrations/<name>/`) and its service functions over `&Connection`.
//!
//! **Invariant:** a domain module never imports another domain module. Cross-module relations
//! are links (`crate::link`), cross-module operations are workflows (`crate::flows`).

pub mod api_key;
pub mod currency;
pub mod pricing;
pub mod product;
pub mod region;
pub mod sales_channel;
pub mod store;
pub mod tax;

use crate::db::module::Module;

/// Every core module, in registration order.
pub fn core_modules() -> Vec<Module> {
    vec![
        sales_channel::module(),
        api_key::module(),
        store::module(),
        region::module(),
        product::module(),
        pricing::module(),
        tax::module(),
    ]
}

/// Reads an optional JSON metadata column.
pub(crate) fn metadata_from_sql(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
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
