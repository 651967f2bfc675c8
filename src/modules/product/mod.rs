//! Products: the catalog's entries with their variants, options and option values, images,
//! tags, type, collection and categories (a tree), plus free-text search over the searchable
//! columns (`product_fts`, FTS5). Prices and sales channels are other modules' business,
//! reached through links.
//!
//! Files: [`model`] (structs), [`mod@write`] (create / soft delete), [`read`] (filters and pages),
//! [`relations`] (batch loaders: one query per relation over a page's ids), [`taxonomy`]
//! (collections, tags, types), [`category`] (the category tree), [`update`], [`variants`],
//! [`options`] (options after creation), [`taxonomy_update`] (updating collections, tags,
//! types and categories).

pub mod category;
pub mod codes;
pub mod line_source;
pub mod membership;
pub mod model;
pub mod option_admin;
pub mod options;
pub mod read;
pub mod relations;
pub mod store_read;
pub mod taxonomy;
pub mod taxonomy_update;
pub mod update;
pub mod variants;
pub mod write;

use crate::db::module::Module;
use crate::migration;

pub use model::*;
pub use read::{ProductFilter, ProductOrder, count, list, retrieve};
pub use write::{NewImage, NewOption, NewProduct, NewVariant, create, soft_delete};

/// The module: tables `product*` (with the `product_fts` search index).
pub fn module() -> Module {
    Module::new("product", "product")
        .migration(migration!("product", "0001_init.sql"))
        .migration(migration!("product", "0002_admin_created_index.sql"))
}

#[cfg(test)]
mod tests;
