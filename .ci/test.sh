#!/usr/bin/env bash
# The test command (README): installs what the tests need when missing (Debian packages, when run as root), starts a
# throwaway PostgreSQL (and Redis) on loopback, runs every test of the solution on SQLite and PostgreSQL, prints
# "N passed, N failed", and stops what it started.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# Everything the run writes outside the clone (PostgreSQL's data, the tests' SQLite files and temp folders, Chromium
# profiles) goes under $WORK, which is removed at the end unless the caller chose it (TRIAGE_TEST_WORK) or asked to keep
# it (TRIAGE_TEST_KEEP=1): repeated runs must not fill the disk.
OWN_WORK=""
if [ -n "${TRIAGE_TEST_WORK:-}" ]; then WORK=$TRIAGE_TEST_WORK; else WORK=$(mktemp -d /tmp/triage-test.XXXXXX); OWN_WORK=1; fi
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
log() { echo "[test] $*" >&2; }

# --- what the tests need -------------------------------------------------------------------------------------------
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v jq >/dev/null 2>&1 || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || log "warning: apt-get install ${need[*]} failed"
  else
    log "missing ${need[*]} (run as root to install them); tests that need them will fail"
  fi
fi

# --- throwaway PostgreSQL on a free loopback port ------------------------------------------------------------------
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDATA="$WORK/pg"
PGPORT=$(free_port)
PG_STARTED=""
start_pg() {
  [ -n "$PGBIN" ] || { log "PostgreSQL not installed"; return 1; }
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$WORK" 2>/dev/null; chmod 755 "$WORK"
    runas=(runuser -u postgres --)
  fi
  mkdir -p "$PGDATA" "$WORK/pgsock"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA" "$WORK/pgsock"
  "${runas[@]}" "$PGBIN/initdb" -D "$PGDATA" -U triage --auth=trust -E UTF8 >"$WORK/initdb.log" 2>&1 || { log "initdb failed"; cat "$WORK/initdb.log" >&2; return 1; }
  "${runas[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg.log" -w -t 60 \
     -o "-p $PGPORT -k $WORK/pgsock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" start >/dev/null \
     || { log "PostgreSQL did not start"; cat "$WORK/pg.log" >&2; return 1; }
  PG_STARTED=1
  # Every test database has its own pool; the data and web tests run at once, and an idle connection is closed after
  # 15 s (Npgsql's default is 300 s), so the pools of finished tests do not add up to "too many clients".
  export TRIAGE_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=triage;Database=postgres;Pooling=true;Maximum Pool Size=50;Connection Idle Lifetime=15"
  export TRIAGE_TEST_PGBIN="$PGBIN" TRIAGE_TEST_PGDATA="$PGDATA"
  log "PostgreSQL on 127.0.0.1:$PGPORT"
}
REDIS_STARTED=""
start_redis() {
  command -v redis-server >/dev/null 2>&1 || { log "redis-server not installed"; return 1; }
  local port; port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" >/dev/null \
    && REDIS_STARTED=1 && export TRIAGE_TEST_REDIS="127.0.0.1:$port" && log "Redis on 127.0.0.1:$port"
}
stop_all() {
  if [ -n "$PG_STARTED" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
    else "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1; fi
  fi
  [ -n "$REDIS_STARTED" ] && [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null
  # Keep the logs beside the test results in the clone; drop the rest.
  [ -d "${TRIAGE_TEST_RESULTS:-}" ] && cp "$WORK"/*.log "$TRIAGE_TEST_RESULTS/" 2>/dev/null
  if [ -n "$OWN_WORK" ] && [ "${TRIAGE_TEST_KEEP:-}" != 1 ]; then sleep 1; rm -rf "$WORK"; fi
  true
}
trap stop_all EXIT
start_pg || true
start_redis || true
# The tests' own temporary files (SQLite databases, private PostgreSQL servers, imports, browser profiles) land here
# too. The npm sigstore oracle is a cache worth keeping between runs, so it stays in the system temp folder.
export TRIAGE_SIGSTORE_ORACLE_CACHE="${TRIAGE_SIGSTORE_ORACLE_CACHE:-${TMPDIR:-/tmp}/triage-sigstore-oracle}"
mkdir -p "$WORK/tmp" && chmod 1777 "$WORK/tmp"
export TMPDIR="$WORK/tmp"

# --- build once, run every test project ----------------------------------------------------------------------------
export TRIAGE_TEST_RESULTS="${TRIAGE_TEST_RESULTS:-$ROOT/test-results}"
mkdir -p "$TRIAGE_TEST_RESULTS"
log "building"
if ! dotnet build Triage.sln -c Debug -nologo -clp:ErrorsOnly >"$WORK/build.log" 2>&1; then
  grep -E "error|warn" "$WORK/build.log" | head -30 >&2
  echo "0 passed, 1 failed"
  exit 1
fi
log "testing"
# Unit, data and web tests in parallel; then the browser tests on their own, so their live-update timings (a colleague
# sees a decision within 2 s) measure the app, not four test processes competing for two CPUs.
dotnet test Triage.sln --no-build -c Debug --filter "FullyQualifiedName!~Triage.E2E" --logger "trx" --results-directory "$RESULTS" \
  -- RunConfiguration.TreatNoTestsAsError=false >"$WORK/test.log" 2>&1
code=$?
dotnet test tests/Triage.E2E --no-build -c Debug --logger "trx" --results-directory "$RESULTS" >>"$WORK/test.log" 2>&1 || code=1
grep -E "^\s*(Passed!|Failed!)|\[FAIL\]" "$WORK/test.log" | head -60 >&2
grep -E "^\s*Failed [A-Za-z]" -A6 "$WORK/test.log" | grep -v "^\s*Stack Trace" | head -120 >&2
python3 - "$RESULTS" <<'PY'
import glob, re, sys
p = f = 0
for t in glob.glob(sys.argv[1] + '/*.trx'):
    m = re.search(r'<Counters [^>]*?passed="(\d+)" failed="(\d+)"', open(t, encoding='utf-8-sig').read())
    if m: p += int(m.group(1)); f += int(m.group(2))
print(f"{p} passed, {f} failed")
PY
exit $code
