#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The benchmark in one command: relais against Node-RED and the nginx ceiling on the shared
# peer harness's workloads (../shared/bench/run-peers.sh, its WORKLOAD.md), with the targets
# of issue 14 next to the figures.
#
#   bench/run.sh                          # 3 x 15 s per workload after a 5 s warm-up
#   DURATION=5 REPS=1 WARMUP=2 bench/run.sh   # quick try
#
# 1. Builds an optimised relais (Release, no tests) into build-bench/, before any harness
#    starts: the harness gives a peer 90 s to come up, less than a build from a fresh clone.
# 2. Makes a bearer key for the bench client and runs the harness twice:
#    nginx, Node-RED and relais in sync mode (A: delivered before the 201; B), then relais
#    alone in async mode (A answered 202, delivered by the workers; the harness has no
#    per-workload switch, so B runs again there and is left out of the table).
# 3. Times the start-up: exec of `relais serve` on the bench configuration (every plugin of
#    build-bench/plugins loaded) to the first 200 from /readyz, median of STARTUP_RUNS.
# 4. Prints one table: relais, Node-RED and nginx per workload, the ratio relais/Node-RED,
#    peak RSS, start-up, each against its target, met or not.
#
# Exits non-zero when the build or the harness fails, never because a target is missed: the
# figures are the result. Needs what the harness needs (wrk, nginx, node, npm: it installs
# them and Node-RED if missing) and relais's build dependencies (deploy/dev.sh run installs
# them). With the defaults it takes about 10 minutes (7 workloads of 50 s, the async drains,
# the peers' start-up); `DURATION=5 REPS=1` about 3.
#
# Environment: DURATION, REPS, WARMUP (passed to the harness), HARNESS (default
# ../shared/bench/run-peers.sh next to this clone), RESULTS_DIR (default
# $PEER_DIR/results/relais-<date>; the two harness runs go to its sync/ and async/),
# PEER_DIR (the harness's scratch, default /tmp/peer), JOBS (build, default: CPUs),
# STARTUP_RUNS (default 5), RELAIS_BENCH_KEY (default: a random key). The harness's own
# variables (ports, THREADS, CONNS, MW_DRAIN_S...) pass through.

set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="${HARNESS:-$ROOT/../shared/bench/run-peers.sh}"
JOBS="${JOBS:-$(nproc)}"
export PEER_DIR="${PEER_DIR:-/tmp/peer}"
OUT="${RESULTS_DIR:-$PEER_DIR/results/relais-$(date +%Y%m%d-%H%M%S)}"
STARTUP_RUNS="${STARTUP_RUNS:-5}"
STARTUP_PORT="${MW_PORT:-18083}"   # free again once the harness is done
MOCK_URL="http://127.0.0.1:${MOCK_PORT:-18080}/api/v1/inscriptions"

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[[ -f "$HARNESS" ]] || die "no harness at $HARNESS (set HARNESS to run-peers.sh)"
mkdir -p "$OUT"

# ---------------------------------------------------------------- 1. build
source "$ROOT/bench/relais-bench-config.sh"   # relais_bench_build, _prepare, RELAIS_BENCH_BIN
say "building an optimised relais into build-bench/ (log: $OUT/build.log)"
if ! relais_bench_build "$OUT/build.log" "$JOBS"; then
  tail -n 30 "$OUT/build.log" >&2
  die "build failed (see $OUT/build.log)"
fi

# ---------------------------------------------------------------- 2. harness
RELAIS_BENCH_KEY="${RELAIS_BENCH_KEY:-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
export RELAIS_BENCH_KEY
export RELAIS_BENCH_NO_BUILD=1   # relais-bench.sh must find the binary, never build it
# The stores of the harness's runs, removed at the end (hundreds of MB each).
export RELAIS_BENCH_SCRATCH="$OUT/stores"
trap 'rm -rf "$RELAIS_BENCH_SCRATCH"' EXIT
MW_SCRIPT="$(printf '%q' "$ROOT/bench/relais-bench.sh")"   # the harness runs `exec $MW_CMD`

harness() {  # harness NAME VAR=VALUE...: one run of the harness into $OUT/NAME
  local name=$1
  shift
  say "harness run '$name' (results: $OUT/$name)"
  if ! env "$@" RESULTS_DIR="$OUT/$name" MW_A_PATH=/v1/adapters/bench/inbound \
      MW_B_PREFIX='/v1/prefill/cantine?fc_sub=' MW_B_SUFFIX='&format=userinfo' \
      MW_HEADER="Authorization: Bearer $RELAIS_BENCH_KEY" bash "$HARNESS"; then
    die "the harness failed in run '$name' (see above and $OUT/$name)"
  fi
}
harness sync PEERS="nginx node-red middleware" MW_CMD="$MW_SCRIPT sync" MW_A_EXPECT=201
harness async PEERS="middleware" MW_CMD="$MW_SCRIPT async" MW_A_EXPECT=202

