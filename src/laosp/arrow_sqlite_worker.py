"""The process that holds the ADBC SQLite driver (run as ``python -m``, never imported).

The ADBC driver carries a SQLite library of its own. Two SQLite libraries in one process
break WAL: POSIX locks belong to the process, so when one library closes the file it
drops the other's locks, believes it was the last connection, checkpoints and deletes the
``-wal`` file the other still writes to — committed writes are lost. So the driver lives
here, alone, and ``laosp.arrow_sqlite`` talks to it: one JSON request a line on standard
input, one JSON answer a line on standard output, Arrow data through IPC files.

Requests: ``{"op": "execute", "sql": S}``; ``{"op": "ingest", "table": T, "file": F}``
(append the rows of the Arrow file F to table T); ``{"op": "read", "queries": [Q...],
"files": [F...], "threads": N}`` (each query on a connection of its own, N at a time,
each result written to its file). Answers: ``{"ok": true}`` or ``{"ok": false, "error":
E}``. End of input closes the connection without a commit, so a parent that dies takes
its open transaction with it. A parent killed while the worker is busy (a long ingest
does not read its input) is seen by a watchdog: the worker removes the parent's scratch
folder and ends at once, its transaction uncommitted, so it holds no lock on the file.
The worker removes the scratch folder whenever it ends.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

if __name__ != "__main__":
    raise ImportError(
        "laosp.arrow_sqlite_worker runs in a process of its own (python -m); importing it "
        "would put a second SQLite library beside Python's (see laosp.arrow_sqlite)"
    )
if "_sqlite3" in sys.modules:
    raise SystemExit("arrow_sqlite_worker: Python's SQLite is loaded here already")

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl

#: Readers meeting a brief lock (WAL recovery on open) wait rather than fail.
BUSY_TIMEOUT_MS = 30_000
#: How often the watchdog looks whether the parent process is still there, in seconds.
PARENT_CHECK_S = 0.2


def _connect(path: str) -> Any:
    connection = adbc_sqlite.connect(path, autocommit=True)
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.close()
    return connection


def _read_one(path: str, query: str, file: str) -> None:
    connection = _connect(path)
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(query)
            pl.DataFrame(cursor.fetch_arrow()).write_ipc(file, compression="uncompressed")
        finally:
            cursor.close()
    finally:
        connection.close()


def _serve(path: str, answers: Any) -> None:
    connection = _connect(path)
    cursor = connection.cursor()
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                if request["op"] == "execute":
                    cursor.execute(request["sql"])
                elif request["op"] == "ingest":
                    frame = pl.read_ipc(request["file"])
                    cursor.adbc_ingest(request["table"], frame, mode="append")
                elif request["op"] == "read":
                    jobs = list(zip(request["queries"], request["files"], strict=True))
                    with ThreadPoolExecutor(max(1, int(request["threads"]))) as pool:
                        for future in [pool.submit(_read_one, path, *job) for job in jobs]:
                            future.result()
                else:
                    raise ValueError(f"unknown request {request['op']!r}")
                answer: dict[str, Any] = {"ok": True}
            except Exception as error:
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            answers.write(json.dumps(answer) + "\n")
            answers.flush()
    finally:
        cursor.close()
        connection.close()


def _end_with_parent(parent: int, scratch: str) -> None:
    """End this process (no commit, no lock left) when ``parent`` is gone."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    shutil.rmtree(scratch, ignore_errors=True)
    os._exit(1)


def main() -> None:
    path, parent, scratch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    threading.Thread(target=_end_with_parent, args=(parent, scratch), daemon=True).start()
    # the answers go to the real standard output; anything else printed goes to stderr
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        _serve(path, answers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


main()
