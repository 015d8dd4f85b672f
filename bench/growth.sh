#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# How workload A's cost grows with the dossier's size and with the number of dossiers
# already stored (issue 14, docs/performance.md "Growth"). Same set-up as the benchmark
# (bench/relais-bench.xml.in, sync mode: answered 201 once delivered to the harness's
# back-office mock), the same wrk script, one table at the end:
#
#   size    3 KB    the harness's dossier (tests/fixtures/bench/dossier.json)
#           30 KB   the same with 27 KB more of free text (an "observations" field)
#           300 KB  the 3 KB dossier and one 297 KB attachment (a PDF the portal serves:
#                   relais downloads it at ingest, checks its SHA-256, keeps it on disk)
#   stored  each size is measured on a store already holding STORED dossiers (loaded through
#           the same API first, 3 KB each, not timed).
#
#   bench/growth.sh                            # STORED="10000 100000", 10 s per point
#   STORED="1000000" DURATION=15 bench/growth.sh   # the 10^6 point (loading takes minutes)
#
# Needs build-bench/ (bench/run.sh builds it; built here if missing), wrk, node (the
# harness's back-office mock and a file server for the attachment), all on 127.0.0.1.
# Environment: STORED, SIZES (default "3 30 300"), DURATION (s per point, default 10),
# CONNS (default 32), THREADS (default 2), HARNESS_DIR (default ../shared/bench),
# RESULTS_DIR (default /tmp/peer/results/relais-growth-<date>).

set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS_DIR="${HARNESS_DIR:-$ROOT/../shared/bench}"
STORED="${STORED:-10000 100000}"
SIZES="${SIZES:-3 30 300}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-32}"
THREADS="${THREADS:-2}"
OUT="${RESULTS_DIR:-/tmp/peer/results/relais-growth-$(date +%Y%m%d-%H%M%S)}"
BO_PORT=18180
FILES_PORT=18181
PORT=18183

say() { printf '\033[1m[growth]\033[0m %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

for tool in wrk node; do command -v "$tool" >/dev/null || die "$tool is missing (bench/run.sh installs it)"; done
[[ -f "$HARNESS_DIR/mock-backoffice.js" ]] || die "no harness in $HARNESS_DIR (set HARNESS_DIR)"
mkdir -p "$OUT"

source "$ROOT/bench/relais-bench-config.sh"   # relais_bench_build, _prepare, RELAIS_BENCH_BIN
if [[ ! -x "$RELAIS_BENCH_BIN" ]]; then
  say "building an optimised relais into build-bench/"
  relais_bench_build "$OUT/build.log" || die "build failed (see $OUT/build.log)"
fi

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$OUT/store"
}
trap cleanup EXIT

# ------------------------------------------------------------------ the bodies
say "bodies and the attachment in $OUT"
node - "$HARNESS_DIR/dossier.json" "$OUT" "$FILES_PORT" <<'JS'
const fs = require('fs');
const crypto = require('crypto');
const [source, out, port] = process.argv.slice(2);
const dossier = JSON.parse(fs.readFileSync(source, 'utf8'));
fs.writeFileSync(`${out}/dossier-3.json`, JSON.stringify(dossier));
// 30 KB: free text a citizen typed, in a field the mapping does not read.
const words = 'Mon enfant mange sans porc et a besoin d\'un panier repas le mercredi. ';
const text = words.repeat(Math.ceil(27000 / words.length)).slice(0, 27000);
fs.writeFileSync(`${out}/dossier-30.json`, JSON.stringify({...dossier, observations: text}));
// 300 KB: one attachment of 297 KB, fetched by relais from the file server below.
const piece = crypto.randomBytes(297 * 1024);
fs.writeFileSync(`${out}/piece.pdf`, piece);
const sha256 = crypto.createHash('sha256').update(piece).digest('hex');
fs.writeFileSync(`${out}/dossier-300.json`, JSON.stringify({...dossier, pieces: [{
  url: `http://127.0.0.1:${port}/piece.pdf`, name: 'justificatif-domicile.pdf',
  content_type: 'application/pdf', sha256, size: piece.length}]}));
