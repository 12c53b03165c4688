#!/usr/bin/env bash
# `make demo`: the local fake SaaS API plus `paws run` on examples/demo.toml
# (SQLite under ./var). Runs until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PAWS_BUILD_DIR:-build/default}
PORT=18080
mkdir -p var
export PAWS_DEMO_TOKEN=demo-token-not-a-secret

if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then
  echo "error: 127.0.0.1:$PORT is in use; the demo's fake API needs it (examples/demo.toml)" >&2
  exit 1
fi
"$BIN/tools/fake_saas/paws-fake-saas" --port "$PORT" --rate 120 >var/fake-saas.log 2>&1 &
FAKE=$!
PAWS=""
cleanup() {
  [ -n "$PAWS" ] && kill -TERM "$PAWS" 2>/dev/null && wait "$PAWS" 2>/dev/null || true
  kill -TERM "$FAKE" 2>/dev/null || true
  wait "$FAKE" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

cat <<MSG
paws demo
  fake SaaS API : http://127.0.0.1:$PORT (log: var/fake-saas.log)
  store         : var/paws.db (SQLite)
  events go to  : var/events.jsonl      (tail -f var/events.jsonl)
  status        : $BIN/tools/paws/paws status --config examples/demo.toml [--json]
  health        : $BIN/tools/paws/paws check --config examples/demo.toml [--json]
  status server : http://127.0.0.1:9470/v1/status  and  /metrics
  stop          : Ctrl-C
MSG
"$BIN/tools/paws/paws" run --config examples/demo.toml &
PAWS=$!
wait "$PAWS" || true
