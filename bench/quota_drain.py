#!/usr/bin/env python3
"""How close ponte comes to the quota-bound ideal.

Starts `ponte sandbox` with its quotas on (Ploomes 120 requests a minute; Milvus one listing a
minute, on cliente/busca too or on chamado/listagem only) and a time scale, gives ponte the same
quotas on its own clock, and runs `ponte sync --once` until a run writes nothing. Before that it
reads the sandbox's own records and computes, per route, the fewest calls the data needs:

  - reads: each listing page once (contacts, tagged tasks, tagged interactions, the tags), and
    one read per contact a ticket needs that the customers route did not deliver;
  - Milvus listings: one listing of the clients for both customer routes (ceil(clients / 1000)
    past busca's cap: a lower bound no partition reaches), one more when the run created clients
    (their tokens come only through a listing), and one per ticket route that creates clients;
  - writes: one per record created.

The quota-bound ideal is, per system, those calls divided by its quota (Ploomes: every call;
Milvus: listings), the slowest system setting the time. Prints per route: calls per delivered
record against the minimum; and in all: sandbox minutes against the ideal, and 429s.

usage: bench/quota_drain.py [build/src/app/ponte] [--contacts N] [--time-scale S] [--busca-quota on|off]
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realities import canonical  # noqa: E402  (the same CPF/CNPJ rule as core/document.h)

PLOOMES_PER_MINUTE = 120
MILVUS_LISTINGS_PER_MINUTE = 1
PAGE = 300
BUSCA_CAP = 1000
CUTOFF = "2024-02-24"
TASK_TAGS = {40049715, 40049716}
INTERACTION_TAGS = {40049815, 40049816}


def get(base, path, headers=None):
    return json.load(urllib.request.urlopen(urllib.request.Request(base + path, headers=headers or {})))


def when(text):
    # "2023-07-25T21:33:25.514-03:00", fraction of any length or none
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d|Z)?", text or "")
    if not m:
        return None
    return datetime.fromisoformat(m.group(1) + (m.group(3) or "-03:00").replace("Z", "+00:00"))


def minimum(base):
    """The fewest calls per route and per system the sandbox's data needs."""
    contacts = get(base, "/_sandbox/ploomes/Contacts")
    clients = get(base, "/_sandbox/milvus/clients")
    tasks = get(base, "/_sandbox/ploomes/Tasks")
    interactions = get(base, "/_sandbox/ploomes/InteractionRecords")
    cutoff = datetime.fromisoformat(CUTOFF + "T00:00:00-03:00")
    in_milvus = {canonical(c.get("cnpj_cpf")) for c in clients} - {""}
    doc_of = {}
    for c in contacts:
        doc_of[c["Id"]] = canonical(c.get("CNPJ") or c.get("CPF") or c.get("Register"))
    in_ploomes = set(doc_of.values()) - {""}
    route = {}
    # customers_ploomes_to_milvus: the contact pages, the client listing, a write per new client.
    created_in_milvus = set()
    for c in contacts:
        d = doc_of[c["Id"]]
        created = when(c.get("CreateDate"))
        if d and created and created >= cutoff and d not in in_milvus:
            created_in_milvus.add(d)
    # Past busca's cap a listing needs at least ceil(clients / cap) buscas: a lower bound no
    # real partition reaches, so past the cap the ratio shows the cost of the cap itself.
    listing = math.ceil(max(len(clients), 1) / BUSCA_CAP)
    tokens = math.ceil((len(clients) + len(created_in_milvus)) / BUSCA_CAP) if created_in_milvus else 0
    route["customers_ploomes_to_milvus"] = {"ploomes": math.ceil(len(contacts) / PAGE),
                                            "milvus_listings": listing + tokens,
                                            "milvus_writes": len(created_in_milvus), "delivered": None}
    # customers_milvus_to_ploomes: the same listing serves as its source; a write per client
    # Ploomes lacks.
    to_ploomes = {canonical(c.get("cnpj_cpf")) for c in clients} - in_ploomes - {""}
    route["customers_milvus_to_ploomes"] = {"ploomes": len(to_ploomes), "milvus_listings": 0,
                                            "milvus_writes": 0, "delivered": None}
    known = in_milvus | created_in_milvus
    for name, records, tags in (("tasks_ploomes_to_milvus", tasks, TASK_TAGS),
                                ("interactions_ploomes_to_milvus", interactions, INTERACTION_TAGS)):
        tagged = [r for r in records if any(t.get("TagId") in tags for t in r.get("Tags", []))]
        needed = [r for r in tagged if doc_of.get(r.get("ContactId"))]
        new_clients = {doc_of[r["ContactId"]] for r in needed} - known
        known |= new_clients
        route[name] = {"ploomes": 1 + max(1, math.ceil(len(tagged) / PAGE)) + len(new_clients),
                       "milvus_listings": 1 if new_clients else 0,
                       "milvus_writes": len(needed) + len(new_clients), "delivered": None}
    return route


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ponte", nargs="?", default="build/src/app/ponte")
    p.add_argument("--contacts", type=int, default=200)
    p.add_argument("--time-scale", type=float, default=60)
    p.add_argument("--busca-quota", choices=["on", "off"], default="on")
    p.add_argument("--runs", type=int, default=4)
    a = p.parse_args()
    scale = a.time_scale
    reality = "milvus.listing_quota=" + ("all" if a.busca_quota == "on" else "listagem")
    sandbox = subprocess.Popen(
        [a.ponte, "sandbox", "--listen", "127.0.0.1:0", "--time-scale", str(scale), "--reality", reality,
         "--contacts", str(a.contacts), "--tasks", str(a.contacts * 3 // 2), "--interactions", str(a.contacts),
         "--milvus-clients", str(a.contacts * 3 // 4)], stdout=subprocess.PIPE, text=True)
    try:
        base = None
        for line in sandbox.stdout:
            m = re.search(r"(http://\S+)", line)
            if m:
                base = m.group(1).rstrip("/")
                break
        threading.Thread(target=lambda: sandbox.stdout.read(), daemon=True).start()
        need = minimum(base)
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "ponte.toml")
            with open(config, "w") as f:
                f.write(f'store = "sqlite:{os.path.join(tmp, "ponte.db")}"\n'
                        f'[systems.ploomes]\nbase_url = "{base}/ploomes"\nkey_env = "BENCH_PLOOMES_KEY"\n'
                        f'requests_per_minute = {PLOOMES_PER_MINUTE * scale}\n'
                        f'[systems.milvus]\nbase_url = "{base}/milvus"\nkey_env = "BENCH_MILVUS_KEY"\n'
                        f'listing_budget = 5000\nquotas = {{ listings_per_minute = {MILVUS_LISTINGS_PER_MINUTE * scale} }}\n'
                        f'[delivery]\nretry_base_seconds = 1\nmax_attempts = 50\n')
            env = dict(os.environ, BENCH_PLOOMES_KEY="sandbox-ploomes-key", BENCH_MILVUS_KEY="sandbox-milvus-token")
            # Day one: the probe finds out whether busca spends the listing quota (read-only).
            subprocess.run([a.ponte, "probe", "--json", "--config", config], env=env, capture_output=True, text=True)
            time.sleep(60 / scale + 0.2)  # its quota probe spent a listing minute on purpose
            before = get(base, "/_sandbox/stats")
            start_clock = when(before["clock"])
            calls, delivered = {}, {}
            end_clock, wall = start_clock, time.monotonic()
            for run in range(a.runs):
                out = subprocess.run([a.ponte, "sync", "--once", "--json", "--config", config], env=env,
                                     capture_output=True, text=True)
                reports = json.loads(out.stdout[out.stdout.index("["):])
                wrote = sum(r["created"] + r["updated"] + r["linked"] for r in reports)
                if wrote == 0:
                    break  # the run that only confirms there is nothing left is not the drain's
                for r in reports:
                    delivered[r["route"]] = delivered.get(r["route"], 0) + r["created"] + r["updated"] + r["linked"]
                    calls[r["route"]] = calls.get(r["route"], 0) + r["api_calls"]
                end_clock = when(get(base, "/_sandbox/stats")["clock"])
                drained = get(base, "/_sandbox/stats")
            wall = time.monotonic() - wall
            stats = drained
        print(f"ponte sync against the sandbox: {a.contacts} contacts, time scale {scale:g}, busca under the "
              f"listing quota: {a.busca_quota}; {run + 1} run(s), {wall:.1f} s of wall time")
        print(f"{'route':32} {'delivered':>9} {'calls':>6} {'minimum':>7} {'calls/rec':>9} {'min/rec':>7} {'ratio':>6}")
        total_calls = total_min = total_delivered = 0
        ploomes_min = listings_min = 0
        for name, n in need.items():
            minimum_calls = n["ploomes"] + n["milvus_listings"] + n["milvus_writes"]
            ploomes_min += n["ploomes"]
            listings_min += n["milvus_listings"]
            d = delivered.get(name, 0)
            c = calls.get(name, 0)
            total_calls += c
            total_min += minimum_calls
            total_delivered += d
            per = c / d if d else float("nan")
            per_min = minimum_calls / d if d else float("nan")
            print(f"{name:32} {d:9} {c:6} {minimum_calls:7} {per:9.2f} {per_min:7.2f} {c / max(minimum_calls, 1):6.2f}")
        print(f"{'all routes':32} {total_delivered:9} {total_calls:6} {total_min:7} "
              f"{total_calls / max(total_delivered, 1):9.2f} {total_min / max(total_delivered, 1):7.2f} "
              f"{total_calls / max(total_min, 1):6.2f}")
        ideal_ploomes = ploomes_min / PLOOMES_PER_MINUTE
        ideal_milvus = listings_min / MILVUS_LISTINGS_PER_MINUTE if a.busca_quota == "on" else 0
        ideal = max(ideal_ploomes, ideal_milvus)
        actual = (end_clock - start_clock).total_seconds() / 60
        throttled = sum(stats["throttled"].values()) - sum(before["throttled"].values())
        served = stats["calls_total"] - before["calls_total"]
        print(f"sandbox minutes: {actual:.2f} actual, {ideal:.2f} ideal (Ploomes {ideal_ploomes:.2f}, Milvus listings "
              f"{ideal_milvus:.2f}), ratio {actual / ideal if ideal else float('nan'):.2f}")
        print(f"429s: {throttled} of {served} calls ({100 * throttled / max(served, 1):.2f} %)")
        print(f"records_per_second: {total_delivered / wall:.1f}")
        print(f"api_calls_per_record: {total_calls / max(total_delivered, 1):.2f}")
        print(f"duplicates: {stats['milvus']['duplicate_documents'] + stats['milvus']['duplicate_tickets'] + stats['ploomes']['duplicate_documents']}")
    finally:
        sandbox.terminate()
        sandbox.wait()


if __name__ == "__main__":
    main()
