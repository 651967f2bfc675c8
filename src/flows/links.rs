//! The core links between modules (Medusa's link-modules definitions).

use crate::link::{Link, LinkEnd, define_link};

/// Publishable API key ↔ sales channel: a key's channels scope `/store` requests.
pub fn publishable_key_sales_channel() -> Link {
    define_link(
        LinkEnd::new("publishable_api_key", "publishable_key_id"),
        LinkEnd::new("sales_channel", "sales_channel_id"),
    )
}

/// Every core link, registered by `Engine::builder`.
pub fn core_links() -> Vec<Link> {
    vec![publishable_key_sales_channel()]
}
