"""Literal prefilters for regex rules (the idea behind RE2's and Hyperscan's prefilters).

From a compiled pattern we derive a set of literal strings such that every
match contains at least one of them. A rule's regex then runs only on texts
that contain one of its literals, which most benign comments do not; a
substring test is far cheaper than a regex search with a leading alternation.
When no such set can be derived (a pattern that can match without any fixed
letters), the rule always runs: the prefilter may skip work, never matches.
"""

from __future__ import annotations

import re
from re import _constants as c  # noqa: PLC2701 - the stdlib's own regex parser, stable in 3.11
from re import _parser as sre_parse  # noqa: PLC2701

Literals = frozenset[str] | None  # None: no literal is required


def _best(options: list[frozenset[str]]) -> Literals:
    """Pick the requirement whose shortest literal is longest (the most selective)."""
    return max(options, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _sequence(items) -> Literals:
    options: list[frozenset[str]] = []
    run = ""
    for op, arg in list(items) + [(None, None)]:
        if op is c.LITERAL:
            run += chr(arg)
            continue
        if run:
            options.append(frozenset({run}))
            run = ""
        if op is None:
            break
        if (req := _item(op, arg)) is not None:
            options.append(req)
    return _best(options)


def _item(op, arg) -> Literals:
    if op is c.SUBPATTERN:
        return _sequence(arg[-1])
    if op is c.BRANCH:
        parts = [_sequence(branch) for branch in arg[1]]
        return None if any(p is None for p in parts) else frozenset().union(*parts)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, inner = arg
        return _sequence(inner) if low >= 1 else None
    if op is c.ATOMIC_GROUP:
        return _sequence(arg)
    return None  # classes, anchors, lookarounds, backrefs: no literal to rely on


def required_literals(pattern: re.Pattern) -> Literals:
    """Literals of which every match contains at least one, or None. Case-sensitive patterns only."""
    if pattern.flags & re.IGNORECASE:
        return None
    found = _sequence(sre_parse.parse(pattern.pattern, pattern.flags))
    # Literals of one or two characters would let nearly everything through: not worth the check.
    return found if found and min(map(len, found)) >= 3 else None
