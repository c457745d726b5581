"""Organisation units: the province and the departments, districts and communes under it."""

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.core.extensions import db
from inspect_app.models.enums import OrgLevel, enum_column_type


class OrgUnit(db.Model):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[OrgLevel] = mapped_column(enum_column_type(OrgLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"

    @classmethod
    def subtree_ids(cls, root_id: int):
        """A SELECT of the ids of the unit `root_id` and every unit below it."""
        tree = select(cls.id).where(cls.id == root_id).cte("unit_tree", recursive=True)
        tree = tree.union_all(select(cls.id).where(cls.parent_id == tree.c.id))
        return select(tree.c.id)
