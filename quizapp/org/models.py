"""The organisation tree: the bureau, its units and their party branches."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.columns import BranchRef, IntPK, Timestamp
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of

#: The longest name and code of a branch: their columns' widths, which the form also keeps.
NAME_MAX, CODE_MAX = 100, 32


class BranchKind(LabelledEnum):
    """What a node of the tree is."""

    BUREAU = "bureau", "局党委"
    UNIT = "unit", "单位"
    BRANCH = "branch", "党支部"


class Branch(Base):
    """A node of the organisation tree; members belong to nodes of kind ``branch``."""

    __tablename__ = "branches"
    __table_args__ = (
        one_of("kind", BranchKind),
        CheckConstraint("(kind = 'bureau') = (parent_id IS NULL)", name="root_is_bureau"),
        UniqueConstraint("parent_id", "name", name="uq_branches_parent_id_name"),
    )

    id: Mapped[IntPK]
    parent_id: Mapped[BranchRef | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: Short code used in imports and exports, unique in the bureau (e.g. ``ZD01``).
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: Position among siblings; lower first.
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Materialised path of ids from the root, e.g. ``/1/4/17/``: a subtree is a prefix.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    created_at: Mapped[Timestamp]

    parent: Mapped[Branch | None] = relationship(remote_side="Branch.id", back_populates="children")
    children: Mapped[list[Branch]] = relationship(
        back_populates="parent", order_by="(Branch.sort_order, Branch.id)"
    )

    @property
    def kind_label(self) -> str:
        return BranchKind(self.kind).label

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this node, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: Branch) -> bool:
        """Tell whether ``other`` is this node or one of its descendants."""
        return other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Branch {self.id} {self.code} {self.name}>"
