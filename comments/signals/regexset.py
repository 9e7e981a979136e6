"""Many regexes run as one: split into alternatives, gated and anchored by their literals.

Python's `re` can skip ahead only for a pattern that starts with a literal; ours
start with lookbehinds and `\\b`, so `search` tries every position of every
comment. `RegexSet` splits each pattern into its alternatives, runs a part only
where its clauses hold (see prefilter.py), and tries it only where the strings
it starts with occur. It returns exactly the spans `pattern.search` would.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from re import _parser as sre_parse  # noqa: PLC2701

import ahocorasick

from comments.signals.prefilter import AT_START, Clause, leading_strings, required_clauses

_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?")
_ZERO_WIDTH = ("(?<!", "(?<=", "(?!", "(?=", "\\b", "\\B", "\\A", "\\Z", "^", "$")
MAX_ALTERNATIVES = 400


def _skip_class(src: str, i: int) -> int:
    i += 1 + (src[i + 1 : i + 2] == "^")
    i += src[i : i + 1] == "]"
    while i < len(src) and src[i] != "]":
        i += 2 if src[i] == "\\" else 1
    return i + 1


def _atoms(src: str) -> list[str]:
    """The top level of a pattern's source: atoms with their quantifiers, and "|" between alternatives."""
    out, i, n = [], 0, len(src)
    while i < n:
        start = i
        if src[i] == "|":
            out.append("|")
            i += 1
            continue
        if src[i] == "\\":
            i += 2
        elif src[i] == "[":
            i = _skip_class(src, i)
        elif src[i] == "(":
            depth = 0
            while i < n:
                if src[i] == "\\":
                    i += 2
                    continue
                if src[i] == "[":
                    i = _skip_class(src, i)
                    continue
                depth += {"(": 1, ")": -1}.get(src[i], 0)
                i += 1
                if depth == 0:
                    break
        else:
            i += 1
        if m := _QUANTIFIER.match(src, i):
            i = m.end()
        out.append(src[start:i])
    return out


def _alternatives(atoms: list[str]) -> list[str]:
    out, current = [], []
    for atom in [*atoms, "|"]:
        if atom == "|":
            out.append("".join(current))
            current = []
        else:
            current.append(atom)
    return out


def _plain_group(atom: str) -> bool:
    """An unquantified non-capturing group: its content can stand in its place."""
    return atom.startswith("(?:") and atom.endswith(")") and _atoms(atom) == [atom]


def split_alternatives(src: str) -> list[str]:
    """Patterns whose union, taken leftmost and then in order, matches as `src` does.

    Splits top-level alternatives, and a group of alternatives that only lookarounds and
    anchors precede (what follows it may be anything): "\\b(?:a|b)c" gives "\\b(?:a)c" and
    "\\b(?:b)c". At one start position the first alternative that matches wins, so the first
    match of `src` is the earliest of the parts' first matches, ties going to the earlier part.
    """
    atoms = _atoms(src)
    if "|" in atoms:
        parts = [p for alt in _alternatives(atoms) for p in split_alternatives(alt)]
        return parts if len(parts) <= MAX_ALTERNATIVES else [src]
    k = 0
    while k < len(atoms):
        if atoms[k].startswith(_ZERO_WIDTH):
            k += 1
        elif _plain_group(atoms[k]) and "|" not in _atoms(atoms[k][3:-1]):
            atoms[k : k + 1] = _atoms(atoms[k][3:-1])  # inline (?:x) as x
        else:
            break
    if k == len(atoms) or not _plain_group(atoms[k]) or "|" not in _atoms(atoms[k][3:-1]):
        return [src]
    prefix, suffix = "".join(atoms[:k]), "".join(atoms[k + 1 :])
    alts = _alternatives(_atoms(atoms[k][3:-1]))
    parts = [p for alt in alts for p in split_alternatives(f"{prefix}(?:{alt}){suffix}")]
    return parts if len(parts) <= MAX_ALTERNATIVES else [src]


def cache_dir() -> Path:
    """Where analysed pattern sets are kept between starts: `COMMENTS_CACHE_DIR`, else ~/.cache/comments."""
    return Path(os.environ.get("COMMENTS_CACHE_DIR") or Path.home() / ".cache" / "comments")


def _analyse(patterns: dict[str, re.Pattern]) -> dict:
    """Split every pattern into parts and derive each part's clauses and leading strings (plain JSON)."""
    parts = []
    for key, pattern in patterns.items():
        try:
            pieces = [re.compile(p, pattern.flags) for p in split_alternatives(pattern.pattern)]
        except re.error:
            pieces = [pattern]
        parts += [(key, i, p) for i, p in enumerate(pieces)]
    clauses, leading = [], []
    for _, _, p in parts:
        tree = sre_parse.parse(p.pattern, p.flags)  # parsed once for both
        clauses.append([sorted(clause) for clause in required_clauses(p, tree)])
        lead = leading_strings(p, tree)
        leading.append(None if lead is None else sorted(lead))
    return {"parts": [[k, i, p.pattern, p.flags] for k, i, p in parts], "clauses": clauses, "leading": leading}


