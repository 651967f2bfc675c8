#!/usr/bin/env bash
# Till sync under SIGKILL (issue 17): a central and two tills (the real binary, file stores,
# synchronous=FULL) selling and syncing on loopback while a till or central is killed with
# SIGKILL at random moments and restarted, KILLS times (default 60); then every sale each till
# holds must be on central exactly once and the stock at each till's location must have
# moved by exactly the units sold there. CI runs the same test with 4 kills.
#
#   scripts/till-sync-chaos.sh [KILLS]
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-60}"
TILL_KILLS="$kills" cargo test --release --test it till_sync_binary:: -- --nocapture
