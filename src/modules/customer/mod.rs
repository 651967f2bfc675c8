//! Customers: guests and registered shoppers, their addresses ([`address`]) and customer
//! groups ([`group`]). Registration itself (binding an auth identity) is a flow; this module
//! only stores `has_account`.
//!
//! Tables `customer`, `customer_address`, `customer_group`, `customer_group_customer`.

pub mod address;
pub mod group;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::{metadata_from_sql, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

pub use address::Address;

/// The module: tables `customer*`.
pub fn module() -> Module {
    Module::new("customer", "customer").migration(migration!("customer", "0001_init.sql"))
}

/// A customer as Medusa shows it, with its live addresses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    /// `cus_…`
    pub id: String,
    /// Lower-cased email.
    pub email: Option<String>,
    /// Company.
    pub company_name: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Whether an auth identity is bound to it (registered) rather than a guest.
    pub has_account: bool,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Actor that created it.
    pub created_by: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
    /// Live addresses, oldest first.
    pub addresses: Vec<Address>,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    /// Email (lower-cased on the way in).
    pub email: String,
    /// Company.
    pub company_name: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Metadata object.
    pub metadata: Option<Value>,
    /// Registered (true) or guest.
    pub has_account: bool,
    /// Actor creating it.
    pub created_by: Option<String>,
}

/// Fields an update may set (`email` only from the admin API).
pub const UPDATABLE: &[&str] = &[
    "email",
    "company_name",
    "first_name",
    "last_name",
    "phone",
    "metadata",
];

const COLUMNS: &str = "id, email, company_name, first_name, last_name, phone, has_account, \
     metadata, created_by, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        email: r.get(1)?,
        company_name: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        phone: r.get(5)?,
        has_account: r.get(6)?,
        metadata: metadata_from_sql(r.get(7)?),
        created_by: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        deleted_at: r.get(11)?,
        addresses: Vec::new(),
    })
}

/// Creates a customer. A registered customer's email must not belong to another registered
/// customer; guests with that email may coexist.
///
/// # Errors
/// 400 without an email; 422 "Customer with this email already has an account".
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewCustomer) -> Result<Customer> {
    let email = input.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(Error::invalid("Email is required to create a customer"));
    }
    if input.has_account && registered_with_email(conn, &email)? {
        return Err(Error::Duplicate(
            "Customer with this email already has an account".into(),
        ));
    }
    let (id, now) = (ctx.id("cus"), ctx.now());
    let metadata = input.metadata.as_ref().map(Value::to_string);
    conn.prepare_cached_static(
        "INSERT INTO customer (id, email, company_name, first_name, last_name, phone, has_account,
            metadata, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id,
        email,
        input.company_name,
        input.first_name,
        input.last_name,
        input.phone,
        input.has_account,
        metadata,
        input.created_by,
        now
    ])?;
    retrieve(conn, &id)
}

fn registered_with_email(conn: &Connection, email: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached_static(
            "SELECT 1 FROM customer WHERE email = ?1 AND has_account = 1 AND deleted_at IS NULL",
        )?
        .query_row([email], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A live customer with its addresses.
///
/// # Errors
/// 404 "Customer with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Customer> {
    let mut customer = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM customer WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("Customer", id))?;
    customer.addresses = address::list_all(conn, id)?;
    Ok(customer)
}

/// Updates the given columns (keys of `changes` must be in [`UPDATABLE`]).
///
/// # Errors
/// 404 when absent; 422 when the new email belongs to another registered customer.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<Customer> {
    let mut changes = changes.clone();
    if let Some(Value::String(email)) = changes.get_mut("email") {
        *email = email.trim().to_lowercase();
    }
    if !update_columns(conn, "customer", id, UPDATABLE, &changes, &ctx.now())? {
        return Err(Error::not_found("Customer", id));
    }
    retrieve(conn, id)
}

/// Filters of [`list`].
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Only these ids (empty: any).
    pub ids: Vec<String>,
    /// Substring of email, names or company.
    pub q: Option<String>,
    /// Exact emails.
    pub email: Vec<String>,
    /// Registered or guest only.
    pub has_account: Option<bool>,
}

/// Columns a customer list can be sorted on ([`list_sorted`]).
pub const SORTABLE: &[&str] = &[
    "created_at",
    "updated_at",
    "email",
    "first_name",
    "last_name",
];

/// A page of live customers (newest first) and the total count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &CustomerFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Customer>, u64)> {
    list_sorted(
        conn,
        filter,
        &crate::modules::SortKey::NEWEST,
        offset,
        limit,
    )
}

/// [`list`] in `order` (a column of [`SORTABLE`]).
///
/// # Errors
/// 400 for a column that is not sortable; database failures.
pub fn list_sorted(
    conn: &Connection,
    filter: &CustomerFilter,
    order: &crate::modules::SortKey,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Customer>, u64)> {
    let order_sql = order.sql(SORTABLE)?;
    let mut clauses = vec!["deleted_at IS NULL".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(q) = &filter.q {
        args.push(format!("%{}%", q.to_lowercase()).into());
        clauses.push(format!(
            "(lower(coalesce(email,'') || ' ' || coalesce(first_name,'') || ' ' || \
             coalesce(last_name,'') || ' ' || coalesce(company_name,'')) LIKE ?{})",
            args.len()
        ));
    }
    if !filter.ids.is_empty() {
        args.push(crate::modules::json_list(&filter.ids).into());
        clauses.push(format!(
            "id IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    if !filter.email.is_empty() {
        let start = args.len() + 1;
        args.extend(filter.email.iter().map(|e| e.to_lowercase().into()));
        let marks: Vec<String> = (start..=args.len()).map(|i| format!("?{i}")).collect();
        clauses.push(format!("email IN ({})", marks.join(", ")));
    }
    if let Some(has) = filter.has_account {
        args.push(i64::from(has).into());
        clauses.push(format!("has_account = ?{}", args.len()));
    }
    let filter_sql = clauses.join(" AND ");
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM customer WHERE {filter_sql}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {COLUMNS} FROM customer WHERE {filter_sql} ORDER BY {order_sql} \
         LIMIT {limit} OFFSET {offset}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), from_row)?;
    let mut customers = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    for customer in &mut customers {
        customer.addresses = address::list_all(conn, &customer.id)?;
    }
    Ok((customers, count.max(0) as u64))
}

/// Soft-deletes a customer with its addresses and group memberships. Its email is free again
/// (the unique index covers live customers only).
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static("DELETE FROM customer_group_customer WHERE customer_id = ?1")?
        .execute([id])?;
    conn.prepare_cached_static(
        "UPDATE customer_address SET deleted_at = ?2, updated_at = ?2
         WHERE customer_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE customer SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

#[cfg(test)]
mod tests;
