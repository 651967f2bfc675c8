//! Commerce flows: operations that span modules (Medusa's core flows). Each file is one flow;
//! flows are the only code that calls more than one domain module.

pub mod accounts;
pub mod auth;
pub mod checkout;
pub mod links;
pub mod seed;
pub mod seed_checkout;
