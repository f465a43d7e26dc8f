#!/usr/bin/env bash
# CTest fixture: starts or stops DynamoDB Local on a free loopback port.
#   ddblocal.sh start STATE_DIR JAR_DIR   -> STATE_DIR/port, STATE_DIR/pid, STATE_DIR/log
#   ddblocal.sh stop STATE_DIR
set -euo pipefail
cmd=$1 state=$2
here=$(cd "$(dirname "$0")" && pwd)

case "$cmd" in
start)
  jar_dir=$3
  [ -f "$jar_dir/DynamoDBLocal.jar" ] || { echo "no DynamoDBLocal.jar in '$jar_dir'" >&2; exit 1; }
  mkdir -p "$state/classes"
  "$0" stop "$state" || true
  javac -d "$state/classes" -cp "$jar_dir/DynamoDBLocal.jar:$jar_dir/DynamoDBLocal_lib/*" \
    "$here/LoopbackDynamoDBLocal.java"
  # A free port: bind to port 0 and read what the kernel chose.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  nohup java -Xmx1g -Djava.library.path="$jar_dir/DynamoDBLocal_lib" \
    -cp "$state/classes:$jar_dir/DynamoDBLocal.jar" LoopbackDynamoDBLocal \
    -inMemory -disableTelemetry -port "$port" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port" >"$state/port"
      echo "$jar_dir" >"$state/jar_dir" # for tests that start a server of their own
      echo "DynamoDB Local on 127.0.0.1:$port (pid $(cat "$state/pid"))"
      exit 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/log" >&2
  echo "DynamoDB Local did not start" >&2
  exit 1
  ;;
stop)
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/pid" "$state/port"
  fi
  ;;
*) echo "usage: $0 start|stop STATE_DIR [JAR_DIR]" >&2; exit 2 ;;
esac
