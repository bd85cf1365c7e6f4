# Sourced by .ci/run (as root): start the Debian PostgreSQL server and make a database and a role for
# the register tests. Exports XLPRICING_TEST_POSTGRES (no password in it) and PGPASSWORD.
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main" || pg_createcluster "$ver" main >/dev/null
pg_ctlcluster "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main status >/dev/null
export PGPASSWORD="ci-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
(cd / && su postgres -c "psql -q -v ON_ERROR_STOP=1 -v pw=\"$PGPASSWORD\"") <<'SQL'
DROP DATABASE IF EXISTS xlpricing_test;
DROP ROLE IF EXISTS xlpricing_ci;
CREATE ROLE xlpricing_ci LOGIN PASSWORD :'pw';
CREATE DATABASE xlpricing_test OWNER xlpricing_ci;
SQL
export XLPRICING_TEST_POSTGRES="postgresql://xlpricing_ci@127.0.0.1:5432/xlpricing_test"
export XLPRICING_REQUIRE_POSTGRES=1
