#!/usr/bin/env bash
# CTest fixture: nginx terminating TLS on free loopback ports in front of DynamoDB Local,
# with a test CA made at start time.
#   nginx-tls.sh start STATE_DIR DDBLOCAL_STATE_DIR
#       -> STATE_DIR/port             good certificate (localhost, 127.0.0.1), signed by ca.pem
#          STATE_DIR/wrong_host_port  certificate for wrong.example only, signed by ca.pem
#          STATE_DIR/unknown_ca_port  certificate for localhost signed by other-ca.pem
#          STATE_DIR/short_keepalive_port  plain HTTP, idle keep-alive connections closed after 1 s
#          STATE_DIR/ca.pem, other-ca.pem, access.log (has reused=r|. per request), error.log
#   nginx-tls.sh stop STATE_DIR
# Runs its own nginx (-p/-c/-e all in STATE_DIR); never uses the system nginx or /var.
set -euo pipefail
cmd=${1:-} state=${2:-}
[ -n "$state" ] || { echo "usage: $0 start|stop STATE_DIR [DDBLOCAL_STATE_DIR]" >&2; exit 2; }

nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || nginx_bin=/usr/sbin/nginx

# alive PID (pid 1 here may reap exited daemons late, so zombies count as gone).
source "$(cd "$(dirname "$0")" && pwd)/../fixture-lib.sh"
# wait_gone PID SECONDS: waits (wall clock) until PID is gone; fails if it is still alive then.
wait_gone() {
  local end=$(( ${EPOCHREALTIME/[.,]/} + $2 * 1000000 ))
  while alive "$1"; do
    [ "${EPOCHREALTIME/[.,]/}" -lt "$end" ] || return 1
    sleep 0.05
  done
}

# Stops the nginx whose master pid is in STATE_DIR/nginx.pid, and its workers.
stop_nginx() {
  local pidfile="$state/nginx.pid" pid children
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  # Only signal it if that pid is still an nginx (guards against pid reuse).
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nginx ]; then
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true          # fast shutdown
    if ! wait_gone "$pid" 5; then  # hung master: SIGKILL it and its workers (they would outlive it)
      # shellcheck disable=SC2086  # $children is a whitespace-separated pid list
      kill -9 "$pid" $children 2>/dev/null || true
    fi
    for c in $children; do
      wait_gone "$c" 2 || kill -9 "$c" 2>/dev/null || true
    done
  fi
  rm -f "$pidfile"
}

# Writes an openssl config holding the extensions for CAs and server certificates.
write_openssl_cnf() {
  cat >"$state/pki/openssl.cnf" <<'EOF'
[ req ]
distinguished_name = dn
prompt             = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ srv_localhost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName         = DNS:localhost, IP:127.0.0.1
[ srv_wrong ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName         = DNS:wrong.example
EOF
}

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# new_ca NAME CN -> STATE/NAME.pem, STATE/NAME.key
new_ca() {
  new_key "$state/$1.key"
  openssl req -x509 -new -sha256 -days 3 -config "$state/pki/openssl.cnf" -extensions v3_ca \
    -key "$state/$1.key" -subj "/O=ddb tests/CN=$2" -out "$state/$1.pem"
}

# new_server NAME CA EXTENSIONS CN -> STATE/NAME.pem, STATE/NAME.key
new_server() {
  new_key "$state/$1.key"
  openssl req -new -sha256 -config "$state/pki/openssl.cnf" -key "$state/$1.key" \
    -subj "/O=ddb tests/CN=$4" -out "$state/pki/$1.csr"
  openssl x509 -req -sha256 -days 3 -in "$state/pki/$1.csr" \
    -CA "$state/$2.pem" -CAkey "$state/$2.key" -CAserial "$state/pki/$2.srl" -CAcreateserial \
    -extfile "$state/pki/openssl.cnf" -extensions "$3" -out "$state/$1.pem" 2>/dev/null
}

case "$cmd" in
start)
  ddb_state=${3:-}
  if [ -z "$ddb_state" ] || [ ! -s "$ddb_state/port" ]; then
    echo "no DynamoDB Local port file '$ddb_state/port' (is the ddblocal fixture running?)" >&2; exit 1
  fi
  ddb_port=$(cat "$ddb_state/port")
  [ -x "$nginx_bin" ] || { echo "nginx not found: run scripts/deps (package nginx-light)" >&2; exit 1; }
  command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 1; }

  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  stop_nginx
  rm -rf "$state/pki" "$state/tmp"
  rm -f "$state"/{port,wrong_host_port,unknown_ca_port,short_keepalive_port,nginx.conf,access.log,error.log,nginx.out} \
        "$state"/{ca,other-ca,server,wrong-host,unknown-ca}.{pem,key}
  mkdir -p "$state/pki" "$state/tmp"/{client_body,proxy,fastcgi,uwsgi,scgi}

  # --- PKI: two CAs, three server certificates (EC P-256, SHA-256, 3 days).
  write_openssl_cnf
  new_ca ca "ddb test CA"
  new_ca other-ca "ddb untrusted test CA"
  new_server server ca srv_localhost localhost
  new_server wrong-host ca srv_wrong wrong.example
  new_server unknown-ca other-ca srv_localhost localhost
  # Sanity: the chains verify as the tests expect (OpenSSL 3, hostname and IP checks).
  openssl verify -CAfile "$state/ca.pem" -purpose sslserver -verify_hostname localhost "$state/server.pem" >/dev/null
  openssl verify -CAfile "$state/ca.pem" -purpose sslserver -verify_ip 127.0.0.1 "$state/server.pem" >/dev/null
  openssl verify -CAfile "$state/other-ca.pem" -purpose sslserver -verify_hostname localhost "$state/unknown-ca.pem" >/dev/null
  if openssl verify -CAfile "$state/ca.pem" -verify_hostname localhost "$state/wrong-host.pem" >/dev/null 2>&1 ||
     openssl verify -CAfile "$state/ca.pem" "$state/unknown-ca.pem" >/dev/null 2>&1; then
    echo "test PKI is wrong: a bad certificate verified" >&2; exit 1
  fi

  # --- Three distinct free loopback ports: hold all three sockets at once while choosing.
  read -r port wrong_port unknown_port short_port < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')

  user_line=""
  [ "$(id -u)" -eq 0 ] && user_line="user $(id -un);"   # workers need no access beyond STATE_DIR

  server_block() { # PORT CERT
    cat <<EOF
    server {
        listen 127.0.0.1:$1 ssl;
        server_name _;
        ssl_certificate     $state/$2.pem;
        ssl_certificate_key $state/$2.key;
        location / {
            proxy_pass http://ddblocal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;   # SigV4 signs Host: pass it through unchanged
            proxy_read_timeout 120s;
        }
    }
EOF
  }

  cat >"$state/nginx.conf" <<EOF
