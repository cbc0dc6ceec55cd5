"""A real API server (``laosp serve`` in its own process) on a free localhost port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.conftest import SECRET

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"laosp serve exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"laosp serve did not answer within {STARTUP_SECONDS} s")


@contextmanager
def live_server(db_url: str, log: Path, **settings: str) -> Iterator[str]:
    """The base URL of ``laosp serve`` on ``db_url`` (its output in ``log``); the server
    stops on exit. ``settings`` become ``LAOSP_*`` environment variables of the server."""
    port = free_port()
    env = {**os.environ, "LAOSP_SECRET_KEY": SECRET}
    env.update({f"LAOSP_{name.upper()}": value for name, value in settings.items()})
    laosp = Path(sys.executable).parent / "laosp"
    command = [str(laosp), "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