# ---------------------------------------------------------------- 3. start-up
STARTUP_DIR="$(mktemp -d /tmp/relais-startup-XXXXXX)"
SERVE_PID=""
cleanup() {
  if [[ -n "$SERVE_PID" ]]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$STARTUP_DIR" "$RELAIS_BENCH_SCRATCH"
}
trap cleanup EXIT

exec {NAP}<> <(:)   # an fd that never has data: `read -t` on it sleeps without a fork
nap() { read -r -t "$1" -u "$NAP" _ || true; }
READY_BODY=""
probe_ready() {  # one GET /readyz over bash's /dev/tcp (no fork per poll); 0 on a 200
  local status="" conn
  { exec {conn}<>"/dev/tcp/127.0.0.1/$STARTUP_PORT"; } 2>/dev/null || return 1
  printf 'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' \
    "$RELAIS_BENCH_KEY" >&"$conn"
  IFS= read -r -t 2 -u "$conn" status || true
  READY_BODY=""
  read -r -d '' -t 2 -u "$conn" READY_BODY || true
  exec {conn}>&-
  [[ "$status" == "HTTP/1.1 200"* ]]
}
START_MS=""
start_once() {  # START_MS: the ms from exec to the first 200, empty if relais did not get there
  local t0 t1 deadline
  : >"$STARTUP_DIR/serve.log"
  t0=${EPOCHREALTIME/./}
  "$RELAIS_BENCH_BIN" serve --config "$STARTUP_DIR/relais.xml" \
    --listen "127.0.0.1:$STARTUP_PORT" >>"$STARTUP_DIR/serve.log" 2>&1 &
  SERVE_PID=$!
  deadline=$((t0 + 10000000))
  until probe_ready; do
    if ! kill -0 "$SERVE_PID" 2>/dev/null || ((${EPOCHREALTIME/./} > deadline)); then
      t0=""
      break
    fi
    nap 0.002
  done
  t1=${EPOCHREALTIME/./}
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
  START_MS=""
  [[ -z "$t0" ]] || START_MS=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')
}

STARTUP_MS=""   # space-separated, one per start
STARTUP_PLUGINS=""
if (exec 3<>"/dev/tcp/127.0.0.1/$STARTUP_PORT") 2>/dev/null; then
  say "port $STARTUP_PORT busy: start-up not measured"
else
  say "start-up: $STARTUP_RUNS starts of relais serve on the bench configuration"
  relais_bench_prepare sync "$STARTUP_DIR" "$MOCK_URL" "$PEER_DIR/data/prefill-store.json" >/dev/null
  for _ in $(seq 1 "$STARTUP_RUNS"); do
    start_once
    if [[ -z "$START_MS" ]]; then
      say "WARNING: relais did not answer /readyz 200 within 10 s:"
      tail -n 5 "$STARTUP_DIR/serve.log" >&2
      continue
    fi
    STARTUP_MS+="$START_MS "
    STARTUP_PLUGINS=$(sed -n 's/.*"loaded":\([0-9]*\).*/\1/p' <<<"$READY_BODY")
  done
  say "start-up (ms): ${STARTUP_MS:-none}"
fi

# ---------------------------------------------------------------- 4. table
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
node - "$OUT" "$STARTUP_MS" "${STARTUP_PLUGINS:-?}" "$COMMIT" "${DURATION:-15}" "${REPS:-3}" \
  "${WARMUP:-5}" <<'EOF' | tee "$OUT/table.txt"
const fs = require('fs');
const path = require('path');
const [out, startupList, plugins, commit, dur, reps, warmup] = process.argv.slice(2);
const tsv = (f) => fs.existsSync(f)
  ? fs.readFileSync(f, 'utf8').trim().split('\n').slice(1).map(l => l.split('\t')) : [];
