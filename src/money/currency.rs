//! ISO 4217 minor-unit exponents: the table of currency codes and the
//! lookups that tell how many decimals an amount in a currency carries.

use super::{MoneyError, snippet};

/// Exponent assumed by the renderers for a currency code missing from the
/// table; two decimals is what most of the world and Medusa's admin assume.
pub const DEFAULT_EXPONENT: u32 = 2;

/// ISO 4217 minor-unit exponents, sorted by code for binary search.
///
/// All active codes with a defined minor unit, including the fund codes
/// (`bov`, `che`, `chw`, `clf`, `cou`, `mxv`, `usn`, `uyi`, `uyw`). Codes
/// without a minor unit (`xau`, `xdr`, …) are not money we can price in.
/// A few recently withdrawn codes (`cuc`, `hrk`, `sll`, `zwl`) stay so that
/// old orders keep rendering.
pub(super) const CURRENCIES: &[(&str, u32)] = &[
    ("aed", 2),
    ("afn", 2),
    ("all", 2),
    ("amd", 2),
    ("ang", 2),
    ("aoa", 2),
    ("ars", 2),
    ("aud", 2),
    ("awg", 2),
    ("azn", 2),
    ("bam", 2),
    ("bbd", 2),
    ("bdt", 2),
    ("bgn", 2),
    ("bhd", 3),
    ("bif", 0),
    ("bmd", 2),
    ("bnd", 2),
    ("bob", 2),
    ("bov", 2),
    ("brl", 2),
    ("bsd", 2),
    ("btn", 2),
    ("bwp", 2),
    ("byn", 2),
    ("bzd", 2),
    ("cad", 2),
    ("cdf", 2),
    ("che", 2),
    ("chf", 2),
    ("chw", 2),
    ("clf", 4),
    ("clp", 0),
    ("cny", 2),
    ("cop", 2),
    ("cou", 2),
    ("crc", 2),
    ("cuc", 2),
    ("cup", 2),
    ("cve", 2),
    ("czk", 2),
    ("djf", 0),
    ("dkk", 2),
    ("dop", 2),
    ("dzd", 2),
    ("egp", 2),
    ("ern", 2),
    ("etb", 2),
    ("eur", 2),
    ("fjd", 2),
    ("fkp", 2),
    ("gbp", 2),
    ("gel", 2),
    ("ghs", 2),
    ("gip", 2),
    ("gmd", 2),
    ("gnf", 0),
    ("gtq", 2),
    ("gyd", 2),
    ("hkd", 2),
    ("hnl", 2),
    ("hrk", 2),
    ("htg", 2),
    ("huf", 2),
    ("idr", 2),
    ("ils", 2),
    ("inr", 2),
    ("iqd", 3),
    ("irr", 2),
    ("isk", 0),
    ("jmd", 2),
    ("jod", 3),
    ("jpy", 0),
    ("kes", 2),
    ("kgs", 2),
    ("khr", 2),
    ("kmf", 0),
    ("kpw", 2),
    ("krw", 0),
    ("kwd", 3),
    ("kyd", 2),
    ("kzt", 2),
    ("lak", 2),
    ("lbp", 2),
    ("lkr", 2),
    ("lrd", 2),
    ("lsl", 2),
    ("lyd", 3),
    ("mad", 2),
    ("mdl", 2),
    ("mga", 2),
    ("mkd", 2),
    ("mmk", 2),
    ("mnt", 2),
    ("mop", 2),
    ("mru", 2),
    ("mur", 2),
    ("mvr", 2),
    ("mwk", 2),
    ("mxn", 2),
    ("mxv", 2),
    ("myr", 2),
    ("mzn", 2),
    ("nad", 2),
    ("ngn", 2),
    ("nio", 2),
    ("nok", 2),
    ("npr", 2),
    ("nzd", 2),
    ("omr", 3),
    ("pab", 2),
    ("pen", 2),
    ("pgk", 2),
    ("php", 2),
    ("pkr", 2),
    ("pln", 2),
    ("pyg", 0),
    ("qar", 2),
    ("ron", 2),
    ("rsd", 2),
    ("rub", 2),
    ("rwf", 0),
    ("sar", 2),
    ("sbd", 2),
    ("scr", 2),
    ("sdg", 2),
    ("sek", 2),
    ("sgd", 2),
    ("shp", 2),
    ("sle", 2),
    ("sll", 2),
    ("sos", 2),
    ("srd", 2),
    ("ssp", 2),
    ("stn", 2),
    ("svc", 2),
    ("syp", 2),
    ("szl", 2),
    ("thb", 2),
    ("tjs", 2),
    ("tmt", 2),
    ("tnd", 3),
    ("top", 2),
    ("try", 2),
    ("ttd", 2),
    ("twd", 2),
    ("tzs", 2),
    ("uah", 2),
    ("ugx", 0),
    ("usd", 2),
    ("usn", 2),
    ("uyi", 0),
    ("uyu", 2),
    ("uyw", 4),
    ("uzs", 2),
    ("ved", 2),
    ("ves", 2),
    ("vnd", 0),
    ("vuv", 0),
    ("wst", 2),
    ("xaf", 0),
    ("xcd", 2),
    ("xcg", 2),
    ("xof", 0),
    ("xpf", 0),
    ("yer", 2),
    ("zar", 2),
    ("zmw", 2),
    ("zwg", 2),
    ("zwl", 2),
];

/// ISO 4217 minor-unit exponent of a currency code (case-insensitive), so
/// callers know how many decimals a major amount may carry; `None` if unknown.
pub fn currency_exponent(code: &str) -> Option<u32> {
    let Ok(upper_or_lower) = <[u8; 3]>::try_from(code.as_bytes()) else {
        return None;
    };
    // Every rendered amount looks its currency up (~150 per checkout): the code is packed
    // into an integer and searched among the codes packed the same way, in the same order.
    let key = pack(upper_or_lower.map(|b| b.to_ascii_lowercase()));
    CURRENCY_KEYS
        .binary_search(&key)
        .ok()
        .and_then(|index| CURRENCIES.get(index))
        .map(|&(_, exponent)| exponent)
}

/// Three bytes as one integer, most significant first: integers compare as the codes do.
const fn pack(code: [u8; 3]) -> u32 {
    ((code[0] as u32) << 16) | ((code[1] as u32) << 8) | code[2] as u32
}

/// [`CURRENCIES`]' codes packed ([`pack`]), index for index.
static CURRENCY_KEYS: [u32; CURRENCIES.len()] = {
    let mut keys = [0; CURRENCIES.len()];
    let mut i = 0;
    while i < CURRENCIES.len() {
        let code = CURRENCIES[i].0.as_bytes();
        assert!(code.len() == 3, "currency codes have three letters");
        keys[i] = pack([code[0], code[1], code[2]]);
        i += 1;
    }
    keys
};

/// Like [`currency_exponent`] but as an error, for validating input at the
/// API edge.
pub fn require_exponent(code: &str) -> Result<u32, MoneyError> {
    currency_exponent(code).ok_or_else(|| MoneyError::UnknownCurrency {
        code: snippet(code),
    })
}

/// Exponent used when rendering, where failing is not an option: unknown
/// codes fall back to [`DEFAULT_EXPONENT`]. Validate codes on the way in.
pub fn exponent_or_default(code: &str) -> u32 {
    currency_exponent(code).unwrap_or(DEFAULT_EXPONENT)
}
