# Starts Debian's PostgreSQL cluster on loopback and exports MOTIF_PG_URL for the database tests.
start_postgres() {
  local version
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | grep -q "^$version main"; then
    pg_createcluster "$version" main >/dev/null
  fi
  pg_ctlcluster "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
  su postgres -c "psql -qc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='motif') THEN CREATE ROLE motif LOGIN SUPERUSER PASSWORD 'motif'; END IF; END\\\$\\\$;\""
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='motif_test'\" | grep -q 1 || createdb -O motif motif_test"
  export MOTIF_PG_URL="postgresql://motif:motif@127.0.0.1:5432/motif_test"
}
