//! The email check behind [`Kind::Email`](super::Kind::Email): zod's `z.string().email()`,
//! which Medusa applies to cart and customer emails. zod 3 tests the regex
//!
//! ```text
//! ^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$   (case-insensitive)
//! ```
//!
//! written out here as plain functions (no regex crate for one pattern). The same addresses
//! pass and fail as on Medusa, so control characters, angle brackets, quotes beyond `'` and
//! non-ASCII never reach a stored email.

/// Whether `s` is an email address as zod's `.email()` accepts it: a local part of ASCII
/// letters, digits and `_ ' + - .` that neither starts nor ends with a dot (nor ends with
/// `'`), no `..` anywhere, `@`, then dot-separated domain labels (each starting with a
/// letter or digit, then letters, digits, `-`) ending in a top-level label of 2+ letters.
pub fn is_email(s: &str) -> bool {
    if s.contains("..") {
        return false;
    }
    // The local part's character class has no `@`, so the first `@` is the only split
    // that can match.
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    local_part_ok(local) && domain_ok(domain)
}

/// `(?!\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]`: no leading dot; the last character is narrower.
fn local_part_ok(local: &str) -> bool {
    let Some(last) = local.chars().last() else {
        return false;
    };
    !local.starts_with('.')
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_'+-.".contains(c))
        && (last.is_ascii_alphanumeric() || "_+-".contains(last))
}

/// `([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}`: one or more labels, then the top-level label.
fn domain_ok(domain: &str) -> bool {
    let Some((labels, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && labels.split('.').all(label_ok)
}

fn label_ok(label: &str) -> bool {
    label
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::is_email;

    #[track_caller]
    fn check(input: &str, expected: bool) {
        assert_eq!(is_email(input), expected, "{input:?}");
    }

    #[test]
    fn accepts_ordinary_addresses() {
        check("jane@example.com", true);
        check("Jane.Doe@Example.COM", true);
        check("jane+orders@example.com", true);
        check("o'brien@example.ie", true);
        check("a_b-c@mail.shop.example.co.uk", true);
        check("1@2a.io", true);
        check("x@my-shop.example", true);
        check("x@label-.example", true); // zod's label class lets a label end with '-'
    }

    #[test]
    fn refuses_what_zod_refuses() {
        check("", false);
        check("not-an-email", false);
        check("a@b", false);
        check("a@b.c", false);
        check("a@b.c1", false);
        check("@example.com", false);
        check("jane@", false);
        check("jane@.example.com", false);
        check("jane@-shop.example.com", false);
        check("jane@example..com", false);
        check(".jane@example.com", false);
        check("jane.@example.com", false);
        check("ja..ne@example.com", false);
        check("jane'@example.com", false);
        check("jane@exa_mple.com", false);
        check("a@b@example.com", false);
        check("jane doe@example.com", false);
    }

    #[test]
    fn refuses_hostile_characters() {
        check("\u{0}@example.com", false);
        check("<script>x</script>@example.com", false);
        check("jane@example.com\n", false);
        check("jane\r\n@example.com", false);
        check("\"jane\"@example.com", false);
        check("jané@example.com", false);
        check("jane@exämple.com", false);
        check("jane@example.com>", false);
    }
}
