"""Declarative base, naming convention and column types shared by all models."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Iterator, Optional

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, types
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Set only by backfills (``flask seed-demo``) that must write history "as of" a past
# moment so every derived row (audit, outbox, timeline, status history) agrees.
_clock: ContextVar[Optional[datetime]] = ContextVar("statuspage_clock", default=None)


def utcnow() -> datetime:
    return _clock.get() or datetime.now(timezone.utc)


@contextmanager
def clock_at(moment: datetime) -> Iterator[datetime]:
    """Make :func:`utcnow` return ``moment`` inside the block (flush before leaving)."""
    token = _clock.set(moment.astimezone(timezone.utc))
    try:
        yield moment
    finally:
        _clock.reset(token)


class UTCDateTime(types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use timezone-aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# SQLite only autoincrements INTEGER PRIMARY KEY; Postgres gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    # The type map lives on the registry: Flask-SQLAlchemy subclasses this base again.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()},
    )
    metadata = registry.metadata


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
