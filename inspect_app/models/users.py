"""Users, their global roles, and sign-in attempts (for throttling)."""

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.enums import Role, enum_column_type
from inspect_app.models.org import OrgUnit


def hash_password(password: str) -> str:
    """A salted hash of `password` by the app's PASSWORD_HASH_METHOD (scrypt)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


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


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column_type(Role))

    user: Mapped[User] = relationship(back_populates="role_assignments")


class LoginAttempt(db.Model):
    """One sign-in attempt; kept in the database so throttling holds across app processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utc_now)
    succeeded: Mapped[bool]
    remote_addr: Mapped[str | None] = mapped_column(String(64))
