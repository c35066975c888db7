#!/usr/bin/env bash
# A local Switchboard cluster with one command (docs/cluster.md#a-local-cluster-scriptsclustersh):
#   scripts/cluster.sh up     redis-server, a throwaway PostgreSQL cluster, three gateway nodes (local backend) sharing both,
#                             and HAProxy in front; prints one line per process once all are healthy
#   scripts/cluster.sh down   stops exactly what `up` started (its pid files); safe to run twice
# State (pids, ports, data, logs) lives in $SWITCHBOARD_CLUSTER_DIR (default .cluster/ at the repository root).
# Missing Debian packages (redis-server, postgresql, haproxy) are installed with apt-get, as .ci/run does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${SWITCHBOARD_CLUSTER_DIR:-$root/.cluster}
nodes=3

die() { echo "cluster: $*" >&2; exit 1; }
log() { echo "cluster: $*" >&2; }

as_postgres() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  return 1
}

install_missing() {
  local need=()
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
  pg_bin >/dev/null || need+=(postgresql)
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  [ ${#need[@]} -eq 0 ] && return
  command -v apt-get >/dev/null 2>&1 || die "missing ${need[*]} and no apt-get to install them"
  log "installing: ${need[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
}

# A free loopback port below the ephemeral range (so no outgoing connection takes it meanwhile), not yet handed out.
taken_ports=" "
free_port() {
  local low; low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % (low - 20000) ))
    case "$taken_ports" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      taken_ports="$taken_ports$p "
      echo "$p"; return
    fi
  done
  die "no free port found between 20000 and $low"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # what, seconds, command…
  local what=$1 seconds=$2; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$what did not come up within ${seconds}s (logs in $dir/logs)"
    sleep 0.3
  done
}

healthy() { curl -fsS -o /dev/null --max-time 3 "$1/health/ready"; }

