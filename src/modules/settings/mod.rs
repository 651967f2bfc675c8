//! Medusa's settings module, as far as its admin routes reach without a feature flag:
//! property labels (custom display names for entity properties, shared by every admin user;
//! `labels.rs`) and the dashboard's widget layouts per zone with the preference that
//! remembers whether a user last chose their own layout or the system default
//! (`layouts.rs`). Tables `settings_*`.

pub mod labels;
pub mod layouts;

use crate::db::module::Module;
use crate::migration;

/// The module: tables `settings_*`.
pub fn module() -> Module {
    Module::new("settings", "settings").migration(migration!("settings", "0001_init.sql"))
}

/// A sort key from Medusa's `order` parameter (`field` or `-field`) among `allowed` columns;
/// `None` when absent or not sortable.
pub(crate) fn order_by(order: Option<&str>, allowed: &[&str]) -> Option<String> {
    let order = order?;
    let (column, direction) = match order.strip_prefix('-') {
        Some(column) => (column, "DESC"),
        None => (order, "ASC"),
    };
    allowed
        .contains(&column)
        .then(|| format!("{column} {direction}, id {direction}"))
}

#[cfg(test)]
mod tests;
