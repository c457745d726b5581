"""Users, their global roles, and sign-in attempts (for throttling)."""

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.enums import Role, enum_column_type
from inspect_app.models.org import OrgUnit


def hash_password(password: str) -> str:
    """A salted hash of `password` by the app's PASSWORD_HASH_METHOD (scrypt)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def new_session_token() -> str:
    """A random session token for a user (see User.get_id)."""
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Part of every session's and remember-me cookie's identity (get_id): a new one ends them all at once.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token, server_default="")

    unit: Mapped[OrgUnit | None] = relationship()
    role_assignments: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password (scrypt, unless the app's PASSWORD_HASH_METHOD says otherwise)."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and the remember-me cookie keep: the id and the session token (see load_user)."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """End every session and remember-me cookie of this user, on every device (API tokens are kept)."""
        # Random rather than counted: of two changes at the same moment, whichever is written last still differs.
        self.session_token = new_session_token()

    @property
    def roles(self) -> set[Role]:
        return {assignment.role for assignment in self.role_assignments}

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds any of the given global roles."""
        return not self.roles.isdisjoint(roles)

    def grant(self, role: Role) -> None:
        """Give the user a global role (no-op if held)."""
        if role not in self.roles:
            self.role_assignments.append(RoleAssignment(role=role))


@event.listens_for(User.password_hash, "set", active_history=True)
@event.listens_for(User.is_active, "set", active_history=True)
def _end_sessions_on_change(user: User, value, old_value, _initiator) -> None:
    """A new password, or being deactivated (or reactivated), signs the user out everywhere."""
    if value != old_value:
        user.end_sessions()


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column_type(Role))

    user: Mapped[User] = relationship(back_populates="role_assignments")


class LoginAttempt(db.Model):
    """One sign-in attempt; kept in the database so throttling holds across app processes (pruned by the worker)."""

    __tablename__ = "login_attempts"
    # Throttling asks for one client's recent attempts.
    __table_args__ = (Index("ix_login_attempts_remote_addr_at", "remote_addr", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utc_now)
    # False until the password is found right: an attempt counts as failed while it is being checked.
    succeeded: Mapped[bool]
    # The client's address, or an IPv6 client's /64 network (see auth.services.client_address).
    remote_addr: Mapped[str | None] = mapped_column(String(64))
