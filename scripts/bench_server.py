#!/usr/bin/env python3
"""Load on the team server: N concurrent API clients pricing and recording, against a real
``xlpricing serve`` process on 127.0.0.1. Not part of the tests (run ./scripts/bench-server).

    ./scripts/bench-server                      # 8 clients × 25 rounds on SQLite
    ./scripts/bench-server --clients 16 --rounds 50
    ./scripts/bench-server --register postgresql://user@host/db --servers 2   # a team: two processes

Each round a client prices a two-app deal (POST /api/v1/price) and records a one-app quote
(POST /api/v1/quotes with an Idempotency-Key); one record in five is sent twice, as a client
retrying after a lost answer does. Afterwards the register is read: every recorded quote is
there once, its number unique, none lost and none doubled. Prints requests/s and the p50/p95
latency of each kind of request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from server_harness import ServerProcess, make_team  # noqa: E402

DEAL = {"customer": "压测客户 Load Ltd", "months": 12, "discount": "5",
        "apps": [{"name": "主应用", "edition": "pro", "peak_dau": 35000, "peak_groups": 202000, "addons": ["history_90"]},
                 {"name": "web", "edition": "pro", "peak_dau": 8000}]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=25, help="price + record rounds per client")
    parser.add_argument("--register", help="a postgresql:// URL (default: a new SQLite file)")
    parser.add_argument("--servers", type=int, default=1, help="server processes sharing the register (ports)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of each server (one port)")
    args = parser.parse_args()
    import httpx2 as httpx
    from xlpricing.register import Register
    from xlpricing.register.accounts import Accounts

    tmp = Path(tempfile.mkdtemp(prefix="xlpricing-bench-server-"))
    register = args.register or str(tmp / "register.sqlite3")
    settings = make_team(tmp, register)
    with Register.open(register, settings) as reg:
        token = Accounts(reg.db).new_token("lina", "bench")
        before = len(reg.quotes(latest_only=False))
    servers = [ServerProcess(register, settings, tmp / "documents", tmp / f"server{i}.log", extra=("--quiet", "--workers", str(args.workers)))
               for i in range(args.servers)]
    timings: dict[str, list[float]] = {"price": [], "record": [], "retry": []}
    numbers: dict[str, str] = {}  # idempotency key → number the server gave
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        url = servers[n % len(servers)].url
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
            for i in range(args.rounds):
                t = time.perf_counter()
                r = c.post("/api/v1/price", json=DEAL)
                took = time.perf_counter() - t
                if r.status_code != 200:
                    errors.append(f"price {r.status_code}: {r.text[:200]}")
                key = f"bench-{run}-{n}-{i}"  # new each run: a register used before keeps its keys
                body = {"customer": f"客户 {n}-{i}", "months": 12,
                        "apps": [{"edition": "pro", "peak_dau": 1000 * (i + 1), "peak_groups": 0}]}
                t = time.perf_counter()
                r = c.post("/api/v1/quotes", json=body, headers={"Idempotency-Key": key})
                took_record = time.perf_counter() - t
                if r.status_code != 201:
                    errors.append(f"record {r.status_code}: {r.text[:200]}")
                    continue
                got = r.json()["number"]
                retry = None
                if i % 5 == 0:  # the answer "lost": the client sends it again
                    t = time.perf_counter()
                    again = c.post("/api/v1/quotes", json=body, headers={"Idempotency-Key": key})
                    retry = time.perf_counter() - t
                    if again.status_code != 200 or again.json()["number"] != got:
                        errors.append(f"retry of {key}: {again.status_code} {again.text[:200]}")
                with lock:
                    timings["price"].append(took)
                    timings["record"].append(took_record)
                    if retry is not None:
                        timings["retry"].append(retry)
                    numbers[key] = got

    run = uuid.uuid4().hex[:12]
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for s in servers:
        s.stop()

    with Register.open(register, settings) as reg:
        records = [r for r in reg.quotes(latest_only=False)][before:]
    requests = sum(len(v) for v in timings.values())
    print(f"{args.clients} clients × {args.rounds} rounds, {args.servers} server(s) × {args.workers} worker(s), "
          f"{'PostgreSQL' if register.startswith('postgresql') else 'SQLite'}; {os.cpu_count()} CPU(s)")
    print(f"  {requests} requests in {elapsed:.1f} s: {requests / elapsed:.1f} requests/s")
    for kind, values in timings.items():
        if values:
            q = statistics.quantiles(values, n=20)
            print(f"  {kind:6s} n={len(values):4d}  p50 {statistics.median(values) * 1000:7.1f} ms  "
                  f"p95 {q[18] * 1000:7.1f} ms")
    distinct = {r.number for r in records}
    expected = args.clients * args.rounds
    print(f"  records: {len(records)} in the register for {len(numbers)} recorded ({expected} asked), "
          f"{len(distinct)} distinct numbers, {len(set(numbers.values()))} numbers answered")
    ok = (not errors and len(records) == len(numbers) == expected == len(distinct)
          and distinct == set(numbers.values()))
    for e in errors[:10]:
        print(f"  error: {e}")
    print("  no record lost or doubled" if ok else "  LOST OR DOUBLED RECORDS, or errors: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
