//! Domain modules, one folder each. Each owns its tables (by prefix), its migrations
//! (`migrations/<name>/`) and its service functions over `&Connection`.
//!
//! **Invariant:** a domain module never imports another domain module. Cross-module relations
//! are links (`crate::link`), cross-module operations are workflows (`crate::flows`).

pub mod api_key;
pub mod sales_channel;
pub mod store;

use crate::db::module::Module;

/// Every core module, in registration order.
pub fn core_modules() -> Vec<Module> {
    vec![sales_channel::module(), api_key::module(), store::module()]
}

/// Reads an optional JSON metadata column.
pub(crate) fn metadata_from_sql(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}
