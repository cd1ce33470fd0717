"""JSON parsing with the app's own bound on nesting, for every body that comes in."""
from __future__ import annotations

import json

# No body the app takes nests deeper than a few levels (an Alertmanager payload, four).
MAX_JSON_DEPTH = 32


def nested_deeper_than(value, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and objects more than ``limit`` deep.

    Walked with a stack, not recursion: the check must hold for any depth. Only lists
    and objects are stacked; the scalars in them add no depth."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads(s, **kwargs):
    """``json.loads``, where a document nested deeper than MAX_JSON_DEPTH is a ValueError.

    Code that walks a body recursively (validation, say) would otherwise fail on it, and
    how deep the parser itself goes before it gives up differs between Python versions."""
    try:
        value = json.loads(s, **kwargs)
    except RecursionError:  # deeper than the parser itself goes
        raise ValueError("JSON nested too deeply") from None
    if nested_deeper_than(value, MAX_JSON_DEPTH):
        raise ValueError("JSON nested too deeply")
    return value
