//! The writer's WAL writes gathered into one system call per commit.
//!
//! SQLite appends each WAL frame with two `pwrite`s (its 24-byte header, then the page), so
//! a checkout's ~88 frames cost ~176 system calls, each locking the file, updating its times
//! and touching the page cache for a few bytes or a misaligned page: ~9 % of the server's CPU
//! under the checkout load (BENCHMARKS.md, "Checkout, round eight"). This VFS wraps SQLite's
//! own (`unix`) and, for the writer's WAL file only, holds consecutive appends in memory and
//! writes them with one `pwrite` when anything needs them in the file.
//!
//! Why nothing changes for durability or for readers:
//! - It is used only with `synchronous=FULL`, where SQLite syncs the WAL at every commit,
//!   after writing the commit's frames and before publishing them in the WAL index: the
//!   buffer is written out at that sync ([`flush`] in `x_sync`), so every frame a reader can
//!   see, or a crash must keep, is in the file exactly as before. (Under `NORMAL` or `OFF`
//!   SQLite publishes frames without a sync, so those stores open the plain VFS.)
//! - Anything that could observe the file first writes the buffer out: a read, a size
//!   query, a truncation, a file control, closing. A write that is not the next append
//!   (SQLite rewriting a frame of the running transaction) writes the buffer out first, so
//!   writes reach the file in SQLite's order.
//! - What is still buffered when the process dies was never synced, so SQLite would not
//!   have counted on it: the same as a crash just before those writes.
//! - Locks, shared memory and every other file (the database, journals) go straight to the
//!   wrapped VFS, whose per-inode lock bookkeeping the readers' plain connections share.

use rusqlite::ffi;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// WAL writes SQLite asked for, and writes that reached the wrapped VFS (tests compare them).
static ASKED: AtomicU64 = AtomicU64::new(0);
static WRITTEN: AtomicU64 = AtomicU64::new(0);

/// The name this VFS is registered under.
pub const NAME: &CStr = c"stockroom-wal-coalesce";

/// Appends gathered before they are written out regardless: the unix VFS writes at most
/// 128 KiB - 1 bytes a call (it masks the length), so a buffer stays below that.
const CAPACITY: usize = 112 * 1024;

/// Registers the VFS once; returns its name, or `None` when SQLite has no default VFS to
/// wrap (then the writer opens the default one).
pub fn registered() -> Option<&'static str> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find(NULL) returns the default VFS, which lives for the
        // process; registering a leaked, fully initialised copy is what the API expects.
        unsafe { register() }
    });
    ok.then(|| NAME.to_str().unwrap_or_default())
}

/// The default VFS being wrapped, set by [`register`].
static INNER: OnceLock<Inner> = OnceLock::new();

struct Inner(*mut ffi::sqlite3_vfs);
// SAFETY: the wrapped VFS is a process-wide immutable table SQLite itself shares between
// threads.
unsafe impl Send for Inner {}
unsafe impl Sync for Inner {}

unsafe fn register() -> bool {
    let inner = unsafe { ffi::sqlite3_vfs_find(std::ptr::null()) };
    if inner.is_null() {
        return false;
    }
    let _ = INNER.set(Inner(inner));
    // Our copy shares the wrapped VFS's functions and app data (the unix VFS reads its
    // locking style from `pAppData`), with a larger file object and our `xOpen`.
    let mut vfs: ffi::sqlite3_vfs = unsafe { std::ptr::read(inner) };
    vfs.pNext = std::ptr::null_mut();
    vfs.zName = NAME.as_ptr();
    vfs.szOsFile = c_int::try_from(std::mem::size_of::<File>()).unwrap_or(c_int::MAX)
        + unsafe { (*inner).szOsFile };
    vfs.xOpen = Some(x_open);
    let vfs = Box::leak(Box::new(vfs));
    unsafe { ffi::sqlite3_vfs_register(vfs, 0) == ffi::SQLITE_OK }
}

