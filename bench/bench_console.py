"""Benchmark of the web console: every page's server time on the demo market (issue 13).

Seeds the demo market, serves it (uvicorn, one worker, a free 127.0.0.1 port), signs in as
each kind of demo participant (and browses signed out), and crawls the console from each
one's home page: every same-site GET link a page offers is followed (sign-out, downloads,
streams and the API are not). Each page pattern (ids replaced by {id}) is measured on up to
three of its instances, each requested `--repeat` times; the figure is the server's own time
to the first byte, from the `Server-Timing` header, beside `/health`'s measured in the same
run. The target: every page under 100 ms server time.

    python bench/bench_console.py [--repeat 15] [--max-pages 80] [--postgres URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import deque
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _server import pct, postgres_database, running_server

HANDLES = ("holder", "individual", "broker", "reviewer1", "operator", "regulator", "instructor")
TARGET_MS = 100.0
LINK = re.compile(r'href="(/[^"#]*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SKIP = re.compile(
    r"^/(static|docs|redoc|openapi|v1|lang|sign-out|health|metrics)"
    r"|/download|/report|\.csv|/events|/stream"
)
# An id: a long token with a digit, or a number (a log entry's index).
ID_SEGMENT = re.compile(r"/(?:(?=[^/]*\d)[0-9A-Za-z_-]{8,}|\d+)(?=/|$)")


def pattern(path: str) -> str:
    """A page's route: its ids replaced, its query dropped."""
    return ID_SEGMENT.sub("/{id}", path.split("?", 1)[0])


def server_ms(answer: httpx.Response) -> float:
    """The server's own time from the Server-Timing header."""
    timing = answer.headers.get("server-timing", "")
    found = re.search(r"dur=([0-9.]+)", timing)
    if found is None:
        raise RuntimeError(f"no Server-Timing on {answer.request.url}")
    return float(found.group(1))


def sign_in(client: httpx.Client, key: str) -> str:
    """Sign the client in; returns the page it lands on."""
    page = client.get("/sign-in")
    token = CSRF.search(page.text)
    assert token is not None, "the sign-in page has a CSRF token"
    answer = client.post("/sign-in", data={"api_key": key, "csrf_token": token.group(1)})
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in refused: {answer.status_code}")
    return answer.headers["location"]


def crawl(client: httpx.Client, start: str, max_pages: int) -> dict[str, list[str]]:
    """Pages reachable from `start` by GET links, grouped by route pattern (≤ 3 each)."""
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    queue: deque[str] = deque([start, "/", "/sign-in", "/join"])
    while queue and len(seen) < max_pages:
        path = queue.popleft()
        key = pattern(path)
        if path in seen or SKIP.search(path) or len(found.get(key, ())) >= 3:
            continue
        seen.add(path)
        answer = client.get(path)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        found.setdefault(key, []).append(path)
        queue.extend(m.group(1).replace("&amp;", "&") for m in LINK.finditer(answer.text))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--max-pages", type=int, default=80)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    if args.postgres:
        with postgres_database(args.postgres) as url:
            run(url, args.repeat, args.max_pages)
    else:
        run(None, args.repeat, args.max_pages)


def run(database_url: str | None, repeat: int, max_pages: int) -> None:
    with running_server(database_url) as server:
        keys = {k["handle"]: k["api_key"] for k in server.keys}
        with httpx.Client(base_url=server.url, timeout=30) as anchor:
            for _ in range(50):  # warm-up
                anchor.get("/health")
            health = [server_ms(anchor.get("/health")) for _ in range(repeat * 10)]
        anchor_ms = statistics.median(health)
        print(f"database: {'PostgreSQL' if database_url else 'SQLite'}; repeat {repeat}")
        print(f"anchor /health: p50 {anchor_ms:.2f} ms, p95 {pct(health, 95):.2f} ms (server)")
        print(f"{'who':<11} {'page':<44} {'p50 ms':>7} {'p95 ms':>7} {'×health':>8}")
        worst: list[tuple[float, str, str]] = []
        for who in ("stranger", *HANDLES):
            with httpx.Client(base_url=server.url, timeout=30) as client:
                start = "/" if who == "stranger" else sign_in(client, keys[who])
                pages = crawl(client, start, max_pages)
                for key, paths in sorted(pages.items()):
                    times: list[float] = []
                    for path in paths:
                        client.get(path)  # warm this page's caches
                        times += [server_ms(client.get(path)) for _ in range(repeat)]
                    p50, p95 = statistics.median(times), pct(times, 95)
                    worst.append((p95, who, key))
                    flag = "  OVER" if p95 > TARGET_MS else ""
                    ratio = p50 / anchor_ms
                    print(f"{who:<11} {key[:44]:<44} {p50:7.2f} {p95:7.2f} {ratio:8.1f}{flag}")
        if not worst:
            raise RuntimeError("no console page answered")
        worst.sort(reverse=True)
        over = [w for w in worst if w[0] > TARGET_MS]
        print(f"pages measured: {len(worst)}; slowest p95: {worst[0][0]:.2f} ms ({worst[0][2]}, "
              f"{worst[0][1]}); over {TARGET_MS:.0f} ms: {len(over)}")  # fmt: skip


if __name__ == "__main__":
    main()
