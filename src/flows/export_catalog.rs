//! The catalog part of `stockroom export`: collections, categories (parents first), tags,
//! types, products with options, variants and prices, and price lists. Same rules as
//! [`super::export`]: creation order, keys from handles and values, nothing dropped silently.

use super::export::{ALL, Export, KeyBook};
use super::links;
use super::seed_catalog::{
    FixtureCategory, FixtureCollection, FixtureOption, FixturePrice, FixturePriceList,
    FixtureProduct, FixtureValue, FixtureVariant, names_groups,
};
use super::seed_files::{ExportFiles, export_entry};
use crate::error::Result;
use crate::modules::pricing::{self, lists::PriceListFilter};
use crate::modules::product::taxonomy::{self, SimpleFilter, ValueKind};
use crate::modules::product::{self, Product, ProductFilter, ProductOrder};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Price set id → SKU of its variant, for price-list prices.
type SkuBySet = HashMap<String, String>;

/// Exports the catalog sections into `out.fixture`.
///
/// # Errors
/// Database failures.
pub fn export_catalog(conn: &Connection, book: &mut KeyBook, out: &mut Export) -> Result<()> {
    out.fixture.collections = collections(conn, book)?;
    out.fixture.categories = categories(conn, book)?;
    out.fixture.tags = values(conn, book, ValueKind::Tag, "tag")?;
    out.fixture.types = values(conn, book, ValueKind::Type, "type")?;
    let mut sku_by_set = SkuBySet::new();
    let sinks = (&mut out.skipped, &mut out.files);
    out.fixture.products = products(conn, book, &mut sku_by_set, sinks)?;
    out.fixture.price_lists = price_lists(conn, book, &sku_by_set, &mut out.skipped)?;
    Ok(())
}

fn collections(conn: &Connection, book: &mut KeyBook) -> Result<Vec<FixtureCollection>> {
    let (mut all, _) = taxonomy::list_collections(conn, &SimpleFilter::default(), ALL, 0)?;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(all
        .into_iter()
        .map(|c| FixtureCollection {
            key: book.assign("collection", &c.id, &c.handle),
            title: c.title,
            handle: Some(c.handle),
        })
        .collect())
}

/// Categories in creation order, except that a parent always comes before its children
/// (the loader needs it; a re-parented category can be older than its new parent).
fn categories(conn: &Connection, book: &mut KeyBook) -> Result<Vec<FixtureCategory>> {
    let mut pending = taxonomy::all_categories(conn, false)?;
    pending.sort_by(|a, b| a.id.cmp(&b.id));
    let mut placed: HashSet<String> = HashSet::new();
    let mut list = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for c in pending {
            let ready = c
                .parent_category_id
                .as_ref()
                .is_none_or(|p| placed.contains(p));
            if !ready {
                rest.push(c);
                continue;
            }
            placed.insert(c.id.clone());
            list.push(FixtureCategory {
                key: book.assign("category", &c.id, &c.handle),
                parent: c.parent_category_id.as_deref().and_then(|p| book.key(p)),
                name: c.name,
                handle: Some(c.handle),
                description: c.description,
                is_active: c.is_active,
                is_internal: c.is_internal,
            });
        }
        if rest.len() == before {
            // Parents that are not live: export the orphans as roots rather than lose them.
            for c in &mut rest {
                c.parent_category_id = None;
            }
        }
        pending = rest;
    }
    Ok(list)
}

fn values(
    conn: &Connection,
    book: &mut KeyBook,
    kind: ValueKind,
    name: &str,
) -> Result<Vec<FixtureValue>> {
    let (mut all, _) = taxonomy::list_values(conn, kind, &SimpleFilter::default(), ALL, 0)?;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(all
        .into_iter()
        .map(|t| FixtureValue {
            key: book.assign(name, &t.id, &t.value),
            value: t.value,
        })
        .collect())
}

