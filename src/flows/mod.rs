//! Commerce flows: operations that span modules (Medusa's core flows). Each file is one flow;
//! flows are the only code that calls more than one domain module.

pub mod accounts;
pub mod auth;
pub mod auth_login;
pub mod checkout;
pub mod create_product;
pub mod create_region;
pub mod export;
pub mod export_catalog;
pub mod links;
pub mod orders;
pub mod price_lists;
pub mod product_graph;
pub mod product_parts;
pub mod promotions;
pub mod publishable_keys;
pub mod sales_channels;
pub mod seed;
pub mod seed_catalog;
pub mod seed_checkout;
pub mod seed_customers;
pub mod seed_promotions;
pub mod seed_regions;
pub mod stock_admin;
pub mod store_catalog;
pub mod store_variants;
pub mod taxonomy;
