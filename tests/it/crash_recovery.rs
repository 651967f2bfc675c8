//! Crash safety, proven on a real binary: the loyalty example (built by `cargo test`) runs a
//! three-step workflow (local → external partner call → local) on a file store and is aborted
//! at every step by a failpoint, as `kill -9` would. Restarting it runs recovery; then the
//! journal must be settled and no partial state may remain — in the store or at the partner.
//!
//! `cargo test` builds the example first; run alone, this file needs
//! `cargo build --example loyalty` so it does not test a stale binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use stockroom::db::{Store, StoreOptions};

const WORKFLOW: &str = "loyalty-adjust-points";

fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let debug_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let binary = debug_dir.join("examples").join("loyalty");
    assert!(
        binary.exists(),
        "build it first: cargo build --example loyalty"
    );
    binary
}

struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("stockroom-crash-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.join("shop.db")
    }

    fn ledger(&self) -> PathBuf {
        self.dir.join("partner.ledger")
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(example_binary());
        cmd.args(args)
            .arg("--db")
            .arg(self.db())
            .env("LOYALTY_PARTNER_LEDGER", self.ledger());
        cmd.env_remove("STOCKROOM_FAILPOINT")
            .env_remove("LOYALTY_PARTNER_FAIL");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run the loyalty example")
    }

    fn adjust(&self, amount: &str, env: &[(&str, &str)]) -> Output {
        self.run(
            &[
                "adjust",
                "--customer",
                "cus_crash",
                "--amount",
                amount,
                "--reason",
                "test",
            ],
            env,
        )
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Everything that must hold after recovery. Returns the executions' final states.
fn assert_consistent(sandbox: &Sandbox) -> Vec<String> {
    let store = Store::open(sandbox.db(), StoreOptions::default()).unwrap();
    let (executions, balances_ok, live_transactions): (Vec<(String, String)>, bool, i64) = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT id, status FROM workflow_execution WHERE workflow = ?1 ORDER BY id")?;
            let executions = stmt.query_map([WORKFLOW], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            let balances_ok: bool = c.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM loyalty_account a WHERE a.points <>
                   (SELECT COALESCE(sum(t.amount), 0) FROM loyalty_transaction t WHERE t.account_id = a.id AND t.deleted_at IS NULL))",
                [],
                |r| r.get(0),
            )?;
            let live = c.query_row("SELECT count(*) FROM loyalty_transaction WHERE deleted_at IS NULL", [], |r| r.get(0))?;
            Ok((executions, balances_ok, live))
        })
        .unwrap();
    store.close();
    assert!(
        balances_ok,
        "every balance equals the sum of its live transactions"
    );
    let ledger = std::fs::read_to_string(sandbox.ledger()).unwrap_or_default();
    let mut done = 0;
    for (id, status) in &executions {
        let key = format!("{id}:notify-partner");
        let called = ledger.lines().any(|l| l == format!("{key} +50"));
        let cancelled = ledger.lines().any(|l| l == format!("{key} cancel"));
        match status.as_str() {
            "done" => {
                assert!(
                    called && !cancelled,
                    "a done execution told the partner once: {ledger}"
                );
                done += 1;
            }
            "reverted" => assert!(
                !called || cancelled,
                "a reverted execution left nothing at the partner: {ledger}"
            ),
            other => panic!("execution {id} left {other} after recovery"),
        }
    }
    assert_eq!(
        live_transactions, done,
        "one live transaction per completed adjustment"
    );
    executions.into_iter().map(|(_, s)| s).collect()
}

#[track_caller]
fn check_crash_at(point: &str, partner_fails: bool, expected_state: &str) {
    let sandbox = Sandbox::new(&point.replace(':', "_"));
    let mut env = vec![("STOCKROOM_FAILPOINT", point)];
    if partner_fails {
        env.push(("LOYALTY_PARTNER_FAIL", "1"));
    }
    let crashed = sandbox.adjust("50", &env);
    assert!(
        !crashed.status.success(),
        "{point}: the process must die at the failpoint"
    );
    assert!(
        String::from_utf8_lossy(&crashed.stderr).contains("failpoint"),
        "{point}: died elsewhere"
    );
    let recovered = sandbox.run(&["recover"], &[]);
    assert!(
        recovered.status.success(),
        "{point}: {}",
        String::from_utf8_lossy(&recovered.stderr)
    );
    assert_eq!(
        assert_consistent(&sandbox),
        vec![expected_state.to_string()],
        "{point}"
    );
    // The store is fully usable afterwards.
    assert!(sandbox.adjust("50", &[]).status.success());
    assert_consistent(&sandbox);
}

fn point(step: &str, when: &str) -> String {
    format!("wf:{WORKFLOW}:{step}:{when}")
}

#[test]
fn crash_before_the_first_step_commits_leaves_nothing() {
    // The first group's transaction never committed: there is no execution at all.
    let sandbox = Sandbox::new("first");
    let crashed = sandbox.adjust(
        "50",
        &[(
            "STOCKROOM_FAILPOINT",
            &point("record-transaction", "before"),
        )],
    );
    assert!(!crashed.status.success());
    assert!(sandbox.run(&["recover"], &[]).status.success());
    assert!(assert_consistent(&sandbox).is_empty());
}

#[test]
fn crash_after_the_first_step_is_compensated() {
    check_crash_at(&point("record-transaction", "after"), false, "reverted");
}

#[test]
fn crash_before_the_partner_call_is_compensated() {
    check_crash_at(&point("notify-partner", "before"), false, "reverted");
}

#[test]
fn crash_after_the_partner_call_cancels_at_the_partner() {
    check_crash_at(&point("notify-partner", "after"), false, "reverted");
}

#[test]
fn crash_inside_the_last_step_is_compensated() {
    check_crash_at(&point("apply-balance", "before"), false, "reverted");
}

#[test]
fn crash_after_the_last_commit_keeps_the_completed_work() {
    check_crash_at(&point("apply-balance", "after"), false, "done");
}

#[test]
fn crash_during_compensation_finishes_the_compensation() {
    check_crash_at(&point("record-transaction", "compensate"), true, "reverted");
}

#[test]
fn without_a_crash_the_adjustment_completes() {
    let sandbox = Sandbox::new("plain");
    let out = sandbox.adjust("50", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(assert_consistent(&sandbox), vec!["done"]);
}
