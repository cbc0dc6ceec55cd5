"""Who the CLI acts as, and the administration of users and change requests:
``laosp login|logout|whoami|password``, ``laosp users ...``, ``laosp requests ...``.

Every command that changes data acts as the signed-in user (``laosp login`` keeps the
session token in ``Settings.session_file``; a scheduled job sets ``LAOSP_TOKEN`` to a
service token, ``laosp users token``). The first admin of a fresh database is created
directly (``laosp users add NAME --role admin`` while no admin exists); every later
user change is prepared by one admin and approved by another (``laosp requests``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.cli_common import DbOption, engine_for, fail, session_token, settings_for, signed_in

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from laosp.access.approvals import RequestRead
    from laosp.access.roles import Principal, Role
    from laosp.config import Settings

users_app = typer.Typer(help="Users of the CLI, the API and the dashboard.", no_args_is_help=True)
requests_app = typer.Typer(
    help="Changes waiting for a second person (maker–checker) (ຄຳຮ້ອງລໍຖ້າອະນຸມັດ).",
    no_args_is_help=True,
)

#: A refused user's field as this command names it.
OPTION_OF = {"province": "--province", "district": "--district", "role": "--role"}

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password(s) from standard input.")
]
UsernameArgument = Annotated[str, typer.Argument(help="Username")]
RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        help="admin, central_officer, provincial_officer, district_officer, analyst or auditor.",
    ),
]
ProvinceOption = Annotated[
    str | None, typer.Option(help="Province code PP (provincial_officer).", show_default=False)
]
DistrictOption = Annotated[
    str | None, typer.Option(help="District code PPDD (district_officer).", show_default=False)
]


def _read_password(from_stdin: bool, prompt: str = "Password / ລະຫັດຜ່ານ", *,
                   confirm: bool = True) -> str:  # fmt: skip
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return password


def _role(text: str) -> Role:
    from laosp.access.roles import Role

    try:
        return Role(text)
    except ValueError:
        raise fail(f"--role: one of {', '.join(r.value for r in Role)}", 2) from None


@contextmanager
def _refusals() -> Iterator[None]:
    """The access errors as one line on standard error and exit 1 (nothing written)."""
    from laosp.access.approvals import RequestError
    from laosp.access.permissions import Forbidden
    from laosp.access.signin import Throttled
    from laosp.access.users import UserError
    from laosp.registry.errors import ConflictError, NotFoundError

    try:
        yield
    except UserError as error:
        where = OPTION_OF.get(error.field, error.field)
        raise fail(f"error / ຂໍ້ຜິດພາດ: {where}: {error.reason}") from None
    except ConflictError as error:
        raise fail(f"Refused, nothing was written (ປະຕິເສດ): {error.error.reason}") from None
    except (Forbidden, RequestError, Throttled, NotFoundError) as error:
        raise fail(f"Refused, nothing was written (ປະຕິເສດ): {error}") from None


def _scope(province: str | None, district: str | None) -> str:
    return district or province or "national / ທົ່ວປະເທດ"


def _admin(settings: Settings, session: Session) -> Principal:
    from laosp.access.permissions import Action, require

    principal = signed_in(settings, session)
    require(principal, Action.manage_users)
    return principal


def _submitted(request: RequestRead) -> None:
    typer.echo(
        f"change request {request.id} submitted: {request.summary}; another admin approves "
        f"it with `laosp requests approve {request.id}` (ສົ່ງຄຳຮ້ອງ {request.id} ລໍຖ້າການອະນຸມັດ)"
    )


# -- signing in ------------------------------------------------------------------------


def _write_token(settings: Settings, token: str) -> None:
    """The token file, readable by its owner only, in a folder only they may enter."""
    path = settings.session_file
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    path.chmod(0o600)


def login_command(
    username: Annotated[
        str | None, typer.Option("--username", help="Your username (prompted if left out).")
    ] = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Sign in: the CLI then acts as you (the token is kept in the session file, mode
    0600) until `laosp logout` or the session expires."""
    from laosp.access.signin import SignInPolicy, sign_in
    from laosp.db import unit_of_work

    settings = settings_for(db)
    name = username if username is not None else str(typer.prompt("Username / ຊື່ຜູ້ໃຊ້"))
    password = _read_password(password_stdin, confirm=False)
    policy = SignInPolicy(
        max_failures_per_user=settings.signin_max_failures_per_user,
        max_failures_per_address=settings.signin_max_failures_per_address,
        lock_minutes=settings.signin_lock_minutes,
        session_hours=settings.session_hours,
    )
    with _refusals(), unit_of_work(engine_for(db)) as session:
        signed = sign_in(session, name, password, address="cli", kind="cli", policy=policy)
    if signed is None:  # the failed attempt is recorded (committed) for throttling
        raise fail("wrong username or password / ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ")
    _write_token(settings, signed.token)
    p = signed.principal
    typer.echo(f"signed in as {p.username} ({p.role}, {_scope(p.province_code, p.district_code)})")
    if signed.must_change_password:
        typer.echo("change your password first: `laosp password` / ກະລຸນາປ່ຽນລະຫັດຜ່ານກ່ອນ")