up() {
  if [ -d "$dir/pids" ] && ls "$dir"/pids/*.pid >/dev/null 2>&1; then
    for f in "$dir"/pids/*.pid; do alive "$f" && die "already running (pid files in $dir/pids); run '$0 down' first"; done
    down >/dev/null
  fi

  install_missing
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required"
  local dll=$root/src/Switchboard.Cli/bin/Release/net10.0/Switchboard.Cli.dll
  if [ ! -f "$dll" ]; then
    log "building the gateway (dotnet build src/Switchboard.Cli -c Release)"
    dotnet build src/Switchboard.Cli -c Release >"$dir.build.log" 2>&1 || die "build failed (see $dir.build.log)"
    rm -f "$dir.build.log"
  fi

  rm -rf "$dir"
  mkdir -p "$dir/pids" "$dir/logs" "$dir/ports"
  # Whatever fails from here on (die exits), what already started is stopped again.
  trap 'log "up failed; stopping what started"; down >/dev/null 2>&1 || true' EXIT

  # Redis: loopback only, no persistence (a throwaway).
  local redis_port; redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize no \
    >"$dir/logs/redis.log" 2>&1 &
  echo $! >"$dir/pids/redis.pid"; echo "$redis_port" >"$dir/ports/redis"
  wait_for "redis-server" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$redis_port"

  # PostgreSQL: a new cluster in the state directory, trust authentication on loopback, socket in its own directory.
  local bin; bin=$(pg_bin) || die "PostgreSQL's initdb was not found"
  local pg_port; pg_port=$(free_port)
  mkdir -p "$dir/postgres"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir/postgres" "$dir/logs" && chmod 700 "$dir/postgres"
  as_postgres "$bin/initdb" -D "$dir/postgres/data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync \
    >"$dir/logs/initdb.log" 2>&1 || die "initdb failed (see $dir/logs/initdb.log)"
  as_postgres "$bin/pg_ctl" start -w -t 60 -D "$dir/postgres/data" -l "$dir/logs/postgres.log" \
    -o "-p $pg_port -k '$dir/postgres' -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null \
    || die "PostgreSQL did not start (see $dir/logs/postgres.log)"
  head -n 1 "$dir/postgres/data/postmaster.pid" >"$dir/pids/postgres.pid"; echo "$pg_port" >"$dir/ports/postgres"
  echo "$bin" >"$dir/postgres/bin"

  # Three nodes on the shared database and Redis; the first one creates the schema and the default team.
  local i port
  for i in $(seq 1 $nodes); do
    port=$(free_port)
    echo "$port" >"$dir/ports/node$i"
    mkdir -p "$dir/node$i"
    (
      cd "$dir/node$i"
      exec env SWITCHBOARD_STORAGE=postgres \
        SWITCHBOARD_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres" \
        SWITCHBOARD_REDIS="127.0.0.1:$redis_port" \
        SWITCHBOARD_BACKEND=Local \
        Switchboard__Node__Id="node$i" \
        Switchboard__Drain__TimeoutSeconds=10 \
        DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
        dotnet "$dll" serve --urls "http://127.0.0.1:$port" >"$dir/logs/node$i.log" 2>&1
    ) &
    echo $! >"$dir/pids/node$i.pid"
    if [ "$i" -eq 1 ]; then
      wait_for "node1" 90 healthy "http://127.0.0.1:$port"
    fi
  done
  for i in $(seq 2 $nodes); do
    wait_for "node$i" 90 healthy "http://127.0.0.1:$(cat "$dir/ports/node$i")"
  done

  # HAProxy in front: health checks on /health/ready, WebSocket calls kept as long-lived tunnels.
  local lb_port; lb_port=$(free_port)
  echo "$lb_port" >"$dir/ports/lb"
  {
    echo "# Generated by scripts/cluster.sh up; deploy/haproxy.cfg is the production sample."
    echo "global"
    echo "    maxconn 4096"
    echo "defaults"
    echo "    mode http"
    echo "    timeout connect 5s"
    echo "    timeout client 60s"
    echo "    timeout server 60s"
    echo "    timeout tunnel 4h"
    echo "    option http-server-close"
    echo "frontend gateway"
    echo "    bind 127.0.0.1:$lb_port"
    echo "    default_backend nodes"
    echo "backend nodes"
    echo "    balance leastconn"
    echo "    option httpchk GET /health/ready"
    echo "    http-check expect status 200"
    echo "    default-server inter 1s fall 2 rise 1"
    for i in $(seq 1 $nodes); do
      echo "    server node$i 127.0.0.1:$(cat "$dir/ports/node$i") check"
    done
  } >"$dir/haproxy.cfg"
  haproxy -c -q -f "$dir/haproxy.cfg" || die "the generated $dir/haproxy.cfg is invalid"
  haproxy -f "$dir/haproxy.cfg" >"$dir/logs/haproxy.log" 2>&1 &
  echo $! >"$dir/pids/haproxy.pid"
  wait_for "haproxy" 30 healthy "http://127.0.0.1:$lb_port"
  trap - EXIT

  echo "lb http://127.0.0.1:$lb_port"
  for i in $(seq 1 $nodes); do
    echo "node$i http://127.0.0.1:$(cat "$dir/ports/node$i")"
  done
  echo "redis 127.0.0.1:$redis_port"
  echo "postgres 127.0.0.1:$pg_port"
}

stop_pid() { # name
  local f=$dir/pids/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( $(date +%s) + 20 ))
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

down() {
  if [ ! -d "$dir/pids" ]; then
    log "nothing to stop ($dir has no pid files)"
    return 0
  fi

  stop_pid haproxy
  local i
  for i in $(seq 1 $nodes); do stop_pid "node$i"; done
  if [ -f "$dir/pids/postgres.pid" ] && [ -f "$dir/postgres/bin" ] && kill -0 "$(cat "$dir/pids/postgres.pid")" 2>/dev/null; then
    as_postgres "$(cat "$dir/postgres/bin")/pg_ctl" stop -m fast -w -t 30 -D "$dir/postgres/data" >/dev/null 2>&1 || true
  fi
  stop_pid postgres
  stop_pid redis
  log "down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down   (state in \${SWITCHBOARD_CLUSTER_DIR:-.cluster})" >&2; exit 2 ;;
esac
