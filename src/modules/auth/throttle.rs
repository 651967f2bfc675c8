//! Login throttling per (identity, client address), on the engine clock.
//!
//! A hard lockout per identity lets anyone lock the owner out by failing five times, so
//! failures are counted per (email, address) instead: after `free_failures` failures that
//! address is refused for that email for a delay that doubles with each further failure, up
//! to `max_delay_ms`; a success forgets the pair. When an identity is failing from many
//! addresses at once (`crowd_threshold` failures in the window), every address gets a single
//! free failure before its delays start, which slows a distributed guesser without ever
//! refusing the first attempt from an address, so the owner with the right password still
//! gets in. Rows exist for unknown emails too, so a 429 says nothing about accounts.
//!
//! Table `auth_login_attempt`; admins read it through `GET /admin/auth/throttled-attempts`.

use crate::clock::format_iso8601;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::net::IpAddr;

/// Throttling settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures from one address for one identity before its delays start.
    pub free_failures: i64,
    /// Failures of an identity from all addresses, within the window, above which every
    /// address gets one free failure only.
    pub crowd_threshold: i64,
    /// The first delay; each further failure doubles it.
    pub base_delay_ms: i64,
    /// The longest delay.
    pub max_delay_ms: i64,
    /// A pair quiet for this long starts over.
    pub window_ms: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            free_failures: 5,
            crowd_threshold: 50,
            base_delay_ms: 30_000,
            max_delay_ms: 15 * 60_000,
            window_ms: 60 * 60_000,
        }
    }
}

impl Throttle {
    /// How long the pair is refused after its `failures`-th failure when `free` failures are
    /// allowed: 0 below `free`, then `base_delay_ms` doubling per failure, capped.
    pub fn delay_ms(&self, failures: i64, free: i64) -> i64 {
        if failures < free.max(1) {
            return 0;
        }
        let doublings = (failures - free.max(1)).clamp(0, 40) as u32;
        self.base_delay_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_ms)
    }
}

/// The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64
/// (one host usually holds a whole /64), `unknown` for in-process calls.
pub fn address_key(addr: Option<IpAddr>) -> String {
    match addr.map(|a| a.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
        None => "unknown".into(),
    }
}

/// One (email, address) pair's record, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginAttempts {
    /// The email tried (normalized; it may belong to no identity).
    pub email: String,
    /// The client address (IPv6 as its /64).
    pub address: String,
    /// Failures in the current streak.
    pub count: i64,
    /// First failure of the streak (ISO-8601).
    pub first_attempt_at: String,
    /// Latest failure (ISO-8601).
    pub last_attempt_at: String,
    /// Refused until (ISO-8601), `None` when not blocked now.
    pub blocked_until: Option<String>,
}

/// Milliseconds the pair must still wait before trying again (0 = it may try now).
///
/// # Errors
/// Database failures.
pub fn wait_ms(conn: &Connection, email: &str, address: &str, now_ms: i64) -> Result<i64> {
    let until: Option<i64> = conn
        .prepare_cached_static(
            "SELECT blocked_until FROM auth_login_attempt WHERE entity_id = ?1 AND address = ?2",
        )?
        .query_row(params![email, address], |r| r.get(0))
        .optional()?;
    Ok(until.map_or(0, |u| (u - now_ms).max(0)))
}

