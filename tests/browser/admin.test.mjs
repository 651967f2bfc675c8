// The admin UI at /app in a real browser: Debian's headless Chromium driven by playwright-core
// (which downloads no browser). One server (the loyalty example over the demo store, so its
// widget can be seen), one browser, a few seconds.
//
//   cargo test   # builds target/debug/examples/loyalty
//   (cd tests/browser && npm ci && npm test)
//
// STOCKROOM_BIN overrides the server binary (default: the loyalty example's debug build, else
// the stockroom binary, without the loyalty test). CHROMIUM overrides /usr/bin/chromium.
// A failing test leaves a screenshot in tests/browser/failures/; the orders list and a
// customer page are written to docs/screenshots/ for the README.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const LOYALTY = `${root}target/debug/examples/loyalty`;
const BIN = process.env.STOCKROOM_BIN ?? (existsSync(LOYALTY) ? LOYALTY : `${root}target/debug/stockroom`);
const WITH_LOYALTY = BIN.endsWith("loyalty");
const KEY = "pk_demo_0000000000000000000000000000000000000000000000000000000000000000";
const ADMIN = { email: "admin@example.com", password: "supersecret" };
const FAILURES = `${root}tests/browser/failures`;
const SHOTS = `${root}docs/screenshots`;

let server;
let base;
let profile;
let context;
let page;

before(async () => {
  server = spawn(BIN, ["serve", "--demo", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 20 s")), 20_000);
    server.once("error", reject);
    server.once("exit", (code) => reject(new Error(`stockroom exited early with status ${code}`)));
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk.toString();
      const url = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (url) {
        clearTimeout(timer);
        resolve(url[0]);
      }
    });
  });
  profile = mkdtempSync(join(tmpdir(), "stockroom-chromium-"));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    timeout: 30_000,
    viewport: { width: 1280, height: 860 },
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
  context.setDefaultTimeout(10_000);
  page = context.pages()[0] ?? (await context.newPage());
});

// A test whose last screen is kept in tests/browser/failures/ when it fails.
function uiTest(name, options, body) {
  test(name, options, async (t) => {
    try {
      await body(t);
    } catch (error) {
      mkdirSync(FAILURES, { recursive: true });
      await page?.screenshot({ path: `${FAILURES}/${name.replace(/\W+/g, "-")}.png`, fullPage: true }).catch(() => {});
      throw error;
    }
  });
}

