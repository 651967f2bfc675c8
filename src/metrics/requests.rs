//! One route's request counters: answers by status and a latency histogram, all atomics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Status codes counted on their own; any other is counted under its class (`2xx`…).
pub(super) const STATUSES: [u16; 17] = [
    200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 503,
];

/// Upper bounds of the latency buckets, in seconds (Prometheus' `le`).
pub const LATENCY_BOUNDS_S: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Counters of one route.
#[derive(Default)]
pub struct RouteCounters {
    /// One per [`STATUSES`] entry, then one per class 1xx..5xx.
    statuses: [AtomicU64; STATUSES.len() + 5],
    /// Non-cumulative: `buckets[i]` counts requests in (bound i−1, bound i]; the last slot
    /// is above every bound.
    buckets: [AtomicU64; LATENCY_BOUNDS_S.len() + 1],
    sum_us: AtomicU64,
}

impl RouteCounters {
    /// Adds one answer.
    pub fn record(&self, status: u16, elapsed: Duration) {
        self.statuses[status_slot(status)].fetch_add(1, Ordering::Relaxed);
        let seconds = elapsed.as_secs_f64();
        let bucket = LATENCY_BOUNDS_S
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(LATENCY_BOUNDS_S.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    /// `(status label, count)` for every status seen.
    pub(super) fn statuses(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        for (slot, counter) in self.statuses.iter().enumerate() {
            let n = counter.load(Ordering::Relaxed);
            if n > 0 {
                out.push((status_label(slot), n));
            }
        }
        out
    }

    /// Cumulative bucket counts (Prometheus' form), the `+Inf` one last, and the sum in
    /// seconds.
    pub(super) fn histogram(&self) -> (Vec<u64>, f64) {
        let mut running = 0;
        let cumulative = self
            .buckets
            .iter()
            .map(|b| {
                running += b.load(Ordering::Relaxed);
                running
            })
            .collect();
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        (cumulative, sum)
    }
}

fn status_slot(status: u16) -> usize {
    STATUSES
        .iter()
        .position(|&s| s == status)
        .unwrap_or_else(|| STATUSES.len() + usize::from((status / 100).clamp(1, 5) - 1))
}

fn status_label(slot: usize) -> String {
    match STATUSES.get(slot) {
        Some(status) => status.to_string(),
        None => format!("{}xx", slot - STATUSES.len() + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_latencies_land_in_their_slots() {
        let c = RouteCounters::default();
        c.record(200, Duration::from_micros(300));
        c.record(200, Duration::from_millis(3));
        c.record(418, Duration::from_secs(9));
        assert_eq!(
            c.statuses(),
            vec![("200".to_string(), 2), ("4xx".to_string(), 1)]
        );
        let (cumulative, sum) = c.histogram();
        assert_eq!(cumulative[0], 1, "≤ 0.5 ms");
        assert_eq!(cumulative[3], 2, "≤ 5 ms");
        assert_eq!(cumulative[LATENCY_BOUNDS_S.len() - 1], 2, "≤ 2.5 s");
        assert_eq!(cumulative[LATENCY_BOUNDS_S.len()], 3, "+Inf holds all");
        assert!((sum - 9.0033).abs() < 1e-6, "{sum}");
    }
}
