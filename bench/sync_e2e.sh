#!/usr/bin/env bash
# End-to-end sync benchmark: ponte demo against the in-process sandbox, per route: records
# delivered per second of wall time and API calls per delivered record, against the minimum
# (one write per record plus the paged reads). PONTE_BENCH_SYSTEMS=ploomes,milvus,totvs runs the
# three-system hub (the sandbox's TOTVS ERP joined with its customer routes).
set -euo pipefail
ponte=${1:-build/src/app/ponte}
contacts=${PONTE_BENCH_CONTACTS:-2000}
systems=${PONTE_BENCH_SYSTEMS:-ploomes,milvus}
start=$(date +%s.%N)
json=$("$ponte" demo --json --contacts "$contacts" --systems "$systems")
end=$(date +%s.%N)
python3 - "$json" "$start" "$end" "$systems" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); wall = float(sys.argv[3]) - float(sys.argv[2])
total_delivered = 0; total_calls = 0
print(f"ponte demo --contacts --systems {sys.argv[4]}: first run, wall {wall:.2f} s for both runs")
for r in d["first_run"]:
    delivered = r["created"] + r["updated"] + r["linked"]
    total_delivered += delivered; total_calls += r["api_calls"]
    per = r["api_calls"] / delivered if delivered else float("nan")
    print(f"  {r['route']:34} delivered {delivered:6}  api_calls {r['api_calls']:6}  api_calls_per_record {per:.2f}")
print(f"records_per_second: {total_delivered / wall:.0f}")
print(f"api_calls_per_record: {total_calls / max(total_delivered, 1):.2f}")
print(f"duplicates: {d['duplicates']}")
second = sum(r["created"] + r["updated"] + r["linked"] for r in d["second_run"])
print(f"second_run_writes: {second}")
PY
