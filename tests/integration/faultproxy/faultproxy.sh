#!/usr/bin/env bash
# CTest fixture: the seedable fault-injecting HTTP proxy (faultproxy.py) in front of DynamoDB Local.
#   faultproxy.sh start STATE_DIR UPSTREAM_STATE_DIR CONFIG_JSON
#       -> STATE_DIR/port, STATE_DIR/pid, STATE_DIR/faults.log (one JSON line per request),
#          STATE_DIR/log (the proxy's stdout and stderr)
#   faultproxy.sh stop STATE_DIR
# UPSTREAM_STATE_DIR is a running ddblocal.sh fixture's STATE_DIR (its port file names the upstream).
set -euo pipefail
cmd=${1:-} state=${2:-}
[ -n "$state" ] || { echo "usage: $0 start STATE_DIR UPSTREAM_STATE_DIR CONFIG_JSON | stop STATE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

source "$here/../fixture-lib.sh"

case "$cmd" in
start)
  up_state=${3:-} config=${4:-}
  if [ -z "$up_state" ] || [ ! -s "$up_state/port" ]; then
    echo "no upstream port file '$up_state/port' (is the ddblocal fixture running?)" >&2; exit 1
  fi
  [ -n "$config" ] && [ -f "$config" ] || { echo "no config file '$config'" >&2; exit 1; }
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  stop_server "$state" faultproxy.py
  rm -f "$state/faults.log" "$state/log" "$state/listen_port"
  # The proxy binds port 0 itself (no window for another process to take the port) and writes
  # the port the kernel chose to STATE_DIR/listen_port once it listens.
  nohup python3 "$here/faultproxy.py" --upstream-port "$(cat "$up_state/port")" \
    --config "$config" --state-dir "$state" </dev/null >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  if await_listening "$state"; then
    echo "faultproxy on 127.0.0.1:$(cat "$state/port") -> 127.0.0.1:$(cat "$up_state/port") (pid $(cat "$state/pid"))"
    exit 0
  fi
  echo "faultproxy did not start" >&2
  stop_server "$state" faultproxy.py
  exit 1
  ;;
stop)
  [ -d "$state" ] || exit 0
  stop_server "$state" faultproxy.py
  ;;
*) echo "usage: $0 start STATE_DIR UPSTREAM_STATE_DIR CONFIG_JSON | stop STATE_DIR" >&2; exit 2 ;;
esac
