#!/usr/bin/env python3
"""The realities matrix as figures: ponte sync against `ponte sandbox --reality R` for the
documented reading of the API notes, the pessimistic one, and each single unknown at each other
value (../shared/api/unknowns.md). Per reality: the first run's exit code, API calls per
delivered record and records per second, duplicates in either system, and what the systems miss
(Ploomes contacts not in Milvus, Milvus clients not in Ploomes, tagged records without a ticket).

usage: bench/realities.py [build/src/app/ponte] [--contacts N] [--only REALITY]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


# The unknowns and their values, as core/realities.h names them (documented value first).
VALUES = {
    "milvus.busca_name_match": ["substring", "prefix", "exact", "ignored"],
    "milvus.busca_cap_order": ["lowest_ids", "newest_first", "unspecified"],
    "milvus.document_storage": ["digits", "as_typed"],
    "milvus.criar_check_digits": ["validated", "not_validated"],
    "milvus.listing_quota": ["all", "listagem", "none"],
    "ploomes.timestamp_precision": ["ms", "1/300"],
    "ploomes.filter_offset": ["honoured", "ignored"],
    "ploomes.forbidden_blocks": ["none", "occasional"],
    "ploomes.webhook_key": ["header", "other_header", "body", "not_sent"],
    "ploomes.tags_paging": ["one_answer", "paged"],
    "ploomes.document_field": ["both", "register", "cnpj_cpf"],
    "ploomes.post_echo": ["full", "sent_fields"],
    "ploomes.default_order": ["id", "create_date_desc", "unspecified"],
    "ploomes.tag_touches_task": ["yes", "no"],
    "ploomes.webhook_entity_36": ["accepted", "refused"],
}
TIME_SCALE = 3600
LISTINGS_PER_MINUTE = 10  # sandbox minutes; ponte is given the same quota on its own clock
TICKET_TAGS = {40049715, 40049716, 40049815, 40049816}


def realities(only):
    if only:
        return [only]
    out = ["documented", "pessimistic"]
    for key, values in VALUES.items():
        out += [f"{key}={v}" for v in values[1:]]
    return out


def get(base, path, headers=None):
    req = urllib.request.Request(base + path, headers=headers or {})
    return json.load(urllib.request.urlopen(req))


def _mod11(values, weights):
    r = sum(v * w for v, w in zip(values, weights)) % 11
    return 0 if r < 2 else 11 - r


def canonical(doc):
    """The bare CPF/CNPJ when its check digits hold, else "" (as core/document.h decides)."""
    body = re.sub(r"[^0-9A-Za-z]", "", doc or "").upper()
    if not body:
        return ""
    values = [ord(c) - 48 for c in body]
    if len(body) <= 11 and body.isdigit():
        body = body.zfill(11)
        values = [ord(c) - 48 for c in body]
        d1 = _mod11(values[:9], range(10, 1, -1))
        d2 = _mod11(values[:9] + [d1], range(11, 1, -1))
        if len(set(body)) > 1 and values[9:] == [d1, d2]:
            return body
        body = body.zfill(14)  # a CNPJ that lost its leading zeros
        values = [ord(c) - 48 for c in body]
    if len(body) != 14:
        return ""
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    d1 = _mod11(values[:12], w1)
    d2 = _mod11(values[:12] + [d1], [6] + w1)
    return body if len(set(body)) > 1 and values[12:] == [d1, d2] else ""


def missing(base):
    contacts = get(base, "/_sandbox/ploomes/Contacts")
    clients = get(base, "/_sandbox/milvus/clients")
    tickets = get(base, "/_sandbox/milvus/tickets")
    docs_ploomes = {canonical(c.get("CNPJ") or c.get("CPF") or c.get("Register")) for c in contacts}
    docs_milvus = {canonical(c.get("cnpj_cpf")) for c in clients}
    sources = set()
    for t in tickets:
        m = re.search(r"\[ponte ([^\]]+)\]", t.get("descricao", ""))
        if m:
            sources.add(m.group(1))
    doc_of = {c["Id"]: canonical(c.get("CNPJ") or c.get("CPF") or c.get("Register")) for c in contacts}
    # Documents are compared in the sandbox's own records; a contact's validity is the route's
    # concern, so "missing" counts those whose document the other side holds under no form.
    clients_missing = sum(1 for c in clients if canonical(c.get("cnpj_cpf")) not in docs_ploomes)
    tagged_missing = 0
    for entity, message in (("Tasks", "Task"), ("InteractionRecords", "InteractionRecord")):
        for r in get(base, f"/_sandbox/ploomes/{entity}"):
            if not any(t.get("TagId") in TICKET_TAGS for t in r.get("Tags", [])):
                continue
            if not doc_of.get(r.get("ContactId")):
                continue
            if f"ploomes:{message}:{r['Id']}" not in sources:
                tagged_missing += 1
    return clients_missing, tagged_missing, len(docs_milvus)


def run_one(ponte, reality, contacts, tmp):
    sandbox = subprocess.Popen(
        [ponte, "sandbox", "--listen", "127.0.0.1:0", "--reality", reality, "--time-scale", str(TIME_SCALE),
         "--milvus-listing-rate", str(LISTINGS_PER_MINUTE), "--contacts", str(contacts),
         "--tasks", str(contacts * 3 // 2), "--interactions", str(contacts), "--milvus-clients", str(contacts * 3 // 4)],
        stdout=subprocess.PIPE, text=True)
    try:
        base = None
        for line in sandbox.stdout:
            m = re.search(r"(http://\S+)", line)
            if m:
                base = m.group(1).rstrip("/")
                break
        threading.Thread(target=lambda: sandbox.stdout.read(), daemon=True).start()
        store = os.path.join(tmp, "ponte.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(store + suffix):
                os.remove(store + suffix)
        config = os.path.join(tmp, "ponte.toml")
        with open(config, "w") as f:
            f.write(f'store = "sqlite:{store}"\n'
                    f'[systems.ploomes]\nbase_url = "{base}/ploomes"\nkey_env = "BENCH_PLOOMES_KEY"\n'
                    f'requests_per_minute = {120 * TIME_SCALE}\nforbidden_backoff_ms = 20\n'
                    f'[systems.milvus]\nbase_url = "{base}/milvus"\nkey_env = "BENCH_MILVUS_KEY"\n'
                    f'listing_budget = 5000\nquotas = {{ listings_per_minute = {LISTINGS_PER_MINUTE * TIME_SCALE} }}\n'
                    f'[delivery]\nretry_base_seconds = 0\nmax_attempts = 50\n')
        env = dict(os.environ, BENCH_PLOOMES_KEY="sandbox-ploomes-key", BENCH_MILVUS_KEY="sandbox-milvus-token")
        start = time.monotonic()
        first = subprocess.run([ponte, "sync", "--once", "--json", "--config", config], env=env,
                               capture_output=True, text=True)
        wall = time.monotonic() - start
        second = subprocess.run([ponte, "sync", "--once", "--json", "--config", config], env=env,
                                capture_output=True, text=True)
        reports = json.loads(first.stdout[first.stdout.index("["):])
        again = json.loads(second.stdout[second.stdout.index("["):])
        delivered = sum(r["created"] + r["updated"] + r["linked"] for r in reports)
        calls = sum(r["api_calls"] for r in reports)
        rewritten = sum(r["created"] + r["updated"] + r["linked"] for r in again
                        if r["route"] != "customers_milvus_to_ploomes" or not r["records_unseen"])
        stats = get(base, "/_sandbox/stats")
        dups = (stats["milvus"]["duplicate_documents"] + stats["milvus"]["duplicate_tickets"]
                + stats["ploomes"]["duplicate_documents"])
        clients_missing, tickets_missing, _ = missing(base)
        unseen = any(r["records_unseen"] for r in reports)
        return {
            "reality": reality, "exit": first.returncode, "exit_again": second.returncode,
            "delivered": delivered, "calls_per_record": calls / max(delivered, 1),
            "records_per_second": delivered / wall, "duplicates": dups,
            "clients_missing": clients_missing, "tickets_missing": tickets_missing,
            "second_run_writes": rewritten, "unseen_reported": unseen,
            "throttled": sum(stats["throttled"].values()),
        }
    finally:
        sandbox.terminate()
        sandbox.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ponte", nargs="?", default="build/src/app/ponte")
    p.add_argument("--contacts", type=int, default=200)
    p.add_argument("--only")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'reality':45} exit  calls/rec  rec/s  dups  clients_missing  tickets_missing  2nd_run_writes  429s")
        for reality in realities(a.only):
            r = run_one(a.ponte, reality, a.contacts, tmp)
            note = " (unseen reported)" if r["unseen_reported"] else ""
            print(f"{r['reality']:45} {r['exit']}/{r['exit_again']}  {r['calls_per_record']:9.2f}  {r['records_per_second']:5.0f}"
                  f"  {r['duplicates']:4}  {r['clients_missing']:15}  {r['tickets_missing']:15}  {r['second_run_writes']:14}"
                  f"  {r['throttled']:4}{note}", flush=True)


if __name__ == "__main__":
    main()
