//! Medusa-style identifiers: `<prefix>_<ULID>` (`prod_01J…`).
//!
//! IDs are generated in application code, never by SQLite. The generator is monotonic: two IDs
//! made in the same millisecond still sort in creation order, which gives list endpoints a
//! stable tie-break. In deterministic mode (fixtures, tests) the random part comes from a
//! seeded counter and the time from the engine's manual clock, so the same sequence of
//! operations produces the same IDs on every run.

use crate::clock::Clock;
use std::sync::Mutex;
use ulid::Ulid;

/// Makes prefixed ULIDs from the engine clock.
#[derive(Debug)]
pub struct IdGenerator {
    clock: Clock,
    mode: Mode,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Random,
    Seeded(u64),
}

/// The generator's position, saved with a fixture snapshot so a restored store also makes
/// the same IDs again.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IdState {
    last_ms: u64,
    last_random: u128,
    counter: u64,
}

impl IdState {
    /// Text form (`ms:random-hex:counter`) for the fixture image cache's sidecar file.
    pub fn encode(&self) -> String {
        format!("{}:{:x}:{}", self.last_ms, self.last_random, self.counter)
    }

    /// Parses [`IdState::encode`]'s text; `None` for anything else.
    pub fn decode(text: &str) -> Option<IdState> {
        let mut parts = text.split(':');
        let state = IdState {
            last_ms: parts.next()?.parse().ok()?,
            last_random: u128::from_str_radix(parts.next()?, 16).ok()?,
            counter: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(state)
    }
}

#[derive(Debug, Default)]
struct State {
    last_ms: u64,
    last_random: u128,
    counter: u64,
}

const RANDOM_BITS: u32 = 80;
const RANDOM_MASK: u128 = (1 << RANDOM_BITS) - 1;

impl IdGenerator {
    /// A generator with operating-system randomness (normal operation).
    pub fn random(clock: Clock) -> Self {
        IdGenerator {
            clock,
            mode: Mode::Random,
            state: Mutex::default(),
        }
    }

    /// A reproducible generator: the same seed, clock and call sequence give the same IDs.
    pub fn seeded(clock: Clock, seed: u64) -> Self {
        IdGenerator {
            clock,
            mode: Mode::Seeded(seed),
            state: Mutex::default(),
        }
    }

    /// A new ID with Medusa's prefix for the entity, e.g. `make("prod")` → `prod_01J…`.
    pub fn make(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.ulid())
    }

    /// A new bare ULID.
    pub fn ulid(&self) -> Ulid {
        let ms = self.clock.now().max(0) as u64;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.counter += 1;
        let random = match self.mode {
            Mode::Random if ms > state.last_ms => Ulid::generate().random() & RANDOM_MASK,
            Mode::Random => (state.last_random + 1) & RANDOM_MASK,
            // Counter in the high bits keeps creation order under a fixed clock.
            Mode::Seeded(seed) => {
                (u128::from(state.counter) << 40) | u128::from(mix(seed ^ state.counter) >> 24)
            }
        };
        let ms = ms.max(state.last_ms);
        state.last_ms = ms;
        state.last_random = random;
        Ulid::from_parts(ms, random)
    }

    /// The current position (for snapshots).
    pub fn checkpoint(&self) -> IdState {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        IdState {
            last_ms: state.last_ms,
            last_random: state.last_random,
            counter: state.counter,
        }
    }

    /// Moves back (or forward) to a saved position.
    pub fn rewind(&self, to: IdState) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (state.last_ms, state.last_random, state.counter) =
            (to.last_ms, to.last_random, to.counter);
    }

    /// 64 lowercase hex characters of secret-grade randomness (API key tokens).
    /// Seeded generators derive it from the seed so fixture keys are reproducible.
    pub fn token_hex(&self) -> String {
        match self.mode {
            // The 80 random bits of a ULID come from rand's ChaCha-based thread RNG.
            Mode::Random => {
                let mut hex: String = (0..4)
                    .map(|_| format!("{:020x}", Ulid::generate().random()))
                    .collect();
                hex.truncate(64);
                hex
            }
            Mode::Seeded(_) => (0..4)
                .map(|_| format!("{:016x}", mix(self.ulid().0 as u64)))
                .collect(),
        }
    }
}

/// SplitMix64 finalizer: spreads a counter into well-mixed bits (not cryptographic).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_prefix_and_26_char_ulid() {
        let id = IdGenerator::random(Clock::System).make("prod");
        let (prefix, ulid) = id.split_once('_').unwrap();
        assert_eq!(prefix, "prod");
        assert_eq!(ulid.len(), 26);
        assert!(Ulid::from_string(ulid).is_ok());
    }

    #[test]
    fn same_millisecond_ids_sort_in_creation_order() {
        let ids = IdGenerator::random(Clock::fixed(1_700_000_000_000));
        let made: Vec<String> = (0..1000).map(|_| ids.make("x")).collect();
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
    }

    #[test]
    fn seeded_generators_repeat_exactly() {
        let a = IdGenerator::seeded(Clock::fixed(5), 7);
        let b = IdGenerator::seeded(Clock::fixed(5), 7);
        let first: Vec<String> = (0..50).map(|_| a.make("cart")).collect();
        let second: Vec<String> = (0..50).map(|_| b.make("cart")).collect();
        assert_eq!(first, second);
        assert_eq!(a.token_hex(), b.token_hex());
    }

    #[test]
    fn seeded_ids_are_ordered_and_distinct() {
        let ids = IdGenerator::seeded(Clock::fixed(5), 1);
        let made: Vec<String> = (0..500).map(|_| ids.make("p")).collect();
        let mut sorted = made.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(made, sorted);
    }

    #[test]
    fn rewinding_repeats_the_same_ids() {
        let ids = IdGenerator::seeded(Clock::fixed(5), 3);
        ids.make("a");
        let mark = ids.checkpoint();
        let first: Vec<String> = (0..5).map(|_| ids.make("p")).collect();
        ids.rewind(mark);
        let again: Vec<String> = (0..5).map(|_| ids.make("p")).collect();
        assert_eq!(first, again);
    }

    #[test]
    fn different_seeds_differ() {
        let a = IdGenerator::seeded(Clock::fixed(5), 1).make("p");
        let b = IdGenerator::seeded(Clock::fixed(5), 2).make("p");
        assert_ne!(a, b);
    }

    #[test]
    fn token_is_64_hex() {
        let t = IdGenerator::random(Clock::System).token_hex();
        assert_eq!(t.len(), 64);
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
