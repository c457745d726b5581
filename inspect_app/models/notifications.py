"""In-app notifications, also sent by e-mail."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.cases import Case
from inspect_app.models.users import User


class Notification(db.Model):
    """A message for one user in the app (and by e-mail): a task assigned, a deadline near or passed, a rejection."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count on every page, from the index alone.
        Index(
            "ix_notifications_unread_user_id",
            "user_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Keeps a notice from being sent twice (e.g. "due in 3 days" for one finding and deadline).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    case: Mapped[Case | None] = relationship()

    def can_view(self, user: User) -> bool:
        """Only its recipient sees a notification (everyone else gets 404); see access/visibility.py."""
        from inspect_app.access.visibility import can_view_notification  # access/ builds on the models

        return can_view_notification(self, user)
