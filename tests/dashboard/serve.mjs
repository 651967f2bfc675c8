// Serves a built Medusa admin dashboard (the static files `@medusajs/admin-bundler`'s `build`
// writes) on a loopback port, as Medusa's own `serve` does: files under the base path, and
// index.html for every other path under it (the dashboard routes in the browser).
// No dependencies, so scripts/dashboard.sh and the browser test share it.
//
//   node tests/dashboard/serve.mjs DIST_DIR [PORT]        # PORT defaults to 29411
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".map": "application/json",
};

/// The file a request path names inside `root`, or null when it names none (or tries to
/// leave `root`).
async function fileFor(root, urlPath, base) {
  if (!urlPath.startsWith(base)) return null;
  let relative;
  try {
    relative = decodeURIComponent(urlPath.slice(base.length));
  } catch {
    return null;
  }
  const candidate = normalize(join(root, relative));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  try {
    return (await stat(candidate)).isFile() ? candidate : null;
  } catch {
    return null;
  }
}

/// Starts the server; resolves with `{ server, url }` once it listens.
export async function serveDashboard(dist, port = 29411, base = "/app/") {
  const root = resolve(dist);
  const index = join(root, "index.html");
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/" || path === base.slice(0, -1)) {
      res.writeHead(302, { location: base }).end();
      return;
    }
    const file = (await fileFor(root, path, base)) ?? (path.startsWith(base) ? index : null);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const body = await readFile(file);
    const cache = file === index ? "no-cache" : "public, max-age=31536000, immutable";
    res
      .writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": cache })
      .end(body);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", ok);
  });
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dist, port] = process.argv.slice(2);
  if (!dist) {
    console.error("usage: node serve.mjs DIST_DIR [PORT]");
    process.exit(2);
  }
  const { url } = await serveDashboard(dist, Number(port ?? 29411));
  console.log(`Medusa admin dashboard on ${url}/app`);
}
