//! Cash rounding: where a currency's smallest coins are gone, a cash payment is rounded to
//! the nearest coin (half up). Only the cash part of a sale is rounded; card payments are
//! exact. The table names the currencies whose national rules (or universal practice) round
//! cash; everything else is paid to the minor unit.

/// The cash rounding step of a currency in its minor units (1 = no rounding).
///
/// * CHF 0.05 (no 1 and 2 centime coins), CAD 0.05 (penny withdrawn 2013), AUD 0.05 (1 and
///   2 cent coins withdrawn 1992), NZD 0.10 (5 cent coin withdrawn 2006), DKK 0.50 (rounding
///   rule since 2008), SEK 1.00 (öre coins withdrawn 2010), NOK 1.00 (50 øre withdrawn 2012).
/// * Everything else, the euro included (only some member states round, by custom): 1.
pub fn step(currency_code: &str) -> i64 {
    match currency_code.to_ascii_lowercase().as_str() {
        "chf" | "cad" | "aud" => 5,
        "nzd" => 10,
        "dkk" => 50,
        "sek" | "nok" => 100,
        _ => 1,
    }
}

/// `amount` rounded to the nearest multiple of the currency's cash step (halves up).
pub fn round_cash(amount: i64, currency_code: &str) -> i64 {
    let step = step(currency_code);
    if step <= 1 {
        return amount;
    }
    let down = amount.div_euclid(step) * step;
    if (amount - down) * 2 >= step {
        down + step
    } else {
        down
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_the_smallest_coin() {
        assert_eq!(round_cash(1002, "chf"), 1000);
        assert_eq!(round_cash(1003, "CHF"), 1005);
        assert_eq!(round_cash(1007, "chf"), 1005);
        assert_eq!(round_cash(1008, "chf"), 1010);
        assert_eq!(round_cash(1025, "dkk"), 1050);
        assert_eq!(round_cash(1049, "sek"), 1000);
        assert_eq!(round_cash(1050, "sek"), 1100);
        assert_eq!(round_cash(1003, "usd"), 1003);
        assert_eq!(round_cash(1003, "eur"), 1003);
    }
}
