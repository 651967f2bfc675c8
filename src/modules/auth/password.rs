//! Password hashing with argon2id (PHC strings). Hashing is slow on purpose (~24 ms at the
//! default parameters), so callers hash **before** submitting a write job, never inside one.
//!
//! Light parameters (1 MiB, one pass) exist for demo and fixture stores, which must boot in
//! milliseconds and are never exposed; the PHC string records the parameters, so a hash made
//! either way verifies anywhere.

use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// How expensive hashing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// argon2id defaults (19 MiB, 2 passes): production.
    Standard,
    /// 1 MiB, 1 pass: demo and fixture stores only.
    Light,
}

/// The longest password accepted (bytes): argon2 reads all of it, so an unbounded one would
/// let a single request buy a long hash.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Refuses passwords longer than [`MAX_PASSWORD_BYTES`].
///
/// # Errors
/// 400 `invalid_data`.
pub fn check_length(password: &str) -> Result<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid(format!(
            "Password must be at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// The argon2id parameters of `cost`.
pub fn params(cost: Cost) -> Params {
    match cost {
        Cost::Standard => Params::default(),
        // 1 MiB, one pass, one lane: valid parameters, so `new` cannot fail.
        Cost::Light => Params::new(1024, 1, 1, None).unwrap_or_default(),
    }
}

fn hasher(cost: Cost) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params(cost))
}

/// The argon2 parameters a PHC string records; `None` for anything that is not argon2.
pub fn params_of(phc: &str) -> Option<Params> {
    let parsed = PasswordHash::new(phc).ok()?;
    if !parsed.algorithm.as_str().starts_with("argon2") {
        return None;
    }
    Params::try_from(&parsed).ok()
}

/// Whether a stored hash is weaker than `cost` makes them (not argon2id, less memory or
/// fewer passes): such a hash is replaced at the next successful login, and a wrong password
/// against it is padded with a verification at `cost`, so it answers as slowly as others.
pub fn needs_rehash(phc: &str, cost: Cost) -> bool {
    let target = params(cost);
    let argon2id = PasswordHash::new(phc).is_ok_and(|p| p.algorithm == Algorithm::Argon2id.ident());
    match params_of(phc) {
        Some(stored) if argon2id => {
            stored.m_cost() < target.m_cost() || stored.t_cost() < target.t_cost()
        }
        _ => true,
    }
}

/// Hashes `password` with a fresh random salt.
///
/// # Errors
/// 500 if argon2 refuses (it does not for any password length the body limit allows).
pub fn hash(password: &str, cost: Cost) -> Result<String> {
    let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
    hasher(cost)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing: {e}")))
}

/// Accepts a stored hash from outside (a fixture written by `stockroom export`) only if it
/// parses as a PHC string of an argon2 algorithm, so a typo cannot become an unusable login.
///
/// # Errors
/// 400 naming the problem.
pub fn check_phc(phc: &str) -> Result<()> {
    match PasswordHash::new(phc) {
        Ok(parsed) if parsed.algorithm.as_str().starts_with("argon2") => Ok(()),
        Ok(parsed) => Err(Error::invalid(format!(
            "password_hash: unsupported algorithm '{}'",
            parsed.algorithm
        ))),
        Err(e) => Err(Error::invalid(format!("password_hash: {e}"))),
    }
}

/// Whether `password` matches the PHC string `phc` (constant-time inside argon2).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// The dummy hash an unknown email is verified against: made once per process at `cost`,
/// the engine's current parameters, so it costs what a wrong password for an account costs.
pub fn dummy_hash(cost: Cost) -> &'static str {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static LIGHT: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        Cost::Standard => &STANDARD,
        Cost::Light => &LIGHT,
    };
    cell.get_or_init(|| hash("stockroom-dummy-password", cost).unwrap_or_default())
}

/// Spends the time of one verification at `cost` against [`dummy_hash`], so an unknown
/// email costs what a wrong password costs.
pub fn verify_dummy(password: &str, cost: Cost) {
    let _ = verify(password, dummy_hash(cost));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_record_their_parameters() {
        let light = hash("supersecret", Cost::Light).unwrap();
        assert!(
            light.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
            "{light}"
        );
        assert!(verify("supersecret", &light));
        assert!(!verify("supersecre", &light));
        assert!(!verify("supersecret", "not a hash"));
        let standard = hash("pw", Cost::Standard).unwrap();
        assert!(verify("pw", &standard));
    }

    #[test]
    fn weaker_hashes_need_a_rehash_and_current_ones_do_not() {
        let light = hash("pw", Cost::Light).unwrap();
        let standard = hash("pw", Cost::Standard).unwrap();
        assert!(needs_rehash(&light, Cost::Standard));
        assert!(!needs_rehash(&standard, Cost::Standard));
        assert!(!needs_rehash(&light, Cost::Light));
        assert!(!needs_rehash(&standard, Cost::Light), "stronger is kept");
        let argon2i = standard.replacen("$argon2id$", "$argon2i$", 1);
        assert!(needs_rehash(&argon2i, Cost::Standard));
        assert!(needs_rehash("garbage", Cost::Light));
    }

    #[test]
    fn the_dummy_hash_has_the_current_parameters() {
        for cost in [Cost::Light, Cost::Standard] {
            let dummy = params_of(dummy_hash(cost)).expect("an argon2 hash");
            let want = params(cost);
            assert_eq!(
                (dummy.m_cost(), dummy.t_cost(), dummy.p_cost()),
                (want.m_cost(), want.t_cost(), want.p_cost())
            );
            assert!(!needs_rehash(dummy_hash(cost), cost));
        }
    }

    #[test]
    fn passwords_longer_than_the_cap_are_refused() {
        assert!(check_length(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        let err = check_length(&"x".repeat(MAX_PASSWORD_BYTES + 1)).unwrap_err();
        assert_eq!(err.status(), 400);
    }
}
