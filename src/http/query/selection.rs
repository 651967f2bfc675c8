//! Medusa's `fields=` selection grammar: [`FieldsSpec`] classifies each
//! entry of a `fields=` list, [`parse_fields`] applies the entries to a
//! route's defaults, and the resulting [`FieldSelection`] answers which
//! scalars and relations a response must carry.

use std::collections::BTreeSet;

/// One entry of a `fields=` list, classified as Medusa's `FieldParser` does;
/// exposed so callers can inspect or log what a client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldsSpec {
    /// `title`, `variants.sku`: no prefix, so the defaults are replaced.
    Plain(String),
    /// `+title` (or ` title`, an unencoded `+` decoded to a space): added
    /// to the defaults.
    Add(String),
    /// `-title`: removes `title` and everything below it (`title.*`,
    /// `*title`, `title.x`); `-*` removes all top-level scalars.
    Remove(String),
    /// `*variants` or `variants.*` (also `+*variants`): relation `variants`
    /// with all its scalar columns.  Holds the relation path without markers.
    Star(String),
    /// A lone `*`: keeps only the top-level scalar defaults (drops default
    /// relations) and never replaces the defaults.
    Wildcard,
}

impl FieldsSpec {
    /// Splits a raw `fields=` value on commas and classifies each entry;
    /// entries that are empty after trimming (trailing comma, `", "`
    /// separators) are ignored.
    pub fn parse_list(fields: &str) -> Vec<FieldsSpec> {
        fields
            .split(',')
            .filter_map(FieldsSpec::parse_entry)
            .collect()
    }

    fn parse_entry(raw: &str) -> Option<FieldsSpec> {
        let additive = raw.starts_with(char::is_whitespace);
        let entry = raw.trim();
        if entry.is_empty() {
            return None;
        }
        if entry == "*" {
            return Some(FieldsSpec::Wildcard);
        }
        if let Some(rest) = entry.strip_prefix('-') {
            let rest = rest.trim_start();
            return (!rest.is_empty()).then(|| FieldsSpec::Remove(rest.to_string()));
        }
        let (plus, body) = match entry.strip_prefix('+') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, entry),
        };
        if body.starts_with('*') || body.ends_with(".*") {
            let rel = body.strip_prefix('*').unwrap_or(body);
            let rel = rel.strip_suffix(".*").unwrap_or(rel);
            return (!rel.is_empty()).then(|| FieldsSpec::Star(rel.to_string()));
        }
        if body.is_empty() {
            return None;
        }
        Some(if plus || additive {
            FieldsSpec::Add(body.to_string())
        } else {
            FieldsSpec::Plain(body.to_string())
        })
    }
}

/// The resolved `fields=` selection of one request: which scalar paths and
/// which relations to load and serialise.
///
/// Internally it is Medusa's pair of sets: `fields` (scalar paths such as
/// `title`, `variants.sku`, always `id` once a `fields=` was sent) and
/// `star_relations` (relation paths whose scalar columns are all wanted,
/// from `*rel` / `rel.*`).  A plain entry naming a relation (`+tags`, as the
/// Next.js starter sends) is treated like `*tags`, since a relation has no
/// scalar value of its own; the caller decides which names are relations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelection {
    fields: BTreeSet<String>,
    star_relations: BTreeSet<String>,
}

/// Applies Medusa's `fields=` grammar to a route's `defaults` so responses
/// carry exactly what the client asked for.
///
/// 1. Entries are split on commas and classified ([`FieldsSpec`]).
/// 2. If any entry is [`FieldsSpec::Plain`] (and there is no lone `*`), the
///    defaults are dropped and only the listed entries count; if there are
///    no entries at all (`fields=`) only `id` remains.  Otherwise the
///    defaults are the starting point (with a lone `*` dropping the
///    defaults' relations and nested paths).
/// 3. Entries are applied left to right: plain/`+x` add `x`, `*rel`/`rel.*`
///    add a star relation, `-x` removes `x`, `*x`, and every `x.…` entry.
///    (Unlike Medusa, `-x` also removes in replace mode instead of adding.)
/// 4. `id` is always added.
///
/// When the client sent no `fields` at all, use
/// [`FieldSelection::from_defaults`] instead (Medusa then adds no `id`).
pub fn parse_fields(fields: &str, defaults: &[&str]) -> FieldSelection {
    let specs = FieldsSpec::parse_list(fields);
    let wildcard = specs.contains(&FieldsSpec::Wildcard);
    let replace =
        !wildcard && (specs.is_empty() || specs.iter().any(|s| matches!(s, FieldsSpec::Plain(_))));
    let mut set: BTreeSet<String> = if replace {
        BTreeSet::new()
    } else {
        defaults.iter().map(|d| d.to_string()).collect()
    };
    if wildcard {
        set.retain(|f| f != "*" && !f.contains('.') && !f.starts_with('*'));
    }
    for spec in specs {
        apply_spec(&mut set, spec);
    }
    set.insert("id".to_string());
    FieldSelection::from_set(set)
}

