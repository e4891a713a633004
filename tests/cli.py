"""Running the `phancong` command as a user would: a subprocess with its own environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PHANCONG = str(Path(sys.executable).parent / "phancong")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


MASTER_KEYS = "PHANCONG_MASTER_KEYS_FILE"


def clean_env(**overrides: str) -> dict[str, str]:
    """The caller's environment without any PHANCONG_* setting but the test process's master keys, plus
    ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHANCONG_") or k == MASTER_KEYS}
    env.update(overrides)
    return env


def phancong(*args: str, env: dict[str, str], timeout: float = 120, cwd: Path | None = None) -> Result:
    done = subprocess.run(
        [PHANCONG, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd
    )
    return Result(done.returncode, done.stdout, done.stderr)