def _cached_analysis(patterns: dict[str, re.Pattern]) -> dict:
    """`_analyse(patterns)`, read from the cache when these exact patterns were analysed before.

    Parsing and compiling about a thousand parts takes 2-3 s, most of a cold start; the cache is
    keyed by a hash of every pattern and its flags, so an edited rule set is analysed afresh.
    A cache that cannot be read or written only costs that time again.
    """
    digest = hashlib.sha256(json.dumps([[k, p.pattern, p.flags] for k, p in patterns.items()]).encode())
    path = cache_dir() / f"regexset-{digest.hexdigest()[:24]}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    analysis = _analyse(patterns)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(analysis), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a concurrent start reads the old file or the new one
    except OSError:
        pass
    return analysis


class RegexSet:
    """Regexes by key; `first_matches` gives each one's first match, as `search` would."""

    def __init__(self, patterns: dict[str, re.Pattern]) -> None:
        self.patterns = patterns
        analysis = _cached_analysis(patterns)
        # (key, order, source, flags) per part; a part compiles the first time a text needs it
        self.parts: list[tuple[str, int, str, int]] = [tuple(part) for part in analysis["parts"]]
        self._compiled: list[re.Pattern | None] = [None] * len(self.parts)
        self.clauses = [tuple(frozenset(clause) for clause in cl) for cl in analysis["clauses"]]
        self.leading = [None if lead is None else frozenset(lead) for lead in analysis["leading"]]
        self.always = [i for i, clauses in enumerate(self.clauses) if not clauses]
        words = {lit for cl in self.clauses for clause in cl for lit in clause}
        words |= {lit for lead in self.leading if lead for lit in lead} - {AT_START}
        self.automaton = ahocorasick.Automaton()
        for lit in words:
            self.automaton.add_word(lit, lit)
        if words:
            self.automaton.make_automaton()
        # Parts that need the same clauses are checked together, and only when a literal of their
        # most selective clause is present.
        groups: dict[tuple[Clause, ...], list[int]] = {}
        for i, clauses in enumerate(self.clauses):
            if clauses:
                groups.setdefault(clauses, []).append(i)
        # The literal that brings a group up satisfies its first clause: only the others are checked.
        self.groups = [(clauses[1:], parts) for clauses, parts in groups.items()]
        self.by_literal: dict[str, list[int]] = {}
        for g, clauses in enumerate(groups):
            for lit in clauses[0]:
                self.by_literal.setdefault(lit, []).append(g)

    def _pattern(self, i: int) -> re.Pattern:
        if (compiled := self._compiled[i]) is None:
            _, _, source, flags = self.parts[i]
            compiled = self._compiled[i] = re.compile(source, flags)
        return compiled

    def first_matches(self, text: str) -> dict[str, re.Match]:
        """The first match of every regex that matches `text`, by key."""
        present = {lit for _, lit in self.automaton.iter(text)} if len(self.automaton) else set()
        seen, candidates = set(), list(self.always)
        for lit in present:
            for g in self.by_literal.get(lit, ()):
                if g not in seen:
                    seen.add(g)
                    rest, parts = self.groups[g]
                    for clause in rest:  # a loop, not all(...): this runs ~50 times per comment
                        if clause.isdisjoint(present):
                            break
                    else:
                        candidates += parts
        best: dict[str, tuple[int, int, re.Match]] = {}
        positions: dict[str, list[int]] = {AT_START: [0]}
        for i in sorted(candidates):
            key, order = self.parts[i][:2]
            if (m := self._first(self._pattern(i), self.leading[i], text, present, positions)) is not None:
                if key not in best or (m.start(), order) < best[key][:2]:
                    best[key] = (m.start(), order, m)
        return {key: m for key, (_, _, m) in best.items()}

    @staticmethod
    def _first(pattern, lead, text: str, present: set[str], positions: dict[str, list[int]]) -> re.Match | None:
        if lead is None:
            return pattern.search(text)
        tries = set()
        for lit in lead:
            if lit not in positions:
                if lit not in present:
                    continue
                found, at = [], text.find(lit)
                while at >= 0:
                    found.append(at)
                    at = text.find(lit, at + 1)
                positions[lit] = found
            tries.update(positions[lit])
        for pos in sorted(tries):
            if (m := pattern.match(text, pos)) is not None:
                return m
        return None