fn products(
    conn: &Connection,
    book: &KeyBook,
    sku_by_set: &mut SkuBySet,
    (skipped, files): (&mut Vec<String>, &mut ExportFiles),
) -> Result<Vec<FixtureProduct>> {
    let order = ProductOrder {
        column: "pk",
        descending: false,
    };
    let all = product::read::page(conn, &ProductFilter::default(), &order, ALL, 0)?;
    let ids: Vec<String> = all.iter().map(|p| p.id.clone()).collect();
    let parts = Parts::load(conn, &ids)?;
    let mut list = Vec::new();
    for p in all {
        let sinks = (&mut *skipped, &mut *files);
        list.push(product_entry(conn, book, &parts, p, sku_by_set, sinks)?);
    }
    Ok(list)
}

/// The relations of every exported product, read once.
struct Parts {
    variants: HashMap<String, Vec<product::Variant>>,
    options: HashMap<String, Vec<product::relations::OptionWithValues>>,
    images: HashMap<String, Vec<product::Image>>,
    tags: HashMap<String, Vec<product::Tag>>,
    categories: HashMap<String, Vec<product::Category>>,
}

impl Parts {
    fn load(conn: &Connection, ids: &[String]) -> Result<Parts> {
        Ok(Parts {
            variants: product::relations::variants_of(conn, ids)?,
            options: product::relations::options_of(conn, ids)?,
            images: product::relations::images_of(conn, ids)?,
            tags: product::relations::tags_of(conn, ids)?,
            categories: product::relations::categories_of(conn, ids)?,
        })
    }
}

