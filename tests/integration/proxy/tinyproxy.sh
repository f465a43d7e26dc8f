#!/usr/bin/env bash
# Test fixture: Debian's tinyproxy (a real HTTP proxy: absolute-form requests and CONNECT
# tunnels) on a free loopback port, with a log of every request it forwards.
#   tinyproxy.sh start STATE_DIR [USER PASSWORD]   -> STATE_DIR/port, STATE_DIR/pid, STATE_DIR/log
#   tinyproxy.sh stop STATE_DIR
# With USER and PASSWORD it wants Proxy-Authorization: Basic (407 otherwise).
set -euo pipefail
cmd=$1 state=$2

case "$cmd" in
start)
  command -v tinyproxy >/dev/null || { echo "tinyproxy is not installed (scripts/deps installs it)" >&2; exit 1; }
  mkdir -p "$state"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  {
    echo "Port $port"
    echo "Listen 127.0.0.1"
    echo "Timeout 60"
    echo "MaxClients 200"
    echo "LogLevel Info"
    echo "LogFile \"$state/log\""
    echo "PidFile \"$state/tinyproxy.pid\""
    echo "Allow 127.0.0.1"
    echo "DisableViaHeader Yes"
    # No ConnectPort line: CONNECT to any port (the TLS fixture's port is a free one).
    if [ $# -ge 4 ]; then echo "BasicAuth $3 $4"; fi
  } >"$state/tinyproxy.conf"
  : >"$state/log"
  nohup tinyproxy -d -c "$state/tinyproxy.conf" >"$state/stdout" 2>&1 &
  echo $! >"$state/pid"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port" >"$state/port"
      exit 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || break
    sleep 0.05
  done
  cat "$state/stdout" "$state/log" >&2 || true
  echo "tinyproxy did not start" >&2
  exit 1
  ;;
stop)
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/pid" "$state/port"
  fi
  ;;
*) echo "usage: $0 start|stop STATE_DIR [USER PASSWORD]" >&2; exit 2 ;;
esac
