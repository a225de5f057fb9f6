#!/usr/bin/env bash
# `make serve`: a local Prefect server (SQLite) with its UI, a process work pool and worker, and the deployments.
# Open the UI, pick make-film/on-demand, fill the form (story + options), and the film lands in the store.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-4200}
BIN=.venv/bin
export PREFECT_API_URL="http://127.0.0.1:${PORT}/api"
export PREFECT_UI_API_URL="$PREFECT_API_URL"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export DREAMFACTORY_STORE="${DREAMFACTORY_STORE:-$PWD/dreamfactory-store}"

"$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" &
SERVER=$!
WORKER=""
SERVER_FILE="${DREAMFACTORY_SERVER_FILE:-$HOME/.dreamfactory/server.json}"
cleanup() { rm -f "$SERVER_FILE"; [ -n "$WORKER" ] && kill -TERM "$WORKER" 2>/dev/null; sleep 1; [ -n "$WORKER" ] && kill -KILL "$WORKER" 2>/dev/null; kill -TERM "$SERVER" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM
for _ in $(seq 60); do curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1 && break; sleep 1; done
# Every `dreamfactory` command on this machine finds this server through the file (and checks its health first).
"$BIN/python" -c 'import sys; from pathlib import Path; from dreamfactory.processes import write_server_file
write_server_file(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))' "$SERVER_FILE" "$PREFECT_API_URL" "$SERVER"
"$BIN/prefect" work-pool create dreamfactory-process --type process --base-job-template infra/pools/process.json --overwrite >/dev/null
"$BIN/python" deployments/deploy.py --pool dreamfactory-process
"$BIN/prefect" worker start --pool dreamfactory-process &
WORKER=$!
echo
echo "Prefect UI: http://127.0.0.1:${PORT}  (deployments: make-film/on-demand, rerun-scenes/after-edit, ...)"
echo "From a shell: $BIN/dreamfactory params stories/lighthouse.txt --scenes 4 | PREFECT_API_URL=$PREFECT_API_URL $BIN/prefect deployment run 'make-film/on-demand' --params - --watch"
echo "Films land in the worker's store, $DREAMFACTORY_STORE/<project>/films/ (a run's options.store overrides it). Ctrl-C stops the worker and the server."
wait "$SERVER"
