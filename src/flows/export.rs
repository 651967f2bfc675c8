//! `stockroom export`: writes a store back to the fixture format, so a store someone built by
//! hand (admin API, a session of tests) becomes a file that `serve --fixture` and `seed` load.
//!
//! The export is a pure function of the store's content: sections and entries come in
//! creation order (id order), fixture keys are derived from handles and names, maps are
//! sorted. Loading an export creates the same entities in the same order, so export → load →
//! export is byte-identical, and a deterministic load reproduces the same ids.
//!
//! What the format cannot say is listed in [`Export::skipped`] (and printed by the CLI) rather
//! than silently dropped: orders and carts, promotion usage counts, non-default tax
//! rates, disabled channels, revoked keys, price rules other than a region. Draft orders are
//! carried (`export_drafts`); placed orders are not.
//!
//! Reads go through each module's own read functions and the core links; nothing here
//! touches a table.

use super::export_catalog;
use super::links;
use super::seed::{Fixture, FixturePublishableKey, FixtureSalesChannel, FixtureStore, FixtureUser};
use super::seed_checkout::{
    FixtureAddress, FixtureFulfillmentSet, FixtureInventory, FixtureLevel, FixtureLocation,
    FixtureOptionPrice, FixtureServiceZone, FixtureShippingOption,
};
use super::seed_customers::{FixtureCustomer, FixtureCustomerGroup};
use super::seed_regions::{FixtureRegion, FixtureTaxRegion};
use crate::error::Result;
use crate::modules::customer::{self, Address, CustomerFilter};
use crate::modules::region::RegionFilter;
use crate::modules::{
    api_key, auth, fulfillment, inventory, pricing, region, sales_channel, stock_location, store,
    tax, user,
};
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// "No limit" for the modules' paged lists (SQLite's LIMIT takes an i64).
pub(crate) const ALL: u64 = i64::MAX as u64;

/// The result of an export: the fixture and what it could not carry.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// The store as a fixture.
    pub fixture: Fixture,
    /// One line per thing left out, for the operator.
    pub skipped: Vec<String>,
    /// The store's own image files the products use, by the path the fixture names them
    /// with (relative to the fixture file).
    pub files: super::seed_files::ExportFiles,
}

/// Fixture keys handed out while exporting: entity id → key, unique per kind.
#[derive(Debug, Default)]
pub struct KeyBook {
    by_id: HashMap<String, String>,
    taken: HashSet<(String, String)>,
}

impl KeyBook {
    /// Gives `id` a key of `kind` derived from `text` (`"Main Warehouse"` → `main-warehouse`,
    /// then `main-warehouse-2` if taken), and returns it.
    pub fn assign(&mut self, kind: &str, id: &str, text: &str) -> String {
        let base = match crate::modules::product::write::slug(text) {
            s if s.is_empty() => kind.to_string(),
            s => s,
        };
        let mut key = base.clone();
        let mut n = 1;
        while !self.taken.insert((kind.to_string(), key.clone())) {
            n += 1;
            key = format!("{base}-{n}");
        }
        self.by_id.insert(id.to_string(), key.clone());
        key
    }

    /// The key given to `id`, if it was exported.
    pub fn key(&self, id: &str) -> Option<String> {
        self.by_id.get(id).cloned()
    }

    /// Keys of those `ids` that were exported, in order.
    pub fn keys(&self, ids: &[String]) -> Vec<String> {
        ids.iter().filter_map(|id| self.key(id)).collect()
    }
}

/// Reads the whole store into a fixture. Run it inside one read (one snapshot).
///
/// # Errors
/// Database failures.
pub fn export(conn: &Connection) -> Result<Export> {
    let mut out = Export::default();
    let mut book = KeyBook::default();
    out.fixture.sales_channels = channels(conn, &mut book, &mut out.skipped)?;
    out.fixture.publishable_keys = publishable_keys(conn, &book, &mut out.skipped)?;
    out.fixture.regions = regions(conn, &mut book)?;
    out.fixture.tax_regions = tax_regions(conn, &mut out.skipped)?;
    // Group keys first: price lists and promotions name groups by key.
    let groups = customer_groups(conn, &mut book)?;
    export_catalog::export_catalog(conn, &mut book, &mut out)?;
    out.fixture.store = store_section(conn, &book)?;
    let (locations, location_ids) = locations(conn, &mut book)?;
    out.fixture.stock_locations = locations;
    out.fixture.inventory = inventory_section(conn, &book, &location_ids)?;
    out.fixture.users = users(conn, &mut out.skipped)?;
    out.fixture.customers = customers(conn, &mut out.skipped)?;
    out.fixture.customer_groups = members_by_email(conn, groups, &out.fixture.customers)?;
    let (campaigns, promotions) = super::seed_promotions::export(conn, &book)?;
    (out.fixture.campaigns, out.fixture.promotions) = (campaigns, promotions);
    out.fixture.pos_registers = super::seed_pos::export(conn, &book)?;
    out.fixture.draft_orders = super::export_drafts::export(conn, &book, &mut out.skipped)?;
    let used = crate::modules::promotion::uses(conn)?;
    if used > 0 {
        out.skipped.push(format!(
            "{used} promotion use(s): usage counts are not part of the fixture format"
        ));
    }
    let orders = crate::modules::order::count_live(conn)?;
    if orders > 0 {
        out.skipped.push(format!(
            "{orders} order(s): orders are not part of the fixture format"
        ));
    }
    Ok(out)
}

