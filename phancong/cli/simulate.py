"""`phancong simulate`: a generated province lives through a directive, writing real (simulated) events."""

from __future__ import annotations

import typer

from events import EventStore
from events.catalog import REGISTRY
from phancong.cli.common import JsonOption, database, emit_json, handles_errors, note, run, state
from phancong.embedded import time_skipping_server
from simulation.runner import Simulation, SimulationReport, SimulationSettings, refuse_real_data
from worker import ensure_search_attributes


@handles_errors
def simulate_command(
    ctx: typer.Context,
    communes: int = typer.Option(3, "--communes", min=1),
    cells: int = typer.Option(9, "--cells", min=1),
    members: int = typer.Option(11, "--members", min=1),
    months: int = typer.Option(6, "--months", min=1, max=60),
    seed: int = typer.Option(1, "--seed"),
    force: bool = typer.Option(False, "--force", help="Simulate even into a database with real directives."),
    as_json: bool = JsonOption,
) -> None:
    """Generate a province, issue a simulated directive and live through the months on the time-skipping
    server: slow communes, missed meetings, all four grades. Its events are marked simulated."""
    settings = SimulationSettings(communes=communes, cells=cells, members=members, months=months, seed=seed)

    async def go() -> SimulationReport:
        async with database(state(ctx)) as pool:
            if not force:
                await refuse_real_data(pool)
            note(f"simulating {cells} cells in {communes} communes over {months} months (seed {seed})…")
            store = await EventStore.open(pool, REGISTRY)
            env = await time_skipping_server()
            await ensure_search_attributes(env.client)
            try:
                return await Simulation(pool, store, settings, env).run()
            finally:
                await env.shutdown()

    report = run(go())
    if as_json:
        emit_json(report)
        return
    typer.echo(f"directive {report.directive_id}: {report.assignments} assignments, {report.events} events")
    typer.echo(f"{report.simulated_days} days simulated in {report.wall_seconds} s")
    for name, count in report.events_by_type.items():
        typer.echo(f"  {name:24} {count:>7}")
    typer.echo("grades: " + ", ".join(f"{g} {n}" for g, n in report.grades.items()))
