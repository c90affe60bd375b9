#!/bin/sh
# Makes sure the PostgreSQL and Redis that the tests use answer on this machine:
#   PostgreSQL 127.0.0.1:5432, user postgres without password, database `test`
#   Redis      127.0.0.1:6379
# Starts them when they are installed but down; installs them (Debian packages) when missing,
# with nginx (the proxy test) and Chromium (the browser tests).
# The outage tests also run private instances from the same packages (redis-server, and
# initdb + pg_ctl as the postgres user) and mount small tmpfs disks: CI runs them as root.
set -eu

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

wait_for() { # name, check
  i=0
  until $2; do
    i=$((i + 1))
    if [ "$i" -gt 60 ]; then echo "ci-services: $1 did not come up" >&2; return 1; fi
    sleep 0.5
  done
  echo "ci-services: $1 is up"
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "ci-services: installing PostgreSQL and Redis"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
  fresh_postgres=1
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
if [ "${fresh_postgres:-0}" = 1 ]; then
  # A cluster this script installed: let local test clients in without a password.
  sed -i 's/^\(host\s\+all\s\+all\s\+\(127\.0\.0\.1\/32\|::1\/128\)\s\+\)\S\+$/\1trust/' "/etc/postgresql/$version/main/pg_hba.conf"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
fi
if ! pg_up; then
  echo "ci-services: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
wait_for PostgreSQL pg_up
if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' || su postgres -c "psql -qc 'CREATE DATABASE test'"
fi

if ! redis_up; then
  echo "ci-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis redis_up

# nginx (Debian's) for the reverse-proxy test; started by that test itself on free ports.
if ! command -v nginx >/dev/null 2>&1; then
  echo "ci-services: installing nginx"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light openssl >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null
fi

# Debian's Chromium for the browser tests of the hosted pages (apps/api/test/pages), driven by
# playwright-core: with LATCHKEY_REQUIRE_SERVICES=1 those tests fail when it is missing.
if ! command -v chromium >/dev/null 2>&1; then
  echo "ci-services: installing Chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Caddy (Debian's, 2.6) for the forward_auth test, and PyJWT for the token check that
# docs/other-services.md shows in Python; each test starts what it needs itself.
if ! command -v caddy >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import jwt, cryptography' >/dev/null 2>&1; then
  echo "ci-services: installing caddy and python3-jwt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy python3-jwt python3-cryptography >/dev/null
fi
