// A storefront's end-to-end tests, written the way a Medusa storefront team writes them, but
// against Stockroom's fixture mode instead of a Postgres-backed Medusa: one seeded store per
// test file, started in milliseconds, reset between tests, driven by @medusajs/js-sdk.
//
//   cargo build && (cd examples/js-sdk && npm ci && npm test)
//
// STOCKROOM_BIN overrides the server binary (default: the debug build of this repository).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import Medusa from "@medusajs/js-sdk";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BIN = process.env.STOCKROOM_BIN ?? `${root}target/debug/stockroom`;
const FIXTURE = process.env.STOCKROOM_FIXTURE ?? `${root}fixtures/demo.json`;
const KEY = "pk_demo_0000000000000000000000000000000000000000000000000000000000000000";

let server;
let base;
let sdk;

before(async () => {
  server = spawn(BIN, ["serve", "--fixture", FIXTURE, "--port", "0", "--test-control", "--quiet"]);
  base = await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("exit", (code) => reject(new Error(`stockroom exited early with status ${code}`)));
    // The first line is "Stockroom listening on http://127.0.0.1:<port>".
    server.stdout.once("data", (out) => resolve(out.toString().match(/http:\/\/\S+/)[0]));
  });
});

after(() => server.kill());

beforeEach(async () => {
  const reply = await fetch(`${base}/test-control/reset`, { method: "POST" });
  assert.equal(reply.status, 200);
  sdk = new Medusa({ baseUrl: base, publishableKey: KEY, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
});

async function usdRegion() {
  const { regions } = await sdk.store.region.list();
  return regions.find((r) => r.currency_code === "usd");
}

test("the catalog answers as the starter storefront expects", async () => {
  const region = await usdRegion();
  const { products, count } = await sdk.store.product.list({
    region_id: region.id,
    limit: 5,
    fields: "*variants.calculated_price,+variants.inventory_quantity,*variants.images,+metadata,+tags,",
  });
  assert.equal(products.length, 5);
  assert.ok(count >= 50);
  const price = products[0].variants[0].calculated_price;
  assert.equal(typeof price.calculated_amount, "number");
  assert.equal(price.currency_code, "usd");
});

test("ids and timestamps are the same on every run", async () => {
  const first = await sdk.store.product.list({ limit: 3, fields: "id,created_at" });
  await fetch(`${base}/test-control/reset`, { method: "POST" });
  const again = await sdk.store.product.list({ limit: 3, fields: "id,created_at" });
  assert.deepEqual(again, first);
  assert.equal(first.products[0].created_at, "2024-01-01T00:00:00.000Z");
});

test("a shopper registers, signs in and sees their account", async () => {
  await sdk.auth.register("customer", "emailpass", { email: "ada@example.com", password: "secret-password" });
  const { customer } = await sdk.store.customer.create({ email: "ada@example.com", first_name: "Ada" });
  await sdk.auth.login("customer", "emailpass", { email: "ada@example.com", password: "secret-password" });
  const me = await sdk.store.customer.retrieve();
  assert.equal(me.customer.id, customer.id);
});

test("a reset forgets the shopper", async () => {
  await assert.rejects(
    sdk.auth.login("customer", "emailpass", { email: "ada@example.com", password: "secret-password" }),
    (err) => err.status === 401,
  );
});

const ADDRESS = { first_name: "Ada", last_name: "L", address_1: "1 Loop Rd", address_2: "", company: "", city: "Bytes", postal_code: "12345", country_code: "us", province: "", phone: "" };

// A US cart holding one unit of an in-stock variant, with email and addresses.
async function readyCart(email = "guest@example.com") {
  const region = await usdRegion();
  const { products } = await sdk.store.product.list({ region_id: region.id, limit: 20, fields: "*variants,+variants.inventory_quantity" });
  const variant = products.flatMap((p) => p.variants).find((v) => (v.inventory_quantity ?? 1) > 0);
  let { cart } = await sdk.store.cart.create({ region_id: region.id });
  ({ cart } = await sdk.store.cart.createLineItem(cart.id, { variant_id: variant.id, quantity: 1 }));
  ({ cart } = await sdk.store.cart.update(cart.id, { email, shipping_address: ADDRESS, billing_address: ADDRESS }));
  return cart;
}

// A guest checkout of `readyCart`; returns the completion's answer.
async function guestCheckout() {
  let cart = await readyCart();
  const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cart.id });
  ({ cart } = await sdk.store.cart.addShippingMethod(cart.id, { option_id: shipping_options[0].id }));
  await sdk.store.payment.initiatePaymentSession(cart, { provider_id: "pp_system_default" });
  return sdk.store.cart.complete(cart.id);
}

