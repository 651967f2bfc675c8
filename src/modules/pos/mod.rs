//! Point of sale (issue 17): registers (tills), their cash sessions, drawer movements, and the
//! figures of each sale and return taken at a till. A register names its sales channel, stock
//! location and region by id; orders, payments and stock stay in their own modules (the
//! till's flows in `flows::pos` compose them).

pub mod pins;
pub mod report;
pub mod rounding;
pub mod sales;
pub mod sessions;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

/// The module: tables `pos_*`.
pub fn module() -> Module {
    Module::new("pos", "pos")
        .migration(migration!("pos", "0001_init.sql"))
        .migration(migration!("pos", "0002_staff_pin.sql"))
}

/// A till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Register {
    /// `posreg_…`
    pub id: String,
    /// The receipt prefix (`T1`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// The till's POS sales channel.
    pub sales_channel_id: String,
    /// Where its stock is taken from and returned to.
    pub stock_location_id: String,
    /// Prices, currency and taxes.
    pub region_id: String,
    /// ISO-8601.
    pub created_at: String,
}

/// Input of [`create_register`].
#[derive(Debug, Clone, Default)]
pub struct NewRegister {
    /// Receipt prefix: 1–8 ASCII letters or digits.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Its sales channel.
    pub sales_channel_id: String,
    /// Its stock location.
    pub stock_location_id: String,
    /// Its region.
    pub region_id: String,
}

const COLUMNS: &str = "id, code, name, sales_channel_id, stock_location_id, region_id, created_at";

fn from_row(r: &Row) -> rusqlite::Result<Register> {
    Ok(Register {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        sales_channel_id: r.get(3)?,
        stock_location_id: r.get(4)?,
        region_id: r.get(5)?,
        created_at: r.get(6)?,
    })
}

/// Whether `code` is a usable receipt prefix: 1–8 ASCII letters or digits (it is printed on
/// every receipt and typed back at returns).
pub fn valid_code(code: &str) -> bool {
    (1..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Creates a register (the caller has checked the channel, location and region exist).
///
/// # Errors
/// 400 for a bad code or name, or a code in use; database failures.
pub fn create_register(conn: &Connection, ctx: &Ctx, input: &NewRegister) -> Result<Register> {
    let code = input.code.trim().to_ascii_uppercase();
    if !valid_code(&code) {
        return Err(Error::invalid(
            "A register code is 1 to 8 letters or digits (it prefixes the receipt numbers)",
        ));
    }
    if input.name.trim().is_empty() {
        return Err(Error::invalid("A register needs a name"));
    }
    if find_by_code(conn, &code)?.is_some() {
        return Err(Error::invalid(format!(
            "A register with code {code} already exists"
        )));
    }
    let (id, now) = (ctx.id("posreg"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO pos_register (id, code, name, sales_channel_id, stock_location_id, region_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        code,
        input.name.trim(),
        input.sales_channel_id,
        input.stock_location_id,
        input.region_id,
        now
    ])?;
    retrieve_register(conn, &id)
}

/// A live register.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_register(conn: &Connection, id: &str) -> Result<Register> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM pos_register WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Register", id))
}

/// The live register with this code (case-insensitive), if any.
///
/// # Errors
/// Database failures.
pub fn find_by_code(conn: &Connection, code: &str) -> Result<Option<Register>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM pos_register WHERE code = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([code.trim().to_ascii_uppercase()], from_row)
        .optional()?)
}

/// Every live register, by code.
///
/// # Errors
/// Database failures.
pub fn list_registers(conn: &Connection) -> Result<Vec<Register>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM pos_register WHERE deleted_at IS NULL ORDER BY code"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The register of a sales channel, if the channel is a till's.
///
/// # Errors
/// Database failures.
pub fn register_of_channel(conn: &Connection, channel_id: &str) -> Result<Option<Register>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM pos_register WHERE sales_channel_id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([channel_id], from_row)
        .optional()?)
}

/// A receipt number: the register's code, a dash, the order's display id on six digits.
pub fn receipt_number(code: &str, display_id: i64) -> String {
    format!("{code}-{display_id:06}")
}

/// `(code, display id)` of a receipt number as typed (case and spaces forgiven).
pub fn parse_receipt(text: &str) -> Option<(String, i64)> {
    let (code, number) = text.trim().rsplit_once('-')?;
    let code = code.trim().to_ascii_uppercase();
    let number = number.trim().parse::<i64>().ok().filter(|n| *n > 0)?;
    valid_code(&code).then_some((code, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers_round_trip() {
        assert_eq!(receipt_number("T1", 42), "T1-000042");
        assert_eq!(receipt_number("T1", 1_234_567), "T1-1234567");
        assert_eq!(parse_receipt(" t1-000042 "), Some(("T1".into(), 42)));
        assert_eq!(parse_receipt("T1-0"), None);
        assert_eq!(parse_receipt("T1"), None);
        assert_eq!(parse_receipt("T 1-4"), None);
    }

    #[test]
    fn codes_are_short_and_alphanumeric() {
        assert!(valid_code("T1"));
        assert!(valid_code("SHOP2"));
        assert!(!valid_code(""));
        assert!(!valid_code("T-1"));
        assert!(!valid_code("ABCDEFGHI"));
    }
}
