//! The accounts settings the engine carries: signing secrets, hashing cost, lifetimes and
//! login throttling. Secrets are redacted from `Debug` output so they never reach a log.

use super::Throttle;
use super::password::Cost;
use crate::error::{Error, Result};
use std::fmt;

/// The documented JWT secret of demo and fixture stores (never for a real shop).
pub const DEV_JWT_SECRET: &str = "stockroom-dev-jwt-secret-never-use-in-production";
/// The documented cookie secret of demo and fixture stores (never for a real shop).
pub const DEV_COOKIE_SECRET: &str = "stockroom-dev-cookie-secret-never-use-in-production";
/// Shortest secret accepted outside demo and fixture modes.
pub const MIN_SECRET_LEN: usize = 32;

/// Accounts settings.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// HS256 key of every JWT (`JWT_SECRET`).
    pub jwt_secret: String,
    /// HMAC key of session cookies (`COOKIE_SECRET`).
    pub cookie_secret: String,
    /// Password hashing cost.
    pub hash_cost: Cost,
    /// Lifetime of auth tokens (Medusa: one day).
    pub token_ttl_secs: i64,
    /// Lifetime of sessions (Medusa: ten hours).
    pub session_ttl_secs: i64,
    /// Lifetime of password-reset tokens.
    pub reset_ttl_secs: i64,
    /// Failed-login throttling.
    pub throttle: Throttle,
    /// Password hashes computed at once (`STOCKROOM_HASH_PERMITS`; default: cores − 1).
    pub hash_permits: usize,
    /// How long a request waits for a hashing permit before its 429 (ms).
    pub hash_wait_ms: u64,
}

impl AuthConfig {
    /// Demo and fixture stores: the documented dev secrets and light hashing (they must boot
    /// in milliseconds and are never exposed).
    pub fn dev() -> Self {
        AuthConfig {
            jwt_secret: DEV_JWT_SECRET.into(),
            cookie_secret: DEV_COOKIE_SECRET.into(),
            hash_cost: Cost::Light,
            token_ttl_secs: 24 * 3600,
            session_ttl_secs: 10 * 3600,
            reset_ttl_secs: 15 * 60,
            throttle: Throttle::default(),
            hash_permits: super::gate::HashGate::default_permits(),
            hash_wait_ms: 250,
        }
    }

    /// Offline commands on a store file (`seed`, `user create`): production hashing, so
    /// the hashes they store are as strong as a served store's. They mint no tokens, so the
    /// dev secrets they carry are never used.
    pub fn offline() -> Self {
        AuthConfig {
            hash_cost: Cost::Standard,
            ..AuthConfig::dev()
        }
    }

    /// Real stores: both secrets are required and must be at least [`MIN_SECRET_LEN`] long.
    ///
    /// # Errors
    /// A secret unset or too short, with a message for the operator.
    pub fn production(jwt_secret: Option<String>, cookie_secret: Option<String>) -> Result<Self> {
        Ok(AuthConfig {
            jwt_secret: strong("JWT_SECRET", jwt_secret)?,
            cookie_secret: strong("COOKIE_SECRET", cookie_secret)?,
            hash_cost: Cost::Standard,
            ..AuthConfig::dev()
        })
    }
}

fn strong(name: &str, value: Option<String>) -> Result<String> {
    match value {
        Some(v) if v.len() >= MIN_SECRET_LEN => Ok(v),
        Some(_) => Err(Error::invalid(format!(
            "{name} is too weak: use at least {MIN_SECRET_LEN} random characters"
        ))),
        None => Err(Error::invalid(format!(
            "{name} must be set (at least {MIN_SECRET_LEN} random characters) outside --demo and --fixture"
        ))),
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig::dev()
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &"<redacted>")
            .field("cookie_secret", &"<redacted>")
            .field("hash_cost", &self.hash_cost)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("session_ttl_secs", &self.session_ttl_secs)
            .field("throttle", &self.throttle)
            .field("hash_permits", &self.hash_permits)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_needs_two_strong_secrets() {
        let strong_secret = Some("x".repeat(32));
        assert!(AuthConfig::production(strong_secret.clone(), strong_secret.clone()).is_ok());
        assert!(AuthConfig::production(None, strong_secret.clone()).is_err());
        assert!(AuthConfig::production(strong_secret, Some("short".into())).is_err());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let text = format!("{:?}", AuthConfig::dev());
        assert!(!text.contains(DEV_JWT_SECRET) && !text.contains(DEV_COOKIE_SECRET));
    }
}
