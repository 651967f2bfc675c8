//! The catalog part of a fixture (regions, taxonomy, products with prices, price lists),
//! loaded by `seed` inside its one transaction. Same key-reference style: entries refer to
//! each other by fixture-local keys.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::create_product::{self, ProductInput};
use crate::modules::pricing::{self, NewPrice, NewPriceList};
use crate::modules::product::taxonomy::{self, NewCategory, ValueKind};
use crate::modules::product::{NewImage, NewOption, NewProduct, NewVariant};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// `collections[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCollection {
    /// Fixture-local key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Handle (slug of the title when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// `categories[]` entry; parents must come before their children.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCategory {
    /// Fixture-local key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Handle (slug of the name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Key of the parent category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Visible (default true).
    #[serde(
        default = "crate::flows::seed_regions::yes",
        skip_serializing_if = "crate::flows::seed_regions::is_true"
    )]
    pub is_active: bool,
    /// Hidden from the store.
    #[serde(default, skip_serializing_if = "crate::flows::seed_regions::is_false")]
    pub is_internal: bool,
}

/// `tags[]` / `types[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureValue {
    /// Fixture-local key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// `products[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureProduct {
    /// Title.
    pub title: String,
    /// Handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Status (default `published`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Gift card.
    #[serde(default, skip_serializing_if = "crate::flows::seed_regions::is_false")]
    pub is_giftcard: bool,
    /// Thumbnail (first image when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// Image URLs, or image files by path relative to the fixture (stored in the file
    /// module at seed time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// Key of the collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// Key of the type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// Keys of categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Keys of tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Keys of sales channels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sales_channels: Vec<String>,
    /// Options: title → values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FixtureOption>,
    /// Variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<FixtureVariant>,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// An option of a fixture product.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureOption {
    /// Title.
    pub title: String,
    /// Values.
    pub values: Vec<String>,
}

/// A variant of a fixture product.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureVariant {
    /// Title.
    pub title: String,
    /// SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Option title → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// Track inventory (default true).
    #[serde(
        default = "crate::flows::seed_regions::yes",
        skip_serializing_if = "crate::flows::seed_regions::is_true"
    )]
    pub manage_inventory: bool,
    /// Sell when out of stock.
    #[serde(default, skip_serializing_if = "crate::flows::seed_regions::is_false")]
    pub allow_backorder: bool,
    /// Prices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<FixturePrice>,
}

/// A price: major units (number or decimal string), optional region key and quantity bounds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixturePrice {
    /// Currency code.
    pub currency_code: String,
    /// Major units, e.g. `19.99` or `"19.99"`.
    pub amount: Value,
    /// Key of a region the price is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Lowest quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quantity: Option<i64>,
    /// Highest quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<i64>,
    /// SKU of the variant (price lists only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

/// `price_lists[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixturePriceList {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `sale` or `override`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `active` or `draft`.
    pub status: String,
    /// Start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// End.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    /// Prices, each naming its variant by `sku`.
    pub prices: Vec<FixturePrice>,
    /// Who the list is for: attribute → values; `customer.groups.id` values are customer
    /// group keys. Lists with rules load after the customer groups (so an exported store's
    /// such lists come after its plain ones).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Vec<String>>,
}

/// Keys resolved while loading.
#[derive(Debug, Default)]
pub struct Keys {
    /// Sales channels.
    pub channels: HashMap<String, String>,
    /// Regions.
    pub regions: HashMap<String, String>,
    pub(crate) collections: HashMap<String, String>,
    pub(crate) categories: HashMap<String, String>,
    tags: HashMap<String, String>,
    types: HashMap<String, String>,
    /// SKU → price set id.
    price_sets: HashMap<String, String>,
    /// Customer groups.
    pub(crate) groups: HashMap<String, String>,
    /// Image file path → its URL in the file module.
    pub(crate) image_urls: HashMap<String, String>,
}

/// Whether a price-list or promotion rule attribute names customer groups.
pub fn names_groups(attribute: &str) -> bool {
    matches!(attribute, "customer.groups.id" | "customer_group.id")
}

/// Looks a fixture key up.
///
/// # Errors
/// An unknown key.
pub fn lookup<'a>(keys: &'a HashMap<String, String>, kind: &str, key: &str) -> Result<&'a String> {
    keys.get(key)
        .ok_or_else(|| Error::invalid(format!("fixture: unknown {kind} key '{key}'")))
}

/// Creates collections, categories (in order, parents first), tags and types.
///
/// # Errors
/// Duplicates or unknown parent keys.
pub fn load_taxonomy(
    conn: &Connection,
    ctx: &Ctx,
    collections: &[FixtureCollection],
    categories: &[FixtureCategory],
    tags: (&[FixtureValue], &[FixtureValue]),
    keys: &mut Keys,
) -> Result<()> {
    for c in collections {
        let made = taxonomy::create_collection(conn, ctx, &c.title, c.handle.as_deref())?;
        keys.collections.insert(c.key.clone(), made.id);
    }
    for c in categories {
        let parent = c
            .parent
            .as_deref()
            .map(|p| lookup(&keys.categories, "category", p).cloned())
            .transpose()?;
        let input = NewCategory {
            name: c.name.clone(),
            handle: c.handle.clone(),
            description: c.description.clone(),
            parent_category_id: parent,
            is_active: c.is_active,
            is_internal: c.is_internal,
        };
        keys.categories.insert(
            c.key.clone(),
            taxonomy::create_category(conn, ctx, &input)?.id,
        );
    }
    for t in tags.0 {
        keys.tags.insert(
            t.key.clone(),
            taxonomy::create_value(conn, ctx, ValueKind::Tag, &t.value)?.id,
        );
    }
    for t in tags.1 {
        keys.types.insert(
            t.key.clone(),
            taxonomy::create_value(conn, ctx, ValueKind::Type, &t.value)?.id,
        );
    }
    Ok(())
}

