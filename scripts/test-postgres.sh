# Sourced by `make test`: a throwaway PostgreSQL server on loopback for the backend tests.
# initdb and pg_ctl refuse to run as root, so the cluster belongs to the postgres user.
PG_BIN=/usr/lib/postgresql/15/bin

start_postgres() {
  PG_PORT=${STIP_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  PG_DIR=$(mktemp -d /tmp/stip-pg.XXXXXX)
  chown postgres "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U stip >/dev/null || return 1
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || {
      cat "$PG_DIR/log"; return 1; }
  export STIP_TEST_PG_URL="postgres://stip@127.0.0.1:$PG_PORT/postgres"
  export PG_DIR
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null
  rm -rf "${PG_DIR:-/nonexistent}"
}
