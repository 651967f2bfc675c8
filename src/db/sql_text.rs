//! SQL texts built once. Services shared by several tables (line items of carts and orders,
//! links, addresses) build their statements from table and column names, and a `format!` per
//! statement per call cost ~1,000 instructions and an allocation, ~400 times per checkout.
//! [`sql_text!`](crate::sql_text) builds a call site's text the first time it sees a set of
//! names and hands out the same `&'static str` after that.
//!
//! The names must be `&'static str` (table and column names of module definitions, never
//! input), so a call site keeps one text per distinct set of names: a bounded set, kept for
//! the life of the process.

use std::sync::Mutex;

/// The addresses and lengths of the names a text was built from: `&'static str`s, so the same
/// address and length always mean the same name.
type Key = Vec<(usize, usize)>;

/// One call site's texts, by the names they were built from.
pub struct Texts(Mutex<Vec<(Key, &'static str)>>);

impl Texts {
    /// An empty cache, for a `static`.
    #[must_use]
    pub const fn new() -> Texts {
        Texts(Mutex::new(Vec::new()))
    }

    /// The text for `names`, built by `build` the first time.
    pub fn get(&self, names: &[&'static str], build: impl FnOnce() -> String) -> &'static str {
        let same = |key: &Key| {
            key.len() == names.len()
                && key
                    .iter()
                    .zip(names)
                    .all(|(&(ptr, len), name)| ptr == name.as_ptr() as usize && len == name.len())
        };
        let mut texts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, text)) = texts.iter().find(|(key, _)| same(key)) {
            return text;
        }
        let key = names
            .iter()
            .map(|n| (n.as_ptr() as usize, n.len()))
            .collect();
        let text: &'static str = Box::leak(build().into_boxed_str());
        texts.push((key, text));
        text
    }
}

impl Default for Texts {
    fn default() -> Texts {
        Texts::new()
    }
}

/// `sql_text!([name, …], "format", args…)`: the `format!` text, built once per distinct set
/// of `&'static str` names at this call site (see [`crate::db::sql_text`]). The names are the
/// values the format uses that vary between calls; everything else must be constant (`[]`
/// when nothing varies: a text built from constants, once).
#[macro_export]
macro_rules! sql_text {
    ([$($name:expr),* $(,)?], $($format:tt)+) => {{
        static TEXTS: $crate::db::sql_text::Texts = $crate::db::sql_text::Texts::new();
        TEXTS.get(&[$($name),*], || format!($($format)+))
    }};
}

#[cfg(test)]
mod tests {
    fn select(table: &'static str, column: &'static str) -> &'static str {
        crate::sql_text!([table, column], "SELECT {column} FROM {table}")
    }

    #[test]
    fn a_text_is_built_once_per_set_of_names() {
        let first = select("cart", "id");
        assert_eq!(first, "SELECT id FROM cart");
        assert!(std::ptr::eq(first, select("cart", "id")));
        let other = select("order", "id");
        assert_eq!(other, "SELECT id FROM order");
        assert!(!std::ptr::eq(first, other));
        assert!(std::ptr::eq(other, select("order", "id")));
    }

    #[test]
    fn names_that_differ_only_in_length_are_different_names() {
        let long: &'static str = "cart_line_item";
        let short = &long[..4];
        assert_eq!(select(short, "id"), "SELECT id FROM cart");
        assert_eq!(select(long, "id"), "SELECT id FROM cart_line_item");
    }
}