async function signUp(email) {
  await sdk.auth.register("customer", "emailpass", { email, password: "secret-password" });
  const { customer } = await sdk.store.customer.create({ email, first_name: "Ada" });
  await sdk.auth.login("customer", "emailpass", { email, password: "secret-password" });
  return customer;
}

// What the transfer mail would carry: Stockroom has no notification module, so fixture
// tests read the token from the `order.transfer_requested` event.
async function lastTransferToken() {
  const reply = await fetch(`${base}/test-control/events?name=order.transfer_requested`);
  const { events } = await reply.json();
  return events.at(-1).data.token;
}

test("a guest checks out and gets an order", async () => {
  const done = await guestCheckout();
  assert.equal(done.type, "order", JSON.stringify(done));
  assert.equal(done.order.email, "guest@example.com");
  assert.equal(done.order.display_id, 1);
});

test("a shopper who signs in takes over their guest cart", async () => {
  const cart = await readyCart();
  const customer = await signUp("cart-owner@example.com");
  const { cart: taken } = await sdk.store.cart.transferCart(cart.id);
  assert.equal(taken.customer_id, customer.id);
  assert.equal(taken.email, "cart-owner@example.com");
});

test("a shipping option's price is calculated for the cart", async () => {
  const cart = await readyCart();
  const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cart.id });
  const standard = shipping_options.find((o) => o.name === "Standard Shipping");
  const { shipping_option } = await sdk.store.fulfillment.calculate(standard.id, { cart_id: cart.id });
  assert.equal(shipping_option.id, standard.id);
  assert.equal(shipping_option.amount, 10);
  assert.equal(shipping_option.calculated_price.calculated_amount, 10);
});

test("a customer claims a guest order with the mailed token", async () => {
  const { order } = await guestCheckout();
  const customer = await signUp("claimer@example.com");
  const requested = await sdk.store.order.requestTransfer(order.id, { description: "my order" });
  assert.equal(requested.order.id, order.id);
  await assert.rejects(
    sdk.store.order.acceptTransfer(order.id, { token: "not-the-token" }),
    (err) => err.status === 400 && err.message === "Invalid token.",
  );
  const { order: accepted } = await sdk.store.order.acceptTransfer(order.id, { token: await lastTransferToken() });
  assert.equal(accepted.customer_id, customer.id);
  const { orders } = await sdk.store.order.list();
  assert.deepEqual(orders.map((o) => o.id), [order.id]);
});

test("a declined or canceled transfer leaves the order with the guest", async () => {
  const { order } = await guestCheckout();
  await signUp("hopeful@example.com");
  await sdk.store.order.requestTransfer(order.id, {});
  await assert.rejects(
    sdk.store.order.requestTransfer(order.id, {}),
    (err) => err.status === 400 && err.message === `Order (${order.id}) already has an existing active order change`,
  );
  const { order: declined } = await sdk.store.order.declineTransfer(order.id, { token: await lastTransferToken() });
  assert.equal(declined.customer_id, null);

  await sdk.store.order.requestTransfer(order.id, {});
  const token = await lastTransferToken();
  const { order: kept } = await sdk.store.order.cancelTransfer(order.id);
  assert.equal(kept.customer_id, null);
  await assert.rejects(
    sdk.store.order.acceptTransfer(order.id, { token }),
    (err) => err.status === 400 && err.message === `Order ${order.id} does not have an order transfer request.`,
  );
});

