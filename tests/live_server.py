"""A real ``laosp serve`` process on a free localhost port, for tests that stop, kill
and restart the server the way an operator (or a power cut of the process) would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

LAOSP = str(Path(sys.executable).with_name("laosp"))
STARTUP_SECONDS = 60.0


def sign_in(base_url: str, username: str, password: str) -> dict[str, str]:
    """The bearer header of ``username`` on the server at ``base_url``."""
    answer = httpx.post(
        f"{base_url}/api/auth/token", data={"username": username, "password": password}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """``laosp serve --db URL`` in its own process; ``with`` starts it and waits until it
    answers, leaving the block stops it with SIGTERM (``kill()`` sends SIGKILL)."""

    def __init__(self, db_url: str, secret: str, **settings: str) -> None:
        """``settings`` become ``LAOSP_*`` environment variables of the server."""
        self.db_url = db_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LAOSP_SECRET_KEY": secret}
        self.env.update({f"LAOSP_{name.upper()}": value for name, value in settings.items()})
        self.process: subprocess.Popen[bytes] | None = None
        # open for the server's whole life; readable after it ended
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def start(self) -> LiveServer:
        self.process = subprocess.Popen(
            [LAOSP, "serve", "--db", self.db_url, "--port", str(self.port)],
            env=self.env,
            stdout=self.log,  # uvicorn's access log
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"laosp serve exited {self.process.returncode}: {self.output()}")
            try:
                if httpx.get(f"{self.base_url}/login", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"laosp serve did not answer within {STARTUP_SECONDS} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        """What the server printed so far (uvicorn's log and access log)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=120)

    def stop(self) -> None:
        """SIGTERM, as an operator or a service manager stops it."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: the process ends at once, as in a crash."""
        self._end(signal.SIGKILL)

    def _end(self, how: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(how)
        self.process.wait(timeout=30)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
