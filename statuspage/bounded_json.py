"""JSON parsing with the app's own bound on nesting, for every body that comes in."""
from __future__ import annotations

import json

# No body the app takes nests deeper than a few levels (an Alertmanager payload, four).
MAX_JSON_DEPTH = 32


def nested_deeper_than(value, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and objects more than ``limit`` deep.

    Walked with a stack, not recursion: the check must hold for any depth."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def loads(s, **kwargs):
    """``json.loads``, where a document nested deeper than MAX_JSON_DEPTH is a ValueError.

    Code that walks a body recursively (validation, say) would otherwise fail on it, and
    how deep the parser itself goes before it gives up differs between Python versions."""
    try:
        value = json.loads(s, **kwargs)
        too_deep = nested_deeper_than(value, MAX_JSON_DEPTH)
    except RecursionError:  # deeper than the parser itself goes
        too_deep = True
    if too_deep:
        raise ValueError("JSON nested too deeply")
    return value
