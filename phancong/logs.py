"""structlog, configured once per process; the standard library loggers (Temporal's too) share its renderer."""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog
from temporalio import activity, workflow
from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

LogFormat = Literal["auto", "console", "json"]


def configure_logging(level: str = "info", fmt: LogFormat = "auto", stream: TextIO | None = None) -> None:
    """Route structlog and every stdlib logger through one handler: console on a terminal, JSON otherwise."""
    out = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: structlog.typing.Processor
    if as_json:
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
        final: list[structlog.typing.Processor] = [structlog.processors.dict_tracebacks, renderer]
    else:
        final = [structlog.dev.ConsoleRenderer(colors=out.isatty())]
    formatter = structlog.stdlib.ProcessorFormatter(
        # The SDK's workflow/activity loggers put their context in `extra`; ExtraAdder keeps it as fields.
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # In JSON the workflow/activity context is already a field; repeating it in the message is noise.
    workflow.logger.workflow_info_on_message = not as_json
    activity.logger.activity_info_on_message = not as_json
    # The SDK's core writes its own warnings to stdout unless told otherwise; forwarded, they join the rest on
    # stderr and stdout stays clean for what a command prints (JSON a script reads).
    Runtime.set_default(
        Runtime(
            telemetry=TelemetryConfig(
                logging=LoggingConfig(
                    filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                    forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
                )
            )
        ),
        error_if_already_set=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger for a module of phancong (never for workflow code: use ``workflow.logger``)."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
