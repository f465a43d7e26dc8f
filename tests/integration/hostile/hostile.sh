#!/usr/bin/env bash
# CTest fixture: a deliberately misbehaving HTTP/1.1 server (hostile_server.py; modes in README.md).
#   hostile.sh start STATE_DIR MODE [UPSTREAM] [EXTRA ARGS...]
#       -> STATE_DIR/port, STATE_DIR/pid, STATE_DIR/log (the server's stdout and stderr)
#   hostile.sh stop STATE_DIR
# UPSTREAM is given for MODE auth_proxy only: a port, or a running ddblocal.sh fixture's STATE_DIR
# (its port file names the upstream). EXTRA ARGS go to hostile_server.py (e.g. --every 3).
set -euo pipefail
cmd=${1:-} state=${2:-}
usage="usage: $0 start STATE_DIR MODE [UPSTREAM] [EXTRA ARGS...] | stop STATE_DIR"
[ -n "$state" ] || { echo "$usage" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

source "$here/../fixture-lib.sh"

case "$cmd" in
start)
  mode=${3:-}
  [ -n "$mode" ] || { echo "$usage" >&2; exit 2; }
  shift 3
  args=()
  if [ "$mode" = auth_proxy ]; then
    up=${1:-}
    [ -n "$up" ] || { echo "auth_proxy needs UPSTREAM (a port or a ddblocal STATE_DIR)" >&2; exit 2; }
    shift
    if [ -d "$up" ]; then
      [ -s "$up/port" ] || { echo "no upstream port file '$up/port' (is the ddblocal fixture running?)" >&2; exit 1; }
      up=$(cat "$up/port")
    fi
    args+=(--upstream-port "$up")
  fi
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  stop_server "$state" hostile_server.py
  rm -f "$state/log" "$state/listen_port"
  # The server binds port 0 itself (no window for another process to take the port) and writes
  # the port the kernel chose to STATE_DIR/listen_port once it listens.
  nohup python3 "$here/hostile_server.py" "$mode" --state-dir "$state" "${args[@]}" "$@" \
    </dev/null >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  if await_listening "$state"; then
    echo "hostile_server $mode on 127.0.0.1:$(cat "$state/port") (pid $(cat "$state/pid"))"
    exit 0
  fi
  echo "hostile_server did not start" >&2
  stop_server "$state" hostile_server.py
  exit 1
  ;;
stop)
  [ -d "$state" ] || exit 0
  stop_server "$state" hostile_server.py
  ;;
*) echo "$usage" >&2; exit 2 ;;
esac