/// Our file object: SQLite's header, the buffer (null for files passed straight through),
/// then the wrapped VFS's file object.
#[repr(C)]
struct File {
    base: ffi::sqlite3_file,
    buffer: *mut Pending,
}

/// Appends not yet in the file: `data` belongs at offset `start`.
struct Pending {
    start: i64,
    data: Vec<u8>,
}

/// The wrapped VFS's file object, right after ours.
unsafe fn inner_file(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    unsafe { (file as *mut u8).add(std::mem::size_of::<File>()) as *mut ffi::sqlite3_file }
}

unsafe fn inner_methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    unsafe { &*(*inner_file(file)).pMethods }
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let Some(Inner(inner)) = INNER.get() else {
        return ffi::SQLITE_ERROR;
    };
    let ours = file as *mut File;
    unsafe {
        (*ours).base.pMethods = std::ptr::null();
        (*ours).buffer = std::ptr::null_mut();
        let rc = ((**inner).xOpen.expect("a VFS has xOpen"))(
            *inner,
            name,
            inner_file(file),
            flags,
            out_flags,
        );
        if rc != ffi::SQLITE_OK || (*inner_file(file)).pMethods.is_null() {
            return rc;
        }
        if flags & ffi::SQLITE_OPEN_WAL != 0 {
            (*ours).buffer = Box::into_raw(Box::new(Pending {
                start: 0,
                data: Vec::new(),
            }));
        }
        (*ours).base.pMethods = &METHODS;
    }
    ffi::SQLITE_OK
}

/// Writes the buffered appends out (nothing for a file without a buffer).
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    let pending = unsafe { (*(file as *mut File)).buffer };
    if pending.is_null() {
        return ffi::SQLITE_OK;
    }
    let pending = unsafe { &mut *pending };
    if pending.data.is_empty() {
        return ffi::SQLITE_OK;
    }
    let Ok(len) = c_int::try_from(pending.data.len()) else {
        pending.data.clear();
        return ffi::SQLITE_IOERR_WRITE;
    };
    WRITTEN.fetch_add(1, Ordering::Relaxed);
    let write = unsafe { inner_methods(file).xWrite.expect("a file has xWrite") };
    let rc = unsafe {
        write(
            inner_file(file),
            pending.data.as_ptr() as *const c_void,
            len,
            pending.start,
        )
    };
    // Written or failed, these bytes are done with: a failed write fails the transaction,
    // and SQLite writes its frames again from its own state.
    pending.data.clear();
    rc
}

unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    let pending = unsafe { (*(file as *mut File)).buffer };
    let size = usize::try_from(amount).unwrap_or(0);
    if !pending.is_null() {
        ASKED.fetch_add(1, Ordering::Relaxed);
    }
    if pending.is_null() || size >= CAPACITY {
        let rc = unsafe { flush(file) };
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        if !pending.is_null() {
            WRITTEN.fetch_add(1, Ordering::Relaxed);
        }
        let write = unsafe { inner_methods(file).xWrite.expect("a file has xWrite") };
        return unsafe { write(inner_file(file), data, amount, offset) };
    }
    let appends = unsafe {
        let p = &*pending;
        p.data.is_empty() || p.start + p.data.len() as i64 == offset
    };
    let fits = unsafe { (*pending).data.len() + size <= CAPACITY };
    if !(appends && fits) {
        let rc = unsafe { flush(file) };
        if rc != ffi::SQLITE_OK {
            return rc;
        }
    }
    let p = unsafe { &mut *pending };
    if p.data.is_empty() {
        p.start = offset;
    }
    // SAFETY: SQLite passes `amount` readable bytes at `data`.
    p.data
        .extend_from_slice(unsafe { std::slice::from_raw_parts(data as *const u8, size) });
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let flushed = unsafe { flush(file) };
    unsafe {
        let ours = file as *mut File;
        if !(*ours).buffer.is_null() {
            drop(Box::from_raw((*ours).buffer));
            (*ours).buffer = std::ptr::null_mut();
        }
        let close = inner_methods(file).xClose.expect("a file has xClose");
        let rc = close(inner_file(file));
        if flushed != ffi::SQLITE_OK {
            flushed
        } else {
            rc
        }
    }
}