after(async () => {
  await context?.close();
  server?.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function signIn(email = ADMIN.email, password = ADMIN.password) {
  await page.goto(`${base}/app/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function storeApi(path, body) {
  const reply = await fetch(`${base}${path}`, {
    method: body ? "POST" : "GET",
    headers: { "x-publishable-api-key": KEY, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await reply.json();
  assert.equal(reply.status, 200, JSON.stringify(json));
  return json;
}

const ADDRESS = { first_name: "Ada", last_name: "Lovelace", address_1: "1 Main St", city: "Springfield", postal_code: "12345", country_code: "us" };

// An order through the Store API: cart, item, addresses, shipping, payment, completion.
async function placeOrder(email) {
  const { regions } = await storeApi("/store/regions");
  const region = regions.find((r) => r.currency_code === "usd");
  const { products } = await storeApi(`/store/products?limit=1&region_id=${region.id}`);
  let { cart } = await storeApi("/store/carts", { region_id: region.id });
  ({ cart } = await storeApi(`/store/carts/${cart.id}/line-items`, { variant_id: products[0].variants[0].id, quantity: 1 }));
  ({ cart } = await storeApi(`/store/carts/${cart.id}`, { email, shipping_address: ADDRESS, billing_address: ADDRESS }));
  const { shipping_options } = await storeApi(`/store/shipping-options?cart_id=${cart.id}`);
  await storeApi(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id });
  const { payment_collection } = await storeApi("/store/payment-collections", { cart_id: cart.id });
  await storeApi(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" });
  const done = await storeApi(`/store/carts/${cart.id}/complete`, {});
  assert.equal(done.type, "order");
  return done.order;
}

uiTest("a signed-out visit to the orders lands on sign-in", {}, async () => {
  await page.goto(`${base}/app/orders`);
  assert.match(page.url(), /\/app\/sign-in\?next=\/app\/orders$/);
  await page.getByRole("heading", { name: "Sign in to Stockroom" }).waitFor();
});

uiTest("a wrong password is refused, the right one signs in", {}, async () => {
  await signIn(ADMIN.email, "not-the-password");
  await page.getByRole("alert").filter({ hasText: "Invalid email or password" }).waitFor();
  assert.match(page.url(), /\/app\/sign-in$/);
  await page.goto(`${base}/app/sign-in?next=/app/orders`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Orders", "Products", "Inventory", "Customers", "Promotions", "Settings"]) {
    await nav.getByRole("link", { name, exact: true }).waitFor();
  }
});

uiTest("a product created with a variant and a price is found through the Store API", {}, async () => {
  await page.goto(`${base}/app/products`);
  await page.getByRole("link", { name: "Create product" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Browser Tote");
  await page.getByLabel("Handle").fill("browser-tote");
  await page.getByLabel("Status").selectOption("published");
  await page.getByLabel("Variant title").fill("Natural");
  await page.getByLabel("SKU").fill("TOTE-NATURAL");
  await page.getByLabel("Price (USD)").fill("19.90");
  await page.getByRole("button", { name: "Create product" }).click();
  await page.getByRole("status").filter({ hasText: "Created." }).waitFor();
  await page.getByRole("cell", { name: "19.90 USD" }).waitFor();
  const { regions } = await storeApi("/store/regions");
  const usd = regions.find((r) => r.currency_code === "usd");
  const { products } = await storeApi(`/store/products?handle=browser-tote&region_id=${usd.id}&fields=*variants.calculated_price`);
  assert.equal(products.length, 1);
  assert.equal(products[0].variants[0].sku, "TOTE-NATURAL");
  assert.equal(products[0].variants[0].calculated_price.calculated_amount, 19.9);
});

uiTest("stock is adjusted with a note", {}, async () => {
  await page.goto(`${base}/app/inventory?q=CLASSIC-T-SHIRT-M-WHITE`);
  await page.getByRole("table").locator("tbody").getByRole("link").first().click();
  const delta = page.getByLabel(/^Units to add at /).first();
  await delta.fill("12");
  await page.getByLabel(/^Note for /).first().fill("Found a box in the back");
  await page.getByRole("button", { name: /^Adjust stock at / }).first().click();
  await page.getByRole("status").filter({ hasText: "Stock adjusted." }).waitFor();
  await page.getByText("Found a box in the back").waitFor();
});

uiTest("an image is uploaded to a product through the file module", {}, async () => {
  await page.goto(`${base}/app/products?q=Browser%20Tote`);
  await page.getByRole("link", { name: "Browser Tote" }).click();
  await page.getByLabel("Upload images").setInputFiles(`${root}fixtures/demo-images/classic-mug-1.png`);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  const image = page.getByRole("img", { name: "Browser Tote image 1" });
  await image.waitFor();
  // The browser fetched and decoded the bytes the file module serves.
  const width = await image.evaluate((img) => img.naturalWidth);
  assert.ok(width > 0, "the uploaded image renders");
});

uiTest("a promotion with a rule is created and shown on its page", {}, async () => {
  await page.goto(`${base}/app/promotions`);
  await page.getByRole("link", { name: "Create promotion" }).click();
  await page.getByLabel("Code", { exact: true }).fill("BROWSER15");
  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Value", { exact: true }).fill("15");
  await page.getByLabel("Attribute").first().fill("currency_code");
  await page.getByLabel("Values").first().fill("usd");
  await page.getByRole("button", { name: "Create promotion" }).click();
  await page.getByRole("status").filter({ hasText: "Created." }).waitFor();
  await page.getByRole("heading", { name: "BROWSER15", level: 1 }).waitFor();
  await page.getByRole("cell", { name: "currency_code" }).waitFor();
  await page.getByText("15% off order").waitFor();
});

uiTest("a sales channel is created and disabled in settings", {}, async () => {
  await page.goto(`${base}/app/settings`);
  await page.getByLabel("New channel name").fill("Browser Market");
  await page.getByRole("button", { name: "Create sales channel" }).click();
  await page.getByRole("status").filter({ hasText: "Created." }).waitFor();
  await page.getByRole("button", { name: "Disable Browser Market" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await page.getByRole("button", { name: "Enable Browser Market" }).waitFor();
});

uiTest("an order placed through the Store API is fulfilled and captured in the UI", {}, async () => {
  const order = await placeOrder("browser-buyer@example.com");
  await page.goto(`${base}/app/orders`);
  await page.getByRole("link", { name: `#${order.display_id}`, exact: true }).click();
  await page.getByRole("heading", { name: `Order #${order.display_id}` }).waitFor();
  await page.getByRole("button", { name: "Fulfill items" }).click();
  await page.getByRole("status").filter({ hasText: "Fulfillment created." }).waitFor();
  await page.getByRole("button", { name: "Capture payment 1" }).click();
  await page.getByRole("status").filter({ hasText: "Payment captured." }).waitFor();
  await page.getByText("order.fulfillment_created").waitFor();
  await page.getByText("payment.captured").waitFor();
  mkdirSync(SHOTS, { recursive: true });
  await page.goto(`${base}/app/orders`);
  await page.screenshot({ path: `${SHOTS}/orders-list.png` });
});

// An order placed through the Store API, opened in the UI and fulfilled there.
async function openFulfilledOrder(email) {
  const order = await placeOrder(email);
  await page.goto(`${base}/app/orders/${order.id}`);
  await page.getByRole("button", { name: "Fulfill items" }).click();
  await page.getByRole("status").filter({ hasText: "Fulfillment created." }).waitFor();
  return order;
}

uiTest("a return is requested and received in the UI", {}, async () => {
  await openFulfilledOrder("browser-return@example.com");
  await page.getByLabel(/^Quantity to return of /).first().fill("1");
  await page.getByLabel("Return note").fill("Too small");
  await page.getByRole("button", { name: "Request return" }).click();
  await page.getByRole("status").filter({ hasText: "Return requested." }).waitFor();
  await page.getByRole("button", { name: "Receive return 1" }).click();
  await page.getByRole("status").filter({ hasText: "Return received." }).waitFor();
  await page.getByRole("heading", { name: /^Return 1 received$/ }).waitFor();
  await page.getByText("order.return_received").waitFor();
});

uiTest("an order edit is previewed and confirmed in the UI", {}, async () => {
  const order = await openFulfilledOrder("browser-edit@example.com");
  await page.getByRole("button", { name: "Begin order edit" }).click();
  await page.getByRole("status").filter({ hasText: "Order edit begun." }).waitFor();
  await page.getByLabel(/^New quantity of /).first().fill("2");
  await page.getByRole("button", { name: "Update quantities" }).click();
  await page.getByRole("status").filter({ hasText: "Order edit updated." }).waitFor();
  const newTotal = await page.locator("dt:text-is('New total') + dd").textContent();
  assert.notEqual(newTotal.trim(), `${order.total.toFixed(2)} USD`, "the preview shows the new total");
  await page.getByRole("button", { name: "Confirm order edit" }).click();
  await page.getByRole("status").filter({ hasText: "Order change confirmed." }).waitFor();
  const total = await page.locator("dt:text-is('Total') + dd").textContent();
  assert.equal(total.trim(), newTotal.trim());
  assert.equal(await page.getByRole("heading", { name: "Open order edit" }).count(), 0);
});

uiTest("a draft order is created and converted in the UI", {}, async () => {
  await page.goto(`${base}/app/orders`);
  await page.getByRole("link", { name: "New draft order" }).click();
  await page.getByLabel("Customer email").fill("phone-order@example.com");
  const usd = await page.locator("#draft-region option", { hasText: "(USD)" }).first().textContent();
  await page.getByLabel("Region").selectOption({ label: usd });
  await page.getByLabel("Item 1 SKU or barcode").fill("CLASSIC-T-SHIRT-M-WHITE");
  await page.getByLabel("Item 1 quantity").fill("2");
  for (const [label, value] of [["First name", "Ada"], ["Address", "1 Main St"], ["City", "Springfield"], ["Postal code", "12345"], ["Country code", "us"]]) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole("button", { name: "Create draft order" }).click();
  await page.getByRole("status").filter({ hasText: "Created." }).waitFor();
  await page.getByRole("heading", { name: /^Draft order #\d+$/ }).waitFor();
  await page.getByRole("button", { name: "Convert to order" }).click();
  await page.getByRole("status").filter({ hasText: "Draft converted to an order." }).waitFor();
  await page.getByRole("heading", { name: /^Order #\d+$/ }).waitFor();
  await page.getByText("phone-order@example.com").first().waitFor();
});

uiTest("the loyalty widget shows the points an order earned", { skip: !WITH_LOYALTY && "not the loyalty example" }, async () => {
  const email = "loyal-shopper@example.com";
  const registration = await fetch(`${base}/auth/customer/emailpass/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "loyal-password-1" }),
  }).then((r) => r.json());
  const created = await fetch(`${base}/store/customers`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-publishable-api-key": KEY, authorization: `Bearer ${registration.token}` },
    body: JSON.stringify({ email, first_name: "Loyal", last_name: "Shopper" }),
  }).then((r) => r.json());
  const customer = created.customer;
  const { token } = await fetch(`${base}/auth/customer/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "loyal-password-1" }),
  }).then((r) => r.json());
  const order = await placeOrderAs(token, email);
  const points = Math.floor(order.total);
  // The award is an order.placed subscriber: wait for the delivery.
  await page.goto(`${base}/app/customers/${customer.id}`);
  for (let i = 0; i < 50; i++) {
    if ((await page.locator(".loyalty-points").textContent()).startsWith(`${points} points`)) break;
    await new Promise((r) => setTimeout(r, 100));
    await page.reload();
  }
  assert.match(await page.locator(".loyalty-points").textContent(), new RegExp(`^${points} points`));
  await page.screenshot({ path: `${SHOTS}/customer-loyalty.png` });
  await page.getByRole("link", { name: "Loyalty", exact: true }).click();
  await page.getByRole("cell", { name: email }).waitFor();
});

// The same order, as a signed-in customer (so the points have someone to go to).
async function placeOrderAs(token, email) {
  const call = async (path, body) => {
    const reply = await fetch(`${base}${path}`, {
      method: body ? "POST" : "GET",
      headers: { "x-publishable-api-key": KEY, "content-type": "application/json", authorization: `Bearer ${token}` },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await reply.json();
    assert.equal(reply.status, 200, JSON.stringify(json));
    return json;
  };
  const { regions } = await call("/store/regions");
  const region = regions.find((r) => r.currency_code === "usd");
  const { products } = await call(`/store/products?limit=1&region_id=${region.id}`);
  let { cart } = await call("/store/carts", { region_id: region.id });
  await call(`/store/carts/${cart.id}/line-items`, { variant_id: products[0].variants[0].id, quantity: 2 });
  await call(`/store/carts/${cart.id}`, { email, shipping_address: ADDRESS, billing_address: ADDRESS });
  const { shipping_options } = await call(`/store/shipping-options?cart_id=${cart.id}`);
  await call(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id });
  const { payment_collection } = await call("/store/payment-collections", { cart_id: cart.id });
  await call(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" });
  const done = await call(`/store/carts/${cart.id}/complete`, {});
  assert.equal(done.type, "order");
  return done.order;
}

uiTest("a form posted without its CSRF token is refused", {}, async () => {
  // The browser context's own request client: the session cookie goes along, the token not.
  const reply = await page.request.post(`${base}/app/sign-out`, { form: { note: "no token" }, maxRedirects: 0 });
  const status = reply.status();
  assert.equal(status, 403);
  // Still signed in.
  await page.goto(`${base}/app/orders`);
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
});

uiTest("signing out ends the session", {}, async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Stockroom" }).waitFor();
  await page.goto(`${base}/app/orders`);
  assert.match(page.url(), /\/app\/sign-in/);
});
