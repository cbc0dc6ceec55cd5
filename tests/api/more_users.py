"""Users beyond those of ``tests/api/conftest.py`` that some tests need."""

from __future__ import annotations

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from tests.api.conftest import PASSWORD

#: A provincial officer of Vientiane Capital (province 01): reads names in district 0101
#: without its identifiers, approves its identity corrections.
CAPITAL = "capital"


def add_capital(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        create_user(session, CAPITAL, PASSWORD, Role.provincial_officer, province="01")
    engine.dispose()
    return CAPITAL
