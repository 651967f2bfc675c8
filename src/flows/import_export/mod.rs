//! CSV import and export (issue 13): products in Medusa's column layout, orders and
//! inventory items, each a journaled workflow writing its file through the file provider.
//! `csv_text` reads and writes CSV through the `csv` crate; `exports` is the machinery the
//! three exports share; `product_export` / `product_rows` / `product_import` the product CSV
//! out, in, and applied; `order_export`, `inventory_export` their tables.

pub mod csv_text;
pub mod exports;
pub mod inventory_export;
pub mod product_export;
pub mod product_import;
pub mod product_rows;

#[cfg(test)]
mod recovery_tests;

use crate::workflow::{Handle, Workflow};
use exports::{ExportInput, ExportKind, Exported};

/// `export-products`: the product CSV (Medusa's `exportProductsWorkflow`).
pub const EXPORT_PRODUCTS: Handle<ExportInput, Exported> = Handle::new("export-products");
/// `export-inventory-items`: the inventory CSV.
pub const EXPORT_INVENTORY_ITEMS: Handle<ExportInput, Exported> =
    Handle::new("export-inventory-items");

/// `export-products`.
pub static PRODUCTS: ExportKind = ExportKind {
    workflow: EXPORT_PRODUCTS,
    step: "export-products",
    title: "Product export",
    noun: "products",
    file_tail: "product-exports",
    table: product_export::table,
};

/// `export-inventory-items`.
pub static INVENTORY_ITEMS: ExportKind = ExportKind {
    workflow: EXPORT_INVENTORY_ITEMS,
    step: "export-inventory-items",
    title: "Inventory export",
    noun: "inventory items",
    file_tail: "inventory-item-exports",
    table: inventory_export::table,
};

/// Every import and export workflow.
pub fn workflows() -> Vec<Workflow> {
    let mut all = vec![
        exports::workflow(&PRODUCTS),
        exports::workflow(&INVENTORY_ITEMS),
    ];
    all.extend(product_import::workflows());
    all
}
