//! Cash sessions: a register's drawer from opening (with a float) to closing (with the
//! counted cash). Every write that belongs to a session checks, in its own write job, that
//! the session is still open ([`ensure_open`]), and closing is an `UPDATE` guarded on
//! `status = 'open'`: a closed session never changes again.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A cash session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `possess_…`
    pub id: String,
    /// Its register.
    pub register_id: String,
    /// `open` | `closed`.
    pub status: String,
    /// Who opened it.
    pub opened_by: String,
    /// Cash in the drawer at opening (minor units).
    pub opening_float: i64,
    /// The basket being rung up, if any.
    pub cart_id: Option<String>,
    /// Counted at closing.
    pub counted_cash: Option<i64>,
    /// The count by denomination (`{"2000": 3, …}`, minor units → pieces), if given.
    pub counted_detail: Option<Value>,
    /// What the drawer should have held at closing.
    pub expected_cash: Option<i64>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// ISO-8601.
    pub opened_at: String,
    /// ISO-8601.
    pub closed_at: Option<String>,
}

const COLUMNS: &str = "id, register_id, status, opened_by, opening_float, cart_id, counted_cash, \
counted_detail, expected_cash, closed_by, opened_at, closed_at";

fn from_row(r: &Row) -> rusqlite::Result<Session> {
    let detail: Option<String> = r.get(7)?;
    Ok(Session {
        id: r.get(0)?,
        register_id: r.get(1)?,
        status: r.get(2)?,
        opened_by: r.get(3)?,
        opening_float: r.get(4)?,
        cart_id: r.get(5)?,
        counted_cash: r.get(6)?,
        counted_detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
        expected_cash: r.get(8)?,
        closed_by: r.get(9)?,
        opened_at: r.get(10)?,
        closed_at: r.get(11)?,
    })
}

/// Opens a session on a register.
///
/// # Errors
/// 400 for a negative float or when the register already has an open session.
pub fn open(
    conn: &Connection,
    ctx: &Ctx,
    register_id: &str,
    user_id: &str,
    float: i64,
) -> Result<Session> {
    if float < 0 {
        return Err(Error::invalid("The opening float cannot be negative"));
    }
    if current(conn, register_id)?.is_some() {
        return Err(Error::invalid(
            "This register already has an open session; close it first",
        ));
    }
    let id = ctx.id("possess");
    conn.prepare_cached_static(
        "INSERT INTO pos_session (id, register_id, status, opened_by, opening_float, opened_at)
         VALUES (?1, ?2, 'open', ?3, ?4, ?5)",
    )?
    .execute(params![id, register_id, user_id, float, ctx.now()])?;
    retrieve(conn, &id)
}

/// A session.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<Session> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM pos_session WHERE id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Cash session", id))
}

/// The register's open session, if any.
///
/// # Errors
/// Database failures.
pub fn current(conn: &Connection, register_id: &str) -> Result<Option<Session>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM pos_session WHERE register_id = ?1 AND status = 'open'"
        ))?
        .query_row([register_id], from_row)
        .optional()?)
}

/// The register's sessions, newest first.
///
/// # Errors
/// Database failures.
pub fn list(conn: &Connection, register_id: &str, limit: u32) -> Result<Vec<Session>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!([], "SELECT {COLUMNS} FROM pos_session WHERE register_id = ?1 ORDER BY opened_at DESC, id DESC LIMIT ?2"))?;
    let rows = stmt.query_map(params![register_id, limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The session, refused unless it is open — called inside the write job of every change
/// that belongs to a session, so nothing is added to a session once it is closed.
///
/// # Errors
/// 404 unknown; 400 "Cash session … is closed".
pub fn ensure_open(conn: &Connection, id: &str) -> Result<Session> {
    let found = retrieve(conn, id)?;
    if found.status != "open" {
        return Err(Error::invalid(format!(
            "Cash session {id} is closed; open a new session to go on"
        )));
    }
    Ok(found)
}

/// Sets (or clears) the session's basket.
///
/// # Errors
/// 400 when the session is closed.
pub fn set_cart(conn: &Connection, id: &str, cart_id: Option<&str>) -> Result<()> {
    let moved = conn
        .prepare_cached_static(
            "UPDATE pos_session SET cart_id = ?2 WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![id, cart_id])?;
    if moved != 1 {
        ensure_open(conn, id)?;
    }
    Ok(())
}

/// A drawer movement: a pay-in or pay-out with its reason, or a cash refund.
#[derive(Debug, Clone)]
pub struct Movement<'a> {
    /// `pay_in` | `pay_out` | `refund`.
    pub kind: &'a str,
    /// Minor units, > 0.
    pub amount: i64,
    /// Why (required).
    pub reason: &'a str,
    /// Who.
    pub user_id: &'a str,
    /// The order a refund belongs to.
    pub order_id: Option<&'a str>,
}

/// Records a drawer movement in an open session.
///
/// # Errors
/// 400 for a closed session, a non-positive amount, an empty reason or an unknown kind.
pub fn add_movement(
    conn: &Connection,
    ctx: &Ctx,
    session_id: &str,
    m: &Movement,
) -> Result<String> {
    ensure_open(conn, session_id)?;
    if !matches!(m.kind, "pay_in" | "pay_out" | "refund") {
        return Err(Error::invalid(format!("Unknown cash movement {}", m.kind)));
    }
    if m.amount <= 0 {
        return Err(Error::invalid("The amount must be greater than zero"));
    }
    if m.reason.trim().is_empty() {
        return Err(Error::invalid("A pay-in or pay-out needs a reason"));
    }
    let id = ctx.id("poscash");
    conn.prepare_cached_static(
        "INSERT INTO pos_cash_movement (id, session_id, kind, amount, reason, user_id, order_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![id, session_id, m.kind, m.amount, m.reason.trim(), m.user_id, m.order_id, ctx.now()])?;
    Ok(id)
}

/// What closing records.
#[derive(Debug, Clone)]
pub struct Closing<'a> {
    /// Counted cash (minor units).
    pub counted: i64,
    /// The count by denomination, if given.
    pub detail: Option<&'a Value>,
    /// What the drawer should hold.
    pub expected: i64,
    /// Who counted.
    pub user_id: &'a str,
}

/// Closes an open session (guarded on `status = 'open'`: closing twice is refused).
///
/// # Errors
/// 400 when the session is not open or the count is negative.
pub fn close(conn: &Connection, ctx: &Ctx, id: &str, closing: &Closing) -> Result<Session> {
    if closing.counted < 0 {
        return Err(Error::invalid("Counted cash cannot be negative"));
    }
    let moved = conn
        .prepare_cached_static(
            "UPDATE pos_session SET status = 'closed', counted_cash = ?2, counted_detail = ?3,
               expected_cash = ?4, closed_by = ?5, closed_at = ?6, cart_id = NULL
             WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![
            id,
            closing.counted,
            closing.detail.map(Value::to_string),
            closing.expected,
            closing.user_id,
            ctx.now()
        ])?;
    if moved != 1 {
        ensure_open(conn, id)?;
    }
    retrieve(conn, id)
}
