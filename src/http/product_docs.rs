//! Product documents for a page: rendered once per store generation and `fields` plan
//! (memoized in the store's memo), completed per request with the variants' prices, which
//! depend on the pricing context and the time. A page then costs its row query plus the
//! price queries; the relations of a product are loaded and rendered only on a miss.

use super::product_json::{Document, Plan};
use super::query::FieldSelection;
use crate::db::Store;
use crate::error::Result;
use crate::flows::product_graph::{self, Wanted};
use crate::modules::pricing;
use crate::modules::pricing::calc::{self, CalculatedPrice, Candidate, PricingContext};
use crate::modules::product;
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
            memo.put(key(&node.product.id), spec.generation, Arc::clone(&doc));
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

/// The prices of every variant slot of `docs` in `ctx` (none without a context). The
/// candidates of each variant (its stored prices in the currency) are memoized per
/// generation; choosing among them depends on the time and the shopper, so it runs on every
/// request.
///
/// # Errors
/// Database failures.
pub fn prices(
    conn: &Connection,
    spec: &DocSpec,
    ctx: Option<&PricingContext>,
    docs: &[Arc<Document>],
) -> Result<HashMap<String, CalculatedPrice>> {
    let Some(ctx) = ctx else {
        return Ok(HashMap::new());
    };
    let memo = spec.store.memo();
    let region = ctx.region_id.as_deref();
    let inclusive_key = format!("tax-inclusive {} {region:?}", ctx.currency_code);
    let inclusive = *memo.get_or(&inclusive_key, spec.generation, || {
        pricing::is_tax_inclusive(conn, &ctx.currency_code, region)
    })?;
    let key = |id: &str| format!("price-candidates {} {id}", ctx.currency_code);
    let ids: Vec<&String> = docs.iter().flat_map(|d| d.variant_ids.iter()).collect();
    let mut found: HashMap<String, Arc<Vec<Candidate>>> = HashMap::new();
    let mut missing = Vec::new();
    for id in ids {
        match memo.get::<Vec<Candidate>>(&key(id), spec.generation) {
            Some(c) => {
                found.insert(id.clone(), c);
            }
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        let mut loaded =
            product_graph::candidates_for_variants(conn, &ctx.currency_code, &missing)?;
        for id in missing {
            let c = Arc::new(loaded.remove(&id).unwrap_or_default());
            memo.put(key(&id), spec.generation, Arc::clone(&c));
            found.insert(id, c);
        }
    }
    Ok(found
        .into_iter()
        .filter_map(|(id, c)| Some((id, calc::calculate(ctx, &c, inclusive)?)))
        .collect())
}
