//! Staff PINs (issue 17): on a till that is signed in (a staff member gave their password),
//! another staff member takes over the till with their short PIN instead of a full sign-in;
//! the sales, drawer movements and Z-report lines that follow are theirs.
//!
//! A PIN is 4–8 digits, stored only as an argon2 hash made and checked by the auth module's
//! password helpers under the engine's hashing gate (never hand-rolled). Wrong PINs are
//! throttled exactly like logins — the same `auth_login_attempt` pairs, keyed
//! `pos-pin:<user id>` per client address — and an unknown staff member costs the same
//! verification as a wrong PIN. A PIN is set by its staff member on the till (or on
//! central) or by an admin through the Admin API; central's PINs reach every till with the
//! pull (`pos_staff_pin` is replicated; central wins).

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::auth_login::{gated, record_failure, refuse_if_throttled};
use crate::modules::auth::{password, throttle};
use crate::modules::pos::pins::{self, StaffPin};
use crate::modules::user;
use std::net::IpAddr;

/// The answer to a wrong PIN or a staff member without one (alike).
pub const WRONG_PIN: &str = "Wrong PIN";

fn throttle_key(user_id: &str) -> String {
    format!("pos-pin:{user_id}")
}

/// Sets `user_id`'s PIN (a user of this store).
///
/// # Errors
/// 400 for a PIN that is not 4–8 digits; 404 for an unknown user; 429 when the hashing gate
/// is full.
pub fn set(engine: &Engine, user_id: &str, pin: &str) -> Result<StaffPin> {
    if !pins::valid_pin(pin) {
        return Err(Error::invalid("A PIN is 4 to 8 digits"));
    }
    let id = user_id.to_string();
    let found = engine.store().read(move |c| user::retrieve(c, &id))?;
    let name = match (found.first_name.as_deref(), found.last_name.as_deref()) {
        (Some(first), Some(last)) if !first.is_empty() => format!("{first} {last}"),
        (Some(first), _) if !first.is_empty() => first.to_string(),
        _ => found.email.clone(),
    };
    let cost = engine.auth().hash_cost;
    let hash = gated(engine, |memory| password::hash_in(pin, cost, memory))??;
    let ctx = engine.ctx().clone();
    engine
        .store()
        .write(move |tx| pins::set_pin(tx, &ctx, &found.id, &name, &hash))
}

/// Removes `user_id`'s PIN.
///
/// # Errors
/// 404 when they have none.
pub fn remove(engine: &Engine, user_id: &str) -> Result<()> {
    let id = user_id.to_string();
    if engine.store().write(move |tx| pins::remove_pin(tx, &id))? {
        Ok(())
    } else {
        Err(Error::not_found("Staff PIN", user_id))
    }
}

/// Checks `pin` for `user_id` from `client`: the staff member who takes over the till.
///
/// # Errors
/// 401 [`WRONG_PIN`] (wrong PIN or no PIN, alike in time); 429 with a retry time while this
/// address is throttled for this staff member, or when the hashing gate is full.
pub fn check(
    engine: &Engine,
    user_id: &str,
    pin: &str,
    client: Option<IpAddr>,
) -> Result<StaffPin> {
    let (key, address) = (throttle_key(user_id), throttle::address_key(client));
    refuse_if_throttled(engine, &key, &address)?;
    let id = user_id.to_string();
    let found = engine.store().read(move |c| pins::pin_of(c, &id))?;
    let cost = engine.auth().hash_cost;
    // A PIN is short: refuse anything but digits before hashing, yet hash all the same.
    let verified = gated(engine, |memory| match &found {
        Some(staff) if pins::valid_pin(pin) => password::verify_in(pin, &staff.pin_hash, memory),
        _ => {
            password::verify_dummy_in(pin, cost, memory);
            false
        }
    })?;
    let Some(staff) = found.filter(|_| verified) else {
        record_failure(engine, &key, &address)?;
        return Err(Error::AuthFailed(WRONG_PIN.into()));
    };
    let failed = engine
        .store()
        .read(|c| throttle::has_failures(c, &key, &address))?;
    if failed {
        engine
            .store()
            .write(move |tx| throttle::clear(tx, &key, &address))?;
    }
    Ok(staff)
}

/// A staff member's PIN record, if they still have one (a switch lasts only while it does).
///
/// # Errors
/// Database failures.
pub fn current(engine: &Engine, user_id: &str) -> Result<Option<StaffPin>> {
    let id = user_id.to_string();
    engine.store().read(move |c| pins::pin_of(c, &id))
}

/// Every staff member with a PIN.
///
/// # Errors
/// Database failures.
pub fn list(engine: &Engine) -> Result<Vec<StaffPin>> {
    engine.store().read(pins::list_pins)
}