fn product_entry(
    conn: &Connection,
    book: &KeyBook,
    parts: &Parts,
    p: Product,
    sku_by_set: &mut SkuBySet,
    (skipped, files): (&mut Vec<String>, &mut ExportFiles),
) -> Result<FixtureProduct> {
    let images = parts
        .images
        .get(&p.id)
        .map(|list| {
            list.iter()
                .map(|i| export_entry(conn, &i.url, files))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let thumbnail = p
        .thumbnail
        .map(|t| export_entry(conn, &t, files))
        .transpose()?;
    // The loader uses the first image when the thumbnail is absent: write it only if it differs.
    let thumbnail = thumbnail.filter(|t| images.first() != Some(t));
    let tag_ids: Vec<String> = parts
        .tags
        .get(&p.id)
        .map(|l| l.iter().map(|t| t.id.clone()).collect())
        .unwrap_or_default();
    let category_ids: Vec<String> = parts
        .categories
        .get(&p.id)
        .map(|l| l.iter().map(|c| c.id.clone()).collect())
        .unwrap_or_default();
    let channels = links::product_sales_channel().rights_of(conn, &p.id)?;
    let variants = parts.variants.get(&p.id).cloned().unwrap_or_default();
    let variant_entries = variant_entries(conn, book, &p.title, variants, sku_by_set, skipped)?;
    Ok(FixtureProduct {
        handle: Some(p.handle),
        subtitle: p.subtitle,
        description: p.description,
        status: Some(p.status),
        is_giftcard: p.is_giftcard,
        thumbnail,
        images,
        weight: p.weight,
        material: p.material,
        collection: p.collection_id.as_deref().and_then(|id| book.key(id)),
        product_type: p.type_id.as_deref().and_then(|id| book.key(id)),
        categories: book.keys(&category_ids),
        tags: book.keys(&tag_ids),
        sales_channels: book.keys(&channels),
        options: parts
            .options
            .get(&p.id)
            .map(|list| {
                list.iter()
                    .map(|(option, values)| FixtureOption {
                        title: option.title.clone(),
                        values: values.iter().map(|v| v.value.clone()).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        variants: variant_entries,
        metadata: p.metadata,
        title: p.title,
    })
}

fn variant_entries(
    conn: &Connection,
    book: &KeyBook,
    product_title: &str,
    variants: Vec<product::Variant>,
    sku_by_set: &mut SkuBySet,
    skipped: &mut Vec<String>,
) -> Result<Vec<FixtureVariant>> {
    let ids: Vec<String> = variants.iter().map(|v| v.id.clone()).collect();
    let options = product::relations::variant_options_of(conn, &ids)?;
    let set_of: HashMap<String, String> = links::variant_price_set()
        .rights_of_many(conn, &ids)?
        .into_iter()
        .filter_map(|(variant, sets)| Some((variant, sets.into_iter().next()?)))
        .collect();
    let set_ids: Vec<String> = set_of.values().cloned().collect();
    let prices = pricing::prices_of(conn, &set_ids)?;
    let mut list = Vec::new();
    for v in variants {
        let set = set_of.get(&v.id);
        if let (Some(set), Some(sku)) = (set, &v.sku) {
            sku_by_set.insert(set.clone(), sku.clone());
        }
        let stored = set.and_then(|s| prices.get(s)).cloned().unwrap_or_default();
        let mut entries = Vec::new();
        for price in stored {
            let (region, other): (Vec<_>, Vec<_>) = price
                .rules
                .iter()
                .partition(|(attr, _)| attr == "region_id");
            if !other.is_empty() {
                skipped.push(format!(
                    "{product_title} / {}: a price rule on {}",
                    v.title, other[0].0
                ));
                continue;
            }
            entries.push(FixturePrice {
                amount: crate::money::to_json(price.amount, &price.currency_code),
                region: region.first().and_then(|(_, id)| book.key(id)),
                currency_code: price.currency_code,
                min_quantity: price.min_quantity,
                max_quantity: price.max_quantity,
                sku: None,
            });
        }
        list.push(FixtureVariant {
            options: options
                .get(&v.id)
                .map(|pairs| {
                    pairs
                        .iter()
                        .map(|(value, option)| (option.title.clone(), value.value.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            title: v.title,
            sku: v.sku,
            manage_inventory: v.manage_inventory,
            allow_backorder: v.allow_backorder,
            prices: entries,
        });
    }
    Ok(list)
}

fn price_lists(
    conn: &Connection,
    book: &KeyBook,
    sku_by_set: &SkuBySet,
    skipped: &mut Vec<String>,
) -> Result<Vec<FixturePriceList>> {
    let (mut lists, _) = pricing::lists::list(conn, &PriceListFilter::default(), ALL, 0)?;
    // Lists with rules load after the customer groups: plain ones first, as seeding does.
    lists.sort_by(|a, b| (a.rules_count > 0, &a.id).cmp(&(b.rules_count > 0, &b.id)));
    let ids: Vec<String> = lists.iter().map(|l| l.id.clone()).collect();
    let mut prices = pricing::lists::prices_of(conn, &ids)?;
    let mut rules = pricing::lists::rules_of(conn, &ids)?;
    let mut out = Vec::new();
    for l in lists {
        let mut entries = Vec::new();
        for p in prices.remove(&l.id).unwrap_or_default() {
            let Some(sku) = sku_by_set.get(&p.price_set_id) else {
                skipped.push(format!(
                    "price list '{}': a price of a variant without SKU",
                    l.title
                ));
                continue;
            };
            entries.push(FixturePrice {
                amount: crate::money::to_json(p.amount, &p.currency_code),
                currency_code: p.currency_code,
                region: None,
                min_quantity: p.min_quantity,
                max_quantity: p.max_quantity,
                sku: Some(sku.clone()),
            });
        }
        let rules = list_rules(
            &l.title,
            rules.remove(&l.id).unwrap_or_default(),
            book,
            skipped,
        );
        out.push(FixturePriceList {
            title: l.title,
            description: l.description,
            kind: l.kind,
            status: l.status,
            starts_at: l.starts_at,
            ends_at: l.ends_at,
            prices: entries,
            rules,
        });
    }
    Ok(out)
}

/// A list's rules with customer group ids written as the groups' keys; a rule naming a group
/// that was not exported is left out and said so.
fn list_rules(
    title: &str,
    rules: Vec<(String, Vec<String>)>,
    book: &KeyBook,
    skipped: &mut Vec<String>,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (attribute, values) in rules {
        let values = if names_groups(&attribute) {
            let keys = book.keys(&values);
            if keys.len() < values.len() {
                skipped.push(format!(
                    "price list '{title}': a rule naming a deleted customer group"
                ));
            }
            keys
        } else {
            values
        };
        out.entry(attribute).or_insert_with(Vec::new).extend(values);
    }
    out
}
