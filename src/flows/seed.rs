//! Loads a fixture file (the format of `fixtures/demo.json`) into a store.
//!
//! Entities refer to each other by fixture-local `key`s (`"sales_channels": ["web"]`), which
//! become generated IDs; with a deterministic engine the IDs are the same on every load. The
//! whole fixture loads in one write job: it appears entirely or not at all. Admin users'
//! passwords are hashed before that job (at the engine's hashing cost: light in demo and
//! fixture mode, so the demo still boots in milliseconds).

use crate::config::AdminOverride;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::seed_catalog::{self, Keys, lookup};
use crate::flows::seed_customers::login_hash;
use crate::flows::seed_files::{self, FixtureFiles, Prepared};
use crate::flows::{accounts, links};
use crate::flows::{seed_customers, seed_regions};
use crate::modules::{api_key, sales_channel, store};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A fixture document.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The store record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<FixtureStore>,
    /// Sales channels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sales_channels: Vec<FixtureSalesChannel>,
    /// Publishable API keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publishable_keys: Vec<FixturePublishableKey>,
    /// Regions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<seed_regions::FixtureRegion>,
    /// Tax regions with default rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_regions: Vec<seed_regions::FixtureTaxRegion>,
    /// Product collections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<seed_catalog::FixtureCollection>,
    /// Product categories, parents first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<seed_catalog::FixtureCategory>,
    /// Product tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<seed_catalog::FixtureValue>,
    /// Product types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<seed_catalog::FixtureValue>,
    /// Products with variants and prices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<seed_catalog::FixtureProduct>,
    /// Price lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub price_lists: Vec<seed_catalog::FixturePriceList>,
    /// Stock locations with their fulfillment sets and shipping options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stock_locations: Vec<super::seed_checkout::FixtureLocation>,
    /// Stock for the variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<super::seed_checkout::FixtureInventory>,
    /// Admin users with email/password identities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<FixtureUser>,
    /// Customers with their addresses (and, when registered, their login).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<super::seed_customers::FixtureCustomer>,
    /// Customer groups with their members (after the customers they name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_groups: Vec<super::seed_customers::FixtureCustomerGroup>,
    /// Campaigns with their budgets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<super::seed_promotions::FixtureCampaign>,
    /// Promotions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<super::seed_promotions::FixturePromotion>,
    /// Point-of-sale registers (tills), after the channels, locations and regions they name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pos_registers: Vec<super::seed_pos::FixturePosRegister>,
    /// Draft orders, last: they name regions, channels, customers, SKUs and promotions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub draft_orders: Vec<super::export_drafts::FixtureDraftOrder>,
}

/// `users[]` entry: a login given either as a plain `password` (hashed at load; for demo and
/// test fixtures) or as the stored `password_hash` (what `stockroom export` writes, so an
/// exported store keeps its logins without anyone knowing the passwords).
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureUser {
    /// Login email.
    pub email: String,
    /// Plain password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A PHC-format hash (`$argon2id$…`) used as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
}

impl std::fmt::Debug for FixtureUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureUser")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// `store` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureStore {
    /// Shop name.
    pub name: String,
    /// Currency codes, the first is the default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub currencies: Vec<String>,
    /// Key of the default sales channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_sales_channel: Option<String>,
    /// Key of the default region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_region: Option<String>,
}

/// `sales_channels[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSalesChannel {
    /// Fixture-local key other entries refer to.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `publishable_keys[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixturePublishableKey {
    /// Title.
    pub title: String,
    /// A fixed token (documented keys); generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Keys of the sales channels it is linked to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sales_channels: Vec<String>,
}

/// What a load created that a caller may want to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// Tokens of the publishable keys created.
    pub publishable_keys: Vec<String>,
    /// Emails of the admin users created.
    pub admin_emails: Vec<String>,
    /// The address the seeded image URLs name (`http://localhost:9000`), empty without files.
    pub base_url: String,
}

