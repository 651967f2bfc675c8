//! Stock locations: where inventory is kept (and what fulfillment sets ship from). Linked to
//! sales channels (`flows::links`).

pub mod manage;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The module: tables `stock_location*`.
pub fn module() -> Module {
    Module::new("stock_location", "stock_location")
        .migration(migration!("stock_location", "0001_init.sql"))
}

/// A location's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LocationAddress {
    /// `laddr_…` (empty before creation).
    pub id: String,
    /// Street.
    pub address_1: String,
    /// City.
    pub city: Option<String>,
    /// ISO-2, lower case.
    pub country_code: String,
    /// Province / state.
    pub province: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
}

/// A stock location with its address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLocation {
    /// `sloc_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// `laddr_…`
    pub address_id: Option<String>,
    /// The address.
    pub address: Option<LocationAddress>,
}

/// Creates a location, with an address when given.
///
/// # Errors
/// An empty name; database failures.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    name: &str,
    address: Option<&LocationAddress>,
) -> Result<StockLocation> {
    if name.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'name' is required"));
    }
    let (id, now) = (ctx.id("sloc"), ctx.now());
    let address_id = match address {
        Some(a) => {
            let address_id = ctx.id("laddr");
            conn.prepare_cached_static(
                "INSERT INTO stock_location_address (id, address_1, city, country_code, province, postal_code, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?
            .execute(params![address_id, a.address_1, a.city, a.country_code.to_lowercase(), a.province, a.postal_code, now])?;
            Some(address_id)
        }
        None => None,
    };
    conn.prepare_cached_static(
        "INSERT INTO stock_location (id, name, address_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, name, address_id, now])?;
    retrieve(conn, &id)
}

/// A location by id.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<StockLocation> {
    let found: Option<(String, String, Option<String>)> = conn
        .prepare_cached_static(
            "SELECT id, name, address_id FROM stock_location WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (id, name, address_id) = found.ok_or_else(|| Error::not_found("Stock location", id))?;
    let address = match &address_id {
        Some(a) => conn
            .prepare_cached_static(
                "SELECT id, address_1, city, country_code, province, postal_code FROM stock_location_address WHERE id = ?1",
            )?
            .query_row([a], |r| {
                Ok(LocationAddress {
                    id: r.get(0)?,
                    address_1: r.get(1)?,
                    city: r.get(2)?,
                    country_code: r.get(3)?,
                    province: r.get(4)?,
                    postal_code: r.get(5)?,
                })
            })
            .optional()?,
        None => None,
    };
    Ok(StockLocation {
        id,
        name,
        address_id,
        address,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    #[test]
    fn create_and_retrieve_with_address() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let address = LocationAddress {
            address_1: "1 Main St".into(),
            country_code: "US".into(),
            ..Default::default()
        };
        let loc = create(&conn, &ctx, "Warehouse", Some(&address)).unwrap();
        assert!(loc.id.starts_with("sloc_"));
        assert_eq!(loc.address.unwrap().country_code, "us");
        assert!(retrieve(&conn, "sloc_nope").is_err());
    }
}
