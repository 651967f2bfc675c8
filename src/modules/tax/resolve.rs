//! Which rates apply to a line (Medusa's tax resolution): rates whose rules name the line's
//! product or product type beat the default rate of the same region; a province region beats
//! its country, except that a combinable province rate applies together with the country's.

use super::TaxRate;

/// What a line is taxed as.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The product.
    pub product_id: &'a str,
    /// The product's type.
    pub product_type_id: Option<&'a str>,
}

fn matches(rate: &TaxRate, line: &Line) -> bool {
    rate.rules
        .iter()
        .any(|(reference, id)| match reference.as_str() {
            "product" => id == line.product_id,
            "product_type" => line.product_type_id == Some(id.as_str()),
            _ => false,
        })
}

/// The rates of one region for the line: overrides that match it, else the default.
pub fn of_region(rates: &[TaxRate], line: &Line) -> Vec<TaxRate> {
    let overrides: Vec<TaxRate> = rates.iter().filter(|r| matches(r, line)).cloned().collect();
    if !overrides.is_empty() {
        return overrides;
    }
    rates.iter().filter(|r| r.is_default).cloned().collect()
}

/// The rates for the line given its country's and (possibly empty) province's rates.
pub fn applicable(country: &[TaxRate], province: &[TaxRate], line: &Line) -> Vec<TaxRate> {
    let from_province = of_region(province, line);
    if from_province.is_empty() {
        return of_region(country, line);
    }
    if from_province.iter().all(|r| r.is_combinable) {
        let mut all = of_region(country, line);
        all.extend(from_province);
        return all;
    }
    from_province
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Rate;

    fn rate(
        id: &str,
        percent: &str,
        default: bool,
        combinable: bool,
        rules: &[(&str, &str)],
    ) -> TaxRate {
        TaxRate {
            id: id.into(),
            tax_region_id: "txreg".into(),
            rate: Rate::parse_percent(percent).ok(),
            code: id.into(),
            name: id.into(),
            is_default: default,
            is_combinable: combinable,
            metadata: None,
            updated_at: String::new(),
            rules: rules
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            rule_ids: Vec::new(),
            created_at: String::new(),
        }
    }

    #[track_caller]
    fn check(
        country: &[TaxRate],
        province: &[TaxRate],
        product: &str,
        kind: Option<&str>,
        want: &[&str],
    ) {
        let line = Line {
            product_id: product,
            product_type_id: kind,
        };
        let got: Vec<String> = applicable(country, province, &line)
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn default_rate_of_the_country() {
        check(
            &[rate("de", "19", true, false, &[])],
            &[],
            "prod_1",
            None,
            &["de"],
        );
    }

    #[test]
    fn product_and_type_overrides_beat_the_default() {
        let country = [
            rate("std", "19", true, false, &[]),
            rate(
                "books",
                "7",
                false,
                false,
                &[("product_type", "ptyp_books")],
            ),
            rate("one", "0", false, false, &[("product", "prod_free")]),
        ];
        check(&country, &[], "prod_1", Some("ptyp_books"), &["books"]);
        check(&country, &[], "prod_free", None, &["one"]);
        check(&country, &[], "prod_2", Some("ptyp_other"), &["std"]);
    }

    #[test]
    fn province_beats_country_unless_combinable() {
        let country = [rate("ca", "5", true, false, &[])];
        check(
            &country,
            &[rate("qc", "9.975", true, true, &[])],
            "p",
            None,
            &["ca", "qc"],
        );
        check(
            &country,
            &[rate("on", "13", true, false, &[])],
            "p",
            None,
            &["on"],
        );
        check(&country, &[], "p", None, &["ca"]);
    }
}
