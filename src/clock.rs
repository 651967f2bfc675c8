//! The engine's clock. No code reads the system time directly: everything asks the engine's
//! [`Clock`], so a fixture store can run on a fixed, advanceable time and two runs produce
//! byte-identical timestamps.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// A source of time: the system clock, or a manual one that only moves when told to.
#[derive(Clone, Debug)]
pub enum Clock {
    /// Reads the operating system's clock.
    System,
    /// A shared manual time; clones see the same value.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock that starts at `start` and never moves on its own.
    pub fn fixed(start: Millis) -> Self {
        Clock::Manual(Arc::new(AtomicI64::new(start)))
    }

    /// Current time in milliseconds since the epoch.
    pub fn now(&self) -> Millis {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0),
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Current time as Medusa renders timestamps: ISO-8601 UTC with milliseconds.
    pub fn now_iso(&self) -> String {
        format_iso8601(self.now())
    }

    /// Sets a manual clock. Returns `false` (and does nothing) on the system clock.
    pub fn set(&self, at: Millis) -> bool {
        match self {
            Clock::System => false,
            Clock::Manual(t) => {
                t.store(at, Ordering::SeqCst);
                true
            }
        }
    }

    /// Moves a manual clock forward by `by` milliseconds. `false` on the system clock.
    pub fn advance(&self, by: Millis) -> bool {
        match self {
            Clock::System => false,
            Clock::Manual(t) => {
                t.fetch_add(by, Ordering::SeqCst);
                true
            }
        }
    }

    /// Whether this clock only moves when told to (fixture mode).
    pub fn is_manual(&self) -> bool {
        matches!(self, Clock::Manual(_))
    }
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// Every row a write touches gets one or two of these, ~50 per checkout, so years 0–9999 are
/// written digit by digit into a fixed buffer: `format!` with padded fields cost ~3,300
/// instructions a call. Other years (never a real clock's) keep the general rendering.
pub fn format_iso8601(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hour, minute, second) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z");
    }
    let mut out = *b"0000-00-00T00:00:00.000Z";
    put_digits(&mut out[0..4], y);
    put_digits(&mut out[5..7], i64::from(m));
    put_digits(&mut out[8..10], i64::from(d));
    put_digits(&mut out[11..13], hour);
    put_digits(&mut out[14..16], minute);
    put_digits(&mut out[17..19], second);
    put_digits(&mut out[20..23], millis);
    out.iter().map(|&b| char::from(b)).collect()
}

/// Writes `value`'s last `slot.len()` decimal digits into `slot`, zero-padded (`value` ≥ 0).
fn put_digits(slot: &mut [u8], mut value: i64) {
    for byte in slot.iter_mut().rev() {
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Parses an ISO-8601 UTC timestamp (`2024-01-02T03:04:05Z`, optional `.mmm`, or a bare date)
/// into epoch milliseconds. Offsets other than `Z` are rejected rather than guessed.
pub fn parse_iso8601(text: &str) -> Option<Millis> {
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    if let Some(time) = time {
        ms += parse_time_of_day(time)?;
    }
    Some(ms)
}

/// "03:04:05.678Z" → milliseconds into the day.
fn parse_time_of_day(time: &str) -> Option<Millis> {
    let time = time.strip_suffix('Z')?;
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut parts = hms.splitn(3, ':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next()?.parse().ok()?;
    let s: i64 = parts.next().unwrap_or("0").parse().ok()?;
    if h > 23 || mi > 59 || s > 60 || frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_ms: i64 = format!("{:0<3}", &frac[..frac.len().min(3)]).parse().ok()?;
    Some(((h * 60 + mi) * 60 + s) * 1000 + frac_ms)
}

/// Howard Hinnant's days → (year, month, day) for the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_general_rendering() {
        let general = |ms: Millis| {
            let secs = ms.div_euclid(1000);
            let rem = secs.rem_euclid(86_400);
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
                rem / 3600,
                (rem % 3600) / 60,
                rem % 60,
                ms.rem_euclid(1000)
            )
        };
        let mut at: Millis = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
        while at < 253_402_300_800_000 {
            assert_eq!(format_iso8601(at), general(at), "at {at}");
            at += 7_777_777_777_123;
        }
        for at in [
            -62_167_219_200_001,
            253_402_300_800_000,
            253_402_300_799_999,
            -1,
            999,
        ] {
            assert_eq!(format_iso8601(at), general(at), "at {at}");
        }
    }

    #[test]
    fn formats_epoch() {
        assert_eq!(format_iso8601(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn formats_known_instant() {
        assert_eq!(
            format_iso8601(1_732_582_800_123),
            "2024-11-26T01:00:00.123Z"
        );
    }

    #[test]
    fn formats_leap_day() {
        assert_eq!(format_iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn parses_what_it_formats() {
        for ms in [0, 951_782_400_000, 1_732_582_800_123, 4_102_444_799_999] {
            assert_eq!(parse_iso8601(&format_iso8601(ms)), Some(ms));
        }
    }

    #[test]
    fn parses_date_only_and_rejects_offsets() {
        assert_eq!(parse_iso8601("2024-11-26"), Some(1_732_579_200_000));
        assert_eq!(parse_iso8601("2024-11-26T01:00:00+02:00"), None);
        assert_eq!(parse_iso8601("2024-13-01"), None);
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::fixed(1000);
        let seen_by_clone = clock.clone();
        assert_eq!(clock.now(), 1000);
        assert!(clock.advance(500));
        assert_eq!(seen_by_clone.now(), 1500);
        assert!(clock.set(42));
        assert_eq!(seen_by_clone.now(), 42);
        assert!(!Clock::System.set(1));
    }
}
