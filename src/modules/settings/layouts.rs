//! The admin dashboard's widget layouts (`lyconf_…`): per zone, at most one personal layout
//! per user and one system default (`user_id` null), each `{widgets: {name: {hidden,
//! section, order}}}` replaced whole on save. Saving also records, as the user's preference
//! `active_layout.<zone>`, which of the two they chose; clearing deletes their layout and
//! that preference.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// A stored layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutConfiguration {
    /// `lyconf_…`
    pub id: String,
    /// The dashboard zone, e.g. `order.details`.
    pub zone: String,
    /// The owner; `None` for the system default.
    pub user_id: Option<String>,
    /// The zone's system default.
    pub is_system_default: bool,
    /// `{widgets: {…}}`.
    pub configuration: Value,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Which layout a user sees in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Their own.
    Personal,
    /// The system default.
    Default,
}

impl Scope {
    /// Medusa's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Personal => "personal",
            Scope::Default => "default",
        }
    }
}

/// List filters of [`list`] (the caller's own layouts and the system defaults only).
#[derive(Debug, Clone, Default)]
pub struct LayoutFilter {
    /// Exact ids.
    pub ids: Vec<String>,
    /// Exact zones.
    pub zones: Vec<String>,
    /// Only system defaults (`true`) or only personal layouts (`false`).
    pub is_system_default: Option<bool>,
}

const COLUMNS: &str = "id, zone, user_id, is_system_default, configuration, created_at, updated_at";

fn from_row(r: &Row) -> rusqlite::Result<LayoutConfiguration> {
    let text: String = r.get(4)?;
    Ok(LayoutConfiguration {
        id: r.get(0)?,
        zone: r.get(1)?,
        user_id: r.get(2)?,
        is_system_default: r.get(3)?,
        configuration: serde_json::from_str(&text).unwrap_or(Value::Null),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// The layout of `zone` owned by `user` (`None`: the system default).
///
/// # Errors
/// Database failures.
pub fn find(
    conn: &Connection,
    zone: &str,
    user: Option<&str>,
) -> Result<Option<LayoutConfiguration>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM settings_layout_configuration
             WHERE zone = ?1 AND ifnull(user_id, '') = ifnull(?2, '')"
        ))?
        .query_row(params![zone, user], from_row)
        .optional()?)
}

fn preference_key(zone: &str) -> String {
    format!("active_layout.{zone}")
}

/// The scope `user` last chose for `zone`, if any.
///
/// # Errors
/// Database failures.
pub fn stored_scope(conn: &Connection, zone: &str, user: &str) -> Result<Option<Scope>> {
    let value: Option<String> = conn
        .prepare_cached_static(
            "SELECT value FROM settings_user_preference WHERE user_id = ?1 AND key = ?2",
        )?
        .query_row(params![user, preference_key(zone)], |r| r.get(0))
        .optional()?;
    let scope = value
        .and_then(|v| serde_json::from_str::<Value>(&v).ok())
        .and_then(|v| v["scope"].as_str().map(str::to_string));
    Ok(match scope.as_deref() {
        Some("personal") => Some(Scope::Personal),
        Some("default") => Some(Scope::Default),
        _ => None,
    })
}

/// What the user sees: the stored choice when it still can be honoured, else their own
/// layout when they have one, else the default (Medusa's rule).
pub fn active_scope(stored: Option<Scope>, has_personal: bool) -> Scope {
    match stored {
        Some(Scope::Personal) if has_personal => Scope::Personal,
        Some(Scope::Default) => Scope::Default,
        _ if has_personal => Scope::Personal,
        _ => Scope::Default,
    }
}

/// Saves `widgets` as `user`'s layout of `zone`, or as the zone's system default when
/// `is_default`, replacing what was there, and records the choice for `user`.
///
/// # Errors
/// Database failures.
pub fn save(
    conn: &Connection,
    ctx: &Ctx,
    zone: &str,
    user: &str,
    is_default: bool,
    widgets: &Value,
) -> Result<LayoutConfiguration> {
    let owner = (!is_default).then_some(user);
    let configuration = serde_json::json!({ "widgets": widgets }).to_string();
    let now = ctx.now();
    match find(conn, zone, owner)? {
        Some(existing) => {
            conn.prepare_cached_static(
                "UPDATE settings_layout_configuration SET configuration = ?2, updated_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![existing.id, configuration, now])?;
        }
        None => {
            conn.prepare_cached_static(
                "INSERT INTO settings_layout_configuration
                    (id, zone, user_id, is_system_default, configuration, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![
                ctx.id("lyconf"),
                zone,
                owner,
                is_default,
                configuration,
                now
            ])?;
        }
    }
    let scope = if is_default {
        Scope::Default
    } else {
        Scope::Personal
    };
    set_preference(conn, ctx, user, zone, Some(scope))?;
    find(conn, zone, owner)?.ok_or_else(|| crate::error::Error::Internal("layout lost".into()))
}

fn set_preference(
    conn: &Connection,
    ctx: &Ctx,
    user: &str,
    zone: &str,
    scope: Option<Scope>,
) -> Result<()> {
    let key = preference_key(zone);
    let Some(scope) = scope else {
        conn.prepare_cached_static(
            "DELETE FROM settings_user_preference WHERE user_id = ?1 AND key = ?2",
        )?
        .execute(params![user, key])?;
        return Ok(());
    };
    let value = serde_json::json!({ "scope": scope.as_str() }).to_string();
    conn.prepare_cached_static(
        "INSERT INTO settings_user_preference (id, user_id, key, value, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value,
             updated_at = excluded.updated_at",
    )?
    .execute(params![ctx.id("usrpref"), user, key, value, ctx.now()])?;
    Ok(())
}

/// Deletes `user`'s own layout of `zone` and their recorded choice (the system default
/// stays).
///
/// # Errors
/// Database failures.
pub fn clear(conn: &Connection, ctx: &Ctx, zone: &str, user: &str) -> Result<()> {
    conn.prepare_cached_static(
        "DELETE FROM settings_layout_configuration WHERE zone = ?1 AND user_id = ?2",
    )?
    .execute(params![zone, user])?;
    set_preference(conn, ctx, user, zone, None)
}

/// A page of the layouts `user` may see (their own and the system defaults) and the count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    user: &str,
    filter: &LayoutFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<LayoutConfiguration>, u64)> {
    let conditions = "(user_id = ?1 OR is_system_default = 1)
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR zone IN (SELECT value FROM json_each(?3)))
        AND (?4 IS NULL OR is_system_default = ?4)";
    let (ids, zones) = (json_list(&filter.ids), json_list(&filter.zones));
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM settings_layout_configuration WHERE {conditions}"
        ))?
        .query_row(params![user, ids, zones, filter.is_system_default], |r| {
            r.get(0)
        })?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM settings_layout_configuration WHERE {conditions}
         ORDER BY created_at, id LIMIT ?5 OFFSET ?6"
    ))?;
    let rows = stmt.query_map(
        params![
            user,
            ids,
            zones,
            filter.is_system_default,
            clamp(limit),
            clamp(offset)
        ],
        from_row,
    )?;
    let found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((found, u64::try_from(count).unwrap_or(0)))
}