/// The fixture as pretty JSON with a trailing newline: the bytes `stockroom export` prints.
///
/// # Errors
/// Serialization failures (not expected for these types).
pub fn to_json(fixture: &Fixture) -> Result<String> {
    let mut text = serde_json::to_string_pretty(fixture)?;
    text.push('\n');
    Ok(text)
}

fn channels(
    conn: &Connection,
    book: &mut KeyBook,
    skipped: &mut Vec<String>,
) -> Result<Vec<FixtureSalesChannel>> {
    let mut list = Vec::new();
    for sc in sales_channel::list(conn)? {
        if sc.is_disabled {
            skipped.push(format!("sales channel '{}': disabled", sc.name));
        }
        list.push(FixtureSalesChannel {
            key: book.assign("sales_channel", &sc.id, &sc.name),
            name: sc.name,
            description: sc.description.filter(|d| !d.is_empty()),
        });
    }
    Ok(list)
}

fn publishable_keys(
    conn: &Connection,
    book: &KeyBook,
    skipped: &mut Vec<String>,
) -> Result<Vec<FixturePublishableKey>> {
    let (_, secret) = api_key::list(conn, Some("secret"), &[], 0, 1)?;
    if secret > 0 {
        skipped.push(format!(
            "{secret} secret API key(s): only their hashes are stored"
        ));
    }
    let (keys, _) = api_key::list(conn, Some("publishable"), &[], 0, ALL)?;
    let mut list = Vec::new();
    for key in keys {
        if key.revoked_at.is_some() {
            skipped.push(format!("publishable key '{}': revoked", key.title));
            continue;
        }
        let channels = links::publishable_key_sales_channel().rights_of(conn, &key.id)?;
        list.push(FixturePublishableKey {
            title: key.title,
            token: Some(key.token),
            sales_channels: book.keys(&channels),
        });
    }
    Ok(list)
}

fn regions(conn: &Connection, book: &mut KeyBook) -> Result<Vec<FixtureRegion>> {
    let (regions, _) = region::list(conn, &RegionFilter::default(), ALL, 0)?;
    let mut list = Vec::new();
    for r in regions {
        let prices_include_tax = pricing::is_tax_inclusive(conn, &r.currency_code, Some(&r.id))?;
        list.push(FixtureRegion {
            key: book.assign("region", &r.id, &r.name),
            payment_providers: links::region_payment_provider().rights_of(conn, &r.id)?,
            countries: r.countries.into_iter().map(|c| c.iso_2).collect(),
            name: r.name,
            currency_code: r.currency_code,
            automatic_taxes: r.automatic_taxes,
            prices_include_tax,
        });
    }
    Ok(list)
}

fn tax_regions(conn: &Connection, skipped: &mut Vec<String>) -> Result<Vec<FixtureTaxRegion>> {
    let mut regions = tax::list_regions(conn, &[])?;
    // Creation order (a province always after its country, as the loader needs).
    regions.sort_by(|a, b| a.id.cmp(&b.id));
    let mut list = Vec::new();
    for t in regions {
        let place = match &t.province_code {
            Some(p) => format!("{}:{p}", t.country_code),
            None => t.country_code.clone(),
        };
        let rates = tax::rates_of(conn, &t.id)?;
        let others = rates.iter().filter(|r| !r.is_default).count();
        if others > 0 {
            skipped.push(format!("tax region {place}: {others} non-default rate(s)"));
        }
        let default = rates.into_iter().find(|r| r.is_default);
        list.push(FixtureTaxRegion {
            country_code: t.country_code,
            province_code: t.province_code,
            default_rate: default
                .as_ref()
                .and_then(|d| d.rate)
                .map(|rate| Value::String(rate.percent_string())),
            code: default.as_ref().map(|d| d.code.clone()),
            name: default.as_ref().map(|d| d.name.clone()),
            is_combinable: default.is_some_and(|d| d.is_combinable),
            // The system provider is what a new tax region gets: only another is written.
            provider_id: t.provider_id.filter(|p| p != tax::provider::SYSTEM),
        });
    }
    Ok(list)
}

