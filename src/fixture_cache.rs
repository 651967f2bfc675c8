//! A disk cache of seeded fixture images, so `serve --demo` / `serve --fixture FILE` start in
//! a few milliseconds from the second run on.
//!
//! Creating ~200 tables, indexes and triggers costs SQLite ~6 ms whatever we do, and loading
//! the demo catalog another ~10 ms; a storefront's test runner starts one server per test file,
//! many times a day, with the same fixture. So the first start saves the seeded database (the
//! exact image `reset` restores) with the clock and ID-generator position next to it, and later
//! starts restore that image instead of migrating and seeding: the same bytes, so the same
//! answers, IDs and timestamps.
//!
//! The key is a SHA-256 of everything the image depends on: the executable (path, size,
//! modification time — it holds the seeding code and the migrations), the engine's schema
//! fingerprint (custom modules), the fixture text and the admin override. A damaged entry is
//! ignored and rewritten. Entries live in a per-user directory (`$XDG_CACHE_HOME` or
//! `~/.cache`, created 0700), never in a shared temp dir, since a planted image would be
//! served as the store. Only the newest [`KEEP`] entries are kept.

use crate::config::AdminOverride;
use crate::db::StoreImage;
use crate::error::{Error, Result};
use crate::flows::seed::SeedSummary;
use crate::id::IdState;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Entries kept in the directory (each ~2 MB for the demo).
pub const KEEP: usize = 8;

/// A seeded state read back from the cache.
pub struct CachedSeed {
    /// The database right after seeding.
    pub image: StoreImage,
    /// The fixture clock then.
    pub clock_ms: i64,
    /// The ID generator's position then.
    pub ids: IdState,
    /// What the seeding printed (keys, admin emails).
    pub summary: SeedSummary,
}

/// The sidecar file next to an image.
#[derive(Serialize, Deserialize)]
struct Sidecar {
    clock_ms: i64,
    ids: String,
    publishable_keys: Vec<String>,
    admin_emails: Vec<String>,
    #[serde(default)]
    base_url: String,
}

/// The cache directory and the key of one fixture.
#[derive(Debug, Clone)]
pub struct FixtureCache {
    dir: PathBuf,
    key: String,
}

