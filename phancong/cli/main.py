"""The `phancong` command: one sub-command per action (see `phancong --help`)."""

from __future__ import annotations

import typer

from phancong.cli import audit, db, serve, services
from phancong.cli.common import CliState
from phancong.logs import configure_logging
from phancong.process import tune_garbage_collector
from phancong.settings import Settings
from phancong.stack import Stack

app = typer.Typer(
    name="phancong",
    help="phancong: border-post party members in village party cells and households.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("up")(services.up)
app.command("down")(services.down)
app.command("status")(services.status)
app.command("run")(serve.run)
app.command("worker")(serve.run_worker)
app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")


@app.callback()
def _root(ctx: typer.Context) -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    ctx.obj = CliState(settings=settings, stack=Stack(settings))


def main() -> None:
    tune_garbage_collector()
    app()
