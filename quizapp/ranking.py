"""Competition ranking ("1, 1, 3"): the one way every ranking of the platform numbers places.

Items are ranked in the order given (best first); items whose keys are equal share the place
of the first of them, and the next item's place counts everyone before it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def competition_ranks(ordered: Sequence[T], key: Callable[[T], Hashable]) -> list[int]:
    """Return the places of ``ordered`` (sorted best first): equal keys share a place."""
    places: list[int] = []
    previous = object()
    for position, item in enumerate(ordered, start=1):
        current = key(item)
        places.append(places[-1] if places and current == previous else position)
        previous = current
    return places
