"""The `phancong` command: one sub-command per action (see `phancong --help`)."""

from __future__ import annotations

import logging
import os
import sys
import unicodedata

import typer
from pydantic import ValidationError
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from domain.errors import invalid_input
from infra.clock import clock_at
from phancong.cli import (
    accounts,
    assignments,
    audit,
    db,
    directives,
    directory,
    history,
    households,
    notifications,
    projections,
    report,
    serve,
    services,
    simulate,
    tasks,
)
from phancong.cli.common import CliState, InvalidArgumentError, refuse
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
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(db.keys, name="keys")
app.add_typer(directory.app, name="directory")
app.add_typer(households.app, name="household")
app.add_typer(directives.app, name="directive")
assignments.register(app)
app.command("tasks")(tasks.tasks)
app.command("simulate")(simulate.simulate_command)
app.add_typer(notifications.app, name="notifications")
app.add_typer(audit.app, name="audit")
app.add_typer(projections.app, name="projections")
app.add_typer(accounts.app, name="account")
app.command("history")(history.history)
app.command("report")(report.report_command)


def arguments(raw: list[str]) -> list[str]:
    """The command line in Unicode NFC (the same id typed decomposed is the same id); an argument that was not
    UTF-8 is refused."""
    for arg in raw:
        if any(0xD800 <= ord(c) <= 0xDFFF for c in arg):
            raise UsageError(f"an argument is not UTF-8 text: {arg.encode('utf-8', 'replace')!r}")
    actor = os.environ.get("PHANCONG_ACTOR")
    if actor:
        os.environ["PHANCONG_ACTOR"] = unicodedata.normalize("NFC", actor)
    return [unicodedata.normalize("NFC", arg) for arg in raw]


@app.callback()
def _root(ctx: typer.Context) -> None:
    try:
        settings = Settings()
    except ValidationError as refused:
        raise UsageError(f"a PHANCONG_* setting is refused: {invalid_input(refused).message}") from None
    configure_logging(settings.log_level, settings.log_format)
    ctx.obj = CliState(settings=settings, stack=Stack(settings), clock=clock_at(settings.now))


def main() -> None:
    tune_garbage_collector()
    code: int | str | None = 0
    try:
        code = app(args=arguments(sys.argv[1:]), standalone_mode=False)
    except SystemExit as finished:
        code = finished.code
    except NoArgsIsHelpError:
        code = 0  # the help was printed
    except UsageError as refused:
        # A malformed command line is refused like any other input: one line, a stable code, status 1.
        message = refused.format_message().replace("Value error, ", "")
        refuse(InvalidArgumentError(message), as_json="--json" in sys.argv[1:])
        code = 1
    except typer.Abort:
        code = 130
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # The command is done. Skip the interpreter's teardown: the Temporal SDK's runtime threads can crash a
    # finalizing interpreter (temporalio/sdk-python#300, "PyGILState_Release ... finalizing").
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