/// Creates the products through the create-product flow.
///
/// # Errors
/// Unknown keys, invalid products or prices.
pub fn load_products(
    conn: &Connection,
    ctx: &Ctx,
    list: &[FixtureProduct],
    keys: &mut Keys,
) -> Result<()> {
    for p in list {
        let input = product_input(p, keys)?;
        let created = create_product::run_detailed(conn, ctx, &input)?;
        for (variant, (_, set)) in p.variants.iter().zip(created.variants) {
            if let Some(sku) = &variant.sku {
                keys.price_sets.insert(sku.clone(), set);
            }
        }
    }
    Ok(())
}

fn product_input(p: &FixtureProduct, keys: &Keys) -> Result<ProductInput> {
    let key_list = |map: &HashMap<String, String>, kind: &str, list: &[String]| {
        list.iter()
            .map(|k| lookup(map, kind, k).cloned())
            .collect::<Result<Vec<_>>>()
    };
    let product = NewProduct {
        title: p.title.clone(),
        handle: p.handle.clone(),
        subtitle: p.subtitle.clone(),
        description: p.description.clone(),
        is_giftcard: p.is_giftcard,
        discountable: true,
        status: Some(p.status.clone().unwrap_or_else(|| "published".into())),
        thumbnail: p
            .thumbnail
            .as_deref()
            .map(|t| super::seed_files::url_of(t, &keys.image_urls)),
        images: p
            .images
            .iter()
            .map(|entry| NewImage {
                url: super::seed_files::url_of(entry, &keys.image_urls),
            })
            .collect(),
        weight: p.weight,
        material: p.material.clone(),
        collection_id: p
            .collection
            .as_deref()
            .map(|k| lookup(&keys.collections, "collection", k).cloned())
            .transpose()?,
        type_id: p
            .product_type
            .as_deref()
            .map(|k| lookup(&keys.types, "type", k).cloned())
            .transpose()?,
        category_ids: key_list(&keys.categories, "category", &p.categories)?,
        tag_ids: key_list(&keys.tags, "tag", &p.tags)?,
        options: p
            .options
            .iter()
            .map(|o| NewOption {
                title: o.title.clone(),
                values: o.values.clone(),
            })
            .collect(),
        variants: p.variants.iter().map(variant_input).collect(),
        metadata: p.metadata.clone(),
        ..NewProduct::default()
    };
    let variant_prices = p
        .variants
        .iter()
        .map(|v| {
            v.prices
                .iter()
                .map(|price| price_input(price, keys))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ProductInput {
        product,
        variant_prices,
        sales_channel_ids: key_list(&keys.channels, "sales channel", &p.sales_channels)?,
    })
}

fn variant_input(v: &FixtureVariant) -> NewVariant {
    let mut options: Vec<(String, String)> = v.options.clone().into_iter().collect();
    options.sort();
    NewVariant {
        title: v.title.clone(),
        sku: v.sku.clone(),
        manage_inventory: v.manage_inventory,
        allow_backorder: v.allow_backorder,
        options,
        ..NewVariant::default()
    }
}

fn price_input(p: &FixturePrice, keys: &Keys) -> Result<NewPrice> {
    let currency = p.currency_code.to_ascii_lowercase();
    let amount = crate::money::parse_major(&p.amount, &currency)
        .map_err(|e| Error::invalid(format!("fixture: {e}")))?;
    let mut rules = Vec::new();
    if let Some(region) = &p.region {
        rules.push((
            "region_id".to_string(),
            lookup(&keys.regions, "region", region)?.clone(),
        ));
    }
    Ok(NewPrice {
        currency_code: currency,
        amount,
        min_quantity: p.min_quantity,
        max_quantity: p.max_quantity,
        rules,
    })
}

/// A list's rules with group keys resolved to ids.
fn list_rules(list: &FixturePriceList, keys: &Keys) -> Result<Vec<(String, Vec<String>)>> {
    list.rules
        .iter()
        .map(|(attribute, values)| {
            let values = if names_groups(attribute) {
                values
                    .iter()
                    .map(|k| lookup(&keys.groups, "customer group", k).cloned())
                    .collect::<Result<Vec<_>>>()?
            } else {
                values.clone()
            };
            Ok((attribute.clone(), values))
        })
        .collect()
}

/// Creates the price lists; each price names its variant by SKU.
///
/// # Errors
/// Unknown SKUs, invalid lists.
pub fn load_price_lists(
    conn: &Connection,
    ctx: &Ctx,
    lists: &[&FixturePriceList],
    keys: &Keys,
) -> Result<()> {
    for l in lists {
        let prices = l
            .prices
            .iter()
            .map(|p| {
                let sku = p.sku.as_deref().unwrap_or_default();
                let set = lookup(&keys.price_sets, "variant sku", sku)?.clone();
                Ok((set, price_input(p, keys)?))
            })
            .collect::<Result<Vec<_>>>()?;
        let input = NewPriceList {
            title: l.title.clone(),
            description: l.description.clone(),
            status: l.status.clone(),
            kind: l.kind.clone(),
            starts_at: l.starts_at.clone(),
            ends_at: l.ends_at.clone(),
            rules: list_rules(l, keys)?,
            prices,
        };
        pricing::create_price_list(conn, ctx, &input)?;
    }
    Ok(())
}
