"""Rules as data: YAML files under `comments/rules/`, compiled to regexes and spaCy matchers.

A rule matches the *normalised* text and reports its span in the original.
A rule either supports a label directly (`label: promotion`) or only names a
concept (`label: null`, e.g. `material_ref`) that combinations build on. A rule
may list named contexts from `unless.yaml` (`unless: [reported]`): found after
its match, they keep it quiet. Regexes run together through `RegexSet`, which
tries each only where the fixed words it needs occur.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from comments.errors import ConfigurationError
from comments.labels import LABELS
from comments.nlp import Artifacts, Language, Matcher, PhraseMatcher  # spaCy, imported the way nlp.py does
from comments.signals.base import Signal
from comments.signals.regexset import RegexSet
from comments.types import Evidence

PATTERN_KEYS = ("regex", "phrases", "tokens")


@dataclass(frozen=True)
class Rule:
    """One rule as written in YAML."""

    id: str
    label: str | None
    concept: str
    weight: float
    description: str
    kind: str
    pattern: object
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    unless: tuple[re.Pattern, ...] = ()  # found after the match, these keep the rule quiet


def rules_dir() -> Path:
    """The folder of rule files shipped with the package."""
    return Path(str(resources.files("comments") / "rules"))


def load_unless(folder: Path | None = None) -> dict[str, re.Pattern]:
    """The named contexts of `unless.yaml` that rules list under `unless`."""
    path = (folder or rules_dir()) / "unless.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    try:
        return {name: re.compile(pattern) for name, pattern in (entries or {}).items()}
    except re.error as exc:
        raise ConfigurationError(f"unless.yaml: bad regex: {exc}") from exc


def parse_rule(entry: dict, source: str, unless: dict[str, re.Pattern] | None = None) -> Rule:
    """Validate one YAML entry."""
    where = f"{source}: rule {entry.get('id', '?')!r}"
    if not isinstance(entry.get("id"), str) or not re.fullmatch(r"[a-z]+\.[a-z0-9_.]+", entry["id"]):
        raise ConfigurationError(f"{where}: id must look like 'pr.ask_rest_of_set'")
    label = entry.get("label")
    if label is not None and label not in LABELS:
        raise ConfigurationError(f"{where}: unknown label {label!r}")
    kinds = [k for k in PATTERN_KEYS if k in entry]
    if len(kinds) != 1:
        raise ConfigurationError(f"{where}: needs exactly one of {PATTERN_KEYS}")
    weight = float(entry.get("weight", 0))
    if not 0 <= weight < 1:
        raise ConfigurationError(f"{where}: weight must be in [0, 1)")
    if not entry.get("description"):
        raise ConfigurationError(f"{where}: needs a description (reviewers read it)")
    if missing := set(entry.get("unless") or ()) - set(unless or {}):
        raise ConfigurationError(f"{where}: unless names {sorted(missing)}, which unless.yaml does not define")
    pattern = entry[kinds[0]]
    if kinds[0] == "regex":
        try:
            pattern = re.compile(pattern)
        except re.error as exc:
            raise ConfigurationError(f"{where}: bad regex: {exc}") from exc
    return Rule(
        id=entry["id"],
        label=label,
        concept=entry.get("concept") or "",
        weight=weight,
        description=entry["description"],
        kind=kinds[0],
        pattern=pattern,
        examples=tuple(entry.get("examples") or ()),
        counter_examples=tuple(entry.get("counter_examples") or ()),
        unless=tuple((unless or {})[name] for name in entry.get("unless") or ()),
    )


def load_rules(folder: Path | None = None) -> list[Rule]:
    """Every rule in every `*.yaml` of the folder except `combinations.yaml` and `unless.yaml`; ids unique."""
    rules: list[Rule] = []
    unless = load_unless(folder)
    for path in sorted((folder or rules_dir()).glob("*.yaml")):
        if path.name not in ("combinations.yaml", "unless.yaml"):
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            rules += [parse_rule(e, path.name, unless) for e in entries]
    ids = [r.id for r in rules]
    if dupes := sorted({i for i in ids if ids.count(i) > 1}):
        raise ConfigurationError(f"rule ids defined twice: {dupes}")
    return rules


def _token_literals(patterns: list[list[dict]]) -> set[str] | None:
    """Words of which each token pattern needs one (its first LOWER/ORTH literal), or None."""
    words: set[str] = set()
    for pattern in patterns:
        for token in pattern:
            if token.get("OP") in ("?", "*", "!") or str(token.get("OP", "")).startswith(("{0", "{,")):
                continue  # an optional or negated token is not required
            value = token.get("LOWER", token.get("ORTH", token.get("TEXT")))
            if isinstance(value, str):
                words.add(value.lower())
                break
            if isinstance(value, dict) and isinstance(value.get("IN"), list):
                words |= {str(v).lower() for v in value["IN"]}
                break
        else:
            return None
    return words


class RuleSignal(Signal):
    """All YAML rules, compiled once; regexes run on the normalised text, matchers on its tokens."""

    name = "rules"
    labels = LABELS

    def __init__(self, nlp: Language, rules: list[Rule] | None = None) -> None:
        self.rules = {r.id: r for r in (rules if rules is not None else load_rules())}
        # A regex runs only where the literals it needs are in the text (see prefilter.py).
        self.regexes = RegexSet({r.id: r.pattern for r in self.rules.values() if r.kind == "regex"})
        self.matcher = Matcher(nlp.vocab)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Matchers need spaCy tokens; build them only when a word they look for is in the text.
        self.matcher_words: set[str] | None = set()
        for r in self.rules.values():
            if r.kind == "tokens":
                self.matcher.add(r.id, r.pattern)
                words = _token_literals(r.pattern)
                self.matcher_words = None if words is None or self.matcher_words is None else self.matcher_words | words
            elif r.kind == "phrases":
                self.phrases.add(r.id, [nlp.make_doc(p) for p in r.pattern])
                if self.matcher_words is not None:
                    self.matcher_words |= {p.lower() for p in r.pattern}

    def _evidence(self, art: Artifacts, rule: Rule, start: int, end: int) -> Evidence:
        return Evidence(
            signal=self.name,
            rule_id=rule.id,
            label=rule.label,
            weight=rule.weight,
            span=art.to_original(start, end),
            description=rule.description,
            concept=rule.concept,
        )

    def analyze(self, art: Artifacts) -> list[Evidence]:
        """One evidence per rule (its first match)."""
        found: dict[str, Evidence] = {}
        text = art.text
        for rule_id, m in self.regexes.first_matches(text).items():
            rule = self.rules[rule_id]
            if not any(context.search(text, m.end()) for context in rule.unless):
                found[rule_id] = self._evidence(art, rule, m.start(), m.end())
        if self.matcher_words is not None and not any(w in text for w in self.matcher_words):
            return list(found.values())
        doc = art.doc
        for match_id, start, end in [*self.matcher(doc), *self.phrases(doc)]:
            rule = self.rules[doc.vocab.strings[match_id]]
            if rule.id not in found:
                found[rule.id] = self._evidence(art, rule, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
        return list(found.values())
