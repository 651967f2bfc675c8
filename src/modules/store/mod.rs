//! The store record: the shop's name, currencies and defaults (sales channel, region,
//! location). One per database in practice.

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The module: tables `store*`.
pub fn module() -> Module {
    Module::new("store", "store").migration(migration!("store", "0001_init.sql"))
}

/// One of the store's currencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreCurrency {
    /// `stocur_…`
    pub id: String,
    /// Lower-case ISO 4217 code.
    pub currency_code: String,
    /// The store's default currency.
    pub is_default: bool,
}

/// The store as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreRecord {
    /// `store_…`
    pub id: String,
    /// Shop name.
    pub name: String,
    /// Sales channel used when a publishable key has none.
    pub default_sales_channel_id: Option<String>,
    /// Default region.
    pub default_region_id: Option<String>,
    /// Default stock location.
    pub default_location_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// Supported currencies.
    pub supported_currencies: Vec<StoreCurrency>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewStore {
    /// Shop name.
    pub name: String,
    /// Currency codes; the first is the default.
    pub currencies: Vec<String>,
    /// Default sales channel id.
    pub default_sales_channel_id: Option<String>,
    /// Default region id.
    pub default_region_id: Option<String>,
}

/// Creates the store with its currencies.
///
/// # Errors
/// An empty name or an unknown currency; database failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewStore) -> Result<StoreRecord> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'name' is required"));
    }
    let id = ctx.id("store");
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO store (id, name, default_sales_channel_id, default_region_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        id,
        input.name,
        input.default_sales_channel_id,
        input.default_region_id,
        now
    ])?;
    for (i, code) in input.currencies.iter().enumerate() {
        let code = code.to_ascii_lowercase();
        crate::money::require_exponent(&code).map_err(|e| Error::invalid(e.to_string()))?;
        conn.prepare_cached_static(
            "INSERT INTO store_currency (id, store_id, currency_code, is_default, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("stocur"), id, code, i == 0, now])?;
    }
    retrieve(conn, &id)
}

/// The store by id.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<StoreRecord> {
    let mut store = conn
        .prepare_cached_static(
            "SELECT id, name, default_sales_channel_id, default_region_id, default_location_id,
                    metadata, created_at, updated_at
             FROM store WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(StoreRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                default_sales_channel_id: r.get(2)?,
                default_region_id: r.get(3)?,
                default_location_id: r.get(4)?,
                metadata: metadata_from_sql(r.get(5)?),
                supported_currencies: Vec::new(),
                created_at: r.get(6)?,
                updated_at: r.get(7)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::not_found("Store", id))?;
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, currency_code, is_default FROM store_currency
         WHERE store_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    store.supported_currencies = stmt
        .query_map([id], |r| {
            Ok(StoreCurrency {
                id: r.get(0)?,
                currency_code: r.get(1)?,
                is_default: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(store)
}

/// The first (and normally only) store, if any.
///
/// # Errors
/// Database failures.
pub fn default_store(conn: &Connection) -> Result<Option<StoreRecord>> {
    let id: Option<String> = conn
        .prepare_cached_static("SELECT id FROM store WHERE deleted_at IS NULL ORDER BY id LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    id.map(|id| retrieve(conn, &id)).transpose()
}

/// The live stores among `ids` (every one when `ids` is empty), oldest first.
///
/// # Errors
/// Database failures.
pub fn list(conn: &Connection, ids: &[String]) -> Result<Vec<StoreRecord>> {
    let found: Vec<String> = conn
        .prepare_cached_static(
            "SELECT id FROM store WHERE deleted_at IS NULL
             AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1))) ORDER BY id",
        )?
        .query_map([crate::modules::json_list(ids)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    found.iter().map(|id| retrieve(conn, id)).collect()
}

/// Updates the store: `name`, `default_sales_channel_id`, `default_region_id`,
/// `default_location_id`, `metadata` from `changes`; `currencies` (`(code, is_default)`),
/// when given, replace its currencies (exactly one must be the default).
///
/// # Errors
/// 404 when absent; 400 for a blank name, an unknown currency, or not exactly one default.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
    currencies: Option<&[(String, bool)]>,
) -> Result<StoreRecord> {
    retrieve(conn, id)?;
    if changes
        .get("name")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|n| n.trim().is_empty())
    {
        return Err(Error::invalid(
            "Invalid request: Field 'name' cannot be empty",
        ));
    }
    let now = ctx.now();
    let columns = [
        "name",
        "default_sales_channel_id",
        "default_region_id",
        "default_location_id",
        "metadata",
    ];
    crate::modules::update_columns(conn, "store", id, &columns, changes, &now)?;
    let Some(currencies) = currencies else {
        return retrieve(conn, id);
    };
    match currencies.iter().filter(|(_, default)| *default).count() {
        0 => {
            return Err(Error::invalid(
                "There should be a default currency set for the store",
            ));
        }
        1 => {}
        _ => return Err(Error::invalid("Only one default currency is allowed")),
    }
    conn.prepare_cached_static("DELETE FROM store_currency WHERE store_id = ?1")?
        .execute([id])?;
    for (code, is_default) in currencies {
        let code = code.to_ascii_lowercase();
        crate::money::require_exponent(&code).map_err(|e| Error::invalid(e.to_string()))?;
        conn.prepare_cached_static(
            "INSERT INTO store_currency (id, store_id, currency_code, is_default, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (store_id, currency_code) DO UPDATE SET is_default = excluded.is_default",
        )?
        .execute(params![ctx.id("stocur"), id, code, is_default, now])?;
    }
    retrieve(conn, id)
}