test("the admin dashboard finds the email/password provider and reads a shipping option", async () => {
  const { providers } = await sdk.auth.listProviders("user");
  assert.deepEqual(providers, [{ id: "emailpass", identifier: "emailpass", display_name: "Email/Password Authentication", flow: "credentials" }]);
  const cart = await readyCart();
  const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cart.id });
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  const { shipping_option } = await sdk.admin.shippingOption.retrieve(shipping_options[0].id);
  assert.equal(shipping_option.id, shipping_options[0].id);
  assert.equal(shipping_option.provider.id, "manual_manual");
  assert.ok(shipping_option.rules.some((r) => r.attribute === "enabled_in_store" && r.value === "true"));
  assert.ok(shipping_option.prices.some((p) => p.currency_code === "usd" && p.amount === 10));
});

test("a shopper applies and removes a promotion code", async () => {
  // The demo has no promotions: the merchant creates one through the admin API first.
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  await sdk.admin.promotion.create({
    code: "TEN", type: "standard", status: "active",
    application_method: { type: "percentage", target_type: "order", value: 10 },
  });
  const region = await usdRegion();
  const { products } = await sdk.store.product.list({ region_id: region.id, limit: 1, fields: "*variants" });
  let { cart } = await sdk.store.cart.create({ region_id: region.id, items: [{ variant_id: products[0].variants[0].id, quantity: 1 }] });
  const cents = (x) => Math.round(x * 100);
  const full = cents(cart.total);
  ({ cart } = await sdk.store.cart.update(cart.id, { promo_codes: ["TEN"] }));
  assert.deepEqual(cart.promotions.map((p) => p.code), ["TEN"]);
  assert.equal(cents(cart.discount_total), Math.round(full / 10));
  assert.equal(cents(cart.total), full - cents(cart.discount_total));
  assert.equal(cart.items[0].adjustments[0].code, "TEN");
  ({ cart } = await sdk.store.cart.update(cart.id, { promo_codes: [] }));
  assert.deepEqual(cart.promotions, []);
  assert.equal(cents(cart.total), full);
  ({ cart } = await sdk.store.cart.addPromotions(cart.id, { promo_codes: ["TEN"] }));
  assert.equal(cents(cart.discount_total), Math.round(full / 10));
  ({ cart } = await sdk.store.cart.removePromotions(cart.id, { promo_codes: ["TEN"] }));
  assert.equal(cart.discount_total, 0);
  await assert.rejects(
    sdk.store.cart.addPromotions(cart.id, { promo_codes: ["NOPE"] }),
    (err) => err.status === 400 && err.message === "The promotion code NOPE is invalid",
  );
});

// After-sales (issue 15), through the SDK's own admin methods: a guest's order is fulfilled,
// one unit comes back (requested, received, restocked), and the order owes the refund.
test("staff take a unit back through sdk.admin.return", async () => {
  const { order } = await guestCheckout();
  const line = order.items[0];
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  await sdk.admin.order.createFulfillment(order.id, { items: [{ id: line.id, quantity: 1 }] });
  const { return: begun } = await sdk.admin.return.initiateRequest({ order_id: order.id });
  assert.equal(begun.status, "open");
  const { order_preview } = await sdk.admin.return.addReturnItem(begun.id, { items: [{ id: line.id, quantity: 1 }] });
  assert.equal(order_preview.items[0].detail.return_requested_quantity, 1);
  const requested = await sdk.admin.return.confirmRequest(begun.id, {});
  assert.equal(requested.return.status, "requested");
  await sdk.admin.return.initiateReceive(begun.id, {});
  await sdk.admin.return.receiveItems(begun.id, { items: [{ id: line.id, quantity: 1 }] });
  const received = await sdk.admin.return.confirmReceive(begun.id, {});
  assert.equal(received.return.status, "received");
  assert.equal(received.return.items[0].received_quantity, 1);
  const { order: after } = await sdk.admin.order.retrieve(order.id);
  assert.equal(after.items[0].detail.return_received_quantity, 1);
  const { returns } = await sdk.admin.return.list({ order_id: order.id });
  assert.deepEqual(returns.map((r) => r.id), [begun.id]);
});

