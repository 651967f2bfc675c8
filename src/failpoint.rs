//! Fault injection for crash tests: `STOCKROOM_FAILPOINT=<name>` makes the process abort the
//! moment execution reaches the named point, as a power cut or `kill -9` would. Workflow steps
//! expose `wf:<workflow>:<step>:before|after|compensate`; a notification send
//! `notify:in-process:sent`, `notify:sent` and `notify:recorded` (`flows::notifications`); the
//! dispatcher's fan-out job with in-process subscribers handled in it `events:inline:handled`
//! (before its commit) and `events:inline:committed` (after).
//!
//! The variable is read once; when it is unset (always, in production) a hit costs one
//! comparison against `None`.

use std::sync::OnceLock;

/// The armed point, if any.
fn armed() -> Option<&'static str> {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            std::env::var("STOCKROOM_FAILPOINT")
                .ok()
                .filter(|v| !v.is_empty())
        })
        .as_deref()
}

/// Like [`hit`], for a name that costs something to build (a `format!`): it is built only
/// when a point is armed, so an unarmed process (production) pays one comparison.
pub fn hit_named(name: impl FnOnce() -> String) {
    if armed().is_some() {
        hit(&name());
    }
}

/// Aborts the process if `name` is the armed failpoint.
pub fn hit(name: &str) {
    if armed() == Some(name) {
        eprintln!("stockroom: failpoint {name}: aborting");
        std::process::abort();
    }
}
