"""Page a SELECT into the ``{"items": [...], page, per_page, total, pages}`` shape."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from ..extensions import db


@dataclass
class Page:
    """One page of a listing and the total behind it."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def contains(column, text: str):
    """``column`` contains ``text`` (any case), its ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def paginate(stmt: Select, page: int, per_page: int) -> Page:
    """Run ``stmt`` for one page and count every row it matches."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)
