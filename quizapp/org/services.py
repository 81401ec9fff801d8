"""Changes to the organisation tree: create, rename, move (deactivating a branch, which
must have no active member left, is :func:`quizapp.members.services.set_branch_active`)."""

from __future__ import annotations

import re

from sqlalchemy import String, func, literal, select, update

from quizapp import access, db
from quizapp.access import Actor
from quizapp.errors import DomainError
from quizapp.org.models import CODE_MAX, NAME_MAX, Branch, BranchKind

CODE_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{1,{CODE_MAX}}}$")

#: Which kinds a node of each kind may hold.
ALLOWED_CHILDREN = {
    BranchKind.BUREAU: {BranchKind.UNIT, BranchKind.BRANCH},
    BranchKind.UNIT: {BranchKind.UNIT, BranchKind.BRANCH},
    BranchKind.BRANCH: set(),
}


def _check_fields(code: str, name: str, exclude_id: int | None = None) -> tuple[str, str]:
    code, name = code.strip(), name.strip()
    if not name:
        raise DomainError("请填写名称。")
    if len(name) > NAME_MAX:
        raise DomainError(f"名称不能超过 {NAME_MAX} 字。")
    if not CODE_PATTERN.match(code):
        raise DomainError(f"编码只能由字母、数字、下划线或短横线组成，最长 {CODE_MAX} 位。")
    clash = db.session.scalar(select(Branch.id).where(func.lower(Branch.code) == code.lower()))
    if clash is not None and clash != exclude_id:
        raise DomainError(f"编码「{code}」已被其他组织使用。")
    return code, name


def _check_sibling_name(parent: Branch | None, name: str, exclude_id: int | None = None) -> None:
    parent_id = parent.id if parent else None
    clash = db.session.scalar(
        select(Branch.id).where(Branch.parent_id == parent_id, Branch.name == name)
    )
    if clash is not None and clash != exclude_id:
        raise DomainError(f"同一上级下已有名为「{name}」的组织。")


def create_root(code: str, name: str) -> Branch:
    """Create the bureau, the root of the tree (once, from the command line or demo)."""
    if access.root_branch() is not None:
        raise DomainError("局党委已存在。")
    code, name = _check_fields(code, name)
    root = Branch(kind=BranchKind.BUREAU.value, code=code, name=name, sort_order=0, path="")
    db.session.add(root)
    db.session.flush()
    root.path = f"/{root.id}/"
    db.session.flush()
    return root


def create_branch(
    actor: Actor, parent: Branch, kind: BranchKind, code: str, name: str, sort_order: int = 0
) -> Branch:
    """Create a unit or a branch under ``parent``."""
    if not access.can_manage_branch(actor, parent):
        raise DomainError("您无权在该组织下创建下级组织。")
    if kind not in ALLOWED_CHILDREN[BranchKind(parent.kind)]:
        raise DomainError(f"{BranchKind(parent.kind).label}下不能再建立{kind.label}。")
    if not parent.is_active:
        raise DomainError("上级组织已停用，不能在其下创建组织。")
    code, name = _check_fields(code, name)
    _check_sibling_name(parent, name)
    branch = Branch(
        parent=parent, kind=kind.value, code=code, name=name, sort_order=sort_order, path=""
    )
    db.session.add(branch)
    db.session.flush()
    branch.path = f"{parent.path}{branch.id}/"
    db.session.flush()
    return branch


def update_branch(actor: Actor, branch: Branch, code: str, name: str, sort_order: int) -> None:
    """Rename a node, change its code or its position among siblings."""
    if not access.can_manage_branch(actor, branch):
        raise DomainError("您无权修改该组织。")
    code, name = _check_fields(code, name, exclude_id=branch.id)
    _check_sibling_name(branch.parent, name, exclude_id=branch.id)
    branch.code, branch.name, branch.sort_order = code, name, sort_order
    db.session.flush()


def move_branch(actor: Actor, branch: Branch, new_parent: Branch) -> None:
    """Move a node (and everything under it) under ``new_parent``."""
    if not access.can_restructure_branch(actor, branch):
        raise DomainError("您无权移动该组织。")
    if not access.can_manage_branch(actor, new_parent):
        raise DomainError("您无权把组织移到该上级下。")
    if branch.contains(new_parent):
        raise DomainError("不能把组织移到它自己或它的下级组织下。")
    if BranchKind(branch.kind) not in ALLOWED_CHILDREN[BranchKind(new_parent.kind)]:
        raise DomainError(f"{new_parent.kind_label}下不能放{branch.kind_label}。")
    if not new_parent.is_active:
        raise DomainError("目标上级组织已停用。")
    if new_parent.id == branch.parent_id:
        return
    _check_sibling_name(new_parent, branch.name, exclude_id=branch.id)
    old_prefix, new_prefix = branch.path, f"{new_parent.path}{branch.id}/"
    # Rewrite the paths of the whole subtree in one statement.
    db.session.execute(
        update(Branch)
        .where(Branch.path.startswith(old_prefix))
        .values(
            path=literal(new_prefix, String).concat(
                func.substr(Branch.path, len(old_prefix) + 1, type_=String)
            )
        )
        .execution_options(synchronize_session=False)
    )
    branch.parent_id = new_parent.id
    db.session.flush()
    db.session.expire_all()
