"""Literal prefilters for regex rules (the idea behind RE2's and Hyperscan's prefilters).

From a compiled pattern we derive clauses: sets of literal strings such that
every match contains at least one literal of *every* clause. A regex then runs
only on texts that satisfy all its clauses, which most benign comments do not;
one Aho-Corasick pass finds every literal of every pattern, so the check costs
about the same for 10 patterns or 1,000. We also derive the strings every match
starts with, so a pattern can be tried only where one of them occurs. When
nothing can be derived, the pattern always runs: the prefilter may skip work,
never matches. `regexset.py` builds on this.
"""

from __future__ import annotations

import re
from itertools import product
from re import _constants as c  # noqa: PLC2701 - the stdlib's own regex parser, stable in 3.11
from re import _parser as sre_parse  # noqa: PLC2701

import ahocorasick

Clause = frozenset[str]
SYMBOLS = frozenset("$€£@#=?/")  # single characters rare enough in comments to filter on
DIGITS = frozenset("0123456789")
MAX_STRINGS = 32  # expand "v[ií]deos?" to its spellings only while there are few of them
# Words so common that a clause made only of them filters out next to nothing.
COMMON = frozenset(
    "the and you that was for are with his her she they this have from one had not but what all were "
    "when can there out who get has him any now how our way its see two may use did got is in on at to "
    "of me my it be so do no we he if or as an up by go de la el le les des que en un une der die das "
    "und ist o a os as da do em por para con los las del du et est ein".split()
)


def _strings(items) -> set[str] | None:
    """Every string a piece of pattern can match, when it is a short list of literals; else None."""
    out = {""}
    for op, arg in items:
        if op is c.LITERAL:
            options = {chr(arg)}
        elif op is c.IN and all(o is c.LITERAL for o, _ in arg):
            options = {chr(a) for _, a in arg}
        elif op is c.IN and arg == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
            options = set("0123456789")
        elif op is c.SUBPATTERN:
            options = _strings(arg[-1])
        elif op is c.BRANCH:
            parts = [_strings(b) for b in arg[1]]
            options = None if any(p is None for p in parts) else set().union(*parts)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] == 0 and arg[1] == 1:
            inner = _strings(arg[2])
            options = None if inner is None else inner | {""}
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: matches no characters
        else:
            return None
        if options is None or len(out) * len(options) > MAX_STRINGS:
            return None
        out = {a + b for a, b in product(out, options)}
    return out


def _cost(clause: Clause) -> float:
    """How much of ordinary text a clause lets through, roughly: short and common words let more."""
    return sum(1.0 if lit.strip() in COMMON else 0.6 ** len(lit) for lit in clause)


def _usable(clause: Clause) -> bool:
    """Literals of one letter, digit or space would let nearly everything through: not worth the check."""
    if clause == DIGITS:
        return True  # numbers are rare enough in comments to be worth a check
    return bool(clause) and all(len(lit.strip()) >= 2 or lit in SYMBOLS for lit in clause)


def _sequence(items) -> list[Clause]:
    clauses: list[Clause] = []
    run: list = []  # consecutive items that spell a few fixed strings

    def flush() -> None:
        strings = _strings(run) if run else None
        if strings and "" not in strings and _usable(frozenset(strings)):
            clauses.append(frozenset(strings))
        run.clear()

    for op, arg in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # lookarounds and anchors match no characters: the run goes on
        if _strings([(op, arg)]) is not None and _strings([*run, (op, arg)]) is not None:
            run.append((op, arg))
            continue
        flush()
        if _strings([(op, arg)]) is not None:
            run.append((op, arg))
        else:
            clauses += _item(op, arg)
    flush()
    return clauses


def _best(clauses: list[Clause]) -> Clause | None:
    return min(clauses, key=_cost, default=None)


def _item(op, arg) -> list[Clause]:
    if op is c.SUBPATTERN:
        return _sequence(arg[-1])
    if op is c.BRANCH:
        best = [_best(_sequence(branch)) for branch in arg[1]]
        return [] if any(b is None for b in best) else [frozenset().union(*best)]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, inner = arg
        return _sequence(inner) if low >= 1 else []
    if op is c.ATOMIC_GROUP:
        return _sequence(arg)
    return []  # classes, backrefs: no literal to rely on


def required_clauses(pattern: re.Pattern, tree=None) -> tuple[Clause, ...]:
    """Clauses every match satisfies (one literal of each is in it); empty when none. Case-sensitive only."""
    if pattern.flags & re.IGNORECASE:
        return ()
    found = _sequence(tree if tree is not None else sre_parse.parse(pattern.pattern, pattern.flags))
    return tuple(dict.fromkeys(sorted(found, key=_cost)))


def leading_strings(pattern: re.Pattern, tree=None) -> frozenset[str] | None:
    """Strings one of which every match starts with (after lookarounds), or None when unknown."""
    if pattern.flags & re.IGNORECASE:
        return None
    found, empty = _leading(list(tree if tree is not None else sre_parse.parse(pattern.pattern, pattern.flags)))
    return frozenset(found) if found and not empty and "" not in found else None


AT_START = "\x00^"  # stands for "the start of the text" among leading strings
Leading = tuple[set[str] | None, bool]  # (strings a match of the piece starts with, whether it can be empty)


def _leading(items: list) -> Leading:
    while items and items[0][0] in (c.AT, c.ASSERT, c.ASSERT_NOT):
        if items[0] == (c.AT, c.AT_BEGINNING) or items[0] == (c.AT, c.AT_BEGINNING_STRING):
            return {AT_START}, False  # `^`: a match can start at 0 only (no MULTILINE here)
        items = items[1:]
    if not items:
        return set(), True
    run = 0  # the longest start of `items` that spells a few fixed strings
    while run < len(items) and _strings(items[: run + 1]) is not None:
        run += 1
    if run:
        first, empty = _strings(items[:run]), False
        if "" in first:
            first, empty = first - {""}, True
    else:
        first, empty = _leading_item(*items[0])
        run = 1
    if first is None or not empty:
        return first, empty
    rest, rest_empty = _leading(items[run:])
    return (None, True) if rest is None else (first | rest, rest_empty)


def _leading_item(op, arg) -> Leading:
    if op is c.SUBPATTERN:
        return _leading(list(arg[-1]))
    if op is c.BRANCH:
        parts = [_leading(list(branch)) for branch in arg[1]]
        if any(p is None for p, _ in parts):
            return None, True
        return set().union(*(p for p, _ in parts)), any(e for _, e in parts)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        inner, empty = _leading(list(arg[2]))
        return inner, empty or arg[0] == 0
    return None, False


class LiteralGate:
    """Which of several patterns can match a text, from the literals they require, in one pass."""

    def __init__(self, patterns: dict[str, re.Pattern]) -> None:
        self.clauses = {key: required_clauses(p) for key, p in patterns.items()}
        self.automaton = ahocorasick.Automaton()
        for lit in {lit for clauses in self.clauses.values() for clause in clauses for lit in clause}:
            self.automaton.add_word(lit, lit)
        if len(self.automaton):
            self.automaton.make_automaton()

    def passing(self, text: str) -> list[str]:
        """Keys whose every clause has a literal in `text` (the others cannot match), in order."""
        present = {lit for _, lit in self.automaton.iter(text)} if len(self.automaton) else set()
        return [k for k, clauses in self.clauses.items() if all(not cl.isdisjoint(present) for cl in clauses)]
