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
    assert_eq!(
        text(&out.stderr),
        "",
        "no progress drawn when stderr is not a terminal"
    );
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

#[test]
fn the_json_access_log_has_one_object_per_request_without_query_or_headers() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args([
            "serve",
            "--demo",
            "--port",
            "0",
            "--access-log",
            "json",
            "--no-fixture-cache",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("banner");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("address")
        .to_string();
    for path in ["/store/regions?secret_query=sq-1234", "/health"] {
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer hdr-5678\r\nx-publishable-api-key: pk_hdr\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("reply");
    }
    // SIGTERM: a graceful stop finishes the requests in flight (and their log lines).
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(stopped.success());
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("log");
    child.wait().expect("reaped");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.starts_with("stockroom: "))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    // A line is written after its reply is sent, so the two may land in either order.
    let line_for = |path: &str| {
        lines
            .iter()
            .find(|l| l["path"] == path)
            .unwrap_or_else(|| panic!("no line for {path}: {log}"))
    };
    let regions = line_for("/store/regions");
    assert_eq!(regions["route"], "/store/regions");
    assert_eq!(regions["status"], 400, "no valid key: {log}");
    let health = line_for("/health");
    assert_eq!(health["route"], "/health");
    assert!(health["duration_us"].is_u64() && health["time"].is_string());
    for secret in ["sq-1234", "secret_query", "hdr-5678", "pk_hdr"] {
        assert!(!log.contains(secret), "{secret} leaked: {log}");
    }
}

#[test]
fn the_command_line_is_conventional() {
    let version = stockroom(&["--version"]);
    assert!(version.status.success());
    assert_eq!(
        text(&version.stdout).trim(),
        concat!("stockroom ", env!("CARGO_PKG_VERSION"))
    );
    let help = stockroom(&["backup", "--help"]);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("--pause-ms <MS>"));

    // A bad flag: clap's message on stderr, exit 2, nothing run.
    let bad = stockroom(&["serve", "--demo", "--prot", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    let said = text(&bad.stderr);
    assert!(said.contains("unexpected argument '--prot'"), "{said}");
    assert!(said.contains("Usage: stockroom serve"), "{said}");
    // Settings that do not go together: the same style and code.
    let both = stockroom(&["serve", "--demo", "--db", "x.db", "--memory"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("--db and --memory cannot be used together"));

    // A variable stands in for its flag (clap reads it from the environment).
    let dir = scratch("conventional");
    let db = seeded_store(&dir);
    let verified = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(["verify", "--json"])
        .env("STOCKROOM_DB", &db)
        .output()
        .expect("run stockroom");
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).starts_with('{'));

    for (shell, mark) in [
        ("bash", "_stockroom()"),
        ("zsh", "#compdef stockroom"),
        ("fish", "complete -c stockroom"),
    ] {
        let script = stockroom(&["completions", shell]);
        assert!(script.status.success(), "{shell}");
        let script = text(&script.stdout);
        assert!(script.contains(mark), "{shell}: {script}");
        assert!(
            script.contains("retention-days"),
            "{shell} completes serve's flags"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