# Generated by nginx-tls.sh; everything lives under $state.
$user_line
daemon on;
master_process on;
worker_processes 1;
pid $state/nginx.pid;
lock_file $state/nginx.lock;
error_log $state/error.log info;
events { worker_connections 256; }
http {
    log_format ddb 'port=\$server_port conn=\$connection req=\$connection_requests '
                   'reused=\$ssl_session_reused proto=\$ssl_protocol sni=\$ssl_server_name '
                   'status=\$status host="\$http_host" target="\$http_x_amz_target" '
                   'upstream_status=\$upstream_status rt=\$request_time';
    access_log $state/access.log ddb;
    default_type application/octet-stream;
    client_body_temp_path $state/tmp/client_body;
    proxy_temp_path       $state/tmp/proxy;
    fastcgi_temp_path     $state/tmp/fastcgi;
    uwsgi_temp_path       $state/tmp/uwsgi;
    scgi_temp_path        $state/tmp/scgi;
    client_max_body_size 32m;      # BatchWriteItem requests can reach 16 MB
    client_body_buffer_size 1m;
    keepalive_timeout 75s;
    keepalive_requests 10000;
    server_tokens off;

    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    ssl_session_timeout 10m;
    ssl_session_tickets on;

    upstream ddblocal {
        server 127.0.0.1:$ddb_port;
        keepalive 16;
    }

$(server_block "$port" server)
$(server_block "$wrong_port" wrong-host)
$(server_block "$unknown_port" unknown-ca)
    # Plain HTTP that closes idle keep-alive connections after 1 s: the client must notice a
    # reused connection the server already closed, and replace it without the caller noticing.
    server {
        listen 127.0.0.1:$short_port;
        keepalive_timeout 1s;
        location / {
            proxy_pass http://ddblocal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
        }
    }
}
EOF

  "$nginx_bin" -t -q -p "$state" -c "$state/nginx.conf" -e "$state/error.log" ||
    { cat "$state/error.log" >&2 2>/dev/null || true; echo "nginx rejected $state/nginx.conf" >&2; exit 1; }
  # daemon on: nginx binds the ports, forks the master and returns; stdio must not hold CTest's pipes.
  if ! "$nginx_bin" -p "$state" -c "$state/nginx.conf" -e "$state/error.log" \
         </dev/null >"$state/nginx.out" 2>&1; then
    cat "$state/nginx.out" "$state/error.log" >&2 2>/dev/null || true
    echo "nginx did not start" >&2
    exit 1
  fi
  for _ in $(seq 1 100); do
    if [ -s "$state/nginx.pid" ] &&
       (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
       (exec 3<>"/dev/tcp/127.0.0.1/$wrong_port") 2>/dev/null &&
       (exec 3<>"/dev/tcp/127.0.0.1/$unknown_port") 2>/dev/null &&
       (exec 3<>"/dev/tcp/127.0.0.1/$short_port") 2>/dev/null; then
      echo "$port" >"$state/port"
      echo "$wrong_port" >"$state/wrong_host_port"
      echo "$unknown_port" >"$state/unknown_ca_port"
      echo "$short_port" >"$state/short_keepalive_port"
      echo "nginx TLS on 127.0.0.1:$port (good), :$wrong_port (wrong host), :$unknown_port (unknown CA)" \
           "-> DynamoDB Local :$ddb_port (pid $(cat "$state/nginx.pid"))"
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
  rm -f "$state/port" "$state/wrong_host_port" "$state/unknown_ca_port"
  ;;
*) echo "usage: $0 start|stop STATE_DIR [DDBLOCAL_STATE_DIR]" >&2; exit 2 ;;
esac
