//! HDR-style latency histogram ([`Histogram`]) and its microsecond summary ([`Latency`]).
//!
//! Values are nanoseconds, log-bucketed with 128 linear sub-buckets per power of two (at most
//! 0.78 % relative error, 1 ns resolution up to ~137 s); count, sum, min and max are exact.

use serde_json::{Value, json};
use std::time::Duration;

/// Sub-buckets per power of two, as a bit count: 2^7 = 128 gives ≤ 0.78 % relative error.
const SUB_BITS: u32 = 7;
/// Number of sub-buckets per power of two.
const SUB_COUNT: u64 = 1 << SUB_BITS;
/// Largest value (ns) the histogram resolves (~137 s); larger values land in the top bucket.
const MAX_TRACKABLE_NS: u64 = (1 << 37) - 1;
/// Total number of buckets needed to cover `0..=MAX_TRACKABLE_NS`.
const BUCKETS: usize = bucket_index(MAX_TRACKABLE_NS) + 1;

/// Bucket of a value: exact below 256, then 128 linear sub-buckets per power of two.
const fn bucket_index(v: u64) -> usize {
    let exp = 63 - (v | 1).leading_zeros();
    let shift = exp.saturating_sub(SUB_BITS);
    (((shift as u64) << SUB_BITS) + (v >> shift)) as usize
}

/// Lowest value and width of bucket `i` (inverse of [`bucket_index`]).
fn bucket_range(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < 2 * SUB_COUNT {
        (i, 1)
    } else {
        let shift = (i >> SUB_BITS) - 1;
        let mantissa = SUB_COUNT + (i & (SUB_COUNT - 1));
        (mantissa << shift, 1 << shift)
    }
}

/// HDR-style latency histogram in nanoseconds: log-bucketed with 128 linear sub-buckets per
/// power of two (≤ 0.78 % relative error), exact count/sum/min/max, mergeable across threads.
#[derive(Clone, Debug)]
pub struct Histogram {
    /// Per-bucket counts, indexed by [`bucket_index`].
    counts: Vec<u64>,
    /// Number of recorded values.
    pub count: u64,
    /// Exact sum of recorded values (ns), for the mean.
    sum_ns: u128,
    /// Exact smallest recorded value (ns).
    min_ns: u64,
    /// Exact largest recorded value (ns).
    max_ns: u64,
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            count: 0,
            sum_ns: 0,
            min_ns: u64::MAX,
            max_ns: 0,
        }
    }

    /// Records one duration.
    pub fn record(&mut self, d: Duration) {
        self.record_ns(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Records one value in nanoseconds.
    fn record_ns(&mut self, ns: u64) {
        self.counts[bucket_index(ns.min(MAX_TRACKABLE_NS))] += 1;
        self.count += 1;
        self.sum_ns += u128::from(ns);
        self.min_ns = self.min_ns.min(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    /// Adds all values of `other` into `self`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.sum_ns += other.sum_ns;
        self.min_ns = self.min_ns.min(other.min_ns);
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// Value (ns) at percentile `p` (0..=100): the middle of the bucket holding that rank,
    /// clamped to the exact min/max. Returns 0 for an empty histogram.
    fn percentile(&self, p: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        if p >= 100.0 {
            return self.max_ns;
        }
        let rank = ((p / 100.0 * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, width) = bucket_range(i);
                return (lo + (width - 1) / 2).clamp(self.min_ns, self.max_ns);
            }
        }
        self.max_ns
    }

    /// Summary in microseconds.
    pub fn summary(&self) -> Latency {
        let us = |ns: u64| ns as f64 / 1000.0;
        Latency {
            mean: if self.count == 0 {
                0.0
            } else {
                self.sum_ns as f64 / self.count as f64 / 1000.0
            },
            min: if self.count == 0 {
                0.0
            } else {
                us(self.min_ns)
            },
            p50: us(self.percentile(50.0)),
            p90: us(self.percentile(90.0)),
            p99: us(self.percentile(99.0)),
            p999: us(self.percentile(99.9)),
            max: us(self.percentile(100.0)),
        }
    }
}

/// Latency summary, all figures in microseconds.
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    /// Exact arithmetic mean.
    pub mean: f64,
    /// Exact minimum.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Exact maximum.
    pub max: f64,
}

impl Latency {
    /// JSON object with `_us` figures rounded to 0.1 µs.
    pub fn to_json(self) -> Value {
        let r = |x: f64| (x * 10.0).round() / 10.0;
        json!({
            "mean": r(self.mean), "min": r(self.min), "p50": r(self.p50), "p90": r(self.p90),
            "p99": r(self.p99), "p99_9": r(self.p999), "max": r(self.max),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_roundtrip_and_precision() {
        for v in [
            0u64,
            1,
            127,
            255,
            256,
            257,
            1000,
            123_456,
            59_999_999_999,
            MAX_TRACKABLE_NS,
        ] {
            let (lo, w) = bucket_range(bucket_index(v));
            assert!(lo <= v && v < lo + w, "{v} not in [{lo}, {})", lo + w);
            assert!(w == 1 || (w as f64) / (lo as f64) <= 1.0 / 128.0 + 1e-12);
        }
        assert_eq!(BUCKETS, bucket_index(MAX_TRACKABLE_NS) + 1);
    }

    #[test]
    fn histogram_percentiles() {
        let mut h = Histogram::new();
        for us in 1..=10_000u64 {
            h.record_ns(us * 1000);
        }
        let p50 = h.percentile(50.0) as f64;
        assert!((p50 / 5_000_000.0 - 1.0).abs() < 0.01, "{p50}");
        let p99 = h.percentile(99.0) as f64;
        assert!((p99 / 9_900_000.0 - 1.0).abs() < 0.01, "{p99}");
        assert_eq!(h.percentile(100.0), 10_000_000);
        let mut other = Histogram::new();
        other.record_ns(20_000_000);
        h.merge(&other);
        assert_eq!(h.count, 10_001);
        assert_eq!(h.percentile(100.0), 20_000_000);
    }
}
