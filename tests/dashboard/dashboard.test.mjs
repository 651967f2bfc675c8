// Medusa's own admin dashboard (`@medusajs/dashboard` 2.21.2, built by scripts/dashboard.sh)
// against `stockroom serve --demo`, in Debian's headless Chromium driven by playwright-core.
// It signs in with the demo admin and opens every page issue 13 lists; each page fails on
// any API call answering >= 400, any request the browser could not make (CORS included),
// any uncaught page error, and Medusa's error boundary ("An error occurred", "500 - ...").
//
//   scripts/dashboard.sh build               # once: installs and builds into the cache dir
//   cargo build && (cd tests/dashboard && npm ci && npm test)
//
// STOCKROOM_BIN overrides the server binary (default target/debug/stockroom), CHROMIUM the
// browser, STOCKROOM_DASHBOARD_DIR the dashboard's cache dir (as scripts/dashboard.sh). The
// server listens on the port the dashboard was built for (its `backend-url` file). A failing
// page leaves a screenshot in tests/dashboard/failures/ (DASHBOARD_SCREENSHOTS=DIR keeps one of
// every page there); the figures (pages, API calls,
// failures) are printed at the end and written to tests/dashboard/failures/summary.json.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDashboard } from "./serve.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BIN = process.env.STOCKROOM_BIN ?? `${root}target/debug/stockroom`;
const CACHE =
  process.env.STOCKROOM_DASHBOARD_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "stockroom", "medusa-dashboard-2.21.2");
const DIST = join(CACHE, "dist");
const KEY = "pk_demo_0000000000000000000000000000000000000000000000000000000000000000";
const ADMIN = { email: "admin@example.com", password: "supersecret" };
const FAILURES = `${root}tests/dashboard/failures`;
const DASHBOARD_PORT = Number(process.env.STOCKROOM_DASHBOARD_PORT ?? 29411);
// Medusa's error boundary titles (its en.json `errorBoundary.*`).
const CRASH_TEXT = /An error occurred|500 - Internal server error|400 - Bad request|404 - There is no page at this address/;

let backend;
let dashboard;
let server;
let profile;
let context;
let page;
let order;
let product;
const records = {};
/** Everything that went wrong, per page visited: { page: [problems] }. */
const problems = {};
/** The browser console's errors per page: not failures by themselves, but they say why. */
const consoleErrors = {};
/** Requests to hosts other than Stockroom and the dashboard's own (not failures here). */
const offsite = new Set();
/** API calls the browser made to Stockroom, and how many answered >= 400. */
const figures = { pages: 0, apiCalls: 0, failedCalls: 0, pageErrors: 0, crashes: 0 };
let current = "sign-in";

function note(problem) {
  (problems[current] ??= []).push(problem);
}