/// Records a failure of the pair and returns until when it is refused (0 = not refused).
/// Also forgets pairs quiet for longer than the window.
///
/// # Errors
/// Database failures.
pub fn record_failure(
    conn: &Connection,
    email: &str,
    address: &str,
    now_ms: i64,
    throttle: &Throttle,
) -> Result<i64> {
    let since = now_ms - throttle.window_ms;
    conn.prepare_cached_static(
        "DELETE FROM auth_login_attempt WHERE last_at < ?1 AND blocked_until <= ?2",
    )?
    .execute(params![since, now_ms])?;
    let crowd: i64 = conn
        .prepare_cached_static(
            "SELECT COALESCE(SUM(failures), 0) FROM auth_login_attempt
             WHERE entity_id = ?1 AND last_at >= ?2",
        )?
        .query_row(params![email, since], |r| r.get(0))?;
    let previous: Option<(i64, i64, i64)> = conn
        .prepare_cached_static(
            "SELECT failures, first_at, last_at FROM auth_login_attempt
             WHERE entity_id = ?1 AND address = ?2",
        )?
        .query_row(params![email, address], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (failures, first_at) = match previous {
        Some((failures, first_at, last_at)) if last_at >= since => (failures + 1, first_at),
        _ => (1, now_ms),
    };
    let free = if crowd + 1 >= throttle.crowd_threshold {
        1
    } else {
        throttle.free_failures
    };
    let delay = throttle.delay_ms(failures, free);
    let blocked_until = if delay > 0 { now_ms + delay } else { 0 };
    conn.prepare_cached_static(
        "INSERT INTO auth_login_attempt
            (entity_id, address, failures, first_at, last_at, blocked_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (entity_id, address) DO UPDATE SET failures = excluded.failures,
            first_at = excluded.first_at, last_at = excluded.last_at,
            blocked_until = excluded.blocked_until",
    )?
    .execute(params![
        email,
        address,
        failures,
        first_at,
        now_ms,
        blocked_until
    ])?;
    Ok(blocked_until)
}

/// Forgets the pair's failures (a successful login from that address).
///
/// # Errors
/// Database failures.
pub fn clear(conn: &Connection, email: &str, address: &str) -> Result<()> {
    conn.prepare_cached_static(
        "DELETE FROM auth_login_attempt WHERE entity_id = ?1 AND address = ?2",
    )?
    .execute(params![email, address])?;
    Ok(())
}

/// Whether the pair has any recorded failure (so a success needs a write to clear it).
///
/// # Errors
/// Database failures.
pub fn has_failures(conn: &Connection, email: &str, address: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached_static(
            "SELECT 1 FROM auth_login_attempt WHERE entity_id = ?1 AND address = ?2",
        )?
        .query_row(params![email, address], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A page of recorded pairs, latest failure first, with the total count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    now_ms: i64,
    limit: u64,
    offset: u64,
) -> Result<(Vec<LoginAttempts>, u64)> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM auth_login_attempt", [], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached_static(
        "SELECT entity_id, address, failures, first_at, last_at, blocked_until
         FROM auth_login_attempt ORDER BY last_at DESC, entity_id, address
         LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt
        .query_map(
            params![
                limit.min(i64::MAX as u64) as i64,
                offset.min(i64::MAX as u64) as i64
            ],
            |r| {
                let blocked: i64 = r.get(5)?;
                Ok(LoginAttempts {
                    email: r.get(0)?,
                    address: r.get(1)?,
                    count: r.get(2)?,
                    first_attempt_at: format_iso8601(r.get(3)?),
                    last_attempt_at: format_iso8601(r.get(4)?),
                    blocked_until: (blocked > now_ms).then(|| format_iso8601(blocked)),
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, count.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_double_and_cap() {
        let t = Throttle::default();
        assert_eq!(t.delay_ms(4, 5), 0);
        assert_eq!(t.delay_ms(5, 5), 30_000);
        assert_eq!(t.delay_ms(6, 5), 60_000);
        assert_eq!(t.delay_ms(8, 5), 240_000);
        assert_eq!(t.delay_ms(10, 5), 15 * 60_000);
        assert_eq!(t.delay_ms(10_000, 5), 15 * 60_000);
        assert_eq!(t.delay_ms(1, 1), 30_000);
    }

    #[test]
    fn addresses_are_keyed_by_host_and_ipv6_by_its_64() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        let v6: IpAddr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap();
        assert_eq!(address_key(Some(v4)), "203.0.113.7");
        assert_eq!(address_key(Some(mapped)), "203.0.113.7");
        assert_eq!(address_key(Some(v6)), "2001:db8:1:2::/64");
        assert_eq!(address_key(None), "unknown");
    }
}