def logout_command(db: DbOption = None) -> None:
    """Sign out: the session ends on the server and the session file is removed."""
    from laosp.access import sessions
    from laosp.db import unit_of_work

    settings = settings_for(db)
    token = session_token(settings)
    if token is not None:
        with unit_of_work(engine_for(db)) as session:
            sessions.revoke(session, token)
    settings.session_file.unlink(missing_ok=True)
    typer.echo("signed out / ອອກຈາກລະບົບແລ້ວ")


def whoami_command(db: DbOption = None) -> None:
    """The user the CLI acts as."""
    from laosp.access import sessions
    from laosp.db import unit_of_work

    settings = settings_for(db)
    token = session_token(settings)
    with unit_of_work(engine_for(db)) as session:
        found = sessions.principal_of(session, token) if token is not None else None
    if found is None:
        raise fail("not signed in: `laosp login` / ຍັງບໍ່ໄດ້ເຂົ້າລະບົບ")
    p, must_change = found
    typer.echo(f"{p.username}\t{p.role}\t{_scope(p.province_code, p.district_code)}")
    if must_change:
        typer.echo("change your password first: `laosp password` / ກະລຸນາປ່ຽນລະຫັດຜ່ານກ່ອນ")


def password_command(password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """Change your own password (the old one, then the new one); your other sessions
    end. Works when you must change it at first sign-in."""
    from laosp.access import sessions
    from laosp.access.users import change_password
    from laosp.db import unit_of_work

    settings = settings_for(db)
    token = session_token(settings)
    old = _read_password(password_stdin, "Current password / ລະຫັດຜ່ານປັດຈຸບັນ", confirm=False)
    new = _read_password(password_stdin, "New password / ລະຫັດຜ່ານໃໝ່")
    with _refusals(), unit_of_work(engine_for(db)) as session:
        found = sessions.principal_of(session, token) if token is not None else None
        if found is None:
            raise fail("sign in first: `laosp login` / ກະລຸນາເຂົ້າລະບົບກ່ອນ")
        change_password(session, found[0].username, old, new, keep_token=token)
    typer.echo("password changed / ປ່ຽນລະຫັດຜ່ານແລ້ວ")


# -- users -----------------------------------------------------------------------------


@users_app.command("add")
def add(
    username: UsernameArgument,
    role: RoleOption,
    province: ProvinceOption = None,
    district: DistrictOption = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Prepare a new user (a signed-in admin; another admin approves it and gets the
    one-time password). On a fresh database without any admin, `--role admin` creates
    the first admin at once with the password prompted (bootstrap)."""
    from laosp.access import user_admin
    from laosp.access.roles import Role
    from laosp.access.users import admins_exist, create_user
    from laosp.db import unit_of_work

    parsed = _role(role)
    settings = settings_for(db)
    with _refusals(), unit_of_work(engine_for(db)) as session:
        if parsed is Role.admin and not admins_exist(session):
            password = _read_password(password_stdin)
            user = create_user(
                session, username, password, parsed, province=province, district=district,
                actor="bootstrap",
            )  # fmt: skip
            typer.echo(
                f"created / ສ້າງແລ້ວ: {user.username} ({user.role}, "
                f"{_scope(user.province_code, user.district_code)}): the first admin"
            )
            return
        admin = _admin(settings, session)
        request = user_admin.prepare(
            session, admin, "create", username, role=parsed, province=province,
            district=district,
        )  # fmt: skip
    _submitted(request)


@users_app.command("list")
def list_command(db: DbOption = None) -> None:
    """List the users with their role and area (admins)."""
    from laosp.access.users import list_users
    from laosp.db import unit_of_work

    with _refusals(), unit_of_work(engine_for(db)) as session:
        _admin(settings_for(db), session)
        users = list_users(session)
    for user in users:
        scope = user.district_code or user.province_code or "-"
        state = "active" if user.active else "inactive"
        typer.echo(f"{user.username}\t{user.role}\t{scope}\t{state}")


@users_app.command("disable")
def disable_command(username: UsernameArgument, db: DbOption = None) -> None:
    """Disable a user at once: every session of theirs ends (no approval needed)."""
    from laosp.access import user_admin
    from laosp.db import unit_of_work

    with _refusals(), unit_of_work(engine_for(db)) as session:
        admin = signed_in(settings_for(db), session)
        user_admin.disable(session, admin, username)
    typer.echo(f"disabled / ປິດແລ້ວ: {username}")


def _prepare(
    db: str | None,
    operation: str,
    username: str,
    role: Role | None = None,
    province: str | None = None,
    district: str | None = None,
) -> None:
    from laosp.access import user_admin
    from laosp.db import unit_of_work

    with _refusals(), unit_of_work(engine_for(db)) as session:
        admin = signed_in(settings_for(db), session)
        request = user_admin.prepare(
            session, admin, operation, username, role=role, province=province, district=district
        )
    _submitted(request)


@users_app.command("enable")
def enable_command(username: UsernameArgument, db: DbOption = None) -> None:
    """Prepare enabling a user again (another admin approves)."""
    _prepare(db, "enable", username)


@users_app.command("set-role")
def set_role_command(
    username: UsernameArgument,
    role: RoleOption,
    province: ProvinceOption = None,
    district: DistrictOption = None,
    db: DbOption = None,
) -> None:
    """Prepare a change of a user's role and area (another admin approves)."""
    _prepare(db, "set_role", username, _role(role), province, district)


@users_app.command("reset-password")
def reset_password_command(username: UsernameArgument, db: DbOption = None) -> None:
    """Prepare a password reset (the approving admin gets the one-time password)."""
    _prepare(db, "reset_password", username)


@users_app.command("token")
def token_command(
    username: UsernameArgument,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="Days the token lasts.")],
    db: DbOption = None,
) -> None:
    """Issue a service token for a scheduled job's account (an admin; printed once).

    The job sets LAOSP_TOKEN to it and acts as that account, with its role: e.g. a user
    `scheduler` with the role the job needs (central_officer to record a month's dues).
    Tokens are not issued for admins nor for yourself."""
    from laosp.access import sessions
    from laosp.access.roles import Role
    from laosp.access.users import UserError, audit, get_user
    from laosp.db import unit_of_work

    with _refusals(), unit_of_work(engine_for(db)) as session:
        admin = _admin(settings_for(db), session)
        user = get_user(session, username)
        if not user.active:
            raise UserError("username", f"{username} is disabled / ບັນຊີຖືກປິດ")
        if user.role == Role.admin.value or user.username == admin.username:
            raise UserError(
                "username",
                "service tokens are for scheduled jobs' accounts, not admins nor yourself / "
                "ບໍ່ອອກໃຫ້ຜູ້ບໍລິຫານ ຫຼື ຕົນເອງ",
            )
        token = sessions.issue(session, user.username, "service", dt.timedelta(days=days))
        audit(session, admin.username, "issue_service_token", "user", user.username,
              {"days": days})  # fmt: skip
    typer.echo(token)
    typer.echo(
        f"service token for {username}, valid {days} days: shown once, keep it in the job's "
        "LAOSP_TOKEN (ສະແດງເທື່ອດຽວ)",
        err=True,
    )


