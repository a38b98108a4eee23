#!/usr/bin/env python3
"""Several workers on one PostgreSQL: records per second with 1, 2 and 4 `ponte sync --watch`
processes against a sandbox whose every answer takes SLOW_MS (I/O-bound, as against the real
APIs), and the scaling ratio. Quotas are off: this measures ponte, not the API's limit.

  bench/workers_scaling.py PONTE [--pg-url URL] [--contacts N] [--slow-ms MS] [--workers 1,2,4]

Without --pg-url (or $PONTE_BENCH_PG_URL) a throwaway server is started with
tests/pg_test_server. Each run gets its own database."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def stats(base):
    with urllib.request.urlopen(base + "/_sandbox/stats") as r:
        return json.load(r)


def written(s):
    return s["milvus"]["clients"] + s["milvus"]["tickets"] + s["ploomes"]["contacts"]


def psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))


def run(ponte, pg_url, workers, args, tmp):
    db = f"ponte_bench_w{workers}_{os.getpid()}"
    psql(pg_url, f"DROP DATABASE IF EXISTS {db}")
    psql(pg_url, f"CREATE DATABASE {db}")
    store = re.sub(r"/[^/?]*(\?.*)?$", "/" + db, pg_url)
    sandbox = subprocess.Popen(
        [ponte, "sandbox", "--listen", "127.0.0.1:0", "--no-quotas", "--seed", "5",
         "--contacts", str(args.contacts), "--tasks", str(args.contacts * 2 // 3),
         "--interactions", str(args.contacts // 3), "--milvus-clients", str(args.contacts // 2),
         "--faults", f"slow=1,slow_ms={args.slow_ms}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = None
    for line in sandbox.stdout:
        m = re.search(r"(http://\S+)", line)
        if m:
            base = m.group(1).rstrip("/")
            break
    # Keep reading what it prints, so a full pipe never stalls it.
    threading.Thread(target=lambda: sandbox.stdout.read(), daemon=True).start()
    config = os.path.join(tmp, f"w{workers}.toml")
    with open(config, "w") as f:
        f.write(f'store = "{store}"\n'
                f'[systems.ploomes]\nbase_url = "{base}/ploomes"\nkey_env = "BENCH_PLOOMES_KEY"\n'
                f'requests_per_minute = 0\n'
                f'[systems.milvus]\nbase_url = "{base}/milvus"\nkey_env = "BENCH_MILVUS_KEY"\nquotas = {{ listings_per_minute = 0 }}\n'
                f'[delivery]\nretry_base_seconds = 1\nmax_attempts = 50\n')
    env = dict(os.environ, BENCH_PLOOMES_KEY="sandbox-ploomes-key", BENCH_MILVUS_KEY="sandbox-milvus-token")
    before = stats(base)
    start = time.monotonic()
    procs = [subprocess.Popen([ponte, "sync", "--watch", "--interval", "1", "--config", config, "--json"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    last_count, last_change, calls_at_change = written(before), start, before["calls_total"]
    while time.monotonic() - last_change < 4:
        time.sleep(0.25)
        s = stats(base)
        if written(s) != last_count:
            last_count, last_change, calls_at_change = written(s), time.monotonic(), s["calls_total"]
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
    after = stats(base)
    sandbox.terminate()
    sandbox.wait()
    psql(pg_url, f"DROP DATABASE IF EXISTS {db}")
    records = last_count - written(before)
    seconds = last_change - start
    calls = calls_at_change - before["calls_total"]
    dupes = (after["milvus"]["duplicate_documents"] + after["milvus"]["duplicate_tickets"]
             + after["ploomes"]["duplicate_documents"])
    return records, seconds, calls, dupes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ponte")
    ap.add_argument("--pg-url", default=os.environ.get("PONTE_BENCH_PG_URL", ""))
    ap.add_argument("--contacts", type=int, default=int(os.environ.get("PONTE_BENCH_WORKER_CONTACTS", "900")))
    ap.add_argument("--slow-ms", type=int, default=20)
    ap.add_argument("--workers", default="1,2,4")
    args = ap.parse_args()
    # Readable by all: under root, pg_test_server runs the server as the postgres user.
    tmp = tempfile.mkdtemp(prefix="ponte-bench-")
    os.chmod(tmp, 0o755)
    try:
        server_dir = None
        pg_url = args.pg_url
        if not pg_url:
            server_dir = os.path.join(tmp, "pg")
            subprocess.run([os.path.join(HERE, "..", "tests", "pg_test_server"), "start", server_dir], check=True)
            with open(os.path.join(server_dir, "url")) as f:
                pg_url = f.read().strip()
        try:
            print(f"workers on one PostgreSQL; sandbox answers each call after {args.slow_ms} ms; "
                  f"{args.contacts} contacts and their tasks, interactions and Milvus clients")
            base_rate = None
            for n in [int(w) for w in args.workers.split(",")]:
                records, seconds, calls, dupes = run(args.ponte, pg_url, n, args, tmp)
                rate = records / seconds if seconds > 0 else 0.0
                base_rate = base_rate or rate
                print(f"  workers {n}: records {records:5}  seconds {seconds:6.1f}  records_per_second {rate:7.1f}  "
                      f"api_calls_per_record {calls / max(records, 1):.2f}  scaling {rate / base_rate:.2f}x  "
                      f"duplicates {dupes}", flush=True)
        finally:
            if server_dir:
                subprocess.run([os.path.join(HERE, "..", "tests", "pg_test_server"), "stop", server_dir])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