/// Applies `STOCKROOM_ADMIN_EMAIL` / `STOCKROOM_ADMIN_PASSWORD` to the fixture's first user.
pub fn override_admin(fixture: &mut Fixture, admin: &AdminOverride) {
    if let Some(first) = fixture.users.first_mut() {
        if let Some(email) = &admin.email {
            first.email = email.clone();
        }
        if let Some(pass) = &admin.password {
            first.password = Some(pass.clone());
            first.password_hash = None;
        }
    }
}

/// Parses a fixture document.
///
/// # Errors
/// Invalid JSON or unknown fields, with the position serde reports.
pub fn parse(text: &str) -> Result<Fixture> {
    serde_json::from_str(text).map_err(|e| Error::invalid(format!("fixture: {e}")))
}

/// Loads `fixture` into the engine's store in one transaction (a fixture naming image files
/// needs [`load_with_files`]).
///
/// # Errors
/// A reference to an unknown key, invalid data, or a conflict with existing rows.
pub fn load(engine: &Engine, fixture: Fixture) -> Result<SeedSummary> {
    load_with_files(engine, fixture, &FixtureFiles::none())
}

/// Loads `fixture` with the image files it names (read beforehand, see
/// [`FixtureFiles`]) into the engine's store in one transaction.
///
/// # Errors
/// A reference to an unknown key or file, invalid data, or a conflict with existing rows.
pub fn load_with_files(
    engine: &Engine,
    fixture: Fixture,
    files: &FixtureFiles,
) -> Result<SeedSummary> {
    load_with_progress(engine, fixture, files, &|_| {})
}

/// Where a load is, for a progress display (`stockroom seed` on a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedProgress {
    /// Password hashes computed so far (the slow part of a fixture with many accounts).
    Hashing {
        /// Hashed.
        done: u64,
        /// To hash.
        total: u64,
    },
    /// The one write job that loads everything has started.
    Writing,
}

