"""`make bench-directive`: a national directive (2,600 assignments) from issue until every one is introduced.

On the real Temporal dev server and a throwaway PostgreSQL: HQ issues the directive, each post nominates its
members for its cells (one Update per post), and the directive starts the assignments from an activity.
Printed beside it, the raw limit measured in the same run: starting as many empty workflows and waiting
for them to finish, on the same server and worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import time
import uuid
from datetime import UTC, datetime

from temporalio.client import Client
from temporalio.worker import Worker

import gateway
import worker
from app.directives import NominationRequest, nomination, resolve
from app.directory import apply_directory
from bench.empty_workflow import EmptyWorkflow
from bench.harness import bench_database
from directory.repository import DirectoryRepository
from domain import ids
from domain.actors import Actor, Role
from domain.calendar import local_date
from domain.errors import WrongStateError
from events import EventStore
from events.catalog import REGISTRY
from infra.postgres import Pool, create_pool
from phancong.composition import vault_for
from phancong.process import tune_garbage_collector
from phancong.settings import Settings
from projections.queries import PostgresReadModels
from simulation.generator import generate_directory, simulated_directive
from tests.temporal import dev_server
from workflows.directive import TASK_TIMEOUT as DIRECTIVE_TASK_TIMEOUT
from workflows.directive import DirectiveWorkflow
from workflows.directive_io import DirectiveInput

CELLS = int(os.environ.get("PHANCONG_BENCH_CELLS", "2600"))
HQ = Actor(role=Role.HQ)


async def raw_limit(client: Client, count: int) -> float:
    """Seconds to start ``count`` empty workflows (16 at a time, as the directive does) until all have ended
    (waited for 64 at a time: the server limits concurrent long polls)."""
    task_queue = f"raw-{uuid.uuid4()}"
    starting, waiting = asyncio.Semaphore(16), asyncio.Semaphore(64)
    async with Worker(client, task_queue=task_queue, workflows=[EmptyWorkflow]):
        started = time.perf_counter()

        async def one(i: int) -> None:
            async with starting:
                handle = await client.start_workflow(
                    EmptyWorkflow.run, id=f"raw-{task_queue}-{i}", task_queue=task_queue
                )
            async with waiting:
                await handle.result()

        await asyncio.gather(*(one(i) for i in range(count)))
        return time.perf_counter() - started


async def introduced(pool: Pool, directive_id: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM events WHERE directive_id = $1 AND event_type = 'IntroductionSent'", directive_id
    )
    return count


async def national_directive(client: Client, pool: Pool, store: EventStore) -> dict[str, float]:
    rng = random.Random(2600)
    communes = max(1, CELLS // 10)
    directory = generate_directory(communes, CELLS, CELLS + CELLS // 20, rng)
    now = datetime.now(UTC)
    digest = hashlib.sha256(directory.model_dump_json().encode()).hexdigest()
    t0 = time.perf_counter()
    await apply_directory(
        store,
        PostgresReadModels(pool, store),
        directory,
        digest,
        "bench-directory",
        vault=vault_for(pool, Settings()),
        actor=HQ,
        now=now,
    )
    t_directory = time.perf_counter() - t0
    spec = simulated_directive(f"BENCH-{uuid.uuid4().hex[:6]}", local_date(now), 24, [c.id for c in directory.communes])
    resolved = await resolve(spec, DirectoryRepository(pool), "bench", local_date(now), simulated=True)
    task_queue = f"bench-{uuid.uuid4()}"
    async with worker.running(client, task_queue, store, pool):
        started = time.perf_counter()
        await client.start_workflow(
            DirectiveWorkflow.run,
            DirectiveInput(directive=resolved, issued_by=HQ),
            id=ids.directive_workflow_id(resolved.code),
            task_queue=task_queue,
            task_timeout=DIRECTIVE_TASK_TIMEOUT,
        )
        repo = DirectoryRepository(pool)
        cells_of = {p.id: [c.id for c in directory.cells if c.commune in p.communes] for p in directory.posts}

        async def nominate(post_id: str) -> int:
            members = [m.id for m in await repo.members(post=post_id)]
            requests = [
                NominationRequest(member_id=m, cell_id=c) for m, c in zip(members, cells_of[post_id], strict=False)
            ]
            command = await nomination(repo, Actor(role=Role.POST, id=post_id), "NQ", requests)
            for attempt in range(100):
                try:
                    result = await gateway.send_directive(client, resolved.code, command)
                    return len(result.assignment_ids)
                except WrongStateError:
                    await asyncio.sleep(0.1 * (attempt + 1))  # the directive is still being issued
            raise RuntimeError("the directive never took nominations")

        counts = await asyncio.gather(*(nominate(p.id) for p in directory.posts))
        nominated = time.perf_counter() - started
        total = sum(counts)
        while await introduced(pool, resolved.code) < total:  # noqa: ASYNC110 - the count lives in PostgreSQL
            await asyncio.sleep(0.5)
        all_introduced = time.perf_counter() - started
    return {
        "cells": len(directory.cells),
        "posts": len(directory.posts),
        "assignments": total,
        "directory_import_s": t_directory,
        "nominations_accepted_s": nominated,
        "all_introduced_s": all_introduced,
    }


async def main() -> None:
    tune_garbage_collector()
    async with bench_database() as url:
        env = await dev_server()
        try:
            pool = await create_pool(url, min_size=4, max_size=20)
            store = await EventStore.open(pool, REGISTRY)
            ours = await national_directive(env.client, pool, store)
            raw = await raw_limit(env.client, int(ours["assignments"]))
            await pool.close()
        finally:
            await env.shutdown()
    n, cells, posts = ours["assignments"], ours["cells"], ours["posts"]
    rate = n / ours["all_introduced_s"]
    print(f"\nnational directive: {n:,.0f} assignments, {cells:,.0f} cells, {posts:,.0f} posts, {os.cpu_count()} cores")
    print(f"  directory import                    {ours['directory_import_s']:8.1f} s")
    print(f"  issue -> every nomination accepted  {ours['nominations_accepted_s']:8.1f} s")
    print(f"  issue -> every assignment introduced {ours['all_introduced_s']:7.1f} s   ({rate:,.0f} assignments/s)")
    print(f"  raw limit: {n:,.0f} empty workflows     {raw:8.1f} s   ({n / raw:,.0f} workflows/s)")
    print(f"  ratio (raw time / ours)             {raw / ours['all_introduced_s']:8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
