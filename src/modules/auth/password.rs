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

fn hasher(cost: Cost) -> Argon2<'static> {
    let params = match cost {
        Cost::Standard => Params::default(),
        // 1 MiB, one pass, one lane: valid parameters, so `new` cannot fail.
        Cost::Light => Params::new(1024, 1, 1, None).unwrap_or_default(),
    };
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
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

/// Spends the time of one verification at `cost` against a fixed dummy hash, so an unknown
/// email or a locked identity costs what a wrong password costs.
pub fn verify_dummy(password: &str, cost: Cost) {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static LIGHT: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        Cost::Standard => &STANDARD,
        Cost::Light => &LIGHT,
    };
    let dummy = cell.get_or_init(|| hash("stockroom-dummy-password", cost).unwrap_or_default());
    let _ = verify(password, dummy);
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
}