before(async () => {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error(`no built dashboard in ${DIST}: run scripts/dashboard.sh build first`);
  }
  backend = readFileSync(join(CACHE, "backend-url"), "utf8").trim();
  const { port } = new URL(backend);
  dashboard = await serveDashboard(DIST, DASHBOARD_PORT);
  const origin = dashboard.url;
  server = spawn(BIN, ["serve", "--demo", "--port", port, "--quiet"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ADMIN_CORS: origin, AUTH_CORS: origin, STORE_CORS: origin },
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 20 s")), 20_000);
    server.once("error", reject);
    server.once("exit", (code) => reject(new Error(`stockroom exited early with status ${code}`)));
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk.toString();
      if (out.includes(`127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  order = await placeOrder("dashboard@example.com");
  product = (await adminApi("/admin/products?limit=1&order=title")).products[0];
  // One record of each kind whose detail page is opened too.
  const first = async (path, key) => (await adminApi(`${path}${path.includes("?") ? "&" : "?"}limit=1`))[key][0];
  records.customer = await first("/admin/customers?order=created_at", "customers");
  records.group = await first("/admin/customer-groups", "customer_groups");
  records.item = await first("/admin/inventory-items", "inventory_items");
  records.priceList = await first("/admin/price-lists", "price_lists");
  records.region = await first("/admin/regions", "regions");
  records.location = await first("/admin/stock-locations", "stock_locations");
  records.channel = await first("/admin/sales-channels?order=created_at", "sales_channels");
  records.key = await first("/admin/api-keys?type=publishable", "api_keys");
  records.user = await first("/admin/users", "users");
  records.taxRegion = await first("/admin/tax-regions?parent_id=null", "tax_regions");
  records.promotion = await first("/admin/promotions", "promotions");
  records.collection = await first("/admin/collections", "collections");
  records.category = await first("/admin/product-categories", "product_categories");
  records.variant = product.variants[0];
  records.execution = await first("/admin/workflows-executions", "workflow_executions");
  profile = mkdtempSync(join(tmpdir(), "stockroom-dashboard-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    timeout: 30_000,
    viewport: { width: 1440, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context.setDefaultTimeout(15_000);
  page = context.pages()[0] ?? (await context.newPage());
  watch(page);
});

after(async () => {
  await context?.close();
  server?.kill();
  dashboard?.server.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  const summary = { ...figures, problems, consoleErrors, offsite: [...offsite] };
  console.log(`dashboard figures: ${JSON.stringify(summary, null, 2)}`);
  mkdirSync(FAILURES, { recursive: true });
  writeFileSync(join(FAILURES, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
});

/** Records every call to Stockroom, its failures, and the page's own errors. */
function watch(page) {
  page.on("response", async (response) => {
    const url = response.url();
    if (!url.startsWith(backend)) return;
    if (response.request().method() === "OPTIONS") return;
    figures.apiCalls += 1;
    if (response.status() >= 400) {
      figures.failedCalls += 1;
      let body = "";
      try {
        body = (await response.text()).slice(0, 300);
      } catch {}
      note(`${response.status()} ${response.request().method()} ${url.slice(backend.length)} ${body}`);
    }
  });
  page.on("request", (request) => {
    const url = request.url();
    const { host, protocol } = new URL(url);
    if (protocol.startsWith("http") && host !== new URL(backend).host && host !== new URL(dashboard.url).host) {
      offsite.add(host);
    }
  });
  page.on("requestfailed", (request) => {
    if (!request.url().startsWith(backend)) return;
    figures.failedCalls += 1;
    note(`failed ${request.method()} ${request.url().slice(backend.length)}: ${request.failure()?.errorText}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") (consoleErrors[current] ??= []).push(message.text().slice(0, 500));
  });
  page.on("pageerror", (error) => {
    figures.pageErrors += 1;
    note(`page error: ${error.message.split("\n")[0]}`);
  });
}

async function call(base, path, headers, body) {
  const reply = await fetch(`${base}${path}`, {
    method: body ? "POST" : "GET",
    headers: { "content-type": "application/json", ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await reply.json();
  assert.equal(reply.status, 200, `${path}: ${JSON.stringify(json)}`);
  return json;
}

const storeApi = (path, body) => call(backend, path, { "x-publishable-api-key": KEY }, body);

let adminToken;
async function adminApi(path, body) {
  adminToken ??= (await call(backend, "/auth/user/emailpass", {}, ADMIN)).token;
  return call(backend, path, { authorization: `Bearer ${adminToken}` }, body);
}

const ADDRESS = { first_name: "Ada", last_name: "Lovelace", address_1: "1 Main St", city: "Springfield", postal_code: "12345", country_code: "us" };

/** An order through the Store API, so the orders pages have one to show. */
async function placeOrder(email) {
  const { regions } = await storeApi("/store/regions");
  const region = regions.find((r) => r.currency_code === "usd");
  const { products } = await storeApi(`/store/products?limit=1&region_id=${region.id}`);
  let { cart } = await storeApi("/store/carts", { region_id: region.id });
  ({ cart } = await storeApi(`/store/carts/${cart.id}/line-items`, { variant_id: products[0].variants[0].id, quantity: 2 }));
  ({ cart } = await storeApi(`/store/carts/${cart.id}`, { email, shipping_address: ADDRESS, billing_address: ADDRESS }));
  const { shipping_options } = await storeApi(`/store/shipping-options?cart_id=${cart.id}`);
  await storeApi(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id });
  const { payment_collection } = await storeApi("/store/payment-collections", { cart_id: cart.id });
  await storeApi(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" });
  const done = await storeApi(`/store/carts/${cart.id}/complete`, {});
  assert.equal(done.type, "order");
  return done.order;
}

/** Lets the page's queries settle: no request for half a second, then a short grace. */
async function settle() {
  await page.waitForLoadState("networkidle", { timeout: 20_000 }).catch(() => note("network never went idle in 20 s"));
  await page.waitForTimeout(300);
}

async function screenshot(name) {
  mkdirSync(FAILURES, { recursive: true });
  await page.screenshot({ path: join(FAILURES, `${name.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true }).catch(() => {});
}

/** Opens a dashboard page and checks that it rendered `expected` with nothing failing. */
async function visit(name, path, expected) {
  current = name;
  figures.pages += 1;
  await page.goto(`${dashboard.url}/app${path}`);
  await settle();
  const text = await page.locator("body").innerText();
  if (CRASH_TEXT.test(text)) {
    figures.crashes += 1;
    note(`crash boundary: ${text.match(CRASH_TEXT)[0]}`);
  }
  const shown = await expected(page)
    .waitFor({ timeout: 10_000 })
    .then(() => true)
    .catch(() => false);
  if (!shown) note(`expected content not shown`);
  if (problems[name]) await screenshot(name);
  if (process.env.DASHBOARD_SCREENSHOTS) {
    mkdirSync(process.env.DASHBOARD_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(process.env.DASHBOARD_SCREENSHOTS, `${name.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true });
  }
  assert.deepEqual(problems[name] ?? [], [], `${name}: ${(problems[name] ?? []).join("\n")}`);
}

const heading = (name) => (p) => p.getByRole("heading", { name, exact: true }).first();

test("sign in with the demo admin", async () => {
  current = "sign-in";
  figures.pages += 1;
  await page.goto(`${dashboard.url}/app/login`);
  await page.getByPlaceholder("Email").fill(ADMIN.email);
  await page.getByPlaceholder("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Continue with Email" }).click();
  await page.waitForURL(/\/app\/orders/, { timeout: 15_000 }).catch(() => note(`not signed in: ${page.url()}`));
  await settle();
  if (problems[current]) await screenshot(current);
  assert.deepEqual(problems[current] ?? [], []);
});

const PAGES = [
  ["orders", "/orders", heading("Orders")],
  ["order detail", () => `/orders/${order.id}`, (p) => p.getByText(`#${order.display_id}`).first()],
  ["products", "/products", heading("Products")],
  ["product detail", () => `/products/${product.id}`, (p) => p.getByRole("heading", { name: product.title }).first()],
  ["product create form", "/products/create", (p) => p.getByPlaceholder("Winter jacket").first()],
  ["inventory", "/inventory", heading("Inventory")],
  ["customers", "/customers", heading("Customers")],
  ["customer groups", "/customer-groups", heading("Customer Groups")],
  ["price lists", "/price-lists", heading("Price Lists")],
  ["store", "/settings/store", heading("Store")],
  ["regions", "/settings/regions", heading("Regions")],
  ["locations & shipping", "/settings/locations", heading("Locations & Shipping")],
  ["sales channels", "/settings/sales-channels", heading("Sales Channels")],
  ["publishable API keys", "/settings/publishable-api-keys", heading("Publishable API Keys")],
  ["secret API keys", "/settings/secret-api-keys", heading("Secret API Keys")],
  ["users", "/settings/users", heading("Users")],
  ["return reasons", "/settings/return-reasons", heading("Return Reasons")],
  ["tax regions", "/settings/tax-regions", heading("Tax Regions")],
  // Beyond the list: each list's detail page, and the other settings pages.
  ["customer detail", () => `/customers/${records.customer.id}`, (p) => p.getByText(records.customer.email).first()],
  ["customer group detail", () => `/customer-groups/${records.group.id}`, (p) => p.getByRole("heading", { name: records.group.name }).first()],
  ["inventory item detail", () => `/inventory/${records.item.id}`, (p) => p.getByText(records.item.sku ?? records.item.title).first()],
  ["price list detail", () => `/price-lists/${records.priceList.id}`, (p) => p.getByRole("heading", { name: records.priceList.title }).first()],
  ["product variant detail", () => `/products/${product.id}/variants/${records.variant.id}`, (p) => p.getByRole("heading", { name: records.variant.title }).first()],
  ["promotions", "/promotions", heading("Promotions")],
  ["promotion detail", () => `/promotions/${records.promotion.id}`, (p) => p.getByText(records.promotion.code).first()],
  ["collections", "/collections", heading("Collections")],
  ["collection detail", () => `/collections/${records.collection.id}`, (p) => p.getByRole("heading", { name: records.collection.title }).first()],
  ["categories", "/categories", heading("Categories")],
  ["category detail", () => `/categories/${records.category.id}`, (p) => p.getByRole("heading", { name: records.category.name }).first()],
  ["region detail", () => `/settings/regions/${records.region.id}`, (p) => p.getByRole("heading", { name: records.region.name }).first()],
  ["location detail", () => `/settings/locations/${records.location.id}`, (p) => p.getByRole("heading", { name: records.location.name }).first()],
  ["sales channel detail", () => `/settings/sales-channels/${records.channel.id}`, (p) => p.getByRole("heading", { name: records.channel.name }).first()],
  ["publishable API key detail", () => `/settings/publishable-api-keys/${records.key.id}`, (p) => p.getByRole("heading", { name: records.key.title }).first()],
  ["user detail", () => `/settings/users/${records.user.id}`, (p) => p.getByText(records.user.email).first()],
  ["tax region detail", () => `/settings/tax-regions/${records.taxRegion.id}`, (p) => p.getByRole("heading").first()],
  ["refund reasons", "/settings/refund-reasons", heading("Refund Reasons")],
  ["product types", "/settings/product-types", heading("Product Types")],
  ["product tags", "/settings/product-tags", heading("Product Tags")],
  ["shipping profiles", "/settings/locations/shipping-profiles", heading("Shipping Profiles")],
  ["shipping option types", "/settings/locations/shipping-option-types", heading("Shipping Option Types")],
  ["profile", "/settings/profile", heading("Profile")],
  ["workflows", "/settings/workflows", heading("Workflows")],
  ["workflow execution detail", () => `/settings/workflows/${records.execution.id}`, (p) => p.getByText(records.execution.workflow_id).first()],
];

for (const [name, path, expected] of PAGES) {
  test(`the dashboard's ${name} page`, async () => {
    await visit(name, typeof path === "function" ? path() : path, expected);
  });
}
