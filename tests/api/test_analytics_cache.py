"""The analytics cache: bounded (least recently used dropped), one lock per key, and
cleared for everyone by an admin only."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from laosp.api.analytics import AnalyticsCache
from laosp.config import Settings
from laosp.db import make_engine
from laosp.rules.configured import pack_of
from laosp.server import create_app
from tests.api.conftest import PASSWORD, bearer
from tests.api.csrf import csrf_header, with_csrf

REFRESH = "/api/indicators/refresh"


@pytest.fixture
def make_cache() -> Iterator[Callable[..., AnalyticsCache]]:
    engine = make_engine("sqlite://")
    pack = pack_of(Settings())

    def made(ttl_seconds: int = 900, max_entries: int = 8) -> AnalyticsCache:
        return AnalyticsCache(engine, pack, ttl_seconds, max_entries)

    yield made
    engine.dispose()


class Counted:
    """A computation that counts its runs and returns its key."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self._lock = threading.Lock()

    def of(self, key: str, seconds: float = 0.0) -> Callable[[], str]:
        def compute() -> str:
            with self._lock:
                self.runs.append(key)
            time.sleep(seconds)
            return f"value of {key}"

        return compute


def test_keeps_at_most_the_setting_dropping_the_least_recently_used(
    make_cache: Callable[..., AnalyticsCache],
) -> None:
    cache = make_cache(max_entries=2)
    counted = Counted()
    assert cache.cached("a", counted.of("a")) == "value of a"
    cache.cached("b", counted.of("b"))
    cache.cached("a", counted.of("a"))  # a used again: b is now the least recent
    cache.cached("c", counted.of("c"))
    assert cache.keys() == ["a", "c"]
    cache.cached("a", counted.of("a"))
    cache.cached("b", counted.of("b"))  # dropped before: computed again
    assert counted.runs == ["a", "b", "c", "b"]
    assert cache.keys() == ["a", "b"]


def test_many_dates_stay_within_the_bound(make_cache: Callable[..., AnalyticsCache]) -> None:
    cache = make_cache(max_entries=8)
    counted = Counted()
    for day in range(1, 31):
        cache.cached(f"2025-06-{day:02d}", counted.of(str(day)))
    assert cache.keys() == [f"2025-06-{day:02d}" for day in range(23, 31)]


def test_a_bound_below_one_is_refused(make_cache: Callable[..., AnalyticsCache]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        make_cache(max_entries=0)


def test_one_key_computes_once_however_many_ask(
    make_cache: Callable[..., AnalyticsCache],
) -> None:
    cache = make_cache()
    counted = Counted()
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.cached("d", counted.of("d", 0.3))))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted.runs == ["d"]
    assert answers == ["value of d"] * 6


def test_two_keys_compute_at_the_same_time(make_cache: Callable[..., AnalyticsCache]) -> None:
    """Each computation waits for the other to start: under one global lock they could
    not meet and the barrier would break."""
    cache = make_cache()
    both_running = threading.Barrier(2, timeout=10)
    answers: dict[str, str] = {}

    def ask(key: str) -> None:
        def compute() -> str:
            both_running.wait()
            return key

        answers[key] = cache.cached(key, compute)

    threads = [threading.Thread(target=ask, args=(key,)) for key in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {"x": "x", "y": "y"}
    assert sorted(map(str, cache.keys())) == ["x", "y"]


def test_a_result_begun_before_a_clear_is_not_kept(
    make_cache: Callable[..., AnalyticsCache],
) -> None:
    cache = make_cache()
    started = threading.Event()
    release = threading.Event()

    def compute() -> str:
        started.set()
        release.wait(10)
        return "stale"

    thread = threading.Thread(target=cache.cached, args=("k", compute))
    thread.start()
    started.wait(10)
    cache.clear()
    release.set()
    thread.join()
    assert cache.keys() == []


def test_a_failed_computation_keeps_nothing_and_frees_its_key(
    make_cache: Callable[..., AnalyticsCache],
) -> None:
    cache = make_cache()

    def fail() -> str:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        cache.cached("k", fail)
    assert cache.keys() == []
    assert cache.cached("k", lambda: "yes") == "yes"


def test_the_app_bounds_its_cache_by_the_setting(settings: Settings) -> None:
    assert Settings().analytics_cache_entries == 8
    app = create_app(settings.model_copy(update={"analytics_cache_entries": 3}))
    try:
        assert app.state.laosp.analytics.max_entries == 3
    finally:
        app.state.laosp.engine.dispose()


@pytest.mark.parametrize("username", ["analyst", "vientiane", "savannakhet", "central"])
def test_only_an_admin_clears_the_cache(client: TestClient, username: str) -> None:
    who = bearer(client, username)
    assert client.get("/api/indicators", headers=who).status_code == 200
    kept = client.app.state.laosp.analytics.keys()  # type: ignore[attr-defined]
    assert kept
    assert client.post(REFRESH, headers=who).status_code == 403
    assert client.app.state.laosp.analytics.keys() == kept  # type: ignore[attr-defined]
    # the dashboard's button, with the cookie and the token
    form = with_csrf(client, {"username": username, "password": PASSWORD})
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    answer = client.post("/refresh", data=with_csrf(client, {}), follow_redirects=False)
    assert answer.status_code == 403
    assert client.app.state.laosp.analytics.keys() == kept  # type: ignore[attr-defined]


def test_an_admin_clears_it_for_everyone(client: TestClient) -> None:
    analyst = bearer(client, "analyst")
    assert client.get("/api/indicators", headers=analyst).status_code == 200
    assert client.app.state.laosp.analytics.keys()  # type: ignore[attr-defined]
    assert client.post(REFRESH, headers=bearer(client, "admin")).status_code == 204
    assert client.app.state.laosp.analytics.keys() == []  # type: ignore[attr-defined]
    assert client.get("/api/indicators", headers=analyst).status_code == 200
    form = with_csrf(client, {"username": "admin", "password": PASSWORD})
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    answer = client.post("/refresh?next=/gaps", data=with_csrf(client, {}), follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/gaps")
    assert client.app.state.laosp.analytics.keys() == []  # type: ignore[attr-defined]
    assert client.post(REFRESH, headers=csrf_header(client)).status_code == 204