fn store_section(conn: &Connection, book: &KeyBook) -> Result<Option<FixtureStore>> {
    let Some(record) = store::default_store(conn)? else {
        return Ok(None);
    };
    let mut currencies = record.supported_currencies;
    // The default currency first: that is how the fixture says which one it is.
    currencies.sort_by_key(|c| !c.is_default);
    Ok(Some(FixtureStore {
        name: record.name,
        currencies: currencies.into_iter().map(|c| c.currency_code).collect(),
        default_sales_channel: record.default_sales_channel_id.and_then(|id| book.key(&id)),
        default_region: record.default_region_id.and_then(|id| book.key(&id)),
    }))
}

/// The stock locations with their fulfillment sets, and their ids in export order.
fn locations(conn: &Connection, book: &mut KeyBook) -> Result<(Vec<FixtureLocation>, Vec<String>)> {
    let (mut ids, _) = stock_location::manage::list(conn, None, &[], &[], 0, ALL)?;
    ids.sort();
    let mut list = Vec::new();
    for id in &ids {
        let location = stock_location::retrieve(conn, id)?;
        let address = location.address.unwrap_or_default();
        let channels = links::sales_channel_stock_location().lefts_of(conn, id)?;
        let set_ids = links::location_fulfillment_set().rights_of(conn, id)?;
        let sets = fulfillment::layout_of_sets(conn, &set_ids)?;
        list.push(FixtureLocation {
            key: book.assign("stock_location", id, &location.name),
            name: location.name,
            address: FixtureAddress {
                address_1: address.address_1,
                city: address.city,
                country_code: address.country_code,
                postal_code: address.postal_code,
                province: address.province,
            },
            sales_channels: book.keys(&channels),
            fulfillment_sets: sets.into_iter().map(|s| fulfillment_set(s, book)).collect(),
        });
    }
    Ok((list, ids))
}