const median = (a) => { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const runs = (dir, peer, wl) => tsv(path.join(out, dir, 'runs.tsv')).filter(r => r[0] === peer && r[1] === wl);
const figures = (dir, peer, wl) => {  // medians over the runs, as the harness's table
  const rs = runs(dir, peer, wl);
  const col = (i) => median(rs.map(r => Number(r[i])));
  return { rps: col(3), p50: col(4), p99: col(5), bo: col(10),
           errors: rs.reduce((a, r) => a + Number(r[6]), 0) };
};
const info = (dir, peer) => {
  const row = tsv(path.join(out, dir, 'peers.tsv')).find(r => r[0] === peer) || [];
  return { check: row[1] || '?', peak: Number(row[3]) };
};

const nr = { A: figures('sync', 'node-red', 'A'), B: figures('sync', 'node-red', 'B') };
const ng = { A: figures('sync', 'nginx', 'A'), B: figures('sync', 'nginx', 'B') };
const sync = { A: figures('sync', 'middleware', 'A'), B: figures('sync', 'middleware', 'B') };
const asyncA = figures('async', 'middleware', 'A');

// async deliveries: what the mock received per run over the run plus its drain
const drains = tsv(path.join(out, 'async', 'drain.tsv')).filter(r => r[0] === 'middleware' && r[1] === 'A');
const deliveryRates = drains.map(([, , rep, , delivered, drainS]) => {
  const raw = fs.readFileSync(path.join(out, 'async', `middleware-A-${rep}.txt`), 'utf8');
  const us = Number((raw.match(/^RESULT .*duration_us=(\d+)/m) || [])[1]);
  return Number(delivered) / (us / 1e6 + Number(drainS));
});
const drained = drains.length > 0 && drains.every(r => r[6] === 'yes');
const maxDrain = Math.max(...drains.map(r => Number(r[5])));

const mw = [info('sync', 'middleware'), info('async', 'middleware')];
const peaks = mw.map(i => i.peak).filter(Number.isFinite);
const rss = peaks.length ? Math.max(...peaks) : NaN;
const startupShown = startupList.trim() ? startupList.trim().split(/\s+/) : [];
const startup = startupShown.map(Number);
const startupMs = median(startup);

const num = (v, d = 0) => Number.isFinite(v) ? v.toFixed(d) : '-';
const ratio = (a, b) => a / b;
const x = (r) => Number.isFinite(r) ? `${r.toFixed(2)}x` : '-';
const verdict = (misses) => misses.length ? `NOT MET (${misses.join('; ')})` : 'met';
const need = (ok, why) => (ok ? [] : [why]);

const rows = [['workload', 'relais', 'p50 ms', 'p99 ms', 'Node-RED', 'p50 ms', 'p99 ms', 'nginx',
  'relais/NR', 'target', 'result']];
const wlRow = (name, f, nrf, ngf, minRatio, maxP99) => {
  const r = ratio(f.rps, nrf.rps);
  const misses = [...need(r >= minRatio, `${x(r)} < ${minRatio}x`),
    ...(maxP99 ? need(f.p99 <= maxP99, `p99 ${num(f.p99, 1)} > ${maxP99} ms`) : [])];
  rows.push([name, num(f.rps), num(f.p50, 1), num(f.p99, 1), num(nrf.rps), num(nrf.p50, 1),
    num(nrf.p99, 1), num(ngf.rps), x(r), `>= ${minRatio}x` + (maxP99 ? `, p99 <= ${maxP99} ms` : ''),
    verdict(misses)]);
};
wlRow('A sync, dossiers/s', sync.A, nr.A, ng.A, 15, 10);
wlRow('A async, accepted/s', asyncA, nr.A, ng.A, 15, 0);
{
  const d = median(deliveryRates);
  const r = ratio(d, nr.A.rps);
  const misses = [...need(r >= 15, `${x(r)} < 15x`),
    ...need(drained, `not drained within the harness's window`)];
  rows.push(['A async, delivered/s', num(d), '-', '-', num(nr.A.rps), '-', '-', '-', x(r),
    '>= 15x, drained', verdict(misses)]);
}
wlRow('B prefill/s', sync.B, nr.B, ng.B, 8, 5);
rows.push(['peak RSS MiB', num(rss), '', '', num(info('sync', 'node-red').peak), '', '',
  num(info('sync', 'nginx').peak), x(ratio(rss, info('sync', 'node-red').peak)), '<= 70 MiB',
  Number.isFinite(rss) ? verdict(need(rss <= 70, `${num(rss)} > 70 MiB`)) : 'not measured']);
rows.push(['start-up to /readyz ms', num(startupMs, 1), '', '', '', '', '', '', '', '<= 200 ms',
  startup.length ? verdict(need(startupMs <= 200, `${num(startupMs, 1)} > 200 ms`)) : 'not measured']);

const w = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
console.log(`\nrelais ${commit} against Node-RED and the nginx ceiling, ${new Date().toISOString().slice(0, 16)}Z` +
  ` -- wrk, ${reps} x ${dur} s per workload after ${warmup} s warm-up, medians; req/s unless said`);
for (const r of rows) {
  console.log(r.map((c, i) => (i === 0 || i >= 9 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd());
}
console.log(`checks: relais sync ${mw[0].check} (BO/req ${num(sync.A.bo, 2)}), relais async ${mw[1].check}` +
  ` (drain after each run <= ${num(maxDrain, 1)} s), Node-RED ${info('sync', 'node-red').check};` +
  ` errors: relais A ${sync.A.errors}, async A ${asyncA.errors}, B ${sync.B.errors}`);
console.log(`start-up: ${startup.length} starts (${startupShown.join(', ')} ms), ${plugins} plugins loaded;` +
  ` peak RSS is relais's largest over both runs`);
console.log(`raw results: ${out}/sync, ${out}/async`);
EOF
