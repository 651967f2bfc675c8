//! `POST /admin/inventory-items/export` (Medusa 2.21.2): the inventory CSV through the same
//! journaled export machinery as the products' (`flows::import_export::exports`), answering
//! `202 {transaction_id}` and posting the file's URL to the admin feed.

use super::product_import_export::accepted;
use super::uploads::base_url;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::import_export::{self, exports};
use crate::http::fields::{ids, string};
use crate::http::{Access, Request, Response, Route};
use serde_json::json;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "POST",
        "/admin/inventory-items/export",
        Access::Admin,
        "Export inventory items with their levels per location as a CSV",
        export_inventory,
    )]
}

fn export_inventory(engine: &Engine, req: &Request) -> Result<Response> {
    let q = &req.query;
    let filter = json!({"id": ids(q)?, "q": string(q, "q")?, "sku": string(q, "sku")?});
    let kind = &import_export::INVENTORY_ITEMS;
    let transaction = exports::start(engine, kind, filter, &base_url(req))?;
    Ok(accepted(json!({ "transaction_id": transaction })))
}
