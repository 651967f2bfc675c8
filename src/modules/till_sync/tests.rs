use super::*;
use crate::db::{Store, StoreOptions};
use crate::engine::Engine;

fn engine() -> Engine {
    Engine::builder()
        .deterministic(7)
        .build(Store::memory(StoreOptions::default()).unwrap())
        .unwrap()
}

#[test]
fn the_queue_marks_a_sale_synced_once_and_sorts_refused_ones_last() {
    let e = engine();
    let ctx = e.ctx().clone();
    e.store()
        .write(move |tx| {
            for id in ["order_a", "order_b", "order_a"] {
                enqueue(tx, &ctx, id)?;
            }
            mark_failed(tx, "order_a", "refused")?;
            let pending = pending(tx, 10)?;
            assert_eq!(
                pending
                    .iter()
                    .map(|q| q.order_id.as_str())
                    .collect::<Vec<_>>(),
                ["order_b", "order_a"]
            );
            assert!(mark_synced(tx, &ctx, "order_b", "order_central", 7)?);
            assert!(!mark_synced(tx, &ctx, "order_b", "order_other", 8)?);
            assert_eq!(queue_counts(tx)?, (1, 1));
            let synced = queued(tx, "order_id = 'order_b' LIMIT ?1", 1)?;
            assert_eq!(synced[0].central_order_id.as_deref(), Some("order_central"));
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_sale_is_recorded_once_per_till_order() {
    let e = engine();
    let ctx = e.ctx().clone();
    e.store()
        .write(move |tx| {
            let sale = Sale {
                order_id: "order_c".into(),
                stock_short: true,
                result: serde_json::json!({"order_id": "order_c"}),
            };
            record_sale(tx, &ctx, "order_t", "A", &sale)?;
            assert!(record_sale(tx, &ctx, "order_t", "A", &sale).is_err());
            assert_eq!(self::sale(tx, "order_t")?, Some(sale));
            assert_eq!(list_sales(tx, true, 0, 10)?.1, 1);
            Ok(())
        })
        .unwrap();
}
