#!/usr/bin/env bash
# A canned DynamoDB for measuring clients alone: nginx answering the DynamoDB JSON protocol with
# fixed bodies chosen by X-Amz-Target (GetItem an item, PutItem {}, Query a 1 MB page of 1000 items
# that always has a LastEvaluatedKey, TransactWriteItems {}, BatchWriteItem no unprocessed items,
# CreateTable/DescribeTable an ACTIVE table, anything else UnknownOperationException), each with
# its x-amz-crc32. Signatures are not checked.
#   canned-server.sh start STATE_DIR [CPU]   -> STATE_DIR/port, STATE_DIR/body/*.json, crc32.txt
#   canned-server.sh stop STATE_DIR
# One nginx worker, pinned to CPU (default 0); its own prefix, pid and temp paths in STATE_DIR.
set -euo pipefail
cmd=${1:-} state=${2:-}
[ -n "$state" ] || { echo "usage: $0 start STATE_DIR [CPU] | stop STATE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || nginx_bin=/usr/sbin/nginx

alive() { local st; { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1; st=${st##*) }; [ -n "$st" ] && [ "${st:0:1}" != Z ]; }
wait_gone() { # PID SECONDS
  local end=$(( ${EPOCHREALTIME/[.,]/} + $2 * 1000000 ))
  while alive "$1"; do
    [ "${EPOCHREALTIME/[.,]/}" -lt "$end" ] || return 1
    sleep 0.05
  done
}

stop_nginx() {
  local pidfile="$state/nginx.pid" pid children
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nginx ]; then
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 5; then
      # shellcheck disable=SC2086
      kill -9 "$pid" $children 2>/dev/null || true
    fi
    for c in $children; do wait_gone "$c" 2 || kill -9 "$c" 2>/dev/null || true; done
  fi
  rm -f "$pidfile"
}

case "$cmd" in
start)
  cpu=${3:-0}
  [ -x "$nginx_bin" ] || { echo "nginx not found: apt-get install nginx-light" >&2; exit 1; }
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  stop_nginx
  rm -rf "$state/tmp" "$state/body"
  rm -f "$state"/{port,nginx.conf,error.log,nginx.out}
  mkdir -p "$state/tmp"/{client_body,proxy,fastcgi,uwsgi,scgi}
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  /usr/bin/python3 "$here/make-canned.py" "$state" "$port" "$cpu"
  "$nginx_bin" -t -q -p "$state" -c "$state/nginx.conf" -e "$state/error.log" ||
    { cat "$state/error.log" >&2 2>/dev/null || true; echo "nginx rejected $state/nginx.conf" >&2; exit 1; }
  # The master too runs on CPU (worker_cpu_affinity pins the worker).
  if ! taskset -c "$cpu" "$nginx_bin" -p "$state" -c "$state/nginx.conf" -e "$state/error.log" \
         </dev/null >"$state/nginx.out" 2>&1; then
    cat "$state/nginx.out" "$state/error.log" >&2 2>/dev/null || true
    echo "nginx did not start" >&2
    exit 1
  fi
  for _ in $(seq 1 100); do
    if [ -s "$state/nginx.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port" >"$state/port"
      echo "canned DynamoDB (nginx) on 127.0.0.1:$port, cpu $cpu (pid $(cat "$state/nginx.pid"))"
      exit 0
    fi
    sleep 0.1
  done
  cat "$state/nginx.out" "$state/error.log" >&2 2>/dev/null || true
  echo "nginx did not accept connections within 10 s" >&2
  stop_nginx
  exit 1
  ;;
stop)
  [ -d "$state" ] || exit 0
  stop_nginx
  rm -f "$state/port"
  ;;
*) echo "usage: $0 start STATE_DIR [CPU] | stop STATE_DIR" >&2; exit 2 ;;
esac
