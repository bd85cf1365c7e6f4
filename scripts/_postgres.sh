# Sourced by .ci/run (as root): start the Debian PostgreSQL server and make a role and a database of
# this run's own (two runs at once never share or drop each other's), dropped again on exit.
# Exports XLPRICING_TEST_POSTGRES (no password in it) and PGPASSWORD.
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main" || pg_createcluster "$ver" main >/dev/null
pg_ctlcluster "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main status >/dev/null
pg_run="$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export PGPASSWORD="ci-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
(cd / && su postgres -c "psql -q -v ON_ERROR_STOP=1 -v pw=\"$PGPASSWORD\" -v run=\"$pg_run\"") <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'xlpricing_ci_' || :'run', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', 'xlpricing_test_' || :'run', 'xlpricing_ci_' || :'run') \gexec
SQL
export XLPRICING_TEST_POSTGRES="postgresql://xlpricing_ci_${pg_run}@127.0.0.1:5432/xlpricing_test_${pg_run}"
export XLPRICING_REQUIRE_POSTGRES=1
drop_test_postgres() {
  (cd / && su postgres -c "psql -q -v run=\"$pg_run\"") <<'SQL' >/dev/null 2>&1 || true
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', 'xlpricing_test_' || :'run') \gexec
SELECT format('DROP ROLE IF EXISTS %I', 'xlpricing_ci_' || :'run') \gexec
SQL
}