impl FixtureCache {
    /// The default directory: `$XDG_CACHE_HOME/stockroom/fixtures`, else
    /// `$HOME/.cache/stockroom/fixtures`; `None` without either.
    pub fn default_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
        let base = env("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                env("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| Path::new(&h).join(".cache"))
            })?;
        Some(base.join("stockroom").join("fixtures"))
    }

    /// The entry for `fixture_text` loaded by this executable into `schema_fingerprint`'s
    /// schema with `admin` applied.
    pub fn new(
        dir: &Path,
        fixture_text: &str,
        admin: &AdminOverride,
        schema_fingerprint: &str,
    ) -> FixtureCache {
        let mut hash = Sha256::new();
        for part in [
            env!("CARGO_PKG_VERSION"),
            &executable_identity(),
            schema_fingerprint,
            fixture_text,
            admin.email.as_deref().unwrap_or("\u{0}"),
            admin.password.as_deref().unwrap_or("\u{0}"),
        ] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        let key = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        FixtureCache {
            dir: dir.to_path_buf(),
            key,
        }
    }

    fn image_path(&self) -> PathBuf {
        self.dir.join(format!("{}.db", self.key))
    }

    fn sidecar_path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.key))
    }

    /// The cached seeded state, if there is a sound one.
    pub fn load(&self) -> Option<CachedSeed> {
        let text = std::fs::read_to_string(self.sidecar_path()).ok()?;
        let sidecar: Sidecar = serde_json::from_str(&text).ok()?;
        let ids = IdState::decode(&sidecar.ids)?;
        let image = StoreImage::read_from(&self.image_path()).ok()?;
        Some(CachedSeed {
            image,
            clock_ms: sidecar.clock_ms,
            ids,
            summary: SeedSummary {
                publishable_keys: sidecar.publishable_keys,
                admin_emails: sidecar.admin_emails,
                base_url: sidecar.base_url,
            },
        })
    }

    /// Saves a seeded state: the sidecar first, then the image under a temporary name renamed
    /// into place, so a reader never sees an image without its sidecar or half an image.
    /// Then drops all but the newest [`KEEP`] entries.
    ///
    /// # Errors
    /// The directory or the files cannot be written.
    pub fn save(
        &self,
        image: &StoreImage,
        clock_ms: i64,
        ids: IdState,
        summary: &SeedSummary,
    ) -> Result<()> {
        create_private_dir(&self.dir)?;
        let sidecar = Sidecar {
            clock_ms,
            ids: ids.encode(),
            publishable_keys: summary.publishable_keys.clone(),
            admin_emails: summary.admin_emails.clone(),
            base_url: summary.base_url.clone(),
        };
        std::fs::write(self.sidecar_path(), serde_json::to_vec(&sidecar)?).map_err(io)?;
        let temporary = self
            .dir
            .join(format!("{}.{}.tmp", self.key, std::process::id()));
        let _ = std::fs::remove_file(&temporary);
        image.write_to(&temporary)?;
        std::fs::rename(&temporary, self.image_path()).map_err(io)?;
        self.prune();
        Ok(())
    }

    /// Keeps the newest [`KEEP`] images (and their sidecars); best effort.
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut images: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "db"))
            .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
            .collect();
        images.sort_by_key(|image| std::cmp::Reverse(image.0));
        for (_, old) in images.into_iter().skip(KEEP) {
            let _ = std::fs::remove_file(old.with_extension("json"));
            let _ = std::fs::remove_file(old);
        }
    }
}

/// Path, size and modification time of the running executable ("" if unknown, which still
/// keys correctly within one build of a test binary).
fn executable_identity() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return String::new();
    };
    let Ok(meta) = exe.metadata() else {
        return exe.display().to_string();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{}|{}|{modified}", exe.display(), meta.len())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io)
}

fn io(e: std::io::Error) -> Error {
    Error::Internal(format!("fixture cache: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> AdminOverride {
        AdminOverride::default()
    }

    #[test]
    fn the_key_changes_with_the_fixture_the_admin_and_the_schema() {
        let dir = Path::new("/nowhere");
        let base = FixtureCache::new(dir, "{}", &admin(), "s1").key;
        assert_eq!(base, FixtureCache::new(dir, "{}", &admin(), "s1").key);
        assert_ne!(base, FixtureCache::new(dir, "{ }", &admin(), "s1").key);
        assert_ne!(base, FixtureCache::new(dir, "{}", &admin(), "s2").key);
        let other = AdminOverride {
            email: Some("a@b.c".into()),
            password: None,
        };
        assert_ne!(base, FixtureCache::new(dir, "{}", &other, "s1").key);
    }

    #[test]
    fn the_default_dir_is_per_user() {
        let env = |k: &str| (k == "HOME").then(|| "/home/ada".to_string());
        assert_eq!(
            FixtureCache::default_dir(&env),
            Some(PathBuf::from("/home/ada/.cache/stockroom/fixtures"))
        );
        let xdg = |k: &str| (k == "XDG_CACHE_HOME").then(|| "/c".to_string());
        assert_eq!(
            FixtureCache::default_dir(&xdg),
            Some(PathBuf::from("/c/stockroom/fixtures"))
        );
        assert_eq!(FixtureCache::default_dir(&|_| None), None);
    }

    #[test]
    fn id_state_text_round_trips() {
        let text = "1704067200000:ff00:42";
        let state = IdState::decode(text).unwrap();
        assert_eq!(state.encode(), text);
        assert!(IdState::decode("1:2").is_none());
        assert!(IdState::decode("1:zz:3").is_none());
        assert!(IdState::decode("1:2:3:4").is_none());
    }
}
