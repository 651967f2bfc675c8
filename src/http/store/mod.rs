//! `/store` route families: customers (accounts), carts, shipping options, payment
//! collections and orders (checkout); the catalog families live beside them.

pub mod carts;
pub mod checkout_json;
pub mod customers;
pub mod orders;
