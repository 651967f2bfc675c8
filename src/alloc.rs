//! glibc's allocator settings for a long-running server (issue 19 goal 5: RSS under the
//! checkout load below 50 MiB and flat).
//!
//! glibc gives each thread that allocates while the others hold their arenas an arena of its
//! own, up to 8 per core: a server with ~25 threads on 2 cores ends up with 16, and each keeps
//! the memory its thread freed (page-cache pages of the readers that ran there, request and
//! response buffers) for its next allocations, never for another arena's. Under the checkout
//! load that free-but-kept memory was 11–12 MiB of a 47–49 MiB RSS (BENCHMARKS.md, "Memory
//! under the checkout load"). Two arenas per core keep allocation mostly uncontended (4
//! HTTP workers, the writer and the dispatcher share them) and the kept memory to a third.
//!
//! Only the `serve` command calls [`tune_for_server`]: tests and one-shot commands keep
//! glibc's defaults. An operator's `GLIBC_TUNABLES=glibc.malloc.arena_max=N` or
//! `MALLOC_ARENA_MAX=N` still wins (glibc reads them before `main`; they are not overridden).

/// Arenas per core (glibc's own default is 8 on 64-bit).
const ARENAS_PER_CORE: usize = 2;

/// Caps glibc's arenas at two per core, unless the operator set `MALLOC_ARENA_MAX` or
/// `glibc.malloc.arena_max`. Returns the cap applied, `None` if none was (another libc, or
/// the operator's setting).
pub fn tune_for_server() -> Option<usize> {
    if operator_set() {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let arenas = cores.saturating_mul(ARENAS_PER_CORE).max(2);
    glibc::set_arena_max(arenas).then_some(arenas)
}

/// Whether the operator capped the arenas through glibc's environment.
fn operator_set() -> bool {
    std::env::var_os("MALLOC_ARENA_MAX").is_some()
        || std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("arena_max"))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::ffi::c_int;

    /// `M_ARENA_MAX` in glibc's `malloc.h`.
    const M_ARENA_MAX: c_int = -8;

    unsafe extern "C" {
        /// glibc's `mallopt(3)`: returns 1 on success, 0 on error.
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }

    /// Whether glibc took the cap.
    pub(super) fn set_arena_max(arenas: usize) -> bool {
        let value = c_int::try_from(arenas).unwrap_or(c_int::MAX);
        // SAFETY: mallopt only reads its two integer arguments; M_ARENA_MAX takes effect for
        // arenas created after the call and may be called at any time.
        unsafe { mallopt(M_ARENA_MAX, value) == 1 }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod glibc {
    /// Not glibc: nothing to set.
    pub(super) fn set_arena_max(_arenas: usize) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_two_arenas_per_core_unless_the_operator_set_one() {
        // The environment is process-wide and tests run in threads: it is only read here.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let expected = match (operator_set(), cfg!(target_env = "gnu")) {
            (false, true) => Some((cores * ARENAS_PER_CORE).max(2)),
            _ => None,
        };
        assert_eq!(tune_for_server(), expected);
    }
}
