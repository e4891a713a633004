"""`make bench-api`: the API's latency and throughput on a log of at least 100,000 events, beside an authenticated
endpoint of the same app that does nothing, in the same run.

A fresh database (embedded, or PHANCONG_BENCH_DATABASE_URL's server) gets a synthetic directive's history
(PHANCONG_BENCH_API_EVENTS events, default 100,000) and a directory to match; the Temporal dev server and a worker
(`phancong worker`, a process of its own) run a small real directive whose post has nominated and whose commune
has accepted members enough for every meeting record below. `phancong serve` runs the API in a process of its
own; this process is its client (httpx), signed in with personal API tokens. Measured, each at concurrency 1 and
32: `GET /api/v1/ping` (authenticated, does nothing: the cost of the API itself), `GET /api/v1/tasks` as a post
of the synthetic directive (its open tasks, computed from the read models), and `POST .../record-meeting` as the
cells (a command: authorization, the idempotency key, the workflow's Update and its validator, the event
appended), each request to an assignment of its own. Goal: tasks p95 under 50 ms at concurrency 1 on 2 cores.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from app import accounts, directives
from app.accounts import Enrolment
from bench.harness import bench_database
from directives.model import DirectiveFile
from directory.model import DirectoryFile
from domain.actors import Actor, Role
from domain.calendar import local_date
from events import EventStore
from events.catalog import REGISTRY
from gateway import Connection
from infra.master_keys import ensure_file
from infra.postgres import Pool, create_pool
from phancong.composition import postgres_services
from phancong.settings import Settings
from projections.catalog import all_projections
from projections.runner import Projector
from simulation import synthetic
from tests.cli import PHANCONG, clean_env, free_port
from tests.temporal import dev_server

TARGET = int(os.environ.get("PHANCONG_BENCH_API_EVENTS", "100000"))
CELLS = 10  # of the measured directive, in commune SYN-X000 (post SYN-P000)
PER_CELL = 40  # members nominated to each: CELLS x PER_CELL meeting records can be sent
ONE = int(os.environ.get("PHANCONG_BENCH_API_REQUESTS", "300"))  # requests at concurrency 1
MANY = 32
HQ = Actor(role=Role.HQ)
PASSWORD = "một câu mật khẩu đủ dài cho đo đạc"  # noqa: S105 - a throwaway database's test account
CODE = "BENCH-API"


def province(today: date) -> synthetic.Province:
    """A synthetic directive that began 13 months ago and runs on: its history up to today, its assignments in
    service, with the tasks that are open today."""
    return synthetic.Province(
        "SYN-NQ/ĐUBP",
        communes=100,
        cells_per_commune=10,
        starts_on=today - timedelta(days=400),
        months=36,
        until=today - timedelta(days=1),
    )


def directory(p: synthetic.Province, lives: int) -> DirectoryFile:
    """The directory the synthetic history names, with the members the measured directive nominates."""
    cells = [p.cell(n) for n in range(p.communes * p.cells_per_commune)]
    communes = sorted({x for _, x in cells})
    posts = sorted({p.post_of(x) for x in communes})
    members = [
        {"id": f"SYN-DV{n:06d}", "name": f"Đảng viên {n}", "post": p.post_of(p.cell(n)[1])} for n in range(lives)
    ]
    members += [
        {"id": f"SYN-BM{n:04d}", "name": f"Đảng viên đo {n}", "post": "SYN-P000"} for n in range(CELLS * PER_CELL)
    ]
    return DirectoryFile.model_validate(
        {
            "province": "Tỉnh mô phỏng",
            "communes": [{"id": x, "name": f"Xã {x}"} for x in communes],
            "cells": [{"id": c, "name": f"Chi bộ {c}", "commune": x, "meeting_day": 15} for c, x in cells],
            "posts": [
                {"id": s, "name": f"Đồn {s}", "communes": [x for x in communes if p.post_of(x) == s]} for s in posts
            ],
            "members": members,
        }
    )


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def measure(
    count: int, concurrency: int, send: Callable[[int], Awaitable[httpx.Response]]
) -> tuple[float, float, float]:
    """p50 and p95 in ms, and requests per second, of ``count`` requests ``concurrency`` at a time."""
    times: list[float] = []
    numbers = iter(range(count))
    failures: list[str] = []

    async def client() -> None:
        for n in numbers:
            started = time.perf_counter()
            answer = await send(n)
            times.append(time.perf_counter() - started)
            if not answer.is_success:
                failures.append(f"{answer.status_code} {answer.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if failures:
        raise AssertionError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    p50, p95 = quantiles(times)
    return 1000 * p50, 1000 * p95, count / elapsed


async def person(s: Any, login: str, scopes: list[str], base: str) -> str:
    """An account enrolled (with a second factor where required) and an API token of it."""
    made: Enrolment = await accounts.create(s, HQ, login, f"Đo {login}", scopes)
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=60) as http:
        view = (await http.get(f"/enrolment/{made.token}")).json()
        import pyotp  # noqa: PLC0415

        code = pyotp.TOTP(view["totp_secret"]).now() if view["second_factor_required"] else None
        assert (await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD, "code": code})).is_success
        signed = await http.post("/session", json={"login": login, "password": PASSWORD, "code": code})
        assert signed.is_success, signed.text
        made_token = await http.post(
            "/tokens", json={"name": "bench", "days": 1}, headers={"X-CSRF-Token": signed.json()["csrf_token"]}
        )
        assert made_token.is_success, made_token.text
        return str(made_token.json()["token"])


async def web_session(s: Any, login: str, scopes: list[str], base: str) -> httpx.Cookies:
    """An account enrolled and signed in: the session cookie its browser would hold."""
    import pyotp  # noqa: PLC0415

    made: Enrolment = await accounts.create(s, HQ, login, f"Đo {login}", scopes)
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=60) as http:
        view = (await http.get(f"/enrolment/{made.token}")).json()
        code = pyotp.TOTP(view["totp_secret"]).now() if view["second_factor_required"] else None
        assert (await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD, "code": code})).is_success
        signed = await http.post("/session", json={"login": login, "password": PASSWORD, "code": code})
        assert signed.is_success, signed.text
        return http.cookies


def getter(http: httpx.AsyncClient, path: str) -> Callable[[int], Awaitable[httpx.Response]]:
    async def get(_: int) -> httpx.Response:
        return await http.get(path)

    return get


async def web_pages(base: str, hq: httpx.Cookies, post: httpx.Cookies, directive: str, total: int) -> None:
    """Server time of the web app's heaviest pages, and the bytes each sends (and the page's static files, once,
    compressed as a browser asks for them)."""
    rows = []
    async with (
        httpx.AsyncClient(base_url=base, timeout=120, cookies=hq) as hq_http,
        httpx.AsyncClient(base_url=base, timeout=120, cookies=post) as post_http,
    ):
        pages = [
            ("GET /tasks (a post)", post_http, "/tasks"),
            (f"GET /directives/{directive}/view", hq_http, f"/directives/{directive}/view"),
            (f"GET /report?directive={directive}", hq_http, f"/report?directive={directive}"),
        ]
        for name, http, path in pages:
            for _ in range(5):  # warm up
                answer = await http.get(path)
                assert answer.status_code == 200, answer.text[:300]
            size = len(answer.content)
            count = max(20, ONE // 5)
            rows.append((name, count, size, await measure(count, 1, getter(http, path))))
        # As of an instant: the report's read models made again from the directive's events (rare, and costly).
        as_of = f"/report?directive={directive}&as_of={quote(datetime.now(UTC).isoformat())}"
        answer = await hq_http.get(as_of)
        assert answer.status_code == 200, answer.text[:300]
        rows.append((f"GET /report?directive={directive}&as_of=…", 3, len(answer.content),
                     await measure(3, 1, getter(hq_http, as_of))))  # fmt: skip
        statics = 0
        for path in ("/static/phancong.css", "/static/phancong.js", "/static/vendor/htmx.min.js"):
            answer = await post_http.get(path, headers={"Accept-Encoding": "gzip"})
            statics += int(answer.headers.get("content-length", len(answer.content)))
    print(f"\nweb app on {total:,} events (concurrency 1; the same process as the API)")
    header = f"{'page':48} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>8}"
    print(header)
    print("-" * len(header))
    for name, count, size, (p50, p95, _) in rows:
        print(f"{name:48} {count:5} {p50:8.1f} {p95:8.1f} {size:8,}")
    print(f"static files (CSS, script, htmx), gzip, fetched once and cached: {statics:,} bytes")


async def fill(pool: Pool, store: EventStore, s: Any) -> tuple[int, synthetic.Province]:
    p = province(local_date(datetime.now(UTC)))
    started = time.perf_counter()
    lives = written = 0
    while written < TARGET:
        written += await synthetic.write(store, p, 500, first=lives, writers=8)
        lives += 500
    await accounts_directory(s, p, lives)
    await Projector(pool, store, all_projections()).catch_up()
    total: int = await pool.fetchval("SELECT count(*) FROM events")
    print(f"log: {total:,} events ({lives:,} synthetic assignment lives; written and projected in "
          f"{time.perf_counter() - started:.0f} s)")  # fmt: skip
    assert written > 0
    return total, p


async def accounts_directory(s: Any, p: synthetic.Province, lives: int) -> None:
    from app.directory import apply_directory  # noqa: PLC0415

    await apply_directory(
        s.log, s.read, directory(p, lives), "0" * 64, "bench", vault=s.vault, actor=HQ, now=datetime.now(UTC)
    )


def spawn(command: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # phancong itself, with the bench's settings
    return subprocess.Popen([PHANCONG, command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


async def healthy(base: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            try:
                if (await http.get(f"{base}/api/v1/health")).is_success:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("the API did not start")


async def real_directive(s: Any) -> list[str]:
    """The measured directive, its members nominated and accepted: the assignments meetings are recorded for."""
    spec = {
        "code": CODE,
        "title": "Đo hiệu năng",
        "issuing_body": "Đảng ủy BĐBP tỉnh",
        "kind": "cell_participation",
        "scope": {"communes": ["SYN-X000"], "posts": ["SYN-P000"]},
        "term": {"months": 24},
    }
    await directives.issue(s, HQ, DirectiveFile.model_validate(spec), "bench")
    post = Actor(role=Role.POST, id="SYN-P000")
    requests = [
        directives.NominationRequest(member_id=f"SYN-BM{n:04d}", cell_id=f"SYN-C{n % CELLS:05d}")
        for n in range(CELLS * PER_CELL)
    ]
    nominated = await directives.nominate(s, post, CODE, "bench", requests)
    ids: list[str] = list(nominated.answer.assignment_ids)
    from app import assignments  # noqa: PLC0415
    from domain.commands import AcceptAssignment  # noqa: PLC0415

    commune = Actor(role=Role.COMMUNE, id="SYN-X000")
    for assignment_id in ids:
        for _ in range(600):
            if await s.log.stream_version(f"assignment-{assignment_id}") >= 2:
                break
            await asyncio.sleep(0.05)
        await assignments.command(s, assignment_id, AcceptAssignment(actor=commune))
    return ids


async def main() -> None:
    async with bench_database() as url:
        environment = await dev_server()
        pool = await create_pool(url, min_size=2, max_size=10)
        task_queue = f"bench-api-{uuid.uuid4().hex[:8]}"
        state = Path(tempfile.mkdtemp(prefix="phancong-bench-api-"))
        keys = state / "master.keys"  # households' data keys: one master key for the bench and its processes
        ensure_file(keys)
        settings = Settings(task_queue=task_queue, master_keys_file=keys)

        async def temporal() -> Any:
            return environment.client

        store = await EventStore.open(pool, REGISTRY)
        s = postgres_services(pool, store, Connection(temporal), settings=settings)
        total, synthetic_province = await fill(pool, store, s)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = clean_env(
            PHANCONG_DATABASE_URL=url,
            PHANCONG_TEMPORAL_ADDRESS=environment.client.service_client.config.target_host,
            PHANCONG_TASK_QUEUE=task_queue,
            PHANCONG_API_PORT=str(port),
            PHANCONG_API_REQUESTS_PER_MINUTE="1000000",
            PHANCONG_LOG_LEVEL="warning",
            PHANCONG_STATE_DIR=str(state),
            PHANCONG_MASTER_KEYS_FILE=str(keys),
        )
        worker = spawn("worker", env)
        server = spawn("serve", env)
        try:
            await healthy(base)
            started = time.perf_counter()
            meeting_ids = await real_directive(s)
            seconds = time.perf_counter() - started
            print(f"measured directive: {len(meeting_ids)} assignments nominated and accepted in {seconds:.0f} s "
                  "(Temporal dev server, worker in its own process)")  # fmt: skip
            post_token = await person(s, "bench.post", ["post:SYN-P001"], base)
            cell_scopes = [f"cell:SYN-C{n:05d}" for n in range(CELLS)]
            cell_token = await person(s, "bench.cells", cell_scopes, base)
            await report(base, post_token, cell_token, meeting_ids, total)
            hq_cookies = await web_session(s, "bench.hq", ["hq"], base)
            post_cookies = await web_session(s, "bench.webpost", ["post:SYN-P001"], base)
            await web_pages(base, hq_cookies, post_cookies, synthetic_province.directive_id, total)
        finally:
            for process in (server, worker):
                process.send_signal(signal.SIGTERM)
            for process in (server, worker):
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
            await pool.close()
            await environment.shutdown()


async def report(base: str, post_token: str, cell_token: str, meetings: list[str], total: int) -> None:
    today = local_date(datetime.now(UTC)).isoformat()
    limits = httpx.Limits(max_connections=MANY + 4, max_keepalive_connections=MANY + 4)
    async with (
        httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=120, limits=limits) as post,
        httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=120, limits=limits) as cells,
    ):
        post.headers["Authorization"] = f"Bearer {post_token}"
        cells.headers["Authorization"] = f"Bearer {cell_token}"
        tasks_found = len((await post.get("/tasks")).json())
        serving = len((await post.get("/assignments", params={"stage": "active", "limit": 500})).json()["items"])
        for _ in range(20):  # warm up
            await post.get("/ping")
            await post.get("/tasks")

        def meeting(offset: int) -> Callable[[int], Awaitable[httpx.Response]]:
            async def send(n: int) -> httpx.Response:
                assignment = meetings[offset + n]
                cell = assignment.rsplit(":", 1)[1]
                return await cells.post(
                    f"/assignments/{assignment}/record-meeting",
                    json={"meeting_on": today, "attendance": "present"},
                    headers={"Idempotency-Key": str(uuid.uuid4()), "Phancong-Scope": f"cell:{cell}"},
                )

            return send

        rows: list[tuple[str, int, int, tuple[float, float, float]]] = []
        for concurrency, count in ((1, ONE), (MANY, 10 * ONE)):
            rows.append(
                (
                    "GET /ping (does nothing)",
                    concurrency,
                    count,
                    await measure(count, concurrency, lambda n: post.get("/ping")),
                )
            )
            rows.append(
                (
                    f"GET /tasks ({serving} serving, {tasks_found} open)",
                    concurrency,
                    count,
                    await measure(count, concurrency, lambda n: post.get("/tasks")),
                )
            )
        one = min(ONE, len(meetings) // 2)
        rows.append(("POST record-meeting", 1, one, await measure(one, 1, meeting(0))))
        rest = len(meetings) - one
        rows.append(("POST record-meeting", MANY, rest, await measure(rest, MANY, meeting(one))))

    ping = {c: r for name, c, _, r in rows if name.startswith("GET /ping")}
    print(f"\nAPI on {total:,} events (one uvicorn process; the client in another; {os.cpu_count()} cores)")
    header = f"{'request':34} {'conc':>4} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}  {'p50 / ping':>10}"
    print(header)
    print("-" * len(header))
    for name, concurrency, count, (p50, p95, rate) in rows:
        ratio = p50 / ping[concurrency][0]
        print(f"{name:34} {concurrency:4} {count:6} {p50:8.1f} {p95:8.1f} {rate:8.0f}  {ratio:10.1f}")
    tasks_p95 = next(r[3][1] for r in rows if r[0].startswith("GET /tasks") and r[1] == 1)
    print(
        f"\ngoal: tasks p95 under 50 ms at concurrency 1: {tasks_p95:.1f} ms, {'met' if tasks_p95 < 50 else 'NOT MET'}"
    )


if __name__ == "__main__":
    if sys.platform != "linux":
        print("the benchmark runs on Linux")
    asyncio.run(main())
