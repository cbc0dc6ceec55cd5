"""Person search across scripts, and the indexes that serve it (migration 0005)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from laosp.access.roles import Principal, Role
from laosp.db import unit_of_work
from laosp.models import Person
from laosp.registry import changes, repository, service
from laosp.registry.importer import import_files
from laosp.registry.names import NameQuery, latin_key, name_latin, search_tokens
from laosp.registry.transliteration import transliterate
from laosp.registry.validation import InputLimits
from laosp.rules.pack import load_pack
from laosp.synth.build import synthesise
from laosp.synth.names import FAMILY, FEMALE, MALE
from laosp.synth.population import Config

TODAY = dt.date(2025, 6, 1)

#: real Lao names (leaders, provinces, common names) with romanisations seen in use
NAMES: list[tuple[str, tuple[str, ...]]] = [
    ("ສຸກສະຫວັນ ພົມມະຈັນ", ("Souksavanh Phommachanh", "Suksavan Phomachan")),
    ("ທອງລຸນ ສີສຸລິດ", ("Thongloun Sisoulith", "Thonglun Sisulit")),
    ("ບຸນຍັງ ວໍລະຈິດ", ("Bounnhang Vorachith", "Bounyang Volachit")),
    ("ສອນໄຊ ສີພັນດອນ", ("Sonexay Siphandone", "Sonxai Siphandon")),
    ("ພັນຄຳ ວິພາວັນ", ("Phankham Viphavanh", "Pankham Viphavan")),
    ("ສະເຫຼີມໄຊ ກົມມະສິດ", ("Saleumxay Kommasith", "Saleumsai Komasit")),
    ("ໄກສອນ ພົມວິຫານ", ("Kaysone Phomvihane", "Kaison Phomvihan")),
    ("ສຸພານຸວົງ", ("Souphanouvong",)),
    ("ໜູຮັກ ພູມສະຫວັນ", ("Nouhak Phoumsavanh", "Nuhak Phumsavan")),
    ("ຈູມມະລີ ໄຊຍະສອນ", ("Choummaly Sayasone", "Chummaly Xayasone")),
    ("ຄຳໄຕ ສີພັນດອນ", ("Khamtay Siphandone", "Khamtai Siphandon")),
    ("ບົວສອນ ບຸບຜາວັນ", ("Bouasone Bouphavanh",)),
    ("ທອງສິງ ທຳມະວົງ", ("Thongsing Thammavong",)),
    ("ປານີ ຢາທໍ່ຕູ້", ("Pany Yathotou", "Pani Yathotu")),
    ("ຫຼວງພະບາງ", ("Louangphabang", "Luangphabang")),
    ("ສະຫວັນນະເຂດ", ("Savannakhet", "Savanakhet")),
    ("ຈຳປາສັກ", ("Champasak", "Champassak", "Jampasack")),
    ("ອຸດົມໄຊ", ("Oudomxay", "Oudomsai", "Udomxai")),
    ("ຜົ້ງສາລີ", ("Phongsaly", "Phongsali")),
    ("ຫົວພັນ", ("Houaphanh", "Huaphan")),
    ("ຊຽງຂວາງ", ("Xiengkhouang", "Xiangkhwang")),
    ("ໄຊຍະບູລີ", ("Xaignabouli", "Sayaboury", "Xayabouly")),
    ("ອັດຕະປື", ("Attapeu",)),
    ("ບໍ່ແກ້ວ", ("Bokeo", "Bokaew")),
    ("ວຽງຄຳ", ("Viengkham", "Viangkham")),
    ("ດວງມາລາ", ("Douangmala", "Duangmala")),
    ("ບຸນເຫຼືອ", ("Bounleua", "Bounleuea")),
]


def _found(query: str, key: str) -> bool:
    """The search rule on one key: every word of the query's key occurs in ``key``."""
    return all(token in key for token in latin_key(query).split(" ") if token)


@pytest.mark.parametrize(("lao", "romanised"), NAMES)
def test_lao_and_romanised_spellings_find_each_other(lao: str, romanised: tuple[str, ...]) -> None:
    for spelling in romanised:
        assert _found(spelling, latin_key(lao)), (spelling, latin_key(spelling), latin_key(lao))
        assert _found(lao, latin_key(spelling)), (lao, latin_key(lao), latin_key(spelling))


def test_the_generators_name_lists_share_keys_across_scripts() -> None:
    for lao, romanised in MALE + FEMALE + FAMILY:
        assert latin_key(lao) == latin_key(romanised), (lao, romanised)


def test_transliteration_follows_the_table() -> None:
    assert transliterate("ສຸກສະຫວັນ ພົມມະຈັນ") == "suksavan phommachan"
    assert transliterate("ດວງ") == "duang"  # medial ວ: the vowel ua
    assert transliterate("ແກວ") == "keo"  # final ວ
    assert transliterate("ຄວາມ") == "khvam"  # cluster
    assert transliterate("ເຮືອງ") == "heuang"
    assert transliterate("ເມຍ") == "mia"
    assert transliterate("Noy 12") == "Noy 12"


