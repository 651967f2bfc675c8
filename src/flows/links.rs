//! The core links between modules (Medusa's link-modules definitions).

use crate::link::{Link, LinkEnd, define_link};

/// Publishable API key ↔ sales channel: a key's channels scope `/store` requests.
pub fn publishable_key_sales_channel() -> Link {
    define_link(
        LinkEnd::new("publishable_api_key", "publishable_key_id"),
        LinkEnd::new("sales_channel", "sales_channel_id"),
    )
}

/// Product variant ↔ price set (pricing module): a variant's prices.
pub fn variant_price_set() -> Link {
    define_link(
        LinkEnd::new("product_variant", "variant_id"),
        LinkEnd::new("price_set", "price_set_id"),
    )
}

/// Product ↔ sales channel: where a product is sold.
pub fn product_sales_channel() -> Link {
    define_link(
        LinkEnd::new("product", "product_id"),
        LinkEnd::new("sales_channel", "sales_channel_id"),
    )
}

/// Region ↔ payment provider (`pp_system_default`…): the providers offered in a region.
pub fn region_payment_provider() -> Link {
    define_link(
        LinkEnd::new("region", "region_id"),
        LinkEnd::new("payment_provider", "payment_provider_id"),
    )
}

/// Every core link, registered by `Engine::builder`.
pub fn core_links() -> Vec<Link> {
    vec![
        publishable_key_sales_channel(),
        variant_price_set(),
        product_sales_channel(),
        region_payment_provider(),
    ]
}
