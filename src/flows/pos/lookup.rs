//! What a scan or a search at the till finds: the variant, its title and its price in the
//! register's region (the price a line would get), read in one read transaction.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::flows::checkout::catalog;
use crate::modules::pos::Register;
use crate::modules::product::codes;
use rusqlite::Connection;
use serde::Serialize;

/// A variant as the till shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// `variant_…`
    pub variant_id: String,
    /// Product and variant title.
    pub title: String,
    /// SKU.
    pub sku: Option<String>,
    /// Unit price in the register's currency (minor units).
    pub unit_price: i64,
    /// Currency.
    pub currency_code: String,
}

fn hit(conn: &Connection, ctx: &Ctx, register: &Register, variant_id: &str) -> Result<Option<Hit>> {
    let channels = [register.sales_channel_id.clone()];
    let region = catalog::region(conn, &register.region_id)?;
    match catalog::variant(
        conn,
        variant_id,
        &channels,
        &region.currency_code,
        Some(&register.region_id),
        &ctx.now(),
    ) {
        Ok(info) => {
            let item = info.item;
            let title = match item.variant_title.as_deref() {
                Some(v) if !v.is_empty() => format!("{} — {v}", item.title),
                _ => item.title.clone(),
            };
            Ok(Some(Hit {
                variant_id: variant_id.to_string(),
                title,
                sku: item.variant_sku,
                unit_price: item.unit_price,
                currency_code: region.currency_code,
            }))
        }
        Err(e) if e.status() == 404 => Ok(None),
        Err(e) => Err(e),
    }
}

/// The variant a scanned code (SKU, barcode, EAN, UPC) names, if the till sells it.
///
/// # Errors
/// Database failures; a variant without a price in the register's currency.
pub fn by_code(
    conn: &Connection,
    ctx: &Ctx,
    register: &Register,
    code: &str,
) -> Result<Option<Hit>> {
    match codes::variant_by_code(conn, code)? {
        Some(id) => hit(conn, ctx, register, &id),
        None => Ok(None),
    }
}

/// Variants the till sells whose product title matches `q`, at most `limit`.
///
/// # Errors
/// Database failures.
pub fn search(
    conn: &Connection,
    ctx: &Ctx,
    register: &Register,
    q: &str,
    limit: u32,
) -> Result<Vec<Hit>> {
    let mut out = Vec::new();
    for found in codes::search_variants(conn, q, limit.saturating_mul(2))? {
        if out.len() as u32 >= limit {
            break;
        }
        if let Ok(Some(h)) = hit(conn, ctx, register, &found.variant_id) {
            out.push(h);
        }
    }
    Ok(out)
}
