//! `stockroom backup | verify | restore` through the real binary: a verified copy with its
//! size and time, no overwriting, a corrupt store refused with a non-zero exit, and a
//! restore that refuses a served file — and is not fooled by the lock file a `kill -9`-ed
//! server leaves behind.

use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const SECRET: &str = "an-operations-test-secret-of-40-characters";

fn stockroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(args)
        .env_remove("STOCKROOM_DB")
        .output()
        .expect("run stockroom")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-ops-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn seeded_store(dir: &Path) -> PathBuf {
    let db = dir.join("shop.db");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json");
    let out = stockroom(&["seed", "--db", db.to_str().expect("utf-8"), fixture]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

/// `serve` on the store file; returns once it listens.
fn serve(db: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args([
            "serve",
            "--db",
            db.to_str().expect("utf-8"),
            "--port",
            "0",
            "--quiet",
        ])
        .env("JWT_SECRET", SECRET)
        .env("COOKIE_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("banner");
    assert!(line.contains("listening"), "{line}");
    child
}

#[test]
fn backup_is_verified_never_overwrites_and_verify_fails_a_corrupt_store() {
    let dir = scratch("backup");
    let db = seeded_store(&dir);
    let (db_arg, to) = (db.to_str().expect("utf-8"), dir.join("b.db"));
    let to_arg = to.to_str().expect("utf-8");
    let out = stockroom(&["backup", "--db", db_arg, "--to", to_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    let size = std::fs::metadata(&to).expect("backup").len();
    assert!(said.contains(&format!("{size} bytes")), "{said}");
    assert!(said.contains("verified in"), "{said}");

    let again = stockroom(&["backup", "--db", db_arg, "--to", to_arg]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));

    let vacuumed = dir.join("v.db");
    let vacuum_arg = vacuumed.to_str().expect("utf-8");
    let out = stockroom(&[
        "backup", "--db", db_arg, "--to", vacuum_arg, "--method", "vacuum",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    for good in [to_arg, vacuum_arg] {
        let out = stockroom(&["verify", "--db", good]);
        assert!(out.status.success(), "{good}: {}", text(&out.stdout));
    }
    // Overwrite pages in the middle of the copy: integrity_check must notice.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&to)
        .expect("open");
    file.seek(SeekFrom::Start(size / 2)).expect("seek");
    file.write_all(&vec![0x5a; 16 * 1024]).expect("corrupt");
    drop(file);
    let out = stockroom(&["verify", "--db", to_arg]);
    assert!(!out.status.success(), "a corrupt store is not sound");
    let out = stockroom(&["restore", "--from", to_arg, "--db", db_arg]);
    assert!(!out.status.success(), "a corrupt backup is not restored");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn restore_refuses_a_served_store_and_not_the_leftovers_of_a_killed_server() {
    let dir = scratch("restore");
    let db = seeded_store(&dir);
    let (db_arg, backup) = (db.to_str().expect("utf-8"), dir.join("b.db"));
    let backup_arg = backup.to_str().expect("utf-8");
    let out = stockroom(&["backup", "--db", db_arg, "--to", backup_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let mut server = serve(&db);
    let out = stockroom(&["restore", "--from", backup_arg, "--db", db_arg]);
    assert!(!out.status.success(), "a served store is never replaced");
    assert!(
        text(&out.stderr).contains("in use"),
        "{}",
        text(&out.stderr)
    );
    // A second server on the same file is refused the same way.
    let second = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(["serve", "--db", db_arg, "--port", "0"])
        .env("JWT_SECRET", SECRET)
        .env("COOKIE_SECRET", SECRET)
        .output()
        .expect("second serve");
    assert!(!second.status.success());

    // kill -9: the lock file stays, the lock goes with the process.
    server.kill().expect("kill");
    server.wait().expect("reaped");
    assert!(dir.join("shop.db.lock").exists());
    let out = stockroom(&["restore", "--from", backup_arg, "--db", db_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("kept the old file as"), "{said}");
    let aside = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".before-restore-"))
        .count();
    assert!(aside >= 1, "the old store is kept aside");
    let out = stockroom(&["verify", "--db", db_arg]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}
