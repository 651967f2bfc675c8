//! Point-of-sale registers in fixtures: `pos_registers: [{code, name, sales_channel,
//! stock_location, region}]`, naming the fixture's keys (the channel's link to the location
//! comes from the location's own `sales_channels`). Loaded last; exported from the `pos`
//! module with the same keys, so export → seed → export stays byte-identical.

use super::export::KeyBook;
use super::seed_catalog::lookup;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::pos::{self, NewRegister};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A register in a fixture.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixturePosRegister {
    /// The receipt prefix (`T1`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Key of its sales channel.
    pub sales_channel: String,
    /// Key of its stock location.
    pub stock_location: String,
    /// Key of its region.
    pub region: String,
}

/// Key maps: (sales channels, stock locations, regions).
pub type Keys<'a> = (
    &'a HashMap<String, String>,
    &'a HashMap<String, String>,
    &'a HashMap<String, String>,
);

/// Creates the fixture's registers.
///
/// # Errors
/// An unknown key; a bad or duplicate code.
pub fn load(
    conn: &Connection,
    ctx: &Ctx,
    registers: &[FixturePosRegister],
    keys: Keys,
) -> Result<()> {
    let (channels, locations, regions) = keys;
    for r in registers {
        pos::create_register(
            conn,
            ctx,
            &NewRegister {
                code: r.code.clone(),
                name: r.name.clone(),
                sales_channel_id: lookup(channels, "sales channel", &r.sales_channel)?.clone(),
                stock_location_id: lookup(locations, "stock location", &r.stock_location)?.clone(),
                region_id: lookup(regions, "region", &r.region)?.clone(),
            },
        )?;
    }
    Ok(())
}

/// The store's registers, by code, naming the keys the rest of the export gave.
///
/// # Errors
/// A register naming something the export has no key for (deleted since).
pub fn export(conn: &Connection, book: &KeyBook) -> Result<Vec<FixturePosRegister>> {
    let key = |id: &str| {
        book.key(id).ok_or_else(|| {
            Error::invalid(format!(
                "export: register names {id}, which is not exported"
            ))
        })
    };
    pos::list_registers(conn)?
        .into_iter()
        .map(|r| {
            Ok(FixturePosRegister {
                sales_channel: key(&r.sales_channel_id)?,
                stock_location: key(&r.stock_location_id)?,
                region: key(&r.region_id)?,
                code: r.code,
                name: r.name,
            })
        })
        .collect()
}
