//! The real `stockroom` binary as a server under test (crash, recovery, till-sync and CLI
//! suites): spawned with its stdout piped, it prints its URL once it listens; the server is
//! killed (SIGKILL, as `kill -9`) and reaped when dropped, so no test leaves a process behind.
//! Plus reads of a store file between runs.

use super::DEMO_KEY;
use super::client::{Reply, send};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use stockroom::db::{Store, StoreOptions};

/// The `stockroom` binary this test crate was built with, nothing set.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stockroom"))
}

/// `serve --port 0 --quiet --db <db>` with both secrets set to `secret` and no failpoint
/// inherited from the environment.
pub fn serve_command(db: &Path, secret: &str) -> Command {
    let mut cmd = command();
    cmd.args(["serve", "--port", "0", "--quiet", "--db"])
        .arg(db)
        .env("JWT_SECRET", secret)
        .env("COOKIE_SECRET", secret)
        .env_remove("STOCKROOM_FAILPOINT");
    cmd
}

/// A running binary.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `127.0.0.1:port`
    pub addr: String,
    /// Its first stdout line (the URL banner).
    pub banner: String,
}

impl Server {
    /// Spawns `cmd` (stdout piped, stderr dropped unless the command set it) and waits for
    /// its URL line; `None` when the process ends without one (it is reaped), e.g. a port the
    /// kernel still holds after a kill.
    pub fn try_spawn(mut cmd: Command) -> Option<Server> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut banner = String::new();
        let read = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut banner);
        if read.is_err() || !banner.contains("http://") {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        let addr = banner
            .trim()
            .rsplit("http://")
            .next()
            .unwrap_or_default()
            .to_string();
        Some(Server {
            child,
            addr,
            banner,
        })
    }

    /// [`Server::try_spawn`] that must come up.
    #[track_caller]
    pub fn spawn(cmd: Command) -> Server {
        Server::try_spawn(cmd).expect("the binary prints its URL")
    }

    /// A call with the demo publishable key, JSON content and an optional `authorization`.
    pub fn call(&self, method: &str, path: &str, auth: Option<&str>, body: Option<Value>) -> Reply {
        let text = body.map(|b| b.to_string());
        let mut headers = vec![
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ];
        if let Some(auth) = auth {
            headers.push(("authorization", auth));
        }
        send(
            &self.addr,
            method,
            path,
            &headers,
            text.as_deref().map(str::as_bytes),
        )
    }

    /// A POST that must answer 200; its body.
    #[track_caller]
    pub fn ok(&self, path: &str, auth: Option<&str>, body: Value) -> Value {
        let reply = self.call("POST", path, auth, Some(body));
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text());
        reply.json()
    }

    /// Sends a POST the armed failpoint aborts, then waits for the process to die.
    #[track_caller]
    pub fn crash_on(self, path: &str, auth: Option<&str>) {
        self.crash_posting(path, auth, json!({}));
    }

    /// [`Server::crash_on`] with a body.
    #[track_caller]
    pub fn crash_posting(mut self, path: &str, auth: Option<&str>, body: Value) {
        let reply = std::panic::catch_unwind(|| self.call("POST", path, auth, Some(body)));
        assert!(
            reply.is_err() || reply.as_ref().is_ok_and(|r| r.status == 0),
            "the server should have aborted"
        );
        let status = self.child.wait().expect("the process ends");
        assert!(!status.success(), "aborted at the failpoint");
    }

    /// SIGKILL now (dropping does the same, without checking).
    #[track_caller]
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    /// A guest cart of `quantity` units of the first demo product's first variant in the usd
    /// region, with an address, the first shipping option and a system payment session:
    /// ready to complete. Returns its id.
    pub fn ready_cart(&self, quantity: i64) -> String {
        self.ready_cart_with(quantity, "pp_system_default")
    }

    /// [`Server::ready_cart`] with a payment session of `provider` (`pp_test_test` is offered
    /// in demo mode: a provider that is not in-process, whose calls are external steps).
    pub fn ready_cart_with(&self, quantity: i64, provider: &str) -> String {
        let cart = self.cart_before_payment(quantity);
        self.pay_with(&cart, provider);
        cart
    }

    /// A cart ready but for its payment collection and session. Returns its id.
    pub fn cart_before_payment(&self, quantity: i64) -> String {
        let regions = self.call("GET", "/store/regions", None, None).json();
        let region = regions["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["currency_code"] == "usd")
            .expect("a usd region")["id"]
            .clone();
        let products = self
            .call(
                "GET",
                "/store/products?limit=1&fields=%2Avariants",
                None,
                None,
            )
            .json();
        let variant = products["products"][0]["variants"][0]["id"].clone();
        let cart = self.ok("/store/carts", None, json!({"region_id": region}))["cart"]["id"]
            .as_str()
            .expect("a cart id")
            .to_string();
        self.ok(
            &format!("/store/carts/{cart}/line-items"),
            None,
            json!({"variant_id": variant, "quantity": quantity}),
        );
        let address = json!({"address_1": "1 Main St", "city": "Austin", "country_code": "us", "postal_code": "78701"});
        self.ok(
            &format!("/store/carts/{cart}"),
            None,
            json!({"email": "ada@example.com", "shipping_address": address}),
        );
        let path = format!("/store/shipping-options?cart_id={cart}");
        let options = self.call("GET", &path, None, None).json();
        self.ok(
            &format!("/store/carts/{cart}/shipping-methods"),
            None,
            json!({"option_id": options["shipping_options"][0]["id"]}),
        );
        cart
    }

    /// The cart's payment collection (created); its id.
    pub fn collection(&self, cart: &str) -> String {
        self.ok("/store/payment-collections", None, json!({"cart_id": cart}))["payment_collection"]
            ["id"]
            .as_str()
            .expect("a collection id")
            .to_string()
    }

    /// A payment collection and a session of `provider` for `cart`.
    pub fn pay_with(&self, cart: &str, provider: &str) {
        let pc = self.collection(cart);
        self.ok(
            &format!("/store/payment-collections/{pc}/payment-sessions"),
            None,
            json!({"provider_id": provider}),
        );
    }

    /// Places an order of `quantity` units through the storefront ([`Server::ready_cart`],
    /// then complete); returns the order document once acknowledged.
    #[track_caller]
    pub fn place_order(&self, quantity: i64) -> Value {
        let cart = self.ready_cart(quantity);
        let done = self.ok(&format!("/store/carts/{cart}/complete"), None, json!({}));
        assert_eq!(done["type"], "order", "{done}");
        done["order"].clone()
    }

    /// Signs in the demo admin; the `Bearer …` header value.
    pub fn admin_token(&self) -> String {
        let login = json!({"email": "admin@example.com", "password": "supersecret"});
        let token = self.ok("/auth/user/emailpass", None, login)["token"].clone();
        format!("Bearer {}", token.as_str().expect("a token"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first column of the first row of `sql` on the store file, as text (integers in
/// decimal, NULL and other types empty); the store is closed again.
pub fn query(db: &Path, sql: &str) -> String {
    let store = Store::open(db, StoreOptions::default()).expect("the store opens");
    let sql = sql.to_string();
    let v = store
        .read(move |c| {
            Ok(c.query_row(&sql, [], |r| {
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    _ => String::new(),
                })
            })?)
        })
        .expect("the query runs");
    store.close();
    v
}

/// A count read with [`query`].
pub fn count(db: &Path, sql: &str) -> i64 {
    query(db, sql).parse().expect("a number")
}

/// A fresh directory `stockroom-<name>-<pid>` under the temp dir; the store file's path in
/// it (`shop.db`). Remove the directory with [`clean`].
pub fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir.join("shop.db")
}

/// Removes a [`sandbox`] store's directory.
pub fn clean(db: &Path) {
    if let Some(dir) = db.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
