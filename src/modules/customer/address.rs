//! Customer addresses. Every query is scoped by `customer_id`, so one customer can never read
//! or change another's address: a foreign id is simply "not found".

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{metadata_from_sql, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// A saved address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    /// `cuaddr_…`
    pub id: String,
    /// Label ("Home").
    pub address_name: Option<String>,
    /// Default for shipping (at most one per customer).
    pub is_default_shipping: bool,
    /// Default for billing (at most one per customer).
    pub is_default_billing: bool,
    /// Owner.
    pub customer_id: String,
    /// Company.
    pub company: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Street.
    pub address_1: Option<String>,
    /// More street.
    pub address_2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Lower-case ISO-2.
    pub country_code: Option<String>,
    /// Province / state.
    pub province: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when deleted.
    pub deleted_at: Option<String>,
}

/// Body fields an address create or update may carry.
pub const FIELDS: &[&str] = &[
    "address_name",
    "is_default_shipping",
    "is_default_billing",
    "company",
    "first_name",
    "last_name",
    "address_1",
    "address_2",
    "city",
    "country_code",
    "province",
    "postal_code",
    "phone",
    "metadata",
];

const COLUMNS: &str = "id, address_name, is_default_shipping, is_default_billing, customer_id, \
     company, first_name, last_name, address_1, address_2, city, country_code, province, \
     postal_code, phone, metadata, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<Address> {
    Ok(Address {
        id: r.get(0)?,
        address_name: r.get(1)?,
        is_default_shipping: r.get(2)?,
        is_default_billing: r.get(3)?,
        customer_id: r.get(4)?,
        company: r.get(5)?,
        first_name: r.get(6)?,
        last_name: r.get(7)?,
        address_1: r.get(8)?,
        address_2: r.get(9)?,
        city: r.get(10)?,
        country_code: r.get(11)?,
        province: r.get(12)?,
        postal_code: r.get(13)?,
        phone: r.get(14)?,
        metadata: metadata_from_sql(r.get(15)?),
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
        deleted_at: r.get(18)?,
    })
}

/// Every live address of a customer, oldest first.
///
/// # Errors
/// Database failures.
pub fn list_all(conn: &Connection, customer_id: &str) -> Result<Vec<Address>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM customer_address WHERE customer_id = ?1 AND deleted_at IS NULL
         ORDER BY id"
    ))?;
    let rows = stmt.query_map([customer_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Filters of [`list`] (Medusa's `q, city, country_code, postal_code`).
#[derive(Debug, Clone, Default)]
pub struct AddressFilter {
    /// Substring of name, street, city, company.
    pub q: Option<String>,
    /// Exact city.
    pub city: Option<String>,
    /// Exact country code.
    pub country_code: Option<String>,
    /// Exact postal code.
    pub postal_code: Option<String>,
}

/// A page of a customer's addresses and their count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    customer_id: &str,
    filter: &AddressFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Address>, u64)> {
    let all = list_all(conn, customer_id)?;
    let matches = |a: &Address| {
        let eq = |want: &Option<String>, got: &Option<String>| {
            want.as_ref()
                .is_none_or(|w| got.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(w)))
        };
        let q = filter.q.as_ref().is_none_or(|q| {
            let q = q.to_lowercase();
            [
                &a.address_name,
                &a.first_name,
                &a.last_name,
                &a.address_1,
                &a.city,
                &a.company,
            ]
            .iter()
            .any(|f| f.as_deref().is_some_and(|v| v.to_lowercase().contains(&q)))
        });
        q && eq(&filter.city, &a.city)
            && eq(&filter.country_code, &a.country_code)
            && eq(&filter.postal_code, &a.postal_code)
    };
    let filtered: Vec<Address> = all.into_iter().filter(matches).collect();
    let count = filtered.len() as u64;
    let page = filtered
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok((page, count))
}

/// One of the customer's addresses.
///
/// # Errors
/// 404 "Address with id: X was not found" when absent or another customer's.
pub fn retrieve(conn: &Connection, customer_id: &str, id: &str) -> Result<Address> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM customer_address
         WHERE id = ?1 AND customer_id = ?2 AND deleted_at IS NULL"
    ))?
    .query_row([id, customer_id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Address", id))
}

/// Adds an address from validated body fields (keys in [`FIELDS`]).
///
/// # Errors
/// 404 when the customer does not exist; database failures.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    customer_id: &str,
    fields: &Map<String, Value>,
) -> Result<Address> {
    let (id, now) = (ctx.id("cuaddr"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO customer_address (id, customer_id, created_at, updated_at)
         SELECT ?1, id, ?3, ?3 FROM customer WHERE id = ?2 AND deleted_at IS NULL",
    )?
    .execute(params![id, customer_id, now])
    .map_err(Error::from)
    .and_then(|n| match n {
        0 => Err(Error::not_found("Customer", customer_id)),
        _ => Ok(()),
    })?;
    update(conn, ctx, customer_id, &id, fields)
}

/// Updates an address; setting a default unsets the customer's previous default.
///
/// # Errors
/// 404 when absent or another customer's.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    customer_id: &str,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<Address> {
    retrieve(conn, customer_id, id)?;
    for flag in ["is_default_shipping", "is_default_billing"] {
        if fields.get(flag).and_then(Value::as_bool) == Some(true) {
            conn.execute(
                &format!(
                    "UPDATE customer_address SET {flag} = 0 WHERE customer_id = ?1 AND id != ?2"
                ),
                params![customer_id, id],
            )?;
        }
    }
    let mut fields = fields.clone();
    if let Some(Value::String(code)) = fields.get_mut("country_code") {
        *code = code.to_lowercase();
    }
    update_columns(conn, "customer_address", id, FIELDS, &fields, &ctx.now())?;
    retrieve(conn, customer_id, id)
}

/// Soft-deletes an address.
///
/// # Errors
/// 404 when absent or another customer's.
pub fn delete(conn: &Connection, ctx: &Ctx, customer_id: &str, id: &str) -> Result<()> {
    retrieve(conn, customer_id, id)?;
    conn.prepare_cached_static("UPDATE customer_address SET deleted_at = ?2 WHERE id = ?1")?
        .execute(params![id, ctx.now()])?;
    Ok(())
}
