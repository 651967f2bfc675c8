//! Staff PINs: one argon2 hash per staff member (hashing and checking are the auth module's
//! password helpers, run by `flows::pos::pins`), keyed by user id, with the name the till
//! shows.

use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A staff member who has a PIN (never serialised with the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffPin {
    /// `user_…`
    pub user_id: String,
    /// What the till shows.
    pub display_name: String,
    /// The PIN's argon2 PHC string.
    #[serde(skip)]
    pub pin_hash: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Whether `pin` is a usable PIN: 4 to 8 digits.
pub fn valid_pin(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Sets (or replaces) a staff member's PIN hash.
///
/// # Errors
/// Database failures.
pub fn set_pin(
    conn: &Connection,
    ctx: &Ctx,
    user_id: &str,
    display_name: &str,
    pin_hash: &str,
) -> Result<StaffPin> {
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO pos_staff_pin (user_id, display_name, pin_hash, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name,
           pin_hash = excluded.pin_hash, updated_at = excluded.updated_at",
    )?
    .execute(params![user_id, display_name, pin_hash, now])?;
    Ok(StaffPin {
        user_id: user_id.to_string(),
        display_name: display_name.to_string(),
        pin_hash: pin_hash.to_string(),
        updated_at: now,
    })
}

/// Removes a staff member's PIN; whether there was one.
///
/// # Errors
/// Database failures.
pub fn remove_pin(conn: &Connection, user_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached_static("DELETE FROM pos_staff_pin WHERE user_id = ?1")?
        .execute([user_id])?
        == 1)
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<StaffPin> {
    Ok(StaffPin {
        user_id: r.get(0)?,
        display_name: r.get(1)?,
        pin_hash: r.get(2)?,
        updated_at: r.get(3)?,
    })
}

/// A staff member's PIN, if they have one.
///
/// # Errors
/// Database failures.
pub fn pin_of(conn: &Connection, user_id: &str) -> Result<Option<StaffPin>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT user_id, display_name, pin_hash, updated_at FROM pos_staff_pin WHERE user_id = ?1",
        )?
        .query_row([user_id], from_row)
        .optional()?)
}

/// Every staff member with a PIN, by name.
///
/// # Errors
/// Database failures.
pub fn list_pins(conn: &Connection) -> Result<Vec<StaffPin>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT user_id, display_name, pin_hash, updated_at FROM pos_staff_pin
         ORDER BY display_name, user_id",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_to_eight_digits() {
        assert!(valid_pin("1234"));
        assert!(valid_pin("12345678"));
        assert!(!valid_pin("123"));
        assert!(!valid_pin("123456789"));
        assert!(!valid_pin("12a4"));
        assert!(!valid_pin("１２３４"));
    }
}
