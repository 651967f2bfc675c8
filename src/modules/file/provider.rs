//! File providers (Medusa's `IFileProvider`): upload, get and delete. The file module uses
//! exactly one provider, as Medusa's does; `EngineBuilder::file_provider` replaces the
//! built-in [`LocalProvider`], which keeps the bytes in the store itself (`file_blob`) and
//! serves them at `/static/<key>`.
//!
//! A provider is called from a request's worker, outside any write job: a remote provider
//! may take its time; the local one writes through `store.write` like any service.

use super::{NewFile, StoredFile};
use crate::ctx::Ctx;
use crate::db::Store;
use crate::error::Result;

/// The local provider's id.
pub const LOCAL: &str = "local";

/// A file as Medusa answers it: `{id, url}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The provider's id of the file.
    pub id: String,
    /// Where the file can be downloaded.
    pub url: String,
}

/// What a provider call may need from the engine: its store (the local provider keeps files
/// there), its context (ids, clock) and the base URL files are served from
/// (`http://<host>`, for the local provider's `/static` links).
pub struct FileCall<'a> {
    /// The engine's store.
    pub store: &'a Store,
    /// The engine's context.
    pub ctx: &'a Ctx,
    /// `http://<host>` of the request.
    pub base_url: &'a str,
}

/// A file provider.
pub trait FileProvider: Send + Sync {
    /// The provider id.
    fn id(&self) -> &'static str;
    /// Stores the files (all or none) and answers where each can be fetched.
    ///
    /// # Errors
    /// A file the provider refuses (400), or a provider failure.
    fn upload(&self, call: &FileCall, files: Vec<NewFile>) -> Result<Vec<FileRef>>;
    /// A stored file.
    ///
    /// # Errors
    /// 404 for an unknown id; a provider failure.
    fn get(&self, call: &FileCall, id: &str) -> Result<FileRef>;
    /// Deletes a file; an unknown id is not an error (Medusa's `deleteFiles`).
    ///
    /// # Errors
    /// A provider failure.
    fn delete(&self, call: &FileCall, id: &str) -> Result<()>;
}

/// `local`: the bytes live in the store's `file_blob` table (one SQLite file is the whole
/// shop) and are served by `/static/<id>-<name>` with ranges and an `ETag`.
pub struct LocalProvider;

impl LocalProvider {
    fn reference(call: &FileCall, stored: &StoredFile) -> FileRef {
        FileRef {
            id: stored.id.clone(),
            url: format!("{}/static/{}", call.base_url, stored.key()),
        }
    }
}

impl FileProvider for LocalProvider {
    fn id(&self) -> &'static str {
        LOCAL
    }
    fn upload(&self, call: &FileCall, files: Vec<NewFile>) -> Result<Vec<FileRef>> {
        let ctx = call.ctx.clone();
        let stored = call
            .store
            .write(move |tx| super::create(tx, &ctx, &files))?;
        Ok(stored.iter().map(|s| Self::reference(call, s)).collect())
    }
    fn get(&self, call: &FileCall, id: &str) -> Result<FileRef> {
        let stored = call.store.read(|conn| super::retrieve(conn, id))?;
        Ok(Self::reference(call, &stored))
    }
    fn delete(&self, call: &FileCall, id: &str) -> Result<()> {
        let id = id.to_string();
        call.store.write(move |tx| super::delete(tx, &id))?;
        Ok(())
    }
}