fn fulfillment_set(set: fulfillment::SetLayout, book: &KeyBook) -> FixtureFulfillmentSet {
    FixtureFulfillmentSet {
        name: set.name,
        kind: set.kind,
        service_zones: set
            .zones
            .into_iter()
            .map(|zone| FixtureServiceZone {
                name: zone.name,
                geo_zones: zone
                    .geo_zones
                    .into_iter()
                    .map(|g| match g.province_code {
                        Some(p) => format!("{}:{p}", g.country_code),
                        None => g.country_code,
                    })
                    .collect(),
                shipping_options: zone
                    .options
                    .into_iter()
                    .map(|o| FixtureShippingOption {
                        prices: o
                            .prices
                            .iter()
                            .map(|p| FixtureOptionPrice {
                                amount: crate::money::to_json(p.amount, &p.currency_code),
                                currency_code: p.currency_code.clone(),
                                region: p.region_id.as_deref().and_then(|id| book.key(id)),
                            })
                            .collect(),
                        name: o.name,
                        code: o.type_code,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Stock: the most common quantity at the first location as `default_stocked`, the rest
/// at that location as exceptions, other locations as `levels`.
fn inventory_section(
    conn: &Connection,
    book: &KeyBook,
    location_ids: &[String],
) -> Result<Option<FixtureInventory>> {
    let Some(first) = location_ids.first() else {
        return Ok(None);
    };
    let stock = inventory::manage::stock_by_sku(conn)?;
    if stock.is_empty() {
        return Ok(None);
    }
    let at_first: Vec<(&String, i64)> = stock
        .iter()
        .filter(|(_, location, _)| location == first)
        .map(|(sku, _, qty)| (sku, *qty))
        .collect();
    let mut tally: BTreeMap<i64, usize> = BTreeMap::new();
    for (_, qty) in &at_first {
        *tally.entry(*qty).or_default() += 1;
    }
    // Most common; on a tie the smallest quantity, so the choice is stable.
    let default_stocked = tally
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map_or(0, |(qty, _)| *qty);
    let stocked = at_first
        .into_iter()
        .filter(|(_, qty)| *qty != default_stocked)
        .map(|(sku, qty)| (sku.clone(), qty))
        .collect();
    let levels = stock
        .iter()
        .filter(|(_, location, _)| location != first)
        .filter_map(|(sku, location, qty)| {
            Some(FixtureLevel {
                sku: sku.clone(),
                location: book.key(location)?,
                stocked: *qty,
            })
        })
        .collect();
    Ok(Some(FixtureInventory {
        default_stocked,
        stocked,
        levels,
    }))
}

/// The stored hash of the email/password identity bound to `actor` (`user_id` or
/// `customer_id` → `id`).
fn login_of(conn: &Connection, email: &str, actor: &str, id: &str) -> Result<Option<String>> {
    Ok(auth::find_emailpass(conn, email)?
        .filter(|record| record.app_metadata.get(actor).and_then(Value::as_str) == Some(id))
        .map(|record| record.password_hash))
}

fn users(conn: &Connection, skipped: &mut Vec<String>) -> Result<Vec<FixtureUser>> {
    let (users, _) = user::list(conn, None, &[], 0, ALL)?;
    let mut list = Vec::new();
    for u in users {
        let Some(hash) = login_of(conn, &u.email, "user_id", &u.id)? else {
            skipped.push(format!("user {}: no email/password login", u.email));
            continue;
        };
        list.push(FixtureUser {
            email: u.email,
            password: None,
            password_hash: Some(hash),
        });
    }
    Ok(list)
}

fn customers(conn: &Connection, skipped: &mut Vec<String>) -> Result<Vec<FixtureCustomer>> {
    let (mut all, _) = customer::list(conn, &CustomerFilter::default(), 0, ALL)?;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let mut list = Vec::new();
    for c in all {
        let Some(email) = c.email.clone() else {
            skipped.push(format!("customer {}: no email", c.id));
            continue;
        };
        let password_hash = if c.has_account {
            login_of(conn, &email, "customer_id", &c.id)?
        } else {
            None
        };
        list.push(FixtureCustomer {
            email,
            first_name: c.first_name,
            last_name: c.last_name,
            phone: c.phone,
            company_name: c.company_name,
            password: None,
            password_hash,
            metadata: c.metadata,
            addresses: c.addresses.into_iter().map(address_fields).collect(),
        });
    }
    Ok(list)
}

/// The live customer groups, oldest first, keyed from their names (members filled in by
/// [`members_by_email`]).
fn customer_groups(
    conn: &Connection,
    book: &mut KeyBook,
) -> Result<Vec<(String, FixtureCustomerGroup)>> {
    let (mut all, _) = customer::group::list(conn, None, &[], 0, ALL)?;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(all
        .into_iter()
        .map(|g| {
            let key = book.assign("customer group", &g.id, &g.name);
            let group = FixtureCustomerGroup {
                key,
                name: g.name,
                metadata: g.metadata,
                customers: Vec::new(),
            };
            (g.id, group)
        })
        .collect())
}

/// Each group's members as emails of exported customers, in the customers' order.
fn members_by_email(
    conn: &Connection,
    groups: Vec<(String, FixtureCustomerGroup)>,
    customers: &[FixtureCustomer],
) -> Result<Vec<FixtureCustomerGroup>> {
    let order: HashMap<&str, usize> = customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.email.as_str(), i))
        .collect();
    let mut out = Vec::with_capacity(groups.len());
    for (id, mut group) in groups {
        let mut emails = Vec::new();
        for member in customer::group::member_ids(conn, &id)? {
            if let Some(email) = customer::retrieve(conn, &member)?.email
                && order.contains_key(email.as_str())
            {
                emails.push(email);
            }
        }
        emails.sort_by_key(|e| order.get(e.as_str()).copied());
        group.customers = emails;
        out.push(group);
    }
    Ok(out)
}

/// An address as the field map `customer::address::create` takes (nulls left out).
fn address_fields(a: Address) -> Map<String, Value> {
    let mut map = Map::new();
    let texts = [
        ("address_name", a.address_name),
        ("company", a.company),
        ("first_name", a.first_name),
        ("last_name", a.last_name),
        ("address_1", a.address_1),
        ("address_2", a.address_2),
        ("city", a.city),
        ("country_code", a.country_code),
        ("province", a.province),
        ("postal_code", a.postal_code),
        ("phone", a.phone),
    ];
    for (name, value) in texts {
        if let Some(v) = value {
            map.insert(name.into(), v.into());
        }
    }
    if a.is_default_shipping {
        map.insert("is_default_shipping".into(), true.into());
    }
    if a.is_default_billing {
        map.insert("is_default_billing".into(), true.into());
    }
    if let Some(m) = a.metadata {
        map.insert("metadata".into(), m);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::KeyBook;

    #[test]
    fn keys_come_from_text_and_stay_unique_per_kind() {
        let mut book = KeyBook::default();
        assert_eq!(
            book.assign("region", "reg_1", "United States"),
            "united-states"
        );
        assert_eq!(
            book.assign("region", "reg_2", "United  States!"),
            "united-states-2"
        );
        assert_eq!(
            book.assign("region", "reg_3", "united-states-2"),
            "united-states-2-2"
        );
        assert_eq!(
            book.assign("category", "pcat_1", "United States"),
            "united-states"
        );
        assert_eq!(book.assign("tag", "ptag_1", "!!!"), "tag");
        assert_eq!(book.key("reg_2").as_deref(), Some("united-states-2"));
        let ids = ["reg_3".to_string(), "nope".to_string(), "reg_1".to_string()];
        assert_eq!(book.keys(&ids), ["united-states-2-2", "united-states"]);
    }
}