/// [`load_with_files`], reporting its progress to `progress`.
///
/// # Errors
/// As [`load_with_files`].
pub fn load_with_progress(
    engine: &Engine,
    fixture: Fixture,
    files: &FixtureFiles,
    progress: &dyn Fn(SeedProgress),
) -> Result<SeedSummary> {
    let prepared = files.prepare(&fixture)?;
    let ctx = engine.ctx().clone();
    let cost = engine.auth().hash_cost;
    let total = (fixture.users.len() + fixture.customers.len()) as u64;
    let done = std::cell::Cell::new(0u64);
    let hashed = |hash: Result<Option<String>>| {
        done.set(done.get() + 1);
        progress(SeedProgress::Hashing {
            done: done.get(),
            total,
        });
        hash
    };
    let hashes = Hashes {
        users: fixture
            .users
            .iter()
            .map(|u| {
                let who = format!("user {}", u.email);
                hashed(login_hash(
                    &who,
                    u.password.as_deref(),
                    u.password_hash.as_deref(),
                    cost,
                ))?
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "fixture: {who}: password or password_hash is required"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?,
        customers: fixture
            .customers
            .iter()
            .map(|c| {
                let who = format!("customer {}", c.email);
                hashed(login_hash(
                    &who,
                    c.password.as_deref(),
                    c.password_hash.as_deref(),
                    cost,
                ))
            })
            .collect::<Result<Vec<_>>>()?,
    };
    progress(SeedProgress::Writing);
    let base_url = prepared.base_url().to_string();
    let owner = engine.clone();
    let mut summary = engine
        .store()
        .write(move |tx| load_into(tx, &owner, &ctx, &fixture, &hashes, &prepared))?;
    summary.base_url = base_url;
    Ok(summary)
}

/// Login hashes computed before the write job, in fixture order.
struct Hashes {
    users: Vec<String>,
    customers: Vec<Option<String>>,
}

fn load_into(
    tx: &Tx,
    engine: &Engine,
    ctx: &Ctx,
    fixture: &Fixture,
    hashes: &Hashes,
    files: &Prepared,
) -> Result<SeedSummary> {
    let conn: &Connection = tx;
    let mut keys = Keys::default();
    keys.image_urls = seed_files::store(conn, ctx, files)?;
    let mut summary = load_channels_and_keys(conn, ctx, fixture, &mut keys.channels)?;
    seed_regions::load_regions(conn, ctx, &fixture.regions, &mut keys)?;
    seed_regions::load_tax_regions(conn, ctx, &fixture.tax_regions)?;
    seed_catalog::load_taxonomy(
        conn,
        ctx,
        &fixture.collections,
        &fixture.categories,
        (&fixture.tags, &fixture.types),
        &mut keys,
    )?;
    seed_catalog::load_products(conn, ctx, &fixture.products, &mut keys)?;
    let (plain_lists, group_lists): (Vec<_>, Vec<_>) =
        fixture.price_lists.iter().partition(|l| l.rules.is_empty());
    seed_catalog::load_price_lists(conn, ctx, &plain_lists, &keys)?;
    if let Some(s) = &fixture.store {
        let default_sales_channel_id = s
            .default_sales_channel
            .as_deref()
            .map(|k| lookup(&keys.channels, "sales channel", k).cloned())
            .transpose()?;
        let default_region_id = s
            .default_region
            .as_deref()
            .map(|k| lookup(&keys.regions, "region", k).cloned())
            .transpose()?;
        let input = store::NewStore {
            name: s.name.clone(),
            currencies: s.currencies.clone(),
            default_sales_channel_id,
            default_region_id,
        };
        store::create(conn, ctx, &input)?;
    }
    let checkout = super::seed_checkout::CheckoutFixture {
        locations: &fixture.stock_locations,
        inventory: fixture.inventory.as_ref(),
    };
    let locations =
        super::seed_checkout::load(conn, ctx, &checkout, &keys.channels, &keys.regions)?;
    for (user, hash) in fixture.users.iter().zip(&hashes.users) {
        let created = accounts::create_user_in(tx, ctx, &user.email, hash)?;
        summary.admin_emails.push(created.email);
    }
    let customer_ids = seed_customers::load(conn, ctx, &fixture.customers, &hashes.customers)?;
    seed_customers::load_groups(
        conn,
        ctx,
        &fixture.customer_groups,
        &customer_ids,
        &mut keys.groups,
    )?;
    // Lists with customer-group rules come after the groups they name.
    seed_catalog::load_price_lists(conn, ctx, &group_lists, &keys)?;
    super::seed_promotions::load(conn, ctx, (&fixture.campaigns, &fixture.promotions), &keys)?;
    super::seed_pos::load(
        conn,
        ctx,
        &fixture.pos_registers,
        (&keys.channels, &locations, &keys.regions),
    )?;
    super::export_drafts::load(
        tx,
        engine,
        &fixture.draft_orders,
        (&keys.regions, &keys.channels, &customer_ids),
    )?;
    Ok(summary)
}

fn load_channels_and_keys(
    conn: &Connection,
    ctx: &Ctx,
    fixture: &Fixture,
    channels: &mut HashMap<String, String>,
) -> Result<SeedSummary> {
    for sc in &fixture.sales_channels {
        let input = sales_channel::NewSalesChannel {
            name: sc.name.clone(),
            description: sc.description.clone(),
            is_disabled: false,
        };
        channels.insert(sc.key.clone(), sales_channel::create(conn, ctx, &input)?.id);
    }
    let mut summary = SeedSummary::default();
    for key in &fixture.publishable_keys {
        let created = api_key::create_publishable(conn, ctx, &key.title, key.token.as_deref(), "")?;
        for channel in &key.sales_channels {
            let channel_id = lookup(channels, "sales channel", channel)?;
            links::publishable_key_sales_channel().create(
                conn,
                &ctx.id("pksc"),
                &created.id,
                channel_id,
                &ctx.now(),
            )?;
        }
        summary.publishable_keys.push(created.token);
    }
    Ok(summary)
}
