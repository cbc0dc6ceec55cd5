"""Passwords are stored only as argon2id hashes."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 8
#: Longer passwords are refused before hashing (argon2 would read all of it).
MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(
            f"is too short: a password has at least {MIN_LENGTH} characters / "
            f"ສັ້ນເກີນໄປ: ລະຫັດຜ່ານຕ້ອງມີຢ່າງໜ້ອຍ {MIN_LENGTH} ຕົວອັກສອນ"
        )
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


#: Verified against when the user does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def waste_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)
