"""Names of the tree's nodes as people can tell them apart: "城关分局 / 刑侦大队党支部".

A bureau has many branches of one name (every county bureau has its 刑侦大队党支部), so
wherever nodes from different places meet (a select, a ranking, a results table, an export)
each is shown by its *label*: its name when no other node of the tree bears it; otherwise
the shortest tail of its path that no other node's tail of the same length matches, the
names joined with " / ", in practice "unit / branch". Sibling names are unique, so every
label is. Labels are worked out for the whole tree at once (one query), never per row: a
route or an export loads :class:`BranchNames` once; templates call ``branch_name(node)``
(and ``branch_name.choice(node)`` in a select), which loads them at its first call during
that page's rendering.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from flask import Flask
from sqlalchemy import select

from quizapp import db
from quizapp.org.models import Branch

SEPARATOR = " / "


class Node(Protocol):
    """What a label is asked for: a Branch, or anything with its id."""

    id: int


class BranchNames:
    """The label of every node of the tree (see the module's docstring)."""

    def __init__(self, nodes: dict[int, tuple[str, str]]) -> None:
        """``nodes``: each node's id -> (name, materialised path)."""
        chains = {
            node_id: [
                nodes[int(part)][0]
                for part in path.strip("/").split("/")
                if part and int(part) in nodes
            ]
            or [name]
            for node_id, (name, path) in nodes.items()
        }
        self._labels: dict[int, str] = {}
        pending = dict(chains)
        for length in range(1, max((len(c) for c in chains.values()), default=0) + 1):
            tails = {node_id: tuple(chain[-length:]) for node_id, chain in chains.items()}
            seen = Counter(tails.values())
            for node_id in list(pending):
                if seen[tails[node_id]] == 1 or length >= len(pending[node_id]):
                    self._labels[node_id] = SEPARATOR.join(tails[node_id])
                    del pending[node_id]
            if not pending:
                break

    @classmethod
    def load(cls) -> BranchNames:
        """Read every node's name and path (one query) and work out their labels."""
        rows = db.session.execute(select(Branch.id, Branch.name, Branch.path)).all()
        return cls({row.id: (row.name, row.path) for row in rows})

    def __call__(self, node: Node | int | None) -> str:
        """Return the label of a node (or of its id); "" for None."""
        if node is None:
            return ""
        if isinstance(node, int):
            return self._labels.get(node, "")
        return self._labels.get(node.id) or node.name

    def choice(self, branch: Branch) -> str:
        """Return the label for a choice list in tree order: indented, 停用 marked."""
        indent = "　" * max(branch.depth, 0)
        return indent + self(branch) + ("（已停用）" if not branch.is_active else "")


class _OnFirstCall:
    """``branch_name`` for one rendering: loads the labels when a template first asks."""

    def __init__(self) -> None:
        self._names: BranchNames | None = None

    def _loaded(self) -> BranchNames:
        if self._names is None:
            self._names = BranchNames.load()
        return self._names

    def __call__(self, node: Node | int | None) -> str:
        return self._loaded()(node)

    def choice(self, branch: Branch) -> str:
        return self._loaded().choice(branch)


def init_app(app: Flask) -> None:
    """Give every template ``branch_name(node)``, loaded at most once per rendering."""

    @app.context_processor
    def _branch_name() -> dict:
        return {"branch_name": _OnFirstCall()}
