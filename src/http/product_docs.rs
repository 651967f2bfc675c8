//! Product documents for a page: rendered once per store generation and `fields` plan
//! (memoized in the store's memo), completed per request with the variants' prices, which
//! depend on the pricing context and the time. A page then costs its row query plus the
//! price queries; the relations of a product are loaded and rendered only on a miss.

use super::product_json::{Document, Plan, Priced, Taxed};
use super::query::FieldSelection;
use crate::db::Store;
use crate::error::Result;
use crate::flows::product_graph::{self, Wanted};
use crate::flows::store_catalog::StorePricing;
use crate::modules::pricing::calc::{self, CalculatedPrice, Candidate};
use crate::modules::product;
use crate::modules::{pricing, tax};
use crate::money::{Rate, Rounding};
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::Arc;

/// How the documents of one request are made.
pub struct DocSpec<'a> {
    /// The store (for its memo).
    pub store: &'a Store,
    /// Generation read before the read transaction began.
    pub generation: u64,
    /// Identifies the plan in memo keys (e.g. the selection's debug text).
    pub plan_key: &'a str,
    /// The plan.
    pub plan: &'a Plan,
    /// Relations to load on a miss (prices are ignored: they are filled per request).
    pub wanted: &'a Wanted,
}

/// The plan of a selection and the key that names it, memoized (computing a plan walks
/// every key of every entity).
///
/// # Errors
/// None in practice (the computation cannot fail).
pub fn plan(
    store: &Store,
    generation: u64,
    selection: &FieldSelection,
) -> Result<(Arc<Plan>, String)> {
    let key = format!("{selection:?}");
    let plan = store
        .memo()
        .get_or(&format!("plan {key}"), generation, || {
            Ok(Plan::new(selection))
        })?;
    Ok((plan, key))
}

/// The documents of the products `ids`, in order.
///
/// # Errors
/// Database failures.
pub fn documents(
    conn: &Connection,
    spec: &DocSpec,
    ids: Vec<String>,
) -> Result<Vec<Arc<Document>>> {
    let memo = spec.store.memo();
    let key = |id: &str| format!("product-doc {} {id}", spec.plan_key);
    let mut docs: Vec<Option<Arc<Document>>> = ids
        .iter()
        .map(|id| memo.get::<Document>(&key(id), spec.generation))
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .zip(&docs)
        .filter(|(_, d)| d.is_none())
        .map(|(id, _)| id.clone())
        .collect();
    if !missing.is_empty() {
        let wanted = Wanted {
            prices: None,
            ..spec.wanted.clone()
        };
        let mut made: HashMap<String, Arc<Document>> = HashMap::new();
        let rows = product::read::by_ids(conn, &missing)?;
        for node in product_graph::load(conn, rows, &wanted)? {
            let doc = Arc::new(Document::render(&node, spec.plan));
            let bytes = doc.pieces.iter().map(String::len).sum::<usize>() + 256;
            memo.put_weighted(
                key(&node.product.id),
                spec.generation,
                Arc::clone(&doc),
                bytes,
            );
            made.insert(node.product.id.clone(), doc);
        }
        for (slot, id) in docs.iter_mut().zip(&ids) {
            if slot.is_none() {
                *slot = made.get(id).cloned();
            }
        }
    }
    Ok(docs.into_iter().flatten().collect())
}

/// The prices of every variant slot of `docs` (none without pricing), with amounts with and
/// without tax when the request names a country of a region with automatic taxes. The
/// candidates of each variant (its stored prices in the currency) and each product's tax
/// rate are memoized per generation; choosing among the candidates depends on the time and
/// the shopper, so it runs on every request.
///
/// # Errors
/// Database failures.
pub fn prices(
    conn: &Connection,
    spec: &DocSpec,
    pricing: Option<&StorePricing>,
    docs: &[Arc<Document>],
) -> Result<Priced> {
    let Some(pricing) = pricing else {
        return Ok(Priced::default());
    };
    let ctx = &pricing.ctx;
    let memo = spec.store.memo();
    let region = ctx.region_id.as_deref();
    let inclusive_key = format!("tax-inclusive {} {region:?}", ctx.currency_code);
    let inclusive = *memo.get_or(&inclusive_key, spec.generation, || {
        pricing::is_tax_inclusive(conn, &ctx.currency_code, region)
    })?;
    let candidates = candidates(conn, spec, &ctx.currency_code, docs)?;
    let prices: HashMap<String, CalculatedPrice> = candidates
        .into_iter()
        .filter_map(|(id, c)| Some((id, calc::calculate(ctx, &c, inclusive)?)))
        .collect();
    let taxed = match &pricing.tax_country {
        Some(country) => taxed(conn, spec, country, docs, &prices)?,
        None => HashMap::new(),
    };
    Ok(Priced { prices, taxed })
}

