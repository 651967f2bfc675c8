#!/usr/bin/env bash
# Medusa's own admin dashboard (@medusajs/dashboard 2.21.2) as a static app pointed at a
# Stockroom server (README: "Medusa's admin dashboard"). Nothing of Medusa's is kept in this
# repository: the pinned packages are installed with npm into a cache directory outside it,
# built there by @medusajs/admin-bundler's `build`, and served from a loopback port.
#
#   scripts/dashboard.sh install               # npm-install the pinned packages (once)
#   scripts/dashboard.sh build [BACKEND_URL]   # install if needed; build for BACKEND_URL
#                                              # (default http://127.0.0.1:29410)
#   scripts/dashboard.sh serve [PORT]          # serve the build on http://127.0.0.1:PORT/app
#                                              # (default 29411); Ctrl-C stops it
#   scripts/dashboard.sh test                  # build if needed, then the browser test
#                                              # (tests/dashboard) against `serve --demo`
#
# The server must admit the dashboard's origin on /admin and /auth (and /cloud, which
# follows AUTH_CORS):
#   ADMIN_CORS=http://127.0.0.1:29411 AUTH_CORS=http://127.0.0.1:29411 \
#     stockroom serve --demo --port 29410
#
# STOCKROOM_DASHBOARD_DIR overrides the cache directory
# (default ${XDG_CACHE_HOME:-~/.cache}/stockroom/medusa-dashboard-2.21.2).
set -euo pipefail

VERSION=2.21.2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${STOCKROOM_DASHBOARD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stockroom/medusa-dashboard-$VERSION}"
# Both ports lie below Linux's ephemeral range (32768-60999), where any client socket may hold
# a port: CI once found 38410 taken ("Address already in use") after the browser tests.
DEFAULT_BACKEND=http://127.0.0.1:29410

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "dashboard.sh: $1 is required" >&2; exit 2; }
}

install() {
  need node
  need npm
  mkdir -p "$DIR"
  if [ -f "$DIR/node_modules/@medusajs/dashboard/package.json" ] &&
    grep -q "\"version\": \"$VERSION\"" "$DIR/node_modules/@medusajs/dashboard/package.json"; then
    return 0
  fi
  # A private package naming exactly the two packages the build needs, at the pinned version.
  cat >"$DIR/package.json" <<EOF
{
  "name": "stockroom-medusa-dashboard-build",
  "private": true,
  "dependencies": {
    "@medusajs/admin-bundler": "$VERSION",
    "@medusajs/dashboard": "$VERSION"
  }
}
EOF
  echo "installing @medusajs/dashboard and @medusajs/admin-bundler $VERSION into $DIR" >&2
  (cd "$DIR" && npm install --no-audit --no-fund --loglevel=error)
}

build() {
  local backend="${1:-$DEFAULT_BACKEND}"
  install
  if [ -f "$DIR/dist/index.html" ] && [ "$(cat "$DIR/backend-url" 2>/dev/null)" = "$backend" ]; then
    echo "dashboard already built for $backend in $DIR/dist" >&2
    return 0
  fi
  # admin-bundler writes its entry files under ./.medusa/client, so it runs in the cache dir.
  cat >"$DIR/build.cjs" <<'EOF'
const { build } = require("@medusajs/admin-bundler");
build({ path: "/app", backendUrl: process.env.BACKEND_URL, outDir: "dist", plugins: [] }).then(
  () => console.error(`built for ${process.env.BACKEND_URL}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
EOF
  rm -f "$DIR/backend-url"
  (cd "$DIR" && BACKEND_URL="$backend" node build.cjs)
  echo "$backend" >"$DIR/backend-url"
}

serve() {
  need node
  [ -f "$DIR/dist/index.html" ] || { echo "dashboard.sh: nothing built in $DIR/dist (run build)" >&2; exit 2; }
  echo "built for the server at $(cat "$DIR/backend-url")" >&2
  exec node "$ROOT/tests/dashboard/serve.mjs" "$DIR/dist" "${1:-29411}"
}

browser_test() {
  build "$DEFAULT_BACKEND"
  [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || { echo "dashboard.sh: /usr/bin/chromium is required" >&2; exit 2; }
  cd "$ROOT/tests/dashboard"
  npm ci --no-audit --no-fund --loglevel=error
  STOCKROOM_DASHBOARD_DIR="$DIR" npm test
}

case "${1:-}" in
  install) install ;;
  build) build "${2:-}" ;;
  serve) serve "${2:-}" ;;
  test) browser_test ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
