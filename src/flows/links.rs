//! The core links between modules (Medusa's link-modules definitions).

use crate::link::{Link, LinkEnd, define_link};

/// Publishable API key ↔ sales channel: a key's channels scope `/store` requests.
pub fn publishable_key_sales_channel() -> Link {
    define_link(
        LinkEnd::new("publishable_api_key", "publishable_key_id"),
        LinkEnd::new("sales_channel", "sales_channel_id"),
    )
}

/// Product variant ↔ inventory item: what a variant draws from stock.
pub fn variant_inventory_item() -> Link {
    define_link(
        LinkEnd::new("product_variant", "variant_id"),
        LinkEnd::new("inventory_item", "inventory_item_id"),
    )
}

/// Sales channel ↔ stock location: where a channel's orders are reserved and shipped from.
pub fn sales_channel_stock_location() -> Link {
    define_link(
        LinkEnd::new("sales_channel", "sales_channel_id"),
        LinkEnd::new("stock_location", "stock_location_id"),
    )
}

/// Stock location ↔ fulfillment set: what ships from a location.
pub fn location_fulfillment_set() -> Link {
    define_link(
        LinkEnd::new("stock_location", "stock_location_id"),
        LinkEnd::new("fulfillment_set", "fulfillment_set_id"),
    )
}

/// Stock location ↔ fulfillment provider: the providers a location ships with (a shipping
/// option's provider must be one of its zone's location's).
pub fn location_fulfillment_provider() -> Link {
    define_link(
        LinkEnd::new("stock_location", "stock_location_id"),
        LinkEnd::new("fulfillment_provider", "fulfillment_provider_id"),
    )
}

/// Cart ↔ payment collection (one per cart).
pub fn cart_payment_collection() -> Link {
    define_link(
        LinkEnd::new("cart", "cart_id"),
        LinkEnd::new("payment_collection", "payment_collection_id"),
    )
}

/// Order ↔ cart: the cart an order was placed from.
pub fn order_cart() -> Link {
    define_link(
        LinkEnd::new("order", "order_id"),
        LinkEnd::new("cart", "cart_id"),
    )
}

/// Order ↔ payment collection.
pub fn order_payment_collection() -> Link {
    define_link(
        LinkEnd::new("order", "order_id"),
        LinkEnd::new("payment_collection", "payment_collection_id"),
    )
}

/// Order ↔ fulfillment: the fulfillments of an order.
pub fn order_fulfillment() -> Link {
    define_link(
        LinkEnd::new("order", "order_id"),
        LinkEnd::new("fulfillment", "fulfillment_id"),
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

/// Order ↔ promotion: the promotion codes a draft order keeps (Medusa's `OrderPromotion`),
/// whose adjustments are recomputed whenever its edit is confirmed.
pub fn order_promotion() -> Link {
    define_link(
        LinkEnd::new("order", "order_id"),
        LinkEnd::new("promotion", "promotion_id"),
    )
}

/// Every core link, registered by `Engine::builder`.
pub fn core_links() -> Vec<Link> {
    vec![
        publishable_key_sales_channel(),
        variant_inventory_item(),
        sales_channel_stock_location(),
        location_fulfillment_set(),
        location_fulfillment_provider(),
        cart_payment_collection(),
        order_cart(),
        order_payment_collection(),
        order_fulfillment(),
        variant_price_set(),
        product_sales_channel(),
        region_payment_provider(),
        order_promotion(),
    ]
}
