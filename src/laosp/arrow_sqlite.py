"""Columnar reads and bulk loads of a SQLite file through the ADBC driver, which runs in
a worker process of its own (``laosp.arrow_sqlite_worker``).

Why a process: the driver carries its own SQLite library, and two SQLite libraries in one
process lose committed writes in WAL mode (the worker's docstring tells how). This
process keeps Python's SQLite only (SQLAlchemy, ``sqlite3``); the worker keeps the
driver's. Frames cross as Arrow IPC files in a private temporary folder (in memory under
``/dev/shm`` when it has room), so no row becomes a Python object on either side.

The worker ends with its standard input: when this process ends, even by SIGKILL, the
worker closes its connection without a commit, so an open transaction is rolled back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import polars as pl

WORKER = "laosp.arrow_sqlite_worker"
#: Arrow files go to memory when the machine has a RAM-backed /dev/shm.
SHARED_MEMORY = Path("/dev/shm")


class ArrowSqliteError(RuntimeError):
    """A statement failed in the worker; the message is the driver's."""


def scratch_folder(database: Path, shared_memory: Path = SHARED_MEMORY) -> str | None:
    """Where the Arrow files of ``database`` go: ``shared_memory`` when it has room for
    twice the database file (the frames are about its size; a container's /dev/shm is
    often 64 MB), else the system's temporary folder (``None``)."""
    if not shared_memory.is_dir():
        return None
    needed = 2 * (database.stat().st_size if database.exists() else 0)
    return str(shared_memory) if shutil.disk_usage(shared_memory).free > needed else None


class ArrowSqlite:
    """An ADBC SQLite connection to the file at ``path``, held by a worker process.

    ``execute`` runs a statement on it (``BEGIN``/``COMMIT`` included: the connection is
    in autocommit mode until told otherwise), ``ingest`` appends a frame to a table,
    ``read`` runs queries on connections of their own and returns their frames."""

    def __init__(self, path: str) -> None:
        if not path or path == ":memory:":
            raise ValueError("an in-memory SQLite database cannot be shared with a worker")
        self.path = path
        self.scratch = tempfile.TemporaryDirectory(
            prefix="laosp-arrow-", dir=scratch_folder(Path(path)), ignore_cleanup_errors=True
        )
        self.files = 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", WORKER, path, str(os.getpid()), self.scratch.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def _ask(self, request: dict[str, Any]) -> None:
        requests, answers = self._pipes()
        try:
            requests.write(json.dumps(request) + "\n")
            requests.flush()
        except BrokenPipeError:
            raise ArrowSqliteError(f"the SQLite worker has ended ({self._ended()})") from None
        line = answers.readline()
        if not line:
            raise ArrowSqliteError(f"the SQLite worker has ended ({self._ended()})")
        answer = json.loads(line)
        if not answer["ok"]:
            raise ArrowSqliteError(str(answer["error"]))

    def _ended(self) -> str:
        code = self.process.wait(timeout=30)
        return f"exit status {code}"

    def _file(self) -> str:
        self.files += 1
        return str(Path(self.scratch.name) / f"{self.files}.arrow")

    def execute(self, sql: str) -> None:
        self._ask({"op": "execute", "sql": sql})

    def ingest(self, table: str, frame: pl.DataFrame) -> None:
        file = self._file()
        frame.write_ipc(file, compression="uncompressed")
        try:
            self._ask({"op": "ingest", "table": table, "file": file})
        finally:
            Path(file).unlink(missing_ok=True)

    def read(self, queries: Sequence[str], *, threads: int = 1) -> list[pl.DataFrame]:
        """The result of each query, in order; ``threads`` queries run at a time."""
        files = [self._file() for _ in queries]
        try:
            self._ask({"op": "read", "queries": list(queries), "files": files, "threads": threads})
            frames = []
            for file in files:
                frames.append(pl.read_ipc(file))
                Path(file).unlink()
            return frames
        finally:
            for file in files:
                Path(file).unlink(missing_ok=True)

    def close(self) -> None:
        """End the worker; a transaction it has open is rolled back."""
        requests, answers = self._pipes()
        if not requests.closed:
            requests.close()
        try:
            self.process.wait(timeout=60)
        finally:
            answers.close()
            self.scratch.cleanup()

    def __enter__(self) -> ArrowSqlite:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def read_frames(path: str, queries: Sequence[str], *, threads: int = 1) -> list[pl.DataFrame]:
    """Run ``queries`` on the SQLite file at ``path`` in one worker; their frames."""
    with ArrowSqlite(path) as worker:
        return worker.read(queries, threads=threads)
