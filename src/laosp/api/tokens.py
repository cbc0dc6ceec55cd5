"""Signed session tokens (itsdangerous, keyed by ``Settings.secret_key``)."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "laosp-session"


class TokenSigner:
    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.max_age_seconds = max_age_seconds

    def issue(self, username: str) -> str:
        return self._serializer.dumps({"u": username})

    def username_of(self, token: str) -> str | None:
        """The user a valid, unexpired token was issued to; ``None`` otherwise."""
        try:
            payload = self._serializer.loads(token, max_age=self.max_age_seconds)
        except (BadSignature, SignatureExpired):
            return None
        username = payload.get("u") if isinstance(payload, dict) else None
        return username if isinstance(username, str) else None
