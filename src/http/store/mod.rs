//! `/store` route families owned by the accounts work (the catalog and cart families live
//! beside them as they arrive).

pub mod customers;