# -- change requests -------------------------------------------------------------------


@requests_app.command("list")
def requests_list_command(db: DbOption = None) -> None:
    """The pending requests you may decide (not your own)."""
    from laosp.access import approvals
    from laosp.db import unit_of_work

    with _refusals(), unit_of_work(engine_for(db)) as session:
        viewer = signed_in(settings_for(db), session)
        rows = [r for r in approvals.pending(session, viewer) if r.made_by != viewer.username]
    for r in rows:
        typer.echo(
            f"{r.id:>6}  {r.kind:<20} {r.district_code or '-':<6} {r.made_by:<16} {r.summary}"
        )
    if not rows:
        typer.echo("no pending requests (ບໍ່ມີຄຳຮ້ອງລໍຖ້າ)")


def _decide(request_id: int, approve: bool, reason: str | None, db: str | None) -> None:
    from laosp.approved_changes import decide_and_apply
    from laosp.db import unit_of_work
    from laosp.rules.configured import pack_for

    pack = pack_for(db)
    settings = settings_for(db)
    with _refusals(), unit_of_work(engine_for(db)) as session:
        checker = signed_in(settings, session)
        decided = decide_and_apply(
            session, checker, request_id, approve=approve, pack=pack, settings=settings,
            reason=reason,
        )  # fmt: skip
    request = decided.request
    typer.echo(f"change request {request.id} {request.status} ({request.summary})")
    result = {k: v for k, v in decided.result.items() if k not in ("password", "problems")}
    if result:
        typer.echo("  " + ", ".join(f"{k}: {v}" for k, v in result.items()))
    for problem in decided.result.get("problems", []):
        typer.echo(f"  {problem}")
    if "password" in decided.result:
        typer.echo(
            f"one-time password of {decided.result.get('username')}: "
            f"{decided.result['password']} (shown once; it must be changed at first sign-in "
            "/ ສະແດງເທື່ອດຽວ)"
        )


@requests_app.command("approve")
def approve_command(
    request_id: Annotated[int, typer.Argument(help="Change request id")], db: DbOption = None
) -> None:
    """Approve and apply a request prepared by another user (never your own)."""
    _decide(request_id, True, None, db)


@requests_app.command("reject")
def reject_command(
    request_id: Annotated[int, typer.Argument(help="Change request id")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept).")] = None,
    db: DbOption = None,
) -> None:
    """Reject a request prepared by another user."""
    _decide(request_id, False, reason, db)


def register(app: typer.Typer) -> None:
    """Add ``login``, ``logout``, ``whoami``, ``password``, ``users`` and ``requests``."""
    app.command("login")(login_command)
    app.command("logout")(logout_command)
    app.command("whoami")(whoami_command)
    app.command("password")(password_command)
    app.add_typer(users_app, name="users")
    app.add_typer(requests_app, name="requests")
