//! Email/password login and registration under throttling.
//!
//! Every password check is counted per (email, client address) in the auth module's
//! `throttle.rs` and refused with 429 while that pair waits out its delay; the right password
//! from another address is never refused, so nobody can lock an owner out. Every argon2 call
//! runs under the engine's [`HashGate`](crate::modules::auth::gate::HashGate) (429 when it is
//! saturated), on the calling thread and before any write job. A stored hash weaker than the
//! engine's parameters is upgraded after a successful login, and a wrong password against it
//! is padded with a verification at the current parameters, as an unknown email is.

use super::auth::{INVALID_CREDENTIALS, mint_token, normalize_email};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::auth::{self, AuthContext, EmailpassRecord, password, throttle};
use serde_json::Map;
use std::net::IpAddr;

/// Medusa's answer to registering an email whose identity exists (and is claimed, or was
/// registered with another password).
pub const IDENTITY_EXISTS: &str = "Identity with email already exists";

/// Registers an email/password identity for `actor_type`; returns a registration token
/// (`actor_id` empty until the actor is created). As in Medusa 2.21.2, registering again an
/// identity no actor is attached to yet resumes it with the same password.
///
/// # Errors
/// 401 [`IDENTITY_EXISTS`] (attached identity, or another password); 400 for an empty email
/// or password or one over the length cap; 429 while throttled or the hashing gate is full.
pub fn register(
    engine: &Engine,
    actor_type: &str,
    email: &str,
    pass: &str,
    client: Option<IpAddr>,
) -> Result<String> {
    let email = normalize_email(email);
    if email.is_empty() || pass.is_empty() {
        return Err(Error::invalid("Email and password are required"));
    }
    password::check_length(pass)?;
    if let Some(record) = engine
        .store()
        .read(|conn| auth::find_emailpass(conn, &email))?
    {
        return resume_registration(engine, actor_type, &email, pass, client, record);
    }
    let cost = engine.auth().hash_cost;
    let hash = gated(engine, |memory| password::hash_in(pass, cost, memory))??;
    let ctx = engine.ctx().clone();
    let identity_id = engine
        .store()
        .write(move |tx| auth::create_emailpass(tx, &ctx, &email, &hash, &Map::new()))?;
    let context = AuthContext::for_identity(&identity_id, actor_type, Map::new());
    Ok(mint_token(engine, &context))
}

/// Registering an existing identity: refused once an actor is attached; otherwise the same
/// password gets a fresh registration token (a password check, so it is throttled).
fn resume_registration(
    engine: &Engine,
    actor_type: &str,
    email: &str,
    pass: &str,
    client: Option<IpAddr>,
    record: EmailpassRecord,
) -> Result<String> {
    let exists = || Error::AuthFailed(IDENTITY_EXISTS.into());
    if !record.app_metadata.is_empty() {
        return Err(exists());
    }
    let address = throttle::address_key(client);
    refuse_if_throttled(engine, email, &address)?;
    if !check_password(engine, pass, Some(&record))? {
        record_failure(engine, email, &address)?;
        return Err(exists());
    }
    after_success(engine, email, &address, &record, pass)?;
    let context = AuthContext::for_identity(&record.auth_identity_id, actor_type, Map::new());
    Ok(mint_token(engine, &context))
}

/// Logs in with email and password from `client`; returns a token bound to the
/// `actor_type` actor of the identity (empty `actor_id` if there is none yet).
///
/// # Errors
/// 401 [`INVALID_CREDENTIALS`] for an unknown email or a wrong password, alike in time;
/// 429 with a retry time while this address is throttled for this email, or when the
/// hashing gate is full; 400 for a password over the length cap.
pub fn login(
    engine: &Engine,
    actor_type: &str,
    email: &str,
    pass: &str,
    client: Option<IpAddr>,
) -> Result<String> {
    let email = normalize_email(email);
    password::check_length(pass)?;
    let address = throttle::address_key(client);
    refuse_if_throttled(engine, &email, &address)?;
    let record = engine
        .store()
        .read(|conn| auth::find_emailpass(conn, &email))?;
    let verified = check_password(engine, pass, record.as_ref())?;
    let Some(record) = record.filter(|_| verified) else {
        record_failure(engine, &email, &address)?;
        return Err(Error::AuthFailed(INVALID_CREDENTIALS.into()));
    };
    after_success(engine, &email, &address, &record, pass)?;
    let context =
        AuthContext::for_identity(&record.auth_identity_id, actor_type, record.app_metadata);
    Ok(mint_token(engine, &context))
}

