#!/usr/bin/env bash
# The PostgreSQL and MariaDB servers the SQL store tests connect to
# (packages/store/src/sql/testing.ts), at the hosts and ports of its
# METASOURCE_TEST_* variables (default 127.0.0.1:5432 and 127.0.0.1:3306).
#
# For each server: when it answers, nothing is done. When it does not and it
# should run on this machine, it is started if installed; if not installed and
# this script runs as root, postgresql and mariadb-server are installed with
# apt-get, started, and set up as the tests expect (PostgreSQL trusts TCP
# connections from this machine for user postgres and has a database `test`;
# MariaDB's root logs in over TCP with no password). Otherwise the script
# fails saying what to install. It then waits, at most
# METASOURCE_TEST_WAIT_SECONDS (60), for the server to answer, and prints one
# line per server.
set -euo pipefail

PG_HOST=${METASOURCE_TEST_PG_HOST:-127.0.0.1}
PG_PORT=${METASOURCE_TEST_PG_PORT:-5432}
PG_USER=${METASOURCE_TEST_PG_USER:-postgres}
PG_DATABASE=${METASOURCE_TEST_PG_DATABASE:-test}
MYSQL_HOST=${METASOURCE_TEST_MYSQL_HOST:-127.0.0.1}
MYSQL_PORT=${METASOURCE_TEST_MYSQL_PORT:-3306}
MYSQL_USER=${METASOURCE_TEST_MYSQL_USER:-root}
WAIT_SECONDS=${METASOURCE_TEST_WAIT_SECONDS:-60}
PG_CONF_DIR=/etc/postgresql
MARIADBD=/usr/sbin/mariadbd
MARIADB_RUN_DIR=/run/mysqld

installed_packages=no

fail() {
  echo "ensure-databases: $*" >&2
  exit 1
}

is_local() {
  case "$1" in
    127.0.0.1 | localhost | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

# Whether something accepts TCP connections at host $1, port $2 (bash's /dev/tcp).
tcp_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

pg_answers() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -t 2 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER"
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# mariadb-admin ping exits 0 whenever the server runs, even if it refuses the login.
mysql_answers() {
  local admin
  admin=$(command -v mariadb-admin || command -v mysqladmin || true)
  if [ -n "$admin" ]; then
    "$admin" ping --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" --connect-timeout=2 --silent >/dev/null 2>&1
  else
    tcp_open "$MYSQL_HOST" "$MYSQL_PORT"
  fi
}

# Calls "$1" once a second until it succeeds or WAIT_SECONDS have passed.
wait_for() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

# The PostgreSQL version whose cluster `main` to start: the newest in PG_CONF_DIR.
pg_version() {
  local version
  version=$(ls "$PG_CONF_DIR" 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] && [ -d "$PG_CONF_DIR/$version/main" ] && command -v pg_ctlcluster >/dev/null && echo "$version"
}

install_packages() {
  [ "$installed_packages" = no ] || return 0
  echo "ensure-databases: installing postgresql and mariadb-server (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql mariadb-server >/dev/null
  installed_packages=yes
}

start_pg() {
  pg_ctlcluster --skip-systemctl-redirect "$1" main start
}

# After a fresh install: trust TCP connections from this machine for user postgres, then the database.
setup_pg_before_start() {
  local hba="$PG_CONF_DIR/$1/main/pg_hba.conf"
  grep -q '^host all postgres 127.0.0.1/32 trust' "$hba" ||
    sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
}

setup_pg_after_start() {
  if ! runuser -u postgres -- psql -p "$PG_PORT" -tAc "select 1 from pg_database where datname = '$PG_DATABASE'" | grep -q 1; then
    runuser -u postgres -- createdb -p "$PG_PORT" "$PG_DATABASE"
  fi
}

start_mariadb() {
  # /run is emptied at boot; the server needs its socket directory.
  if [ "$(id -u)" -eq 0 ] && id mysql >/dev/null 2>&1; then
    install -d -o mysql -g mysql "$MARIADB_RUN_DIR"
  fi
  start-stop-daemon --start --oknodo --background --exec "$MARIADBD"
}

# After a fresh install: root over TCP with no password (Debian's root@localhost logs in by socket only).
setup_mariadb_after_start() {
  mariadb -u root -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
}

ensure_postgres() {
  local where="PostgreSQL at $PG_HOST:$PG_PORT" version action fresh=no
  if pg_answers; then
    echo "$where: answering"
    return
  fi
  if ! is_local "$PG_HOST"; then
    wait_for pg_answers || fail "$where does not answer; it is not on this machine, so start it there (or set METASOURCE_TEST_PG_HOST and METASOURCE_TEST_PG_PORT)"
    echo "$where: answering"
    return
  fi
  if version=$(pg_version) && [ "$pg_preinstalled" = yes ]; then
    action="started"
  elif [ "$(id -u)" -eq 0 ]; then
    # Also when installed a moment ago with mariadb-server: then it still needs setting up.
    install_packages
    version=$(pg_version) || fail "PostgreSQL was installed but has no cluster main under $PG_CONF_DIR"
    fresh=yes
    action="installed, set up and started"
  else
    fail "$where does not answer and PostgreSQL is not installed: install it (sudo apt-get install -y postgresql) or run this script as root"
  fi
  [ "$fresh" = no ] || setup_pg_before_start "$version"
  # A cluster that is already running (still starting, say) makes this fail; the wait decides.
  local start_error=""
  start_pg "$version" || start_error=" (pg_ctlcluster $version main start failed)"
  wait_for pg_answers || fail "$where did not answer within $WAIT_SECONDS s of starting$start_error"
  [ "$fresh" = no ] || setup_pg_after_start
  echo "$where: $action (cluster $version/main)"
}

ensure_mariadb() {
  local where="MariaDB at $MYSQL_HOST:$MYSQL_PORT" action fresh=no
  if mysql_answers; then
    echo "$where: answering"
    return
  fi
  if ! is_local "$MYSQL_HOST"; then
    wait_for mysql_answers || fail "$where does not answer; it is not on this machine, so start it there (or set METASOURCE_TEST_MYSQL_HOST and METASOURCE_TEST_MYSQL_PORT)"
    echo "$where: answering"
    return
  fi
  if [ "$mariadb_preinstalled" = yes ]; then
    action="started"
  elif [ "$(id -u)" -eq 0 ]; then
    # Also when installed a moment ago with postgresql: then it still needs setting up.
    install_packages
    [ -x "$MARIADBD" ] || fail "mariadb-server was installed but $MARIADBD is missing"
    fresh=yes
    action="installed, set up and started"
  else
    fail "$where does not answer and MariaDB is not installed: install it (sudo apt-get install -y mariadb-server) or run this script as root"
  fi
  local start_error=""
  start_mariadb || start_error=" (start-stop-daemon could not start $MARIADBD)"
  wait_for mysql_answers || fail "$where did not answer within $WAIT_SECONDS s of starting$start_error"
  [ "$fresh" = no ] || setup_mariadb_after_start
  echo "$where: $action"
}

# What was installed before this run: only a server this run installed is set up.
pg_preinstalled=no
mariadb_preinstalled=no
if pg_version >/dev/null; then pg_preinstalled=yes; fi
if [ -x "$MARIADBD" ]; then mariadb_preinstalled=yes; fi

ensure_postgres
ensure_mariadb