JS
# The portal's file server: the attachment from memory, keep-alive.
node -e '
const fs = require("fs"); const piece = fs.readFileSync(process.argv[1]);
require("http").createServer((req, res) => {
  res.writeHead(200, {"Content-Type": "application/pdf", "Content-Length": piece.length});
  res.end(piece);
}).listen(Number(process.argv[2]), "127.0.0.1");' "$OUT/piece.pdf" "$FILES_PORT" \
  >"$OUT/files.log" 2>&1 &
PIDS+=($!)
MOCK_PORT="$BO_PORT" node "$HARNESS_DIR/mock-backoffice.js" >"$OUT/backoffice.log" 2>&1 &
PIDS+=($!)

# ------------------------------------------------------------------ relais
RELAIS_BENCH_KEY="${RELAIS_BENCH_KEY:-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
export RELAIS_BENCH_KEY
HEADER="header=Authorization: Bearer $RELAIS_BENCH_KEY"
URL="http://127.0.0.1:$PORT/v1/adapters/bench/inbound"
RELAIS_PID=""

start_relais() {  # a fresh store
  rm -rf "$OUT/store" && mkdir -p "$OUT/store"
  echo '{}' >"$OUT/no-subjects.json"
  relais_bench_prepare sync "$OUT/store" "http://127.0.0.1:$BO_PORT/api/v1/inscriptions" \
    "$OUT/no-subjects.json" >/dev/null
  "$RELAIS_BENCH_BIN" serve --config "$OUT/store/relais.xml" --listen "127.0.0.1:$PORT" \
    >>"$OUT/relais.log" 2>&1 &
  RELAIS_PID=$!
  PIDS+=("$RELAIS_PID")
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "relais did not start (see $OUT/relais.log)"
}
stop_relais() {
  kill -TERM "$RELAIS_PID" 2>/dev/null || true
  wait "$RELAIS_PID" 2>/dev/null || true
}
stored_count() {
  curl -s -H "Authorization: Bearer $RELAIS_BENCH_KEY" "http://127.0.0.1:$PORT/metrics" |
    awk '/^relais_ingest_total\{.*outcome="stored"/ {n += $2} END {printf "%d", n}'
}
load_until() {  # load_until N: POST the 3 KB dossier until N dossiers are stored
  local want=$1
  while (( $(stored_count) < want )); do
    wrk -t"$THREADS" -c"$CONNS" -d5s -s "$HARNESS_DIR/wrk-post-dossier.lua" "$URL" -- \
      "$OUT/dossier-3.json" "$HEADER" >/dev/null
  done
}
measure() {  # measure SIZE STORED: one wrk run, one line of the table
  local size=$1 stored=$2 file="$OUT/wrk-$1kb-$2.txt"
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$HARNESS_DIR/wrk-post-dossier.lua" \
    "$URL" -- "$OUT/dossier-$size.json" "$HEADER" >"$file"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {printf "%d", $2}' "$file")
  p50=$(awk '$1 == "50.000%" || $1 == "50%" {print $2}' "$file")
  p99=$(awk '$1 == "99.000%" || $1 == "99%" {print $2}' "$file")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$file")
  printf '%-8s %10s %10s %8s %8s %7s\n' "${size} KB" "$stored" "$rps" "$p50" "$p99" \
    "${errors:-0}" | tee -a "$OUT/table.txt"
  # A point where relais refused or failed is no figure: stop and say where to look.
  [[ "${errors:-0}" == 0 ]] || die "${size} KB: ${errors} answers were not 2xx (see $OUT/relais.log)"
}

printf '%-8s %10s %10s %8s %8s %7s\n' size stored "dossiers/s" p50 p99 errors >"$OUT/table.txt"
for stored in $STORED; do
  start_relais
  say "loading $stored dossiers (3 KB) into a fresh store"
  load_until "$stored"
  for size in $SIZES; do
    say "measuring ${size} KB dossiers on a store of about $(stored_count)"
    measure "$size" "$(stored_count)"
  done
  stop_relais
done
say "table: $OUT/table.txt"
cat "$OUT/table.txt"
