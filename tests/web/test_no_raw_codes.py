"""No page shows a raw code where a name exists (issue #13).

Users of several roles sign in, in Lao and in English, and walk every HTML page they can
reach: the routes the app lists (GET, no path parameter) and every link of the pages
(same origin, GET), a few of each kind of link, after some work done through the API
(enrolments, a grievance, a payment cycle). Every page answers 200, or a styled 403, 404
or 422 page; its visible text (no tags, scripts or attribute values; ``<code>``, ``<pre>``
and elements marked with a bare ``data-code`` are left out, for a code a page shows on
purpose such as a household id or a user name) holds no code that has a name: schemes and
parameters of the pack, projection scenarios, grievance categories and levels, the
registry's coded fields, the code lists of ``laosp.reference.codes.LABELLED``, indicators,
provinces and districts shown without their name, actions and records of the audit trail,
and no key of the catalogues in place of its words.

A new page (``/cycles``, ``/grievances``, ``/district/...``) is scanned as soon as a
route lists it or a page links to it.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from laosp.db import unit_of_work
from laosp.indicators.definitions import LABELS
from laosp.models import AuditEvent
from laosp.presentation import catalogues
from laosp.presentation.i18n import Formatter, Lang
from laosp.projection.loading import shipped_scenarios_dir
from laosp.reference import codes, dictionary
from laosp.reference.admin_units import districts, provinces
from tests.api.conftest import PASSWORD, USERS, bearer
from tests.api.csrf import with_csrf

SOURCE = Path(__file__).resolve().parents[2] / "src" / "laosp"
#: One user of each kind of work (tests/api/conftest.py USERS).
WALKERS = ("central", "vientiane", "analyst", "auditor", "admin")
#: Pages a walk reads at most, and links of one kind (same path, numbers aside, and the
#: same query parameters) it follows: the gaps page links every district.
MAX_PAGES = 80
PER_KIND = 3
#: Links the walk does not follow: other languages (the walk sets it), the API, files
#: (the briefs, the workbooks), JSON twins, signing out, the API's documentation.
NOT_PAGES = ("/lang/", "/api/", "/reports/", "/static/", "/logout", "/docs", "/redoc")
#: The answers a page may give: the page, a refusal, no such thing, a form sent back.
STYLED = (200, 403, 404, 422)
#: Pages with a query worth reading that no link gives (a form fills it).
FORM_PAGES = (
    "/search?q=ພົມມະສອນ",
    "/rules/diff?parameter=mecg.benefit_monthly&value=200000&district=1703",
    "/rules/diff?parameter=mecg.benefit_monthly&value=many",
    "/gaps?district=0101",
    "/projection?policy=extend_voluntary_ss",
    "/audit?limit=200",
)
#: A word of a page: letters, digits, ``_`` and ``.`` inside (``enrolment_status.active``).
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.]*[A-Za-z0-9]|[A-Za-z0-9]")
#: A code-like word, whatever its list: lower-case words joined by ``_`` or ``.``.
IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+")
#: Elements whose text is not shown, or is a code on purpose.
HIDDEN = {"script", "style", "code", "pre", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Text:
    """What a reader sees of a page: each run of text between two tags (``segments``,
    with whether it stands in a number cell), and the links."""

    segments: list[tuple[str, bool]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = Text()
        self.stack: list[tuple[str, bool, bool]] = []  # tag, hidden, number cell

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _number(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.text.links.append(str(found["href"]))
        if tag in VOID:
            return
        # ``data-code`` alone marks a code shown on purpose; ``data-code="0101"`` is data
        marked = "data-code" in found and not found["data-code"]
        hidden = self._hidden() or tag in HIDDEN or marked
        number = self._number() or "num" in (found.get("class") or "").split()
        self.stack.append((tag, hidden, number))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.text.links.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        words = " ".join(data.split())
        if words and not self._hidden():
            self.text.segments.append((words, self._number()))


def visible(html: str) -> Text:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.text


@dataclass(frozen=True)
class Codes:
    """Codes that have a name, by where a page may show them: ``words`` are found
    anywhere (identifiers no sentence holds: ``nssf_voluntary``, ``cct``,
    ``sdg131.children``); ``cells`` only as the whole text of an element (``M``,
    ``head``, ``active``: words a sentence may hold); ``places`` as a cell's whole text
    outside number cells (``0101``, ``13``)."""

    words: dict[str, str]
    cells: dict[str, str]
    places: dict[str, str]


def scenario_ids() -> set[str]:
    found = set()
    for path in shipped_scenarios_dir().glob("*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.add(str(raw["scenario"]["name"]))
    return found


def audit_codes(client: TestClient) -> tuple[set[str], set[str]]:
    """The actions and kinds of record of the events in the test's audit trail."""
    engine = client.app.state.laosp.engine  # type: ignore[attr-defined]
    with unit_of_work(engine) as session:
        rows = session.execute(select(AuditEvent.action, AuditEvent.entity).distinct()).all()
    return {row.action for row in rows}, {row.entity for row in rows}


