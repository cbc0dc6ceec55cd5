"""``laosp users add``: a user that cannot be created is refused in the CLI's words."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from laosp.cli import _register_domains, app


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        (
            ["--role", "district_officer"],
            "long enough",
            "--district: a district_officer needs a district",
        ),
        (
            ["--role", "analyst", "--province", "13"],
            "long enough",
            "--province: a analyst sees the whole",
        ),
        (
            ["--role", "analyst"],
            "short",
            "password: is too short: a password has at least 8 characters",
        ),
    ],
)
def test_a_refused_user_names_the_option(
    db_url: str, options: list[str], password: str, message: str
) -> None:
    _register_domains()
    result = CliRunner().invoke(
        app,
        ["users", "add", "newbie", *options, "--password-stdin", "--db", db_url],
        input=f"{password}\n",
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error / ຂໍ້ຜິດພາດ: {message}")
    listed = CliRunner().invoke(app, ["users", "list", "--db", db_url])
    assert listed.exit_code == 0, listed.output
    assert "newbie" not in listed.output
