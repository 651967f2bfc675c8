//! Password hashing with argon2id (PHC strings). Hashing is slow on purpose (~24 ms at the
//! default parameters), so callers hash **before** submitting a write job, never inside one.
//!
//! Light parameters (1 MiB, one pass) exist for demo and fixture stores, which must boot in
//! milliseconds and are never exposed; the PHC string records the parameters, so a hash made
//! either way verifies anywhere.
//!
//! argon2's working memory (19 MiB at the standard parameters) is a [`Memory`] the caller
//! lends: each hashing permit of the [`HashGate`](super::gate::HashGate) keeps one and reuses
//! it. Allocating it per call left a 19 MiB block in the allocator arena of every HTTP worker
//! that ever hashed (88 MiB after ten concurrent logins, BENCHMARKS.md); lent memory bounds it
//! by the permits. The hashing and the verification are the `argon2` crate's
//! (`hash_password_into_with_memory`); the PHC strings are `password-hash`'s, and outputs are
//! compared with its constant-time `Output` equality.

use crate::error::{Error, Result};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::OnceLock;

/// argon2's working memory, in 1 KiB blocks: lent to [`hash_in`] and [`verify_in`] and grown
/// to what the parameters need (up to the standard 19 MiB), so one kept block is reused.
pub type Memory = Vec<Block>;

/// The most blocks a lent [`Memory`] grows to: the standard parameters' 19 MiB. A stored hash
/// that asks for more (imported from elsewhere) gets memory of its own for that one call.
const KEPT_BLOCKS: usize = Params::DEFAULT_M_COST as usize;

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

/// Hashes `password` with a fresh random salt, in memory of its own (callers outside the
/// hashing gate: seeding, the admin's user creation).
///
/// # Errors
/// 500 if argon2 refuses (it does not for any password length the body limit allows).
pub fn hash(password: &str, cost: Cost) -> Result<String> {
    hash_in(password, cost, &mut Memory::new())
}

/// Hashes `password` with a fresh random salt, in `memory` (a hashing permit's).
///
/// # Errors
/// 500 if argon2 refuses (it does not for any password length the body limit allows).
pub fn hash_in(password: &str, cost: Cost, memory: &mut Memory) -> Result<String> {
    let failed =
        |e: argon2::password_hash::Error| Error::Internal(format!("password hashing: {e}"));
    let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
    let params = params(cost);
    let out_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(failed)?;
    let output = compute(
        &hasher(cost),
        &params,
        password,
        salt_bytes,
        out_len,
        memory,
    );
    let output = output.map_err(failed)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// argon2's output of `out_len` bytes for `password` and `salt`, computed in `memory` (grown
/// as needed up to [`KEPT_BLOCKS`]; more than that is allocated for this call only).
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &str,
    salt: &[u8],
    out_len: usize,
    memory: &mut Memory,
) -> argon2::password_hash::Result<Output> {
    let blocks = params.block_count();
    let mut own = Memory::new();
    let memory = if blocks > KEPT_BLOCKS {
        &mut own
    } else {
        memory
    };
    if memory.len() < blocks {
        memory.reserve_exact(blocks - memory.len());
        memory.resize(blocks, Block::new());
    }
    let blocks = &mut memory[..blocks];
    Output::init_with(out_len, |out| {
        Ok(argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut *blocks)?)
    })
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

/// Whether `password` matches the PHC string `phc`, in memory of its own.
pub fn verify(password: &str, phc: &str) -> bool {
    verify_in(password, phc, &mut Memory::new())
}

/// Whether `password` matches the PHC string `phc`, computed in `memory` (a hashing permit's)
/// with the algorithm, version and parameters the string records, as `password-hash`'s
/// `PasswordVerifier` does; the outputs are compared in constant time (`Output`'s equality).
pub fn verify_in(password: &str, phc: &str, memory: &mut Memory) -> bool {
    verified(password, phc, memory).unwrap_or(false)
}

fn verified(password: &str, phc: &str, memory: &mut Memory) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).ok()?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).ok()?;
    let computed = compute(&argon2, &params, password, salt, expected.len(), memory).ok()?;
    Some(computed == expected)
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
    verify_dummy_in(password, cost, &mut Memory::new());
}

/// As [`verify_dummy`], in `memory` (a hashing permit's).
pub fn verify_dummy_in(password: &str, cost: Cost, memory: &mut Memory) {
    let _ = verify_in(password, dummy_hash(cost), memory);
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

    /// Reference PHC strings of the `argon2` crate's known-answer tests (password
    /// "password", salt "somesalt"): argon2id with one and two lanes, and argon2i v1.0 at
    /// 64 MiB (more than a kept block: memory of its own for that call).
    const REFERENCE: [&str; 3] = [
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
        "$argon2i$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
    ];

    #[test]
    fn reference_hashes_verify_in_lent_memory_and_wrong_passwords_fail() {
        let mut memory = Memory::new();
        for phc in REFERENCE {
            assert!(verify_in("password", phc, &mut memory), "{phc}");
            assert!(!verify_in("passwore", phc, &mut memory), "{phc}");
            assert!(verify("password", phc), "{phc}");
        }
        assert_eq!(
            memory.len(),
            256,
            "the 64 MiB hash did not grow the kept block"
        );
        let tampered = REFERENCE[0].replace("nf65", "nf66");
        assert!(!verify_in("password", &tampered, &mut memory));
        let no_hash = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ";
        assert!(!verify_in("password", no_hash, &mut memory));
    }

    /// Hashes made before memory was lent (the crate's `PasswordHasher`) verify in lent
    /// memory, and the other way round; one block serves light and standard hashes alike.
    #[test]
    fn lent_memory_agrees_with_the_crates_own_hasher_and_verifier() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let mut memory = Memory::new();
        for cost in [Cost::Light, Cost::Standard, Cost::Light] {
            let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
            let old = hasher(cost)
                .hash_password(b"pw", &salt)
                .unwrap()
                .to_string();
            assert!(verify_in("pw", &old, &mut memory), "{old}");
            assert!(!verify_in("pv", &old, &mut memory));
            let new = hash_in("pw", cost, &mut memory).unwrap();
            let parsed = PasswordHash::new(&new).unwrap();
            assert!(Argon2::default().verify_password(b"pw", &parsed).is_ok());
            assert!(Argon2::default().verify_password(b"pv", &parsed).is_err());
            assert_eq!(params_of(&new).unwrap().m_cost(), params(cost).m_cost());
        }
        assert_eq!(
            memory.len(),
            KEPT_BLOCKS,
            "grown once to the standard block, kept"
        );
    }

    #[test]
    fn passwords_longer_than_the_cap_are_refused() {
        assert!(check_length(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        let err = check_length(&"x".repeat(MAX_PASSWORD_BYTES + 1)).unwrap_err();
        assert_eq!(err.status(), 400);
    }
}
