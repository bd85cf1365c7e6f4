"""The register's back ends for the tests: SQLite always; PostgreSQL when XLPRICING_TEST_POSTGRES
names a server (``.ci/run`` starts one). Each test gets a schema of its own on the server."""

import os
import uuid
from urllib.parse import quote

import pytest

PG_ENV = "XLPRICING_TEST_POSTGRES"
PG_REASON = (f"no PostgreSQL server: set {PG_ENV}=postgresql://user@host/db (password in PGPASSWORD) "
             "or run .ci/run, which starts one")


def postgres_url(schema: str | None = None) -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("XLPRICING_REQUIRE_POSTGRES"):
            pytest.fail(f"XLPRICING_REQUIRE_POSTGRES is set but {PG_ENV} is not")
        pytest.skip(PG_REASON)
    if schema is None:
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def register_target(request, tmp_path):
    """A fresh, empty register of each kind: a path or a URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "register.sqlite3")
        return
    import psycopg
    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # a name made here, never from input
    yield postgres_url(schema)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
