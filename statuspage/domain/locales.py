"""The languages readers and subscribers can choose (pure, no Flask)."""
from __future__ import annotations

# Shipped languages, with each one's name in itself (the language menu).
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español",
             "pt_BR": "Português (Brasil)", "ja": "日本語"}
LOCALES = tuple(LANGUAGES)
_BY_LOWER = {code.lower(): code for code in LOCALES}
# A bare language picks the one regional variant we ship.
_REGION_FOR = {"pt": "pt_BR"}


def canonical(value: str | None) -> str | None:
    """A shipped locale for ``value`` (``pt-br``, ``pt_BR``, ``de-AT`` -> ``de``), else None."""
    if not value:
        return None
    tag = value.strip().replace("-", "_")[:16].lower()
    if tag in _BY_LOWER:
        return _BY_LOWER[tag]
    base = tag.split("_")[0]
    return _REGION_FOR.get(base) or _BY_LOWER.get(base)


def N_(text: str) -> str:  # noqa: N802  (the conventional name extraction tools look for)
    """Mark a string for translation where it is defined; it is translated where shown."""
    return text
