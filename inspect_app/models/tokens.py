"""API tokens: bearer credentials for the tablet client and integrations, stored only as hashes."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.users import User

TOKEN_PREFIX = "insp_"


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 (tokens are long random strings, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """A new token row for `user` and the token itself, which is shown once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(user=user, name=name, token_hash=hash_token(token)), token

    def can_revoke(self, user: User) -> bool:
        """Users revoke their own tokens."""
        return self.user_id == user.id and self.revoked_at is None
