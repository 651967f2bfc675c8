//! The customer part of a fixture: customers with their addresses and, for registered ones,
//! their email/password login. Loaded by `seed` in its one transaction; written back by
//! `export`. A login is a plain `password` (hashed before the write job) or a stored
//! `password_hash` taken as it is.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::auth::{self, password};
use crate::modules::customer::{self, NewCustomer};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// `customers[]` entry.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCustomer {
    /// Email (lower-cased on load).
    pub email: String,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Plain password: the customer is registered and can log in with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A stored PHC hash: registered, logging in with the original password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Addresses with Medusa's field names (`address_1`, `country_code`,
    /// `is_default_shipping`, …), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Map<String, Value>>,
}

impl std::fmt::Debug for FixtureCustomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureCustomer")
            .field("email", &self.email)
            .field("addresses", &self.addresses.len())
            .finish_non_exhaustive()
    }
}

/// The stored hash of a fixture login: `password` hashed at `cost`, or `password_hash`
/// checked and kept; `None` without either. Called before the write job (hashing is slow).
///
/// # Errors
/// Both given, or a hash that is not an argon2 PHC string.
pub fn login_hash(
    who: &str,
    plain: Option<&str>,
    stored: Option<&str>,
    cost: password::Cost,
) -> Result<Option<String>> {
    match (plain, stored) {
        (Some(_), Some(_)) => Err(Error::invalid(format!(
            "fixture: {who}: give password or password_hash, not both"
        ))),
        (Some(plain), None) => password::hash(plain, cost).map(Some),
        (None, Some(stored)) => {
            password::check_phc(stored)
                .map_err(|e| Error::invalid(format!("fixture: {who}: {e}")))?;
            Ok(Some(stored.to_string()))
        }
        (None, None) => Ok(None),
    }
}

/// `customer_groups[]` entry: a group and its members, named by email. Price-list and
/// promotion rules on `customer.groups.id` name groups by `key`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCustomerGroup {
    /// Fixture key.
    pub key: String,
    /// Name (unique).
    pub name: String,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Members' emails (customers of the same fixture).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<String>,
}

/// Creates the groups with their members (`ids`: email → customer id, from [`load`]) and
/// records each group's key in `keys`.
///
/// # Errors
/// An unknown member email, a duplicate key or name.
pub fn load_groups(
    conn: &Connection,
    ctx: &Ctx,
    groups: &[FixtureCustomerGroup],
    ids: &HashMap<String, String>,
    keys: &mut HashMap<String, String>,
) -> Result<()> {
    for g in groups {
        if keys.contains_key(&g.key) {
            return Err(Error::invalid(format!(
                "fixture: duplicate customer group key '{}'",
                g.key
            )));
        }
        let created = customer::group::create(conn, ctx, &g.name, g.metadata.as_ref(), None)?;
        let members = g
            .customers
            .iter()
            .map(|email| {
                ids.get(&email.to_lowercase()).cloned().ok_or_else(|| {
                    Error::invalid(format!(
                        "fixture: customer group '{}': unknown customer '{email}'",
                        g.key
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        customer::group::add_customers(conn, ctx, &created.id, &members)?;
        keys.insert(g.key.clone(), created.id);
    }
    Ok(())
}

/// Creates the customers, their addresses and, where `hashes` has one, their login; returns
/// each customer's id by email.
///
/// # Errors
/// Duplicate emails, invalid addresses.
pub fn load(
    conn: &Connection,
    ctx: &Ctx,
    list: &[FixtureCustomer],
    hashes: &[Option<String>],
) -> Result<HashMap<String, String>> {
    let mut ids = HashMap::new();
    for (c, hash) in list.iter().zip(hashes) {
        let input = NewCustomer {
            email: c.email.clone(),
            company_name: c.company_name.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            phone: c.phone.clone(),
            metadata: c.metadata.clone(),
            has_account: hash.is_some(),
            created_by: None,
        };
        let created = customer::create(conn, ctx, &input)?;
        if let Some(hash) = hash {
            let mut app_metadata = Map::new();
            app_metadata.insert("customer_id".into(), created.id.clone().into());
            let email = created.email.clone().unwrap_or_default();
            auth::create_emailpass(conn, ctx, &email, hash, &app_metadata)?;
        }
        for address in &c.addresses {
            customer::address::create(conn, ctx, &created.id, address)?;
        }
        if let Some(email) = created.email {
            ids.insert(email, created.id);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_is_a_password_or_a_stored_hash_never_both() {
        let light = password::Cost::Light;
        let hashed = login_hash("u", Some("pw"), None, light).unwrap().unwrap();
        assert!(password::verify("pw", &hashed));
        assert_eq!(
            login_hash("u", None, Some(&hashed), light).unwrap(),
            Some(hashed.clone())
        );
        assert_eq!(login_hash("u", None, None, light).unwrap(), None);
        let both = login_hash("user a@b", Some("pw"), Some(&hashed), light).unwrap_err();
        assert!(both.to_string().contains("not both"), "{both}");
        let bad = login_hash("user a@b", None, Some("plaintext"), light).unwrap_err();
        assert!(bad.to_string().contains("user a@b: password_hash"), "{bad}");
        let md5 = login_hash("u", None, Some("$md5$abc"), light).unwrap_err();
        assert!(md5.to_string().contains("password_hash"), "{md5}");
    }
}
