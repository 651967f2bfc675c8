// Issue 13's CSV routes through Medusa's own JS SDK methods, against fixture mode: a product
// export (its file in the admin feed, downloadable), an import through the presigned-URL
// flow (`createImport` → `/admin/uploads` → `/admin/products/imports`, then
// `confirmImport`), the multipart `import`, and the inventory export.
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
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
});

// The newest feed notification titled `title`.
async function feed(title) {
  const { notifications } = await sdk.admin.notification.list({ channel: "feed" });
  return notifications.find((n) => n.data?.title === title);
}

const csvFile = (text, name) => new File([text], name, { type: "text/csv" });

test("sdk.admin.product.export writes Medusa's CSV and posts its URL to the feed", async () => {
  const { transaction_id } = await sdk.admin.product.export({});
  assert.match(transaction_id, /^trx_/);
  const posted = await feed("Product export");
  assert.equal(posted.data.description, "Product export completed successfully!");
  assert.equal(posted.data.file.mimeType, "text/csv");
  const download = await fetch(posted.data.file.url);
  assert.equal(download.status, 200);
  const header = (await download.text()).split("\n")[0];
  assert.ok(header.startsWith("Product Id,Product Handle,Product Title"), header);
  assert.ok(header.includes("Variant Price USD"), header);
});

test("sdk.admin.product.createImport and confirmImport import a product", async () => {
  const csv = "Product Handle,Product Title,Product Status,Variant Title,Variant Sku,Variant Price USD,Variant Option 1 Name,Variant Option 1 Value\n" +
    "sdk-poster,SDK Poster,published,A2,SDK-POSTER-A2,15,Size,A2\n" +
    "sdk-poster,,,A1,SDK-POSTER-A1,25.5,Size,A1\n";
  const { transaction_id, summary } = await sdk.admin.product.createImport({ file: csvFile(csv, "posters.csv") });
  assert.deepEqual(summary, { toCreate: 1, toUpdate: 0 });
  assert.equal((await sdk.admin.product.list({ handle: "sdk-poster" })).count, 0, "nothing before confirming");
  await sdk.admin.product.confirmImport(transaction_id);
  const { products } = await sdk.admin.product.list({ handle: "sdk-poster" });
  assert.equal(products.length, 1);
  assert.deepEqual(products[0].variants.map((v) => v.sku).sort(), ["SDK-POSTER-A1", "SDK-POSTER-A2"]);
  const done = await feed("Product import");
  assert.equal(done.data.description, "Product import of file posters.csv completed successfully!");
});

test("sdk.admin.product.import refuses a bad row by its number", async () => {
  const csv = "Product Handle,Product Title,Variant Title,Variant Price USD\nmug,Mug,One,12\nbowl,Bowl,One,twelve\n";
  await assert.rejects(sdk.admin.product.import({ file: csvFile(csv, "bad.csv") }), (e) => {
    assert.equal(e.status, 400);
    assert.match(e.message, /^Row 2: Invalid value provided for "variant price usd"/);
    return true;
  });
  const good = "Product Handle,Product Title,Variant Title,Variant Price USD\nsdk-mug,Mug,One,12\n";
  const { transaction_id, summary } = await sdk.admin.product.import({ file: csvFile(good, "good.csv") });
  assert.deepEqual(summary, { toCreate: 1, toUpdate: 0 });
  await sdk.client.fetch(`/admin/products/import/${transaction_id}/confirm`, { method: "POST", body: {} });
  assert.equal((await sdk.admin.product.list({ handle: "sdk-mug" })).count, 1);
});

test("sdk.admin.inventoryItem.export writes the inventory CSV", async () => {
  const { transaction_id } = await sdk.admin.inventoryItem.export({});
  assert.match(transaction_id, /^trx_/);
  const posted = await feed("Inventory export");
  const text = await (await fetch(posted.data.file.url)).text();
  assert.ok(text.startsWith("Item Id,Item Sku,Item Title"), text.slice(0, 200));
});

test("sdk.admin.search answers every entity as Medusa does without a search module", async () => {
  const { results } = await sdk.admin.search.list({ q: "shirt", entity: ["product", "region"], limit: 5 });
  assert.deepEqual(results.map((r) => r.entity), ["product", "region"]);
  assert.ok(results[0].count > 0);
  assert.ok(results[0].data.every((p) => p.title.toLowerCase().includes("shirt")));
  assert.equal(results[1].count, 0);
});
