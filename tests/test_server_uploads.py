"""盖章回传: stamped copies uploaded to real ``xlpricing serve`` processes (one on SQLite, two
sharing one PostgreSQL register and one documents folder). A copy takes the next free name,
claimed atomically: uploads at the same moment are all kept, none is a 500, and a file left in
the folder never blocks the next. A copy must be a PDF that opens with at least one page: a file
that only starts with %PDF- never accepts a quote."""

import io
import threading
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from pypdf import PdfWriter

from register_backends import postgres_url
from server_harness import PASSWORDS, ServerProcess, cli, csrf_of, make_team

ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000}], "months": 12}
PARALLEL = 8


def one_page_pdf(width: int = 595) -> bytes:
    """A PDF of one blank page (595 × 842 pt is A4); another width is another file (another SHA-256)."""
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=width, height=842)
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def servers(request, tmp_path_factory):
    """(server processes, documents folder, lina's API token): one process on SQLite; two on one
    PostgreSQL register, sharing the documents folder as a team's servers do."""
    folder = tmp_path_factory.mktemp("uploads")
    schema = None
    if request.param == "sqlite":
        register = str(folder / "register.sqlite3")
    else:
        import psycopg
        base = postgres_url()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')  # a name made here, never from input
        register = postgres_url(schema)
    settings = make_team(folder, register)
    documents = folder / "documents"
    count = 1 if request.param == "sqlite" else 2
    started = [ServerProcess(register, settings, documents, folder / f"server{i}.log") for i in range(count)]
    done = cli("users", "token", "lina", "--register", register, "--settings", str(settings))
    assert done.returncode == 0, done.stderr
    yield started, documents, done.stdout.strip()
    for s in started:
        s.stop()
    if schema is not None:
        import psycopg
        with psycopg.connect(postgres_url(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sent_quote(url: str, token: str) -> str:
    """A quote of lina's, recorded through the API and marked sent (what a stamped copy answers)."""
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{url}/api/v1/quotes", json=ONE_APP, headers=headers, timeout=120)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = httpx.post(f"{url}/api/v1/quotes/{number}/status", json={"status": "sent"}, headers=headers, timeout=60)
    assert r.status_code == 200 and r.json()["status"] == "sent", r.text
    return number


def logged_in(url: str) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=120)
    r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "login": "lina", "password": PASSWORDS["lina"]})
    assert r.status_code == 303, r.text
    return c


def upload(c: httpx.Client, number: str, data: bytes, csrf: str) -> httpx.Response:
    return c.post(f"/quotes/{number}/signed", data={"csrf": csrf},
                  files={"file": ("scan.pdf", data, "application/pdf")})


def shown(url: str, token: str, number: str) -> dict:
    r = httpx.get(f"{url}/api/v1/quotes/{number}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def test_stamped_copies_uploaded_at_the_same_moment_are_all_kept(servers):
    started, documents, token = servers
    number = sent_quote(started[0].url, token)
    lina = logged_in(started[0].url)
    csrf = csrf_of(lina.get(f"/quotes/{number}").text)
    copies = [one_page_pdf(595 + i) for i in range(PARALLEL)]  # each its own file
    ready = threading.Barrier(PARALLEL)

    def send(i: int) -> httpx.Response:
        # the session (kept in the register) is good on every process: half the uploads go to each
        with httpx.Client(base_url=started[i % len(started)].url, cookies=lina.cookies, timeout=300) as c:
            ready.wait(timeout=300)  # all of them at once: a double-click, times eight
            return upload(c, number, copies[i], csrf)

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(send, range(PARALLEL)))
    assert [r.status_code for r in answers] == [200] * PARALLEL, [r.text[-500:] for r in answers]
    assert all("stamped copy kept" in r.text for r in answers)
    # every copy kept under a name of its own, numbered 1 to 8, each as uploaded
    names = sorted(p.name for p in (documents / "signed").glob(f"{number}-signed-*.pdf"))
    assert names == sorted(f"{number}-signed-{n}.pdf" for n in range(1, PARALLEL + 1))
    kept = sorted((documents / "signed" / name).read_bytes() for name in names)
    assert kept == sorted(copies)
    quote = shown(started[0].url, token, number)
    assert quote["status"] == "accepted" and len(quote["stamped_copies"]) == PARALLEL
    for copy in quote["stamped_copies"]:  # each listed copy downloads as the file it names
        assert lina.get(copy["url"]).content in copies
    # the quote was accepted once, by whichever upload came first
    accepted = [e for e in quote["events"] if e["action"] == "status" and e["to"] == "accepted"]
    assert len(accepted) == 1


def test_a_file_left_in_the_folder_never_blocks_the_next_upload(servers):
    started, documents, token = servers
    number = sent_quote(started[-1].url, token)
    (documents / "signed").mkdir(exist_ok=True)
    leftover = documents / "signed" / f"{number}-signed-1.pdf"  # e.g. from a run stopped mid-way
    leftover.write_bytes(b"left behind")
    lina = logged_in(started[-1].url)
    csrf = csrf_of(lina.get(f"/quotes/{number}").text)
    pdf = one_page_pdf()
    r = upload(lina, number, pdf, csrf)
    assert r.status_code == 200 and "the quote is accepted" in r.text, r.text[-500:]
    assert leftover.read_bytes() == b"left behind"  # passed over, never replaced
    assert (documents / "signed" / f"{number}-signed-2.pdf").read_bytes() == pdf
    r = upload(lina, number, one_page_pdf(600), csrf)  # and the one after that
    assert r.status_code == 200 and (documents / "signed" / f"{number}-signed-3.pdf").is_file()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.txt", "x" * 1000)
    return out.getvalue()


def _no_pages() -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("what, data", [
    ("8 bytes of header", b"%PDF-1.4"),
    ("a zip behind the header", b"%PDF-1.4\n" + _zip()),
    ("a PDF without a page", _no_pages()),
    ("half a PDF", one_page_pdf()[:300]),
    ("not a PDF at all", b"PK\x03\x04 a workbook"),
])
def test_a_stamped_copy_must_be_a_pdf_that_opens_with_a_page(servers, what, data):
    started, documents, token = servers
    number = sent_quote(started[0].url, token)
    lina = logged_in(started[0].url)
    r = upload(lina, number, data, csrf_of(lina.get(f"/quotes/{number}").text))
    assert r.status_code == 409, what
    assert "the stamped copy must be a PDF file that opens, with at least one page" in r.text, what
    quote = shown(started[0].url, token, number)
    assert quote["status"] == "sent" and quote["stamped_copies"] == []  # nothing kept, nothing accepted
    assert list((documents / "signed").glob(f"{number}-signed-*")) == []