/// Forwards a method to the wrapped file after writing the buffer out.
macro_rules! flushing {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            let rc = unsafe { flush(file) };
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            match unsafe { inner_methods(file).$method } {
                Some(method) => unsafe { method(inner_file(file) $(, $arg)*) },
                None => ffi::SQLITE_IOERR,
            }
        }
    };
}

/// Forwards a method to the wrapped file as it is.
macro_rules! forwarding {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            match unsafe { inner_methods(file).$method } {
                Some(method) => unsafe { method(inner_file(file) $(, $arg)*) },
                None => ffi::SQLITE_IOERR,
            }
        }
    };
}

flushing!(x_read, xRead, (buf: *mut c_void, amount: c_int, offset: i64));
flushing!(x_truncate, xTruncate, (size: i64));
flushing!(x_sync, xSync, (flags: c_int));
flushing!(x_file_size, xFileSize, (size: *mut i64));
flushing!(x_file_control, xFileControl, (op: c_int, arg: *mut c_void));
forwarding!(x_lock, xLock, (level: c_int));
forwarding!(x_unlock, xUnlock, (level: c_int));
forwarding!(x_check_reserved_lock, xCheckReservedLock, (out: *mut c_int));
forwarding!(x_sector_size, xSectorSize, ());
forwarding!(x_device_characteristics, xDeviceCharacteristics, ());
forwarding!(x_shm_map, xShmMap, (region: c_int, size: c_int, extend: c_int, out: *mut *mut c_void));
forwarding!(x_shm_lock, xShmLock, (offset: c_int, n: c_int, flags: c_int));
forwarding!(x_shm_unmap, xShmUnmap, (delete: c_int));
forwarding!(x_fetch, xFetch, (offset: i64, amount: c_int, out: *mut *mut c_void));
forwarding!(x_unfetch, xUnfetch, (offset: i64, page: *mut c_void));

unsafe extern "C" fn x_shm_barrier(file: *mut ffi::sqlite3_file) {
    if let Some(barrier) = unsafe { inner_methods(file).xShmBarrier } {
        unsafe { barrier(inner_file(file)) }
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: Some(x_fetch),
    xUnfetch: Some(x_unfetch),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Store, StoreOptions, Synchronous};

    fn counts() -> (u64, u64) {
        (ASKED.load(Ordering::SeqCst), WRITTEN.load(Ordering::SeqCst))
    }

    #[test]
    fn a_full_store_writes_its_commits_in_few_calls_and_keeps_every_row() {
        let (dir, path) = crate::db::test_store_path("walc");
        let options = StoreOptions {
            synchronous: Synchronous::Full,
            ..StoreOptions::default()
        };
        {
            let store = Store::open(&path, options.clone()).unwrap();
            store
                .write(|tx| Ok(tx.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")?))
                .unwrap();
            for round in 0..20 {
                let before = counts();
                store
                    .write(move |tx| {
                        // ~40 pages of new rows in one commit.
                        let mut insert = tx.prepare("INSERT INTO t (v) VALUES (?1)")?;
                        for i in 0..400 {
                            insert.execute([format!("{round}-{i}-{}", "x".repeat(300))])?;
                        }
                        Ok(())
                    })
                    .unwrap();
                let (asked, written) = (counts().0 - before.0, counts().1 - before.1);
                // Other tests' stores may write meanwhile; this commit alone asked for ~80.
                assert!(asked >= 60, "round {round}: {asked} writes asked");
                assert!(
                    written * 4 < asked,
                    "round {round}: {written} of {asked} written"
                );
                let seen: i64 = store
                    .read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
                    .unwrap();
                assert_eq!(seen, (round + 1) * 400, "a reader sees every committed row");
            }
            store.close();
        }
        let store = Store::open(&path, options).unwrap();
        let (rows, check): (i64, String) = store
            .read(|c| {
                Ok((
                    c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?,
                    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!((rows, check.as_str()), (8_000, "ok"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
