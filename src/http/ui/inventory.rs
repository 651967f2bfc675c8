//! Placeholder while being built.

use crate::http::Route;

/// Routes.
pub fn routes() -> Vec<Route> {
    Vec::new()
}
