// Issue 13's remaining admin families through Medusa's own JS SDK methods, against fixture
// mode: product options by their own id, an order's extra payment collection (created,
// paid, a session authorized), dashboard layouts, property labels, and how a user signs in.
//
//   cargo build && (cd examples/js-sdk && npm ci && npm test)
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import Medusa from "@medusajs/js-sdk";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BIN = process.env.STOCKROOM_BIN ?? `${root}target/debug/stockroom`;
const FIXTURE = process.env.STOCKROOM_FIXTURE ?? `${root}fixtures/demo.json`;
const KEY = "pk_demo_0000000000000000000000000000000000000000000000000000000000000000";
const ADDRESS = { first_name: "Ada", last_name: "Lovelace", address_1: "1 Main St", city: "Springfield", postal_code: "12345", country_code: "us" };

let server;
let base;
let sdk;

before(async () => {
  server = spawn(BIN, ["serve", "--fixture", FIXTURE, "--port", "0", "--test-control", "--quiet"]);
  base = await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("exit", (code) => reject(new Error(`stockroom exited early with status ${code}`)));
    server.stdout.once("data", (out) => resolve(out.toString().match(/http:\/\/\S+/)[0]));
  });
});

after(() => server.kill());

beforeEach(async () => {
  const reply = await fetch(`${base}/test-control/reset`, { method: "POST" });
  assert.equal(reply.status, 200);
  sdk = new Medusa({ baseUrl: base, publishableKey: KEY, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
});

async function asAdmin() {
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
}

// A guest order of one in-stock unit, paid with the system provider.
async function placeOrder() {
  const { regions } = await sdk.store.region.list();
  const region = regions.find((r) => r.currency_code === "usd");
  const { products } = await sdk.store.product.list({ region_id: region.id, limit: 20, fields: "*variants,+variants.inventory_quantity" });
  const variant = products.flatMap((p) => p.variants).find((v) => (v.inventory_quantity ?? 1) > 0);
  let { cart } = await sdk.store.cart.create({ region_id: region.id });
  ({ cart } = await sdk.store.cart.createLineItem(cart.id, { variant_id: variant.id, quantity: 1 }));
  ({ cart } = await sdk.store.cart.update(cart.id, { email: "guest@example.com", shipping_address: ADDRESS, billing_address: ADDRESS }));
  const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cart.id });
  ({ cart } = await sdk.store.cart.addShippingMethod(cart.id, { option_id: shipping_options[0].id }));
  await sdk.store.payment.initiatePaymentSession(cart, { provider_id: "pp_system_default" });
  const done = await sdk.store.cart.complete(cart.id);
  assert.equal(done.type, "order", JSON.stringify(done));
  return done.order;
}

test("sdk.admin.productOption manages a product's options and values by their own ids", async () => {
  await asAdmin();
  const { product_options, count } = await sdk.admin.productOption.list({ limit: 5 });
  assert.ok(count > 0);
  const option = product_options[0];
  assert.equal(option.is_exclusive, true);
  assert.equal(option.products.length, 1);
  const { product_option } = await sdk.admin.productOption.retrieve(option.id);
  assert.equal(product_option.title, option.title);
  const { product_option_values } = await sdk.admin.productOption.listValues(option.id);
  const first = product_option_values[0];
  const { product_option_value } = await sdk.admin.productOption.updateValue(option.id, first.id, { value: `${first.value} (renamed)` });
  assert.equal(product_option_value.value, `${first.value} (renamed)`);
  const { product_option: updated } = await sdk.admin.productOption.update(option.id, { metadata: { note: "sdk" } });
  assert.deepEqual(updated.metadata, { note: "sdk" });
  const removed = await sdk.admin.productOption.deleteValue(option.id, first.id);
  assert.equal(removed.deleted, true);
  await assert.rejects(sdk.admin.productOption.retrieveValue(option.id, first.id), (e) => e.status === 404);
});

test("sdk.admin.paymentCollection collects an extra amount on an order", async () => {
  const order = await placeOrder();
  await asAdmin();
  const { payment_collection: extra } = await sdk.admin.paymentCollection.create({ order_id: order.id, amount: 5 });
  assert.equal(extra.status, "not_paid");
  const { payment_collection: paid } = await sdk.admin.paymentCollection.markAsPaid(extra.id, { order_id: order.id });
  assert.equal(paid.status, "completed");
  const { payment_collection: second } = await sdk.admin.paymentCollection.create({ order_id: order.id, amount: 2 });
  const { payment_collection: started } = await sdk.admin.paymentCollection.createPaymentSession(second.id, { provider_id: "pp_system_default" });
  const session = started.payment_sessions[0];
  const authorized = await sdk.admin.order.authorizePaymentSession(order.id, session.id);
  assert.equal(authorized.is_authorized, true);
  const { payment_collection: third } = await sdk.admin.paymentCollection.create({ order_id: order.id, amount: 1 });
  const gone = await sdk.admin.paymentCollection.delete(third.id);
  assert.equal(gone.deleted, true);
});

test("sdk.admin.layouts and sdk.admin.propertyLabel keep the dashboard's settings", async () => {
  await asAdmin();
  const empty = await sdk.admin.layouts.retrieveConfiguration("product.details");
  assert.equal(empty.active_scope, "default");
  const saved = await sdk.admin.layouts.setConfiguration("product.details", { configuration: { widgets: { notes: { hidden: true } } } });
  assert.equal(saved.active_scope, "personal");
  const { layout_configurations } = await sdk.admin.layouts.listConfigurations();
  assert.equal(layout_configurations.length, 1);
  const cleared = await sdk.admin.layouts.deleteConfiguration("product.details");
  assert.equal(cleared.success, true);

  const { property_label } = await sdk.admin.propertyLabel.create({ entity: "order", property: "display_id", label: "Order no." });
  const { property_labels } = await sdk.admin.propertyLabel.list({ entity: "order" });
  assert.deepEqual(property_labels.map((l) => l.id), [property_label.id]);
  const { property_label: renamed } = await sdk.admin.propertyLabel.update(property_label.id, { label: "Number" });
  assert.equal(renamed.label, "Number");
  const batch = await sdk.admin.propertyLabel.batch({ delete: [property_label.id] });
  assert.equal(batch.deleted[0].deleted, true);
});

test("sdk.admin.user lists how a user signs in and makes a reset token", async () => {
  await asAdmin();
  const { user } = await sdk.admin.user.me();
  const { providers } = await sdk.admin.user.listAuthProviders(user.id);
  assert.deepEqual(providers, ["emailpass"]);
  const { token } = await sdk.admin.user.generateResetPasswordToken(user.id);
  assert.ok(token.length > 20);
});