/// Each slot variant's candidate prices in `currency`, by variant id. They are memoized per
/// product document (one entry holds the candidates of all its slots, in slot order): a page
/// of 20 products then costs 20 memo lookups, not one per variant with its own key.
fn candidates(
    conn: &Connection,
    spec: &DocSpec,
    currency: &str,
    docs: &[Arc<Document>],
) -> Result<HashMap<String, Arc<Vec<Candidate>>>> {
    let memo = spec.store.memo();
    let key = |doc: &Document| format!("price-candidates {currency} {}", doc.product_id);
    // An entry made for another plan's slots (other variants, or another order) is a miss.
    let fits = |doc: &Document, c: &SlotCandidates| {
        c.len() == doc.variant_ids.len()
            && c.iter().zip(&doc.variant_ids).all(|((id, _), v)| id == v)
    };
    let mut per_doc: Vec<Option<Arc<SlotCandidates>>> = docs
        .iter()
        .map(|doc| {
            memo.get::<SlotCandidates>(&key(doc), spec.generation)
                .filter(|c| fits(doc, c))
        })
        .collect();
    let missing: Vec<String> = docs
        .iter()
        .zip(&per_doc)
        .filter(|(_, c)| c.is_none())
        .flat_map(|(doc, _)| doc.variant_ids.iter().cloned())
        .collect();
    if !missing.is_empty() {
        let mut loaded = Arc::unwrap_or_clone(product_graph::candidates_for_variants(
            conn, currency, &missing,
        )?);
        for (doc, slot) in docs.iter().zip(per_doc.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let made: SlotCandidates = doc
                .variant_ids
                .iter()
                .map(|id| (id.clone(), Arc::new(loaded.remove(id).unwrap_or_default())))
                .collect();
            let bytes = 128 + made.iter().map(|(_, c)| 96 + c.len() * 160).sum::<usize>();
            let made = Arc::new(made);
            memo.put_weighted(key(doc), spec.generation, Arc::clone(&made), bytes);
            *slot = Some(made);
        }
    }
    let mut found = HashMap::new();
    for slot in per_doc.into_iter().flatten() {
        for (id, c) in slot.iter() {
            found.insert(id.clone(), Arc::clone(c));
        }
    }
    Ok(found)
}

/// The candidates of a document's variant slots, in slot order, with the slot's variant id.
type SlotCandidates = Vec<(String, Arc<Vec<Candidate>>)>;

/// Amounts with and without tax for every priced slot, at each product's rate in `country`.
fn taxed(
    conn: &Connection,
    spec: &DocSpec,
    country: &str,
    docs: &[Arc<Document>],
    prices: &HashMap<String, CalculatedPrice>,
) -> Result<HashMap<String, Taxed>> {
    let mut out = HashMap::new();
    for doc in docs {
        let key = format!("tax-rate {country} {} {:?}", doc.product_id, doc.type_id);
        let ppm = *spec.store.memo().get_or(&key, spec.generation, || {
            let rates =
                tax::rates_for(conn, country, None, &doc.product_id, doc.type_id.as_deref())?;
            Ok(rates
                .iter()
                .filter_map(|r| r.rate)
                .map(Rate::percent_ppm)
                .sum::<i64>())
        })?;
        let rate = Rate::from_percent_ppm(ppm);
        for variant in &doc.variant_ids {
            if let Some(p) = prices.get(variant) {
                let (calculated_with, calculated_without) =
                    with_without(rate, p.calculated.amount, p.is_tax_inclusive);
                let (original_with, original_without) =
                    with_without(rate, p.original.amount, p.is_tax_inclusive);
                let t = Taxed {
                    calculated_with,
                    calculated_without,
                    original_with,
                    original_without,
                };
                out.insert(variant.clone(), t);
            }
        }
    }
    Ok(out)
}

/// `(with tax, without tax)` of an amount that does or does not include tax at `rate`
/// (tax rounded half up per unit, as on a line).
fn with_without(rate: Rate, amount: i64, inclusive: bool) -> (i64, i64) {
    if inclusive {
        let (without, _) = rate
            .split_inclusive(amount, Rounding::HalfUp)
            .unwrap_or((amount, 0));
        (amount, without)
    } else {
        let tax = rate.of(amount, Rounding::HalfUp).unwrap_or(0);
        (amount.saturating_add(tax), amount)
    }
}