@given(st.text(alphabet=st.characters(min_codepoint=0x0E80, max_codepoint=0x0EFF), max_size=30))
def test_any_lao_text_romanises_to_latin(word: str) -> None:
    assert latin_key(word).isascii()


@given(st.text(max_size=40))
def test_keys_never_fail(value: str) -> None:
    assert isinstance(latin_key(value), str)


def _members(names: list[tuple[str, str]]) -> list[dict[str, Any]]:
    members = []
    for index, (given_name, family_name) in enumerate(names):
        members.append(
            {
                "person_id": f"S{index}",
                "relationship": "head" if index == 0 else "other",
                "given_name": given_name,
                "family_name": family_name,
                "sex": "M",
                "birth_date": "1980-01-01",
            }
        )
    return members


#: (given, family) in Lao script and romanised, persons S0.. alternate scripts
PEOPLE = [(MALE[i % len(MALE)], FAMILY[(i * 7) % len(FAMILY)]) for i in range(24)]


def _household() -> dict[str, Any]:
    written = [
        (given[i % 2], family[i % 2]) for i, (given, family) in enumerate(PEOPLE)
    ]  # even: Lao script, odd: romanised
    return {"household_id": "HS", "district_code": "0101", "members": _members(written)}


def test_search_by_any_word_finds_the_person_in_either_script(session: Session) -> None:
    service.add_household(session, _household(), today=TODAY)

    @settings(max_examples=40)
    @given(
        person=st.integers(0, len(PEOPLE) - 1),
        family=st.booleans(),
        script=st.sampled_from(["same", "other"]),
        cut=st.integers(1, 12),
    )
    def check(person: int, family: bool, script: str, cut: int) -> None:
        given_pair, family_pair = PEOPLE[person]
        pair = family_pair if family else given_pair
        stored = person % 2  # 0: Lao script, 1: romanised
        if script == "same":
            query = pair[stored][:cut] if cut < 12 else pair[stored]  # a part or the word
        else:
            query = pair[1 - stored]
        if not search_tokens(query):
            return
        hits = service.search(session, name=query, district_code="0101", limit=500)
        assert f"S{person}" in {hit.person_id for hit in hits}, (query, pair)

    check()


def test_cross_script_queries(session: Session) -> None:
    service.add_household(session, _household(), today=TODAY)
    (lao_given, rom_given), (lao_family, rom_family) = PEOPLE[0]  # stored in Lao script
    for query in (f"{rom_given} {rom_family}", f"{rom_family.upper()} {rom_given[:4]}"):
        assert "S0" in {hit.person_id for hit in service.search(session, name=query)}
    (lao_given, rom_given), (lao_family, rom_family) = PEOPLE[1]  # stored romanised
    found = service.search(session, name=f"{lao_given} {lao_family}")
    assert "S1" in {hit.person_id for hit in found}


def _plan(session: Session, backend: str, query: str) -> str:
    statement = repository.search_query(session, NameQuery.of(query), province_code="01")
    sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    if backend == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    # the table is tiny: without these the planner reads it whole (at scale it chooses
    # the bitmap scans itself: docs/PERFORMANCE.md)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_indexscan = off"))
    sql = sql.replace("%%", "%")  # literal_binds renders for the driver's paramstyle
    return "\n".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {sql}")))


def test_the_index_exists_and_serves_the_query(session: Session, backend: str) -> None:
    service.add_household(session, _household(), today=TODAY)
    if backend == "sqlite":
        objects = {
            str(name)
            for (name,) in session.execute(
                text("SELECT name FROM sqlite_master WHERE name LIKE 'persons_search%'")
            )
        }
        assert {"persons_search", "persons_search_insert", "persons_search_update"} <= objects
        plan = _plan(session, backend, "Souksavanh Phommachanh")
        assert "VIRTUAL TABLE INDEX" in plan, plan
        assert "persons_search" in plan, plan
        assert not re.search(r"SCAN persons\b", plan), plan
        # a query of short tokens only cannot use the trigram index: it scans
        assert "persons_search" not in _plan(session, backend, "ph")
    else:
        indexes = {
            str(row[0]): str(row[1])
            for row in session.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'persons'")
            )
        }
        for column in ("name_key", "name_fold", "name_latin"):
            assert "gin_trgm_ops" in indexes[f"ix_persons_{column}_trgm"]
        plan = _plan(session, backend, "Souksavanh Phommachanh")
        assert "Bitmap Index Scan on ix_persons_name_latin_trgm" in plan, plan
        assert "Bitmap Index Scan on ix_persons_name_key_trgm" in plan, plan


