#!/usr/bin/env bash
# CTest fixture: starts or stops DynamoDB Local on a free loopback port.
#   ddblocal.sh start STATE_DIR JAR_DIR   -> STATE_DIR/port, STATE_DIR/pid, STATE_DIR/log,
#                                            STATE_DIR/server ("dynamodb-local" or "dynalite")
#   ddblocal.sh stop STATE_DIR
# With DDB_TEST_SERVER=dynalite it starts dynalite instead (scripts/dynalite, or the command in
# $DDB_DYNALITE), with its default delays: tables stay CREATING and DELETING for 500 ms, as on
# AWS (where it takes seconds), while DynamoDB Local makes them ACTIVE at once.
set -euo pipefail
cmd=$1 state=$2
here=$(cd "$(dirname "$0")" && pwd)

# A free port: bind to port 0 and read what the kernel chose.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# await_port PORT NAME: until PORT accepts a connection (60 s), or the server in STATE/pid exits.
await_port() {
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      echo "$1" >"$state/port"
      echo "$2 on 127.0.0.1:$1 (pid $(cat "$state/pid"))"
      return 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/log" >&2
  echo "$2 did not start" >&2
  return 1
}

server=${DDB_TEST_SERVER:-dynamodb-local}
case "$cmd:$server" in
start:dynalite)
  mkdir -p "$state"
  "$0" stop "$state" || true
  bin=${DDB_DYNALITE:-$("$here/../../../scripts/dynalite")}
  port=$(free_port)
  nohup "$bin" --host 127.0.0.1 --port "$port" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  echo dynalite >"$state/server"
  echo "${3:--}" >"$state/jar_dir" # passed on to tests that start a server of their own
  await_port "$port" dynalite
  ;;
start:dynamodb-local) ;;
start:*) echo "DDB_TEST_SERVER must be dynamodb-local or dynalite, not '$server'" >&2; exit 2 ;;
esac

case "$cmd" in
start)
  [ "$server" = dynamodb-local ] || exit 0
  jar_dir=$3
  [ -f "$jar_dir/DynamoDBLocal.jar" ] || { echo "no DynamoDBLocal.jar in '$jar_dir'" >&2; exit 1; }
  mkdir -p "$state/classes"
  "$0" stop "$state" || true
  javac -d "$state/classes" -cp "$jar_dir/DynamoDBLocal.jar:$jar_dir/DynamoDBLocal_lib/*" \
    "$here/LoopbackDynamoDBLocal.java"
  port=$(free_port)
  nohup java -Xmx1g -Djava.library.path="$jar_dir/DynamoDBLocal_lib" \
    -cp "$state/classes:$jar_dir/DynamoDBLocal.jar" LoopbackDynamoDBLocal \
    -inMemory -disableTelemetry -port "$port" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  echo dynamodb-local >"$state/server"
  echo "$jar_dir" >"$state/jar_dir" # for tests that start a server of their own
  await_port "$port" "DynamoDB Local"
  ;;
stop)
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/pid" "$state/port" "$state/server"
  fi
  ;;
*) echo "usage: $0 start|stop STATE_DIR [JAR_DIR]" >&2; exit 2 ;;
esac
