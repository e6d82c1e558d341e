# Sourced by `make test`: start the local PostgreSQL 15 cluster when it is down and
# export FIELDAPP_TEST_PG, a server URL where the tests create throwaway databases.
pg_role=fieldapp_test
if ! command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing PostgreSQL…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk '{print $1" "$2; exit}')
  if [ -z "$cluster" ] && [ "$(id -u)" = "0" ]; then
    pg_createcluster 15 main >/dev/null && cluster="15 main"
  fi
  if [ -n "$cluster" ]; then
    pg_ctlcluster $cluster start 2>/dev/null || true
    port=$(pg_lsclusters --no-header | awk '{print $3; exit}')
    if [ "$(id -u)" = "0" ]; then
      su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$pg_role'\"" | grep -q 1 \
        || su postgres -c "psql -p $port -qc \"CREATE ROLE $pg_role LOGIN CREATEDB PASSWORD '$pg_role'\""
      # a second role, whose sessions the app's role cannot see (tests/sync/test_pack_version_pinned.py)
      su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='fieldapp_other'\"" | grep -q 1 \
        || su postgres -c "psql -p $port -qc \"CREATE ROLE fieldapp_other LOGIN PASSWORD 'fieldapp_other'\""
    fi
    export FIELDAPP_TEST_PG="postgresql+psycopg://$pg_role:$pg_role@127.0.0.1:$port/postgres"
  fi
fi
if [ -z "${FIELDAPP_TEST_PG:-}" ]; then
  echo "PostgreSQL is not available: its test lane will be skipped" >&2
fi