def named_codes(client: TestClient) -> Codes:
    pack = client.app.state.laosp.pack  # type: ignore[attr-defined]
    actions, entities = audit_codes(client)
    kinds: dict[str, Iterable[str]] = {
        "scheme": pack.schemes,
        "parameter": pack.parameters,
        "scenario": scenario_ids(),
        "grievance category": pack.grievances.categories,
        "grievance level": [level.code for level in pack.grievances.levels],
        "indicator": LABELS,
        **{f"{name} code": values for name, values in dictionary.CODE_LABELS.items()},
        **{f"{name} code": values for name, values in codes.LABELLED.items()},
        "audit action": actions,
        "audit record": entities,
        # a key whose English words are the key itself (``no``) is a word there
        "catalogue key": {k for k, text in catalogues.messages("en").items() if text != k},
    }
    distinctive = {"scheme", "parameter", "scenario", "indicator"}
    words: dict[str, str] = {}
    cells: dict[str, str] = {}
    for kind, values in kinds.items():
        for value in values:
            if kind in distinctive or IDENTIFIER.fullmatch(value):
                words.setdefault(value, kind)
            else:
                cells.setdefault(value, kind)
    places = {row.code: "province code" for row in provinces()}
    places |= {row.code: "district code" for row in districts()}
    return Codes(words, cells, places)


def raw_codes(text: Text, known: Codes, names: Iterable[str] = ()) -> list[str]:
    """Each code the text shows, as ``'code' (kind)``; ``names`` are people's user names,
    shown on purpose (the tests' users are called ``admin``, ``auditor``, ``central``)."""
    found: list[str] = []
    people = set(names)
    for segment, number in text.segments:
        if segment in people:
            continue
        for token in TOKEN.findall(segment):
            if token in known.words:
                found.append(f"{token!r} ({known.words[token]})")
            elif IDENTIFIER.fullmatch(token):
                found.append(f"{token!r} (a code or a key without words)")
        if segment in known.cells:
            found.append(f"{segment!r} ({known.cells[segment]})")
        elif segment in known.places and not number:
            found.append(f"{segment!r} ({known.places[segment]} without its name)")
    return found


def _kind(path: str, query: str) -> str:
    """Links of one kind: the same path with numbers and ids blanked, the same
    query parameters."""
    shape = "/".join("*" if re.search(r"\d", part) else part for part in path.split("/"))
    names = sorted({pair.split("=")[0] for pair in query.split("&") if pair})
    return f"{shape}?{'&'.join(names)}"


def _page(link: str, here: str) -> str | None:
    """A link to follow as ``path?query``, or None (another site, a file, the API)."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("#"):
        return None
    path = (
        parts.path
        if parts.path.startswith("/")
        else urlsplit(here).path.rsplit("/", 1)[0] + "/" + parts.path
    )
    if path.endswith(".json") or any(path.startswith(prefix) for prefix in NOT_PAGES):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def listed_pages(client: TestClient) -> list[str]:
    """The app's GET routes without path parameters, outside the API."""
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or set()
        if isinstance(route, APIRoute) and route.include_in_schema:
            continue
        if "GET" in methods and "{" not in path and _page(path, "/") is not None:
            found.append(path)
    return sorted(found)


