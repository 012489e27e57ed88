"""The web server under load: cached page and API response times, what-if recompute time, responsiveness
while a heavy question runs, and memory under 50 concurrent requests.

Run: python bench/bench_web.py [--data ../shared/data] [--db STORE] [--requests 200]
It syncs 2022-23 and 2023-24 (and the Champions League 2024-25) from the mirror into a temporary store (unless
--db is given), runs `matchday update E0 UEL --as-of 2024-04-15` and `matchday update UCL --as-of 2024-12-15`
on it (the precomputed views, 10,000 simulations each), starts `matchday serve` on a free loopback port (the
real uvicorn server, as a user runs it), and prints:

* the first request of a page and of an API view that the stored views answer, on the fresh server (read, not
  simulated), beside the same question with another seed (simulated);
* median and p95 of cached responses per URL over --requests sequential requests (target well under 100 ms);
* what-if recompute: a new single-fixture condition with 20,000 futures, end to end over HTTP and inside the
  process (target about 1 s);
* cached latency while a cold "chances through the season" job runs (ratio to idle);
* the server's resident memory idle, and its peak while 50 clients send requests at once (cached pages,
  API views and 20 distinct what-if questions that must queue behind the heavy-question limit).

Only loopback traffic, bounded in count; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

AS_OF = "2024-04-15"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(self, path: str) -> tuple[int, bytes, float]:
        start = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self.connection.request("GET", path)
            response = self.connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - start


def memory_kib(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":")
            out[key] = int(value.split()[0])
    return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "matchday.cli", "serve", "--port", str(port), "--db", str(db),
                                "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = Client(port).get("/api/v1/health")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start: " + process.stderr.read().decode()[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--db", type=Path, default=None, help="use this store instead of syncing a temporary one")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per cached URL")
    parser.add_argument("--whatif", type=int, default=10, help="distinct what-if questions to time")
    parser.add_argument("--workers", type=int, default=2, help="the server's heavy-question threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from matchday.data.fetch import Fetcher, SourceURLs
            from matchday.data.store import Store
            from matchday.data.sync import sync

            db = Path(tmp) / "bench.duckdb"
            urls, fetcher = SourceURLs.resolve(mirror=str(args.data)), Fetcher(cache_dir=Path(tmp) / "cache")
            with Store(db) as store:
                sync(store, None, ["2022-23", "2023-24"], urls=urls, fetcher=fetcher)
                sync(store, ["UCL"], ["2024-25"], urls=urls, fetcher=fetcher, skip_bad_files=True)
            for args_ in (["E0", "UEL", "--as-of", AS_OF], ["UCL", "--as-of", "2024-12-15"]):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "matchday.cli", "update", *args_, "--db", str(db)], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                print(f"matchday update {' '.join(args_)}: {time.perf_counter() - start:.1f} s")
        port = free_port()
        server = start_server(db, port, args.workers)
        try:
            run(port, server.pid, args, db)
        finally:
            server.terminate()
            server.wait(10)


def run(port: int, pid: int, args: argparse.Namespace, db: Path) -> None:
    client = Client(port)
    idle = memory_kib(pid)
    print(f"server pid {pid} ({args.workers} heavy-question workers): resident memory after start "
          f"{idle['VmRSS'] / 1024:.0f} MiB")

    # the stored views: the first request of a question `matchday update` answered reads it (no simulation)
    print("\nfirst request on the fresh server, read from the stored views v. simulated (another seed)")
    for label, stored, simulated in (
            ("api: E0 projection", f"/api/v1/leagues/E0/2023-24/projection?as_of={AS_OF}&wait=120",
             f"/api/v1/leagues/E0/2023-24/projection?as_of={AS_OF}&sims=10000&seed=1&wait=120"),
            ("api: UCL 2024-25 league phase + knockout", "/api/v1/cups/UCL/2024-25/projection?as_of=2024-12-15&wait=120",
             "/api/v1/cups/UCL/2024-25/projection?as_of=2024-12-15&sims=10000&seed=1&wait=120")):
        status, body, read = client.get(stored)
        assert status == 200 and b'"precomputed"' in body, body[:300]
        status, body, computed = client.get(simulated)
        assert status == 200 and b'"precomputed"' not in body, body[:300]
        print(f"  {label:42} read {1000 * read:7.1f} ms; simulated {1000 * computed:7.1f} ms "
              f"({computed / read:.0f}x)")

    cached = {
        "page: home": "/",
        "page: league (table, projection, heatmap, chances)": f"/leagues/E0/2023-24?as_of={AS_OF}",
        "page: what-if": f"/leagues/E0/2023-24/whatif?as_of={AS_OF}",
        "page: bracket": "/cups/UEL/2023-24?as_of=2024-04-12",
        "page: UCL 2024-25 league phase (36 x 36 heatmap)": "/cups/UCL/2024-25?as_of=2024-12-15",
        "page: rotation": f"/rotation?club=Liverpool&as_of={AS_OF}",
        "page: model (track record, backtests)": "/model",
        "api: table": f"/api/v1/leagues/E0/2023-24/table?as_of={AS_OF}",
        "api: projection (stored view)": f"/api/v1/leagues/E0/2023-24/projection?as_of={AS_OF}",
        "api: projection (20,000 sims)": f"/api/v1/leagues/E0/2023-24/projection?as_of={AS_OF}&sims=20000",
        "api: fixtures with market": f"/api/v1/leagues/E0/2023-24/fixtures?as_of={AS_OF}",
        "api: bracket": "/api/v1/cups/UEL/2023-24/bracket?as_of=2024-04-12",
        "api: UCL league-phase projection": "/api/v1/cups/UCL/2024-25/projection?as_of=2024-12-15",
        "api: track record": "/api/v1/track-record",
    }
    # warm: compute every heavy answer once (the first request of a page starts its jobs)
    warm = [f"/api/v1/leagues/E0/2023-24/projection?as_of={AS_OF}&sims=20000&wait=120",
            f"/api/v1/leagues/E0/2023-24/chances?as_of={AS_OF}&wait=120",
            "/api/v1/cups/UEL/2023-24/bracket?as_of=2024-04-12&wait=120",
            f"/api/v1/rotation/Liverpool?as_of={AS_OF}&wait=120"]
    start = time.perf_counter()
    for path in warm:
        status, _, seconds = client.get(path)
        print(f"cold {path.split('?')[0]}: {seconds:.2f} s (status {status})")
    print(f"warm-up in {time.perf_counter() - start:.1f} s")

    print(f"\ncached responses, {args.requests} sequential requests each (target: well under 100 ms)")
    print(f"{'what':55} {'median ms':>10} {'p95 ms':>8} {'KiB':>7}")
    idle_medians = {}
    for label, path in cached.items():
        client.get(path)
        times, size = [], 0
        for _ in range(args.requests):
            status, body, seconds = client.get(path)
            assert status == 200, (path, status, body[:200])
            times.append(seconds * 1000)
            size = len(body)
        idle_medians[label] = statistics.median(times)
        print(f"{label:55} {statistics.median(times):10.1f} {percentile(times, 0.95):8.1f} {size / 1024:7.0f}")

    fixtures = json.loads(client.get(f"/api/v1/leagues/E0/2023-24/fixtures?as_of={AS_OF}&limit=500")[1])["rows"]
    outcomes = ("home win", "draw", "away win")
    questions = [f"{f['home']} v {f['away']}: {outcomes[k % 3]}" for k, f in enumerate(fixtures[: args.whatif])]
    http_times = []
    for given in questions:
        query = urlencode({"as_of": AS_OF, "given": given, "sims": 20000, "wait": 120})
        status, body, seconds = client.get(f"/api/v1/leagues/E0/2023-24/whatif?{query}")
        assert status == 200, body[:300]
        http_times.append(seconds)
    print(f"\nwhat-if recompute, a new condition on 20,000 futures over HTTP ({len(questions)} questions): median "
          f"{statistics.median(http_times):.2f} s, max {max(http_times):.2f} s (target about 1 s)")
    in_process(db, questions)

    # responsiveness while a cold heavy question runs (chances through the season, another model)
    heavy = "/api/v1/leagues/SP1/2023-24/chances?as_of=2024-05-26&model=poisson&wait=0"
    status, body, _ = client.get(heavy)
    job = json.loads(body).get("job", {}).get("id") if status == 202 else None
    path = cached["page: league (table, projection, heatmap, chances)"]
    busy = []
    other = Client(port)
    while job:
        _, _, seconds = other.get(path)
        busy.append(seconds * 1000)
        state = json.loads(client.get(f"/api/v1/jobs/{job}")[1])
        if state["status"] != "running" and state["status"] != "queued":
            break
    if busy:
        ratio = statistics.median(busy) / idle_medians["page: league (table, projection, heatmap, chances)"]
        print(f"\nleague page while a cold 39-matchday chances job runs ({state['seconds']:.1f} s): "
              f"{len(busy)} requests, median {statistics.median(busy):.1f} ms, p95 {percentile(busy, 0.95):.1f} ms "
              f"({ratio:.1f}x idle)")

    # 50 concurrent clients
    paths = list(cached.values())
    mixed = [paths[k % len(paths)] for k in range(30)]
    mixed += ["/api/v1/leagues/E0/2023-24/whatif?" + urlencode(
        {"as_of": AS_OF, "given": f"{f['home']} v {f['away']}: draw", "wait": 60, "seed": 99, "sims": 20000})
        for f in fixtures[args.whatif: args.whatif + 20]]
    peak = {"VmRSS": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["VmRSS"] = max(peak["VmRSS"], memory_kib(pid)["VmRSS"])
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda p: Client(port).get(p), mixed))
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    statuses: dict[int, int] = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    cached_times = [r[2] * 1000 for r in results[:30]]
    heavy_times = [r[2] for r in results[30:]]
    after = memory_kib(pid)
    print(f"\n50 concurrent requests (30 cached, 20 new what-if questions) in {wall:.1f} s: statuses {statuses}")
    print(f"  cached: median {statistics.median(cached_times):.0f} ms, p95 {percentile(cached_times, 0.95):.0f} ms; "
          f"what-if: median {statistics.median(heavy_times):.1f} s, max {max(heavy_times):.1f} s")
    print(f"  server memory: idle {idle['VmRSS'] / 1024:.0f} MiB, peak during the burst "
          f"{peak['VmRSS'] / 1024:.0f} MiB, lifetime peak {after['VmHWM'] / 1024:.0f} MiB")


def in_process(db: Path, questions: list[str]) -> None:
    """The same what-if questions inside one process (no HTTP), on a fresh seed so nothing is cached."""
    from matchday.web.services import Services, StoreSource

    services = Services(StoreSource(db))
    services.answer(services.projection_question("E0", "2023-24", AS_OF, sims=20000, seed=5))  # baseline, fit cached
    times = []
    for given in questions:
        start = time.perf_counter()
        services.answer(services.whatif_question("E0", "2023-24", [given], AS_OF, sims=20000, seed=5))
        times.append(time.perf_counter() - start)
    print(f"what-if recompute in process (validation + 20,000 futures + summary): median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