// An order edit through sdk.admin.orderEdit: a second unit, requested and confirmed as the
// order's next version; the summary then shows what to collect.
test("staff add a unit to an order through sdk.admin.orderEdit", async () => {
  const { order } = await guestCheckout();
  const line = order.items[0];
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  const { order_change } = await sdk.admin.orderEdit.initiateRequest({ order_id: order.id });
  assert.equal(order_change.change_type, "edit");
  const { order_preview } = await sdk.admin.orderEdit.updateOriginalItem(order.id, line.id, { quantity: 2 });
  assert.equal(order_preview.items[0].quantity, 2);
  await sdk.admin.orderEdit.request(order.id);
  await sdk.admin.orderEdit.confirm(order.id);
  const { order: after } = await sdk.admin.order.retrieve(order.id);
  assert.equal(after.version, 2);
  assert.equal(after.items[0].quantity, 2);
  assert.ok(after.summary.pending_difference > 0, JSON.stringify(after.summary));
});

// An exchange through sdk.admin.exchange: the delivered unit comes back and a new one goes
// out, reserved and recorded as the order's next version; the difference shows in the summary.
test("staff swap a unit through sdk.admin.exchange", async () => {
  const { order } = await guestCheckout();
  const line = order.items[0];
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  await sdk.admin.order.createFulfillment(order.id, { items: [{ id: line.id, quantity: 1 }] });
  const { exchange } = await sdk.admin.exchange.create({ order_id: order.id });
  const { return: inbound } = await sdk.admin.exchange.addInboundItems(exchange.id, { items: [{ id: line.id, quantity: 1 }] });
  assert.equal(inbound.exchange_id, exchange.id);
  const { order_preview } = await sdk.admin.exchange.addOutboundItems(exchange.id, { items: [{ variant_id: line.variant_id, quantity: 1 }] });
  assert.equal(order_preview.items.length, 2);
  const confirmed = await sdk.admin.exchange.request(exchange.id, {});
  assert.equal(confirmed.return.status, "requested");
  assert.equal(confirmed.exchange.additional_items.length, 1);
  const { order: after } = await sdk.admin.order.retrieve(order.id);
  assert.equal(after.version, 2);
  assert.equal(after.items.length, 2);
  // What the order now comes to: what it came to at checkout plus the exchange's difference.
  assert.equal(after.summary.current_order_total, order.total + confirmed.exchange.difference_due);
  const { exchanges } = await sdk.admin.exchange.list({ order_id: order.id });
  assert.deepEqual(exchanges.map((e) => e.id), [exchange.id]);
  const { exchange: canceled } = await sdk.admin.exchange.cancel(exchange.id);
  assert.ok(canceled.canceled_at);
});

// A claim through sdk.admin.claim: a missing unit claimed — as in Medusa, a claim item moves
// no money by itself (staff refund the payment by hand); a second claim begun and dropped
// with cancelRequest.
test("staff refund a missing unit through sdk.admin.claim", async () => {
  const { order } = await guestCheckout();
  const line = order.items[0];
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  const { claim } = await sdk.admin.claim.create({ order_id: order.id, type: "refund" });
  const { order_preview } = await sdk.admin.claim.addItems(claim.id, { items: [{ id: line.id, quantity: 1, reason: "missing_item" }] });
  assert.equal(order_preview.items[0].detail.written_off_quantity, 1);
  const confirmed = await sdk.admin.claim.request(claim.id, {});
  assert.equal(confirmed.claim.claim_items[0].reason, "missing_item");
  assert.equal(confirmed.claim.refund_amount, null);
  const { order: after } = await sdk.admin.order.retrieve(order.id);
  assert.equal(after.summary.current_order_total, after.summary.original_order_total);
  const { claim: second } = await sdk.admin.claim.create({ order_id: order.id, type: "replace" });
  const dropped = await sdk.admin.claim.cancelRequest(second.id);
  assert.deepEqual(dropped, { id: second.id, object: "claim", deleted: true });
  const { claims } = await sdk.admin.claim.list({ order_id: order.id });
  assert.deepEqual(claims.map((c) => c.id), [claim.id]);
});