/// Runs `work` (an argon2 call) under a hashing permit, in the permit's working memory.
///
/// # Errors
/// 429 when no permit frees up within the gate's short wait.
pub fn gated<T>(engine: &Engine, work: impl FnOnce(&mut password::Memory) -> T) -> Result<T> {
    let mut permit = engine
        .hash_gate()
        .acquire()
        .ok_or_else(|| Error::TooManyRequests {
            message: "Too many password checks in progress, retry in 1 s".into(),
            retry_after_secs: 1,
        })?;
    Ok(work(permit.memory()))
}

/// Whether `pass` is the record's password. Costs one verification at the engine's
/// parameters whatever happens: an unknown email verifies against the dummy hash, and a
/// wrong password against a weaker stored hash is padded with it.
fn check_password(engine: &Engine, pass: &str, record: Option<&EmailpassRecord>) -> Result<bool> {
    let cost = engine.auth().hash_cost;
    gated(engine, |memory| match record {
        None => {
            password::verify_dummy_in(pass, cost, memory);
            false
        }
        Some(record) => {
            let ok = password::verify_in(pass, &record.password_hash, memory);
            if !ok && password::needs_rehash(&record.password_hash, cost) {
                password::verify_dummy_in(pass, cost, memory);
            }
            ok
        }
    })
}

/// 429 while the pair waits out its delay.
pub(crate) fn refuse_if_throttled(engine: &Engine, email: &str, address: &str) -> Result<()> {
    let now = engine.clock().now();
    let wait = engine
        .store()
        .read(|conn| throttle::wait_ms(conn, email, address, now))?;
    if wait <= 0 {
        return Ok(());
    }
    let secs = (wait as u64).div_ceil(1000);
    Err(Error::TooManyRequests {
        message: format!("Too many login attempts, retry in {secs} s"),
        retry_after_secs: secs,
    })
}

pub(crate) fn record_failure(engine: &Engine, email: &str, address: &str) -> Result<()> {
    let (email, address) = (email.to_string(), address.to_string());
    let (now, settings) = (engine.clock().now(), engine.auth().throttle);
    engine
        .store()
        .write(move |tx| throttle::record_failure(tx, &email, &address, now, &settings).map(|_| ()))
}

/// After a right password: forget the pair's failures and upgrade a weak stored hash (only
/// if a hashing permit is free now; the login never waits or fails for the upgrade). One
/// write job, and none when there is nothing to do.
fn after_success(
    engine: &Engine,
    email: &str,
    address: &str,
    record: &EmailpassRecord,
    pass: &str,
) -> Result<()> {
    let cost = engine.auth().hash_cost;
    let upgrade = password::needs_rehash(&record.password_hash, cost)
        .then(|| engine.hash_gate().acquire_within(std::time::Duration::ZERO))
        .flatten()
        .and_then(|mut permit| password::hash_in(pass, cost, permit.memory()).ok());
    let failed = engine
        .store()
        .read(|conn| throttle::has_failures(conn, email, address))?;
    if upgrade.is_none() && !failed {
        return Ok(());
    }
    let ctx = engine.ctx().clone();
    let (email, address) = (email.to_string(), address.to_string());
    let (provider_id, old) = (
        record.provider_identity_id.clone(),
        record.password_hash.clone(),
    );
    engine.store().write(move |tx| {
        throttle::clear(tx, &email, &address)?;
        match upgrade {
            Some(new) => auth::upgrade_hash(tx, &ctx, &provider_id, &old, &new),
            None => Ok(()),
        }
    })
}
