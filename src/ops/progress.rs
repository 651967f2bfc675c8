//! Progress of long commands (`seed`, `export`, `backup`) on stderr, drawn by indicatif only
//! when stderr is a terminal: logs, pipes and CI see exactly what they saw before.

use crate::flows::seed::SeedProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A bar on stderr when it is a terminal, else a hidden one (every call on it a no-op).
fn on_terminal() -> ProgressBar {
    if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// A bar of `total` steps labelled `what` (e.g. pages copied).
pub fn bar(what: &str, total: u64) -> ProgressBar {
    let bar = on_terminal();
    bar.set_length(total);
    bar.set_style(style(
        "{msg} [{bar:30}] {percent:>3}% ({pos}/{len}) {elapsed}",
    ));
    bar.set_message(what.to_string());
    bar
}

/// A spinner for a phase of unknown size, ticking on its own.
pub fn spinner(what: &str) -> ProgressBar {
    let spinner = on_terminal();
    spinner.set_style(style("{spinner} {msg} {elapsed}"));
    spinner.set_message(what.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// The display of a seed: a bar while passwords are hashed, a spinner while the one write
/// job runs. Returns the bar (clear it when done) and the callback for
/// [`crate::flows::seed::load_with_progress`].
pub fn seed() -> (ProgressBar, impl Fn(SeedProgress)) {
    let shown = bar("hashing passwords", 0);
    let update = shown.clone();
    let report = move |step: SeedProgress| match step {
        SeedProgress::Hashing { done, total } => {
            update.set_length(total);
            update.set_position(done);
        }
        SeedProgress::Writing => {
            update.set_style(style("{spinner} {msg} {elapsed}"));
            update.set_message("writing the store (one transaction)");
            update.enable_steady_tick(Duration::from_millis(120));
        }
    };
    (shown, report)
}