fn apply_spec(set: &mut BTreeSet<String>, spec: FieldsSpec) {
    match spec {
        FieldsSpec::Plain(f) | FieldsSpec::Add(f) => {
            set.insert(f);
        }
        FieldsSpec::Star(rel) => {
            set.insert(format!("*{rel}"));
        }
        FieldsSpec::Remove(name) => set.retain(|f| !removed_by(f, &name)),
        FieldsSpec::Wildcard => {}
    }
}

/// Medusa's `-name` rule: the entry itself (also as `*name`), anything below
/// it, or for `-*` every top-level scalar.
fn removed_by(entry: &str, name: &str) -> bool {
    let bare = if entry == "*" {
        entry
    } else {
        entry.strip_prefix('*').unwrap_or(entry)
    };
    if bare == name {
        return true;
    }
    if name == "*" {
        return !entry.contains('.') && !entry.starts_with('*');
    }
    bare.strip_prefix(name)
        .is_some_and(|rest| rest.starts_with('.'))
}

fn parent_path(path: &str) -> Option<&str> {
    path.rfind('.').map(|i| &path[..i])
}

fn is_under(path: &str, rel: &str) -> bool {
    path.strip_prefix(rel)
        .is_some_and(|rest| rest.starts_with('.'))
}

impl FieldSelection {
    /// The selection when the request had no `fields` parameter: the
    /// route's defaults as they are (star entries become star relations).
    pub fn from_defaults(defaults: &[&str]) -> FieldSelection {
        FieldSelection::from_set(defaults.iter().map(|d| d.to_string()).collect())
    }

    /// Medusa's `extractStarFields`: `*rel` / `rel.*` leave the field set and
    /// become star relations.
    fn from_set(set: BTreeSet<String>) -> FieldSelection {
        let mut selection = FieldSelection::default();
        for entry in set {
            if entry != "*" && (entry.starts_with('*') || entry.ends_with(".*")) {
                let rel = entry.strip_prefix('*').unwrap_or(&entry);
                let rel = rel.strip_suffix(".*").unwrap_or(rel);
                if !rel.is_empty() {
                    selection.star_relations.insert(rel.to_string());
                }
            } else {
                selection.fields.insert(entry);
            }
        }
        selection
    }

    /// Whether the scalar at `path` (`"title"`, `"variants.sku"`,
    /// `"items.variant.sku"`) is selected: listed exactly, or its parent
    /// relation has all columns ([`Self::relation_all_columns`]).
    pub fn includes(&self, path: &str) -> bool {
        self.fields.contains(path)
            || parent_path(path).is_some_and(|p| self.relation_all_columns(p))
    }

    /// Whether relation `rel` (`"variants"`, `"variants.calculated_price"`,
    /// `"items.variant"`) must be loaded: it is a star relation, listed as a
    /// plain entry, or anything below it is selected (`variants.sku` or
    /// `*variants.calculated_price` both need `variants`).
    pub fn includes_relation(&self, rel: &str) -> bool {
        self.relation_all_columns(rel)
            || self.fields.iter().any(|f| is_under(f, rel))
            || self.star_relations.iter().any(|s| is_under(s, rel))
    }

    /// Whether every scalar column of relation `rel` is wanted (`*rel`,
    /// `rel.*`, or a plain entry equal to `rel`); if false but
    /// [`Self::includes_relation`] is true, only the listed
    /// `rel.col` paths (see [`Self::nested_columns`]) are wanted.
    pub fn relation_all_columns(&self, rel: &str) -> bool {
        self.star_relations.contains(rel) || self.fields.contains(rel)
    }

    /// Top-level entries without a dot (`id`, `title`, also plain relation
    /// names like `tags`), sorted; intersect with the entity's real columns.
    pub fn top_level_scalars(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| !f.contains('.'))
            .map(String::as_str)
            .collect()
    }

    /// The explicitly listed direct columns of relation `rel`
    /// (`variants.sku` → `sku` for `rel = "variants"`), sorted.
    pub fn nested_columns(&self, rel: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter_map(|f| f.strip_prefix(rel)?.strip_prefix('.'))
            .filter(|col| !col.contains('.'))
            .collect()
    }

    /// All non-star entries (Medusa's `fields` set), for logging and tests.
    pub fn fields(&self) -> &BTreeSet<String> {
        &self.fields
    }

    /// All relation paths selected with all columns (Medusa's `starFields`).
    pub fn star_relations(&self) -> &BTreeSet<String> {
        &self.star_relations
    }
}