@dataclass
class Walk:
    """The pages a walk read (``path?query``: status) and what it found wrong on them
    (``(page, problem)``)."""

    pages: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def sign_in(client: TestClient, username: str, lang: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login",
        data=with_csrf(client, {"username": username, "password": PASSWORD}),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.get(f"/lang/{lang}?next=/overview", follow_redirects=False)


def walk(client: TestClient, username: str, lang: str, known: Codes) -> Walk:
    sign_in(client, username, lang)
    done = Walk()
    queue = ["/overview", *listed_pages(client), *FORM_PAGES]
    kinds: Counter[str] = Counter()
    seen: set[str] = set()
    while queue and len(done.pages) < MAX_PAGES:
        target = queue.pop(0)
        parts = urlsplit(target)
        kind = _kind(parts.path, parts.query)
        if target in seen or kinds[kind] >= PER_KIND:
            continue
        seen.add(target)
        kinds[kind] += 1
        response = client.get(target)
        if response.url.path == "/login":
            done.problems.append((target, "signed out (taken to the sign-in page)"))
            sign_in(client, username, lang)
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            if response.status_code != 200:
                done.problems.append((target, f"answers {response.status_code} without a page"))
            continue
        done.pages[target] = response.status_code
        if response.status_code not in STYLED or "<main>" not in response.text:
            done.problems.append((target, f"answers {response.status_code}, not a styled page"))
        text = visible(response.text)
        for code in raw_codes(text, known, USERS):
            done.problems.append((target, f"shows {code}"))
        for link in text.links:
            page = _page(link, str(response.url.path))
            if page is not None and page not in seen:
                queue.append(page)
    return done


#: The functions that write an audit event, and where their action and record are.
AUDIT_WRITERS: dict[str, tuple[int | str, int | str]] = {
    "record": ("action", "entity"),
    "audit": (2, 3),
    "_audit": (2, 3),
    "add_audit": ("action", "entity"),
    "record_read": ("action", 2),
}


def _strings(node: ast.expr | None, constants: dict[str, set[str]]) -> set[str]:
    """The texts an argument can be: a constant, either branch of ``a if c else b``, a
    module constant (``ENTITY``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) | _strings(node.orelse, constants)
    if isinstance(node, ast.Name):
        return constants.get(node.id, set())
    return set()


def audited_in_the_code() -> tuple[set[str], set[str]]:
    """Every action and kind of record the code writes to the audit trail as a literal."""
    trees = [ast.parse(path.read_text("utf-8")) for path in SOURCE.rglob("*.py")]
    constants: dict[str, set[str]] = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        constants.setdefault(target.id, set()).add(str(node.value.value))
    actions: set[str] = set()
    entities: set[str] = set()
    for tree in trees:
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            function = call.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name not in AUDIT_WRITERS:
                continue
            keywords = {word.arg: word.value for word in call.keywords}
            for where, found in zip(AUDIT_WRITERS[name], (actions, entities), strict=True):
                if isinstance(where, int):
                    argument = call.args[where] if len(call.args) > where else None
                else:
                    argument = keywords.get(where)
                found |= _strings(argument, constants)
    return actions, entities


# --- the scanner itself, on made-up pages -----------------------------------------------


def test_the_reader_keeps_only_what_a_reader_sees() -> None:
    html = (
        '<p title="nssf_voluntary">Social security <code>nssf_voluntary</code></p>'
        "<script>var cct = 1;</script><td data-code>EX-VT-0001</td>"
        '<tr data-code="0101"><td>Chanthabouly</td></tr>'
        '<td class="num"><span>13</span></td><td>0101</td><a href="/x?y=1">link</a>'
    )
    text = visible(html)
    assert text.segments == [
        ("Social security", False),
        ("Chanthabouly", False),
        ("13", True),
        ("0101", False),
        ("link", False),
    ]
    assert text.links == ["/x?y=1"]


def test_a_code_is_found_where_it_is_shown_and_not_where_a_word_is() -> None:
    known = Codes(
        words={"cct": "scheme", "lao_default": "scenario"},
        cells={"M": "sex code", "head": "relationship code"},
        places={"0101": "district code", "13": "province code"},
    )
    page = visible(
        "<h1>Scenario lao_default</h1><td>M</td><td>head</td><p>Madam, the head of household"
        ' gets the CCT</p><td class="num">13</td><td>0101</td><td>Chanthabouly (0101)</td>'
        "<p>nav_cycles</p><td>Male</td>"
    )
    assert raw_codes(page, known) == [
        "'lao_default' (scenario)",
        "'M' (sex code)",
        "'head' (relationship code)",
        "'0101' (district code without its name)",
        "'nav_cycles' (a code or a key without words)",
    ]


def test_links_of_one_kind_are_followed_a_few_times() -> None:
    assert _kind("/gaps", "district=0101") == _kind("/gaps", "district=1703") == "/gaps?district"
    assert _kind("/household/EX-VT-0001", "") == "/household/*?"
    assert _page("/api/gaps/list?district=0101", "/gaps") is None
    assert _page("/overview.json", "/overview") is None
    assert _page("https://example.org/", "/overview") is None
    assert _page("/province/13", "/overview") == "/province/13"


# --- every page of the app --------------------------------------------------------------


def some_work(client: TestClient) -> None:
    """Records of each kind for the lists to show: an enrolment approved and one waiting,
    a grievance, a payment cycle (through the API, as the officers would)."""
    officer, central = bearer(client, "vientiane"), bearer(client, "central")
    made = []
    for person in ("EX-VT-0001-1", "EX-VT-0001-2"):
        body = {"scheme": "nhi", "unit_id": person, "check_eligibility": False}
        made.append(client.post("/api/enrolments", json=body, headers=officer))
    first = made[0].json()
    approval = {"status": "active", "expected": first["status"]}
    made.append(
        client.post(f"/api/enrolments/{first['id']}/status", json=approval, headers=central)
    )
    category = next(iter(client.app.state.laosp.pack.grievances.categories))  # type: ignore[attr-defined]
    grievance = {"category": category, "description": "not paid since March",
                 "person_id": "EX-VT-0001-1"}  # fmt: skip
    made.append(client.post("/api/grievances", json=grievance, headers=officer))
    made.append(client.post("/api/cycles", json={"scheme": "mecg", "period": "2026-11"},
                            headers=central))  # fmt: skip
    assert [answer.status_code for answer in made] == [201, 201, 200, 201, 201], [
        answer.text for answer in made
    ]


def report(found: dict[tuple[str, str], set[str]]) -> str:
    """One line a problem: the page, what is wrong, the users who saw it."""
    return "\n".join(
        f"{page}: {problem} [{', '.join(sorted(users))}]"
        for (page, problem), users in sorted(found.items())
    )


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_no_page_shows_a_raw_code_where_a_name_exists(client: TestClient, lang: Lang) -> None:
    some_work(client)
    known = named_codes(client)
    found: dict[tuple[str, str], set[str]] = {}
    pages: dict[str, int] = {}
    for username in WALKERS:
        done = walk(client, username, lang, known)
        for problem in done.problems:
            found.setdefault(problem, set()).add(username)
        pages |= done.pages
    # the walk reached the pages it should reach
    reached = {urlsplit(page).path for page in pages}
    assert {"/overview", "/gaps", "/projection", "/rules/diff", "/search", "/audit"} <= reached
    assert any(path.startswith("/province/") for path in reached)
    assert any(path.startswith("/household/") for path in reached)
    # every action and kind of record in the audit trail has a name
    actions, entities = audit_codes(client)
    text = Formatter(lang)
    for action in actions:
        if text.label("audit_action", action) == action:
            found[("/audit", f"the action {action!r} has no name")] = set()
    for entity in entities:
        if text.label("audit_entity", entity) == entity:
            found[("/audit", f"the record {entity!r} has no name")] = set()
    assert found == {}, report(found)


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_every_action_and_record_the_code_audits_has_a_name(lang: Lang) -> None:
    actions, entities = audited_in_the_code()
    assert {"create", "login", "approve", "escalate"} <= actions
    assert {"household", "user", "payment_cycle", "grievance"} <= entities
    text = Formatter(lang)
    assert {a for a in actions if text.label("audit_action", a) == a} == set()
    assert {e for e in entities if text.label("audit_entity", e) == e} == set()