def _fts_consistent(session: Session, backend: str) -> None:
    if backend == "sqlite":  # raises if the index and the persons table disagree
        session.execute(
            text("INSERT INTO persons_search(persons_search, rank) VALUES ('integrity-check', 1)")
        )


def test_an_update_keeps_the_key_and_the_index_current(session: Session, backend: str) -> None:
    service.add_household(session, _household(), today=TODAY)
    changes.update_person(
        session, "S2", {"given_name": "ວັນໄຊ", "family_name": "ອິນທະວົງ"}, today=TODAY
    )
    person = session.get(Person, "S2")
    assert person is not None
    assert person.name_latin == "vansay intavong"
    assert "S2" in {hit.person_id for hit in service.search(session, name="Vanxay Inthavong")}
    old = f"{PEOPLE[2][0][1]} {PEOPLE[2][1][1]}"
    assert "S2" not in {hit.person_id for hit in service.search(session, name=old)}
    _fts_consistent(session, backend)


def test_import_sets_and_updates_the_key(engine: Engine, backend: str, tmp_path: Path) -> None:
    households = tmp_path / "h.csv"
    pl.DataFrame([{"household_id": "HI", "district_code": "0101"}]).write_csv(households)
    rows = [
        {"person_id": "I1", "household_id": "HI", "relationship": "head", "sex": "M",
         "given_name": "ສຸກສະຫວັນ", "family_name": "ພົມມະຈັນ", "birth_date": "1970-01-01"},
        {"person_id": "I2", "household_id": "HI", "relationship": "spouse", "sex": "F",
         "given_name": "Manivone", "family_name": "Phommachanh", "birth_date": "1972-01-01"},
    ]  # fmt: skip
    persons = tmp_path / "p.csv"
    pl.DataFrame(rows).write_csv(persons)
    with unit_of_work(engine) as session:
        import_files(session, households=households, persons=persons, today=TODAY)
    with unit_of_work(engine) as session:
        found = service.search(session, name="Souksavanh Phommachanh")
        assert [hit.person_id for hit in found] == ["I1"]
        assert {hit.person_id for hit in service.search(session, name="ພົມມະຈັນ")} == {"I1", "I2"}
    corrected = {"household_id": "HI", "district_code": "0101",
                 "members": [{**rows[0], "given_name": "ບຸນມີ"}]}  # fmt: skip
    with unit_of_work(engine) as session:  # an approved identity correction
        checker = Principal("checker", Role.central_officer)
        service.apply_correction(session, corrected, checker, InputLimits())
    with unit_of_work(engine) as session:
        assert session.scalar(select(Person.name_latin).where(Person.person_id == "I1")) == (
            "bunmi pomachan"
        )
        assert [hit.person_id for hit in service.search(session, name="Bounmy")] == ["I1"]
        assert service.search(session, name="Souksavanh") == []
        _fts_consistent(session, backend)


def test_the_synthetic_loader_fills_the_key_and_the_index(engine: Engine, backend: str) -> None:
    synthesise(engine, Config(scale=0.001, seed=11, at=dt.date(2026, 6, 30)), load_pack())
    with unit_of_work(engine) as session:
        pairs = session.execute(
            select(Person.given_name, Person.family_name, Person.name_latin).distinct()
        ).all()
        assert pairs
        assert all(latin == name_latin(g, f) for g, f, latin in pairs)
        _fts_consistent(session, backend)
        given_name, family_name, _ = pairs[0]
        hits = service.search(session, name=f"{given_name} {family_name}", limit=1000)
        assert hits
        # the same person found by the name in the other script
        for lao, romanised in MALE + FAMILY + FEMALE:
            if given_name in (lao, romanised):
                other = romanised if given_name == lao else lao
                found = service.search(session, name=other, limit=100_000)
                assert {h.person_id for h in hits} & {h.person_id for h in found}
                break
    if backend == "postgresql":
        with engine.connect() as connection:
            names = set(
                connection.scalars(
                    text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'")
                )
            )
        assert names == {f"ix_persons_{c}_trgm" for c in ("name_key", "name_fold", "name_latin")}


@pytest.mark.parametrize("walk", [0, 3, 10, 30])
def test_the_walk_in_name_order_gives_the_indexs_answer(
    session: Session, monkeypatch: pytest.MonkeyPatch, walk: int
) -> None:
    service.add_household(session, _household(), today=TODAY)
    expected = [hit.person_id for hit in service.search(session, name="a", limit=1000)][:4]
    assert len(expected) == 4
    monkeypatch.setattr(repository, "WALK_ROWS", walk)
    for query in ("a", "ວົງ", "vong"):
        full = [h.person_id for h in service.search(session, name=query, limit=1000)]
        assert [h.person_id for h in service.search(session, name=query, limit=4)] == full[:4]
