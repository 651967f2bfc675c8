//! Medusa-style identifiers: `<prefix>_<ULID>` (`prod_01J…`).
//!
//! IDs are generated in application code, never by SQLite. An ID a client sees is a bearer
//! secret (a cart id is all it takes to read and change a cart), so every ID carries fresh
//! randomness from a CSPRNG (the thread's, seeded by the operating system: see
//! [`crypto::random_array`]): the first ID of a millisecond takes 80 fresh
//! random bits; a later ID of the same millisecond adds a fresh random step of 1..2^64 to the
//! previous one. That keeps IDs of one millisecond in creation order (a stable tie-break for
//! lists) while knowing one ID tells nothing about the next: it is 2^64 guesses away, not +1.
//!
//! In deterministic mode (fixtures, tests) the time comes from the engine's manual clock and the
//! random part from a seeded stream (SHA-256 of the seed and a counter, the counter in the high
//! bits for creation order), so the same sequence of operations produces the same IDs on every
//! run — and still no two IDs are neighbours.

use crate::clock::Clock;
use crate::crypto;
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
        let (ms, random) = match self.mode {
            Mode::Random => next_random(ms, state.last_ms, state.last_random),
            // Counter in the high bits keeps creation order under a fixed clock.
            Mode::Seeded(seed) => (
                ms.max(state.last_ms),
                (u128::from(state.counter) << 40) | seeded_bits(seed, state.counter),
            ),
        };
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
            Mode::Random => crypto::random_hex(32),
            Mode::Seeded(seed) => {
                let position = self.ulid().0;
                crypto::sha256_hex(format!("stockroom-token:{seed}:{position}").as_bytes())
            }
        }
    }
}

/// The (time, random part) of the next random-mode ID after one made at `last_ms` with
/// `last_random`. A clock that stepped back keeps the last time so IDs stay ordered; the
/// rare overflow of the 80-bit random part moves on to the next millisecond.
fn next_random(now_ms: u64, last_ms: u64, last_random: u128) -> (u64, u128) {
    if now_ms > last_ms {
        return (now_ms, fresh_u128() & RANDOM_MASK);
    }
    let step = u128::from(fresh_u64()) + 1;
    match last_random.checked_add(step).filter(|r| *r <= RANDOM_MASK) {
        Some(random) => (last_ms, random),
        None => (last_ms + 1, fresh_u128() & RANDOM_MASK),
    }
}

fn fresh_u64() -> u64 {
    u64::from_le_bytes(crypto::random_array())
}

fn fresh_u128() -> u128 {
    u128::from_le_bytes(crypto::random_array())
}

/// 40 bits of a seeded stream: SHA-256 of the seed and the position (reproducible, but no
/// arithmetic relation between neighbours).
fn seeded_bits(seed: u64, counter: u64) -> u128 {
    let digest = crypto::sha256(format!("stockroom-id:{seed}:{counter}").as_bytes());
    let mut low = [0u8; 16];
    low[..5].copy_from_slice(&digest[..5]);
    u128::from_le_bytes(low)
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

    /// The random parts of `ids`, sorted.
    fn random_parts(ids: &[String]) -> Vec<u128> {
        let mut parts: Vec<u128> = ids
            .iter()
            .map(|id| {
                Ulid::from_string(id.split_once('_').unwrap().1)
                    .unwrap()
                    .random()
            })
            .collect();
        parts.sort_unstable();
        parts
    }

    fn closest_gap(parts: &[u128]) -> u128 {
        parts.windows(2).map(|w| w[1] - w[0]).min().unwrap()
    }

    #[test]
    fn same_millisecond_random_ids_are_not_neighbours() {
        // A fixed clock puts all 10,000 in one millisecond: the worst case for guessing.
        let ids = IdGenerator::random(Clock::fixed(1_700_000_000_000));
        let made: Vec<String> = (0..10_000).map(|_| ids.make("cart")).collect();
        assert!(closest_gap(&random_parts(&made)) > 1_000);
    }

    #[test]
    fn system_clock_ids_are_not_neighbours() {
        let ids = IdGenerator::random(Clock::System);
        let made: Vec<String> = (0..10_000).map(|_| ids.make("order")).collect();
        assert!(closest_gap(&random_parts(&made)) > 1_000);
    }

    #[test]
    fn seeded_ids_are_not_neighbours() {
        let ids = IdGenerator::seeded(Clock::fixed(5), 1);
        let made: Vec<String> = (0..10_000).map(|_| ids.make("cart")).collect();
        assert!(closest_gap(&random_parts(&made)) > 1_000);
    }

    #[test]
    fn random_part_overflow_moves_to_the_next_millisecond() {
        let (ms, random) = next_random(7, 7, RANDOM_MASK);
        assert_eq!(ms, 8);
        assert!(random <= RANDOM_MASK);
        let (ms, _) = next_random(5, 9, 0);
        assert_eq!(ms, 9, "a clock that stepped back keeps the last time");
    }

    #[test]
    fn token_is_64_hex() {
        let t = IdGenerator::random(Clock::System).token_hex();
        assert_eq!(t.len(), 64);
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
