"""Registry load: pipeway's registry next to Apicurio Registry (its Confluent API), with wrk.

Two hot endpoints a serializer/deserializer fleet hits: ``GET /schemas/ids/{id}`` (a consumer
meeting a new id) and ``POST /subjects/{s}`` (a producer looking up its schema). Both
registries get the same 50 subjects/schemas and the same wrk load (threads, connections,
duration), in alternating rounds; the figures are medians over rounds.

Reference: Apicurio Registry 3.0.9 (a JVM, Quarkus) with in-memory storage, serving the
Confluent-compatible API under ``/apis/ccompat/v7`` (Confluent's own registry is not on
Maven Central). Published Confluent Schema Registry figures: about 4,500-6,000 lookups/s
on 2 CPUs.

Run: ``.venv/bin/python -m bench.registry_load --rounds 3 --duration 10``
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.common import median, running_platform, save
from bench.reference_apicurio import running_apicurio
from pipeway.platform.ports import free_port

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
SUBJECTS = 50


def schema_for(i: int) -> str:
    fields = [{"name": f"f{j}", "type": ["null", "string"], "default": None} for j in range(8)]
    return json.dumps({"type": "record", "name": f"Rec{i}", "namespace": "bench", "fields": fields})


def register_all(base_url: str) -> tuple[list[int], list[tuple[str, str]]]:
    """Register one schema per subject; return ids and (path, body) lookup pairs."""
    ids, lookups = [], []
    base_path = urlsplit(base_url).path
    with httpx.Client(base_url=base_url, headers={"Content-Type": CONTENT_TYPE}) as client:
        for i in range(SUBJECTS):
            body = json.dumps({"schema": schema_for(i)})
            resp = client.post(f"/subjects/bench-{i}-value/versions", content=body)
            resp.raise_for_status()
            ids.append(resp.json()["id"])
            lookups.append((f"{base_path}/subjects/bench-{i}-value", body))
    return ids, lookups


def lua_get_ids(base_path: str, ids: list[int]) -> str:
    paths = ",".join(json.dumps(f"{base_path}/schemas/ids/{i}") for i in ids)
    return f"""
paths = {{{paths}}}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


def lua_lookups(lookups: list[tuple[str, str]]) -> str:
    paths = ",".join(json.dumps(p) for p, _ in lookups)
    bodies = ",".join("[==[" + b + "]==]" for _, b in lookups)
    return f"""
paths = {{{paths}}}
bodies = {{{bodies}}}
headers = {{["Content-Type"] = "{CONTENT_TYPE}"}}
n = 0
request = function()
  n = n + 1
  local i = (n % #paths) + 1
  return wrk.format("POST", paths[i], headers, bodies[i])
end
"""


def run_wrk(url: str, script: str, args: argparse.Namespace) -> dict[str, float]:
    """Requests/s and p50/p99 (ms) from one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        handle.name,
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "req_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _latency(out, "50%"),
        "p99_ms": _latency(out, "99%"),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def _latency(out: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", out)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def measure(base_url: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    ids, lookups = register_all(base_url)
    parts = urlsplit(base_url)
    root = f"{parts.scheme}://{parts.netloc}"
    run_wrk(root, lua_get_ids(parts.path, ids), argparse.Namespace(**{**vars(args), "duration": 2}))
    return {
        "get_schema_by_id": run_wrk(root, lua_get_ids(parts.path, ids), args),
        "lookup_subject": run_wrk(root, lua_lookups(lookups), args),
    }


def summarise(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        endpoint: {k: median([r[endpoint][k] for r in rounds]) for k in rounds[0][endpoint]}
        for endpoint in rounds[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="pipeway registry workers.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required: apt-get install -y wrk (make bench installs it)")
    pipeway_rounds, apicurio_rounds = [], []
    with running_platform(registry_workers=args.workers) as platform:
        pipeway_url = platform.config.registry_url
        with running_apicurio(free_port()) as apicurio_url:
            for _ in range(args.rounds):
                pipeway_rounds.append(measure(pipeway_url, args))
                apicurio_rounds.append(measure(apicurio_url, args))
    result = {"pipeway": summarise(pipeway_rounds), "apicurio": summarise(apicurio_rounds)}
    for endpoint in result["pipeway"]:
        ratio = result["pipeway"][endpoint]["req_s"] / result["apicurio"][endpoint]["req_s"]
        result.setdefault("ratio_req_s", {})[endpoint] = ratio  # type: ignore[index]
    save(
        "registry_load",
        {
            "args": vars(args),
            "rounds": {"pipeway": pipeway_rounds, "apicurio": apicurio_rounds},
            "median": result,
        },
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
