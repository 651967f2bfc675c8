//! glibc's allocator settings for a long-running server (issue 19 goal 5: RSS under the
//! checkout load below 50 MiB and flat).
//!
//! glibc gives each thread that allocates while the others hold their arenas an arena of its
//! own, up to 8 per core: a server with ~25 threads on 2 cores ends up with 16, and each keeps
//! the memory its thread freed (page-cache pages of the readers that ran there, request and
//! response buffers) for its next allocations, never for another arena's. Under the checkout
//! load that free-but-kept memory was 11–12 MiB of a 47–49 MiB RSS (BENCHMARKS.md, "Memory
//! under the checkout load"). Two arenas per core keep allocation mostly uncontended (the
//! connection threads running requests, the writer and the dispatcher share them) and the
//! kept memory to a third.
//!
//! Only the `serve` command calls [`tune_for_server`]: tests and one-shot commands keep
//! glibc's defaults. An operator's `GLIBC_TUNABLES=glibc.malloc.arena_max=N` or
//! `MALLOC_ARENA_MAX=N` still wins (glibc reads them before `main`; they are not overridden).
//!
//! glibc's per-thread cache keeps 7 freed chunks of each small size for the thread's next
//! allocations; a request builds and drops trees of hundreds of small values, so most frees
//! overflowed it into the shared bins (`_int_free`, `malloc_consolidate`). Instructions per
//! checkout by cache size (callgrind): 16 → 0.98×, 32 → 0.964×, 64 → 0.945×, 256 → 0.924×;
//! the peak RSS under the checkout load grew by ~2.5 MiB at 32 and ~5 MiB at 64, so
//! [`TCACHE_COUNT`] is 32 (BENCHMARKS.md, "Checkout, round six"). glibc reads that setting
//! only from the environment at start, so [`reexec_with_tunables`] starts the server again,
//! once, with it.

/// Arenas per core (glibc's own default is 8 on 64-bit).
const ARENAS_PER_CORE: usize = 2;

/// Freed chunks of each small size a thread keeps for itself (glibc's default is 7).
pub const TCACHE_COUNT: usize = 32;

/// The glibc tunable [`TCACHE_COUNT`] is set through.
const TCACHE_TUNABLE: &str = "glibc.malloc.tcache_count";

/// Replaces this process with the same program, arguments and environment plus
/// `GLIBC_TUNABLES` setting [`TCACHE_COUNT`], unless the environment already names that
/// tunable (the operator's value wins, and the second start does not start a third). Call
/// it first, before any thread exists. Returns only when it did not (or could not)
/// replace the process.
pub fn reexec_with_tunables() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return;
    }
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    let Some(tunables) = with_tcache(&current) else {
        return;
    };
    use std::os::unix::process::CommandExt;
    let mut args = std::env::args_os();
    let program = args.next().unwrap_or_default();
    let error = std::process::Command::new("/proc/self/exe")
        .arg0(program)
        .args(args)
        .env("GLIBC_TUNABLES", tunables)
        .exec();
    // Only reached when exec failed: serve with glibc's default cache.
    eprintln!("stockroom: could not restart with a larger allocation cache: {error}");
}

/// `current` (a `GLIBC_TUNABLES` value) with the cache size added; `None` when it already
/// sets it.
fn with_tcache(current: &str) -> Option<String> {
    if current.contains(TCACHE_TUNABLE) {
        return None;
    }
    let ours = format!("{TCACHE_TUNABLE}={TCACHE_COUNT}");
    Some(if current.is_empty() {
        ours
    } else {
        format!("{current}:{ours}")
    })
}

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
    fn the_cache_size_is_added_to_the_operators_tunables_unless_they_set_it() {
        assert_eq!(
            with_tcache("").as_deref(),
            Some("glibc.malloc.tcache_count=32")
        );
        assert_eq!(
            with_tcache("glibc.malloc.arena_max=2").as_deref(),
            Some("glibc.malloc.arena_max=2:glibc.malloc.tcache_count=32")
        );
        assert_eq!(with_tcache("glibc.malloc.tcache_count=7"), None);
    }

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
