//! The ISO 3166 countries a region can hold (Medusa seeds the same data into
//! `region_country`). A compact subset: the Americas, Europe and Asia-Pacific markets a small
//! shop sells to; extend the table to add more.

/// `(iso_2, iso_3, num_code, NAME, Display name)`.
pub type CountryData = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Every known country, by `iso_2`.
pub const COUNTRIES: &[CountryData] = &[
    ("at", "aut", "040", "AUSTRIA", "Austria"),
    ("au", "aus", "036", "AUSTRALIA", "Australia"),
    ("be", "bel", "056", "BELGIUM", "Belgium"),
    ("bg", "bgr", "100", "BULGARIA", "Bulgaria"),
    ("br", "bra", "076", "BRAZIL", "Brazil"),
    ("ca", "can", "124", "CANADA", "Canada"),
    ("ch", "che", "756", "SWITZERLAND", "Switzerland"),
    ("cy", "cyp", "196", "CYPRUS", "Cyprus"),
    ("cz", "cze", "203", "CZECH REPUBLIC", "Czech Republic"),
    ("de", "deu", "276", "GERMANY", "Germany"),
    ("dk", "dnk", "208", "DENMARK", "Denmark"),
    ("ee", "est", "233", "ESTONIA", "Estonia"),
    ("es", "esp", "724", "SPAIN", "Spain"),
    ("fi", "fin", "246", "FINLAND", "Finland"),
    ("fr", "fra", "250", "FRANCE", "France"),
    ("gb", "gbr", "826", "UNITED KINGDOM", "United Kingdom"),
    ("gr", "grc", "300", "GREECE", "Greece"),
    ("hr", "hrv", "191", "CROATIA", "Croatia"),
    ("hu", "hun", "348", "HUNGARY", "Hungary"),
    ("ie", "irl", "372", "IRELAND", "Ireland"),
    ("in", "ind", "356", "INDIA", "India"),
    ("it", "ita", "380", "ITALY", "Italy"),
    ("jp", "jpn", "392", "JAPAN", "Japan"),
    ("lt", "ltu", "440", "LITHUANIA", "Lithuania"),
    ("lu", "lux", "442", "LUXEMBOURG", "Luxembourg"),
    ("lv", "lva", "428", "LATVIA", "Latvia"),
    ("mt", "mlt", "470", "MALTA", "Malta"),
    ("mx", "mex", "484", "MEXICO", "Mexico"),
    ("nl", "nld", "528", "NETHERLANDS", "Netherlands"),
    ("no", "nor", "578", "NORWAY", "Norway"),
    ("nz", "nzl", "554", "NEW ZEALAND", "New Zealand"),
    ("pl", "pol", "616", "POLAND", "Poland"),
    ("pt", "prt", "620", "PORTUGAL", "Portugal"),
    ("ro", "rou", "642", "ROMANIA", "Romania"),
    ("se", "swe", "752", "SWEDEN", "Sweden"),
    ("si", "svn", "705", "SLOVENIA", "Slovenia"),
    ("sk", "svk", "703", "SLOVAKIA", "Slovakia"),
    ("us", "usa", "840", "UNITED STATES", "United States"),
];

/// The country with this `iso_2` code (case-insensitive).
pub fn find(iso_2: &str) -> Option<&'static CountryData> {
    let code = iso_2.to_ascii_lowercase();
    COUNTRIES.iter().find(|c| c.0 == code)
}
