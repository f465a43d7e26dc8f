# Sourced by the CTest fixture scripts that run a server of ours from STATE_DIR (hostile.sh,
# faultproxy.sh, nginx-tls.sh): process checks, a stop that never signals a stranger, and the
# wait for a server that binds port 0 and names its port in STATE_DIR/listen_port.

# A process is alive if it exists and is not a zombie.
alive() { local st; { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1; st=${st##*) }; [ -n "$st" ] && [ "${st:0:1}" != Z ]; }

# stop_server STATE_DIR PROGRAM: TERM (then KILL after 5 s) the pid in STATE_DIR/pid, but only
# while its command line still names PROGRAM (guards against pid reuse).
stop_server() {
  local state=$1 program=$2 pid
  [ -f "$state/pid" ] || return 0
  pid=$(cat "$state/pid")
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$program"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/pid" "$state/port" "$state/listen_port"
}

# await_listening STATE_DIR: waits up to 10 s for the server in STATE_DIR/pid to write
# STATE_DIR/listen_port and accept a connection there, then copies the port to STATE_DIR/port.
# Fails, printing the server's log, if it exits or never listens.
await_listening() {
  local state=$1 port
  for _ in $(seq 1 100); do
    if [ -s "$state/listen_port" ]; then
      port=$(cat "$state/listen_port")
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "$port" >"$state/port"
        return 0
      fi
    fi
    alive "$(cat "$state/pid")" || break
    sleep 0.1
  done
  cat "$state/log" >&2 2>/dev/null || true
  return 1
}
