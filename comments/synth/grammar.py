"""Template families: loading, validation and expansion of the small grammars.

The format is described in `families/FORMAT.md`: `[a|b]` picks one
alternative, `{slot}` is filled from `slots.SlotFiller`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

from comments.errors import ConfigurationError
from comments.labels import LABELS
from comments.normalize import LANGUAGES
from comments.synth.slots import SLOT_NAMES, SlotFiller

NEGATIVE_KINDS = (
    "survivor_story",
    "support",
    "reporting",
    "journalism",
    "policy_stats",
    "safety_advice",
    "unrelated_identity",
    "unrelated_trading",
    "toxicity",
    "fiction_film",
    "everyday",
    "chatter",
    "fandom",
    "captions",
)
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([a-z0-9_]+)\}")
_VALUE = "\x00"  # marks where a slot value starts while contracting
# Preposition + the article a slot value starts with ("la policía", "Le Val", "o Conselho Tutelar")
_CONTRACTIONS = {
    "es": {("a", "el"): "al", ("de", "el"): "del"},
    "fr": {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"},
    "pt": {
        (prep, art): short
        for prep, forms in (
            ("a", "ao aos à às"),
            ("de", "do dos da das"),
            ("em", "no nos na nas"),
            ("por", "pelo pelos pela pelas"),
        )
        for art, short in zip(("o", "os", "a", "as"), forms.split(), strict=True)
    },
}
_ELIDABLE = re.compile(rf"\b(l[ae]|de|que|je|ne|se|me|te) {_VALUE}(?=[aeiouyàâéèêëîïôûœ])", re.IGNORECASE)
_CONTRACTABLE = {
    lang: re.compile(
        rf"\b({'|'.join({p for p, _ in table})}) {_VALUE}({'|'.join({a for _, a in table})}) ", re.IGNORECASE
    )
    for lang, table in _CONTRACTIONS.items()
}


@dataclass(frozen=True)
class Family:
    """One family: a distinct way of saying one kind of thing, in one or more languages."""

    id: str
    labels: frozenset[str]
    kind: str
    templates: dict[str, tuple[str, ...]] = field(repr=False)
    relabel: dict[str, tuple[frozenset[str], tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def labels_of(self, template: str, text: str) -> frozenset[str]:
        """The labels of `text`, a comment rendered from `template`: the family's, unless `relabel` gives
        the template its own and `text` holds none of the phrases that keep the family's."""
        labels, unless = self.relabel.get(template, (self.labels, ()))
        return self.labels if any(p in text for p in unless) else labels

    @property
    def group(self) -> str:
        """The stratum used for splitting: the first label, or the negative kind."""
        for label in LABELS:
            if label in self.labels:
                return label
        return f"negative:{self.kind}"


# Words that give the comment's person a gender, per language: (a girl's, a boy's); a text with words
# of both (or of neither) leaves it to chance. German "sie" and French "il" are left out: they also mean
# "they" and "it"; German nouns are matched with their capital, so "eine junge Frau" is not "ein Junge".
_GENDER_WORDS = {
    "en": ("she|her|hers|herself|girl|girls", "he|him|his|himself|boy|boys"),
    "es": ("ella|niña|niñas|chica|chicas", "él|niño|niños|el chico|un chico"),
    "de": ("Mädchen", "Junge|Jungen"),
    "fr": ("elle|elles|fille|filles", "garçon|garçons"),
    "pt": ("ela|dela|nela|menina|garota", "ele|dele|nele|menino|garoto"),
}
# An article before the name says more than any other word: "a {name} ... tem um menino" is her son.
_NAME_ARTICLES = {"pt": ("a|da|na|pela", "o|do|no|pelo")}


def _by_gender(pair: tuple[str, str], pattern: str, flags: int) -> dict[str, re.Pattern]:
    """{"female": ..., "male": ...}: `pattern` with each side's alternatives in place of `{}`."""
    return {
        g: re.compile(pattern.replace("{}", words), flags) for g, words in zip(("female", "male"), pair, strict=True)
    }


_GENDER = {  # language -> gender -> pattern
    lang: _by_gender(pair, r"\b(?:{})\b", 0 if lang == "de" else re.IGNORECASE) for lang, pair in _GENDER_WORDS.items()
}
_ARTICLE = {
    lang: _by_gender(pair, r"\b(?:{}) \{(?:first_)?name\}", re.IGNORECASE) for lang, pair in _NAME_ARTICLES.items()
}


def choose(template: str, rng: random.Random) -> str:
    """The template with one alternative picked from each `[a|b]`."""
    return _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)


def template_gender(text: str, language: str = "en") -> str | None:
    """The gender a template's words give its person once its alternatives are chosen ("female" for
    "she's {name} now", "male" for "the boy in the set is {name}"), or None where they give none."""
    for by_gender in (_ARTICLE.get(language, {}), _GENDER[language]):
        found = [g for g, pattern in by_gender.items() if pattern.search(text)]
        if len(found) == 1:
            return found[0]
    return None


def render(
    template: str,
    rng: random.Random,
    filler: SlotFiller,
    language: str = "en",
    locale: str | None = None,
    benign: bool = False,
) -> str:
    """One comment from a template: alternatives chosen, then slot values drawn for the gender the chosen
    words give the person (so "{name}" never stands beside the wrong "she" or "he"), then filled in."""
    text = choose(template, rng)
    values = filler.values(language, locale, benign=benign, gender=template_gender(text, language))
    return _fill(text, values, language)


def expand(template: str, values: dict[str, str], rng: random.Random, language: str = "en") -> str:
    """Expand one template: choose alternatives, then fill its slots (`_fill`)."""
    return _fill(choose(template, rng), values, language)


def _fill(text: str, values: dict[str, str], language: str) -> str:
    """Fill the slots of a template whose alternatives are chosen (contracting a preposition with the
    article a value starts with: a el -> al, à le -> au, em o -> no; eliding French la/de before a
    vowel: l'avenue, d'Agnès), then tidy spaces."""
    text = _SLOT.sub(lambda m: _VALUE + values[m.group(1)], text)
    if language in _CONTRACTIONS:
        text = _CONTRACTABLE[language].sub(_contract(_CONTRACTIONS[language]), text)
    if language == "fr":
        text = _ELIDABLE.sub(lambda m: m.group(1)[:-1] + "'", text)  # la avenue -> l'avenue, de Agnès -> d'Agnès
    text = re.sub(r"\s+", " ", text.replace(_VALUE, "")).strip()
    return re.sub(r" ([,.!?;:])", r"\1", text)


def _contract(table: dict[tuple[str, str], str]):
    def replace(m: re.Match) -> str:
        short = table[m.group(1).lower(), m.group(2).lower()]
        return (short.capitalize() if m.group(1)[0].isupper() else short) + " "

    return replace


def template_errors(template: str) -> list[str]:
    """What is wrong with one template string (empty when it is fine)."""
    errors = []
    bare = _CHOICE.sub("", template)
    if "[" in bare or "]" in bare:
        errors.append("unbalanced or nested [ ]")
    unknown = set(_SLOT.findall(template)) - SLOT_NAMES
    if unknown:
        errors.append(f"unknown slot(s) {sorted(unknown)}")
    if re.sub(r"\{[a-z0-9_]+\}", "", template).count("{") or re.sub(r"\{[a-z0-9_]+\}", "", template).count("}"):
        errors.append("stray { or }")
    return errors


def _check_templates(where: str, items) -> None:
    for t in items:
        problems = template_errors(t) if isinstance(t, str) else ["not a string"]
        if problems:
            raise ConfigurationError(f"{where} {t!r}: {'; '.join(problems)}")


def parse_families(entries: list[dict], source: str) -> list[Family]:
    """Validate raw YAML entries and turn them into families."""
    entries = entries or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigurationError(
            f"{source}: expected a list of families (each with id, labels, kind and templates); "
            "a file that maps family ids to templates belongs in translations/"
        )
    families = []
    for i, e in enumerate(entries):
        where = f"{source} entry {i} ({e.get('id', '?')})"
        labels = frozenset(e.get("labels") or [])
        if not isinstance(e.get("id"), str) or not re.fullmatch(r"[a-z0-9_]+", e["id"]):
            raise ConfigurationError(f"{where}: id must be snake_case")
        if labels - set(LABELS):
            raise ConfigurationError(f"{where}: unknown label(s) {sorted(labels - set(LABELS))}")
        kind = e.get("kind") or ""
        if not labels and kind not in NEGATIVE_KINDS:
            raise ConfigurationError(f"{where}: a negative needs kind in {NEGATIVE_KINDS}, got {kind!r}")
        templates = {"en": tuple(e.get("templates") or ())}
        for lang, items in (e.get("translations") or {}).items():
            if lang not in LANGUAGES[1:]:
                raise ConfigurationError(f"{where}: translation language {lang!r} not in {LANGUAGES[1:]}")
            templates[lang] = tuple(items if isinstance(items, list) else [items])
        if len(templates["en"]) < 3:
            raise ConfigurationError(f"{where}: needs at least 3 English templates")
        for lang, items in templates.items():
            _check_templates(f"{where} [{lang}]", items)
        relabel = e.get("relabel") or {}
        if not isinstance(relabel, dict):
            raise ConfigurationError(f"{where}: relabel maps a template to its list of labels")
        relabel = {t: _relabel(f"{where}: relabel of {t!r}", t, v) for t, v in relabel.items()}
        families.append(Family(e["id"], labels, kind, templates, relabel))
    return families


def _relabel(where: str, template: str, value) -> tuple[frozenset[str], tuple[str, ...]]:
    """A `relabel` entry: a list of labels, or {labels: [...], unless: [phrases that keep the family's]};
    each phrase, spaces stripped, must be written in the template (a typo would relabel every comment)."""
    unless = ()
    if isinstance(value, dict):
        if set(value) - {"labels", "unless"} or not isinstance(value.get("unless"), list) or not value["unless"]:
            raise ConfigurationError(f"{where}: give `labels` and a non-empty list `unless`")
        value, unless = value.get("labels"), tuple(value["unless"])
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in unless):
        raise ConfigurationError(f"{where}: relabel maps a template to its list of labels")
    if stray := [p for p in unless if p.strip() not in template]:
        raise ConfigurationError(f"{where}: `unless` phrase {stray[0]!r} is not in the template")
    if unknown := set(value) - set(LABELS):
        raise ConfigurationError(f"{where}: unknown label(s) {sorted(unknown)}")
    return frozenset(value), unless


def families_dir() -> Path:
    """The folder of family YAML files shipped with the package."""
    return Path(str(resources.files("comments.synth") / "families"))


def load_families(folder: Path | None = None) -> list[Family]:
    """Load every family file, sorted by id; ids must be unique across files. Templates in
    `translations/<language>.yaml` (family id -> list) are added to that family's language."""
    folder = folder or families_dir()
    families: list[Family] = []
    for path in sorted(folder.glob("*.yaml")):
        families += parse_families(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    seen: set[str] = set()
    for f in families:
        if f.id in seen:
            raise ConfigurationError(f"family id {f.id!r} is defined twice")
        seen.add(f.id)
    by_id = {f.id: f for f in families}
    for path in sorted((folder / "translations").glob("*.yaml")):
        for fid, items in parse_translations(path, seen).items():
            templates = by_id[fid].templates | {path.stem: by_id[fid].templates.get(path.stem, ()) + items}
            by_id[fid] = replace(by_id[fid], templates=templates)
    for f in by_id.values():
        if stray := set(f.relabel) - {t for items in f.templates.values() for t in items}:
            raise ConfigurationError(f"{f.id}: relabel names no template of the family: {sorted(stray)[0]!r}")
    return sorted(by_id.values(), key=lambda f: f.id)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML would keep the last one silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        if dup := sorted({k for k in keys if keys.count(k) > 1}):
            raise ConfigurationError(f"{dup[0]!r} is given twice; merge its lists")
        return super().construct_mapping(node, deep=deep)


def parse_translations(path: Path, ids: set[str]) -> dict[str, tuple[str, ...]]:
    """A translations file, checked: its name is a language, its keys family ids, its values templates."""
    if path.stem not in LANGUAGES[1:]:
        raise ConfigurationError(f"{path.name}: translation files are named after a language in {LANGUAGES[1:]}")
    try:
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except ConfigurationError as exc:
        raise ConfigurationError(f"{path.name}: {exc}") from None
    if not isinstance(entries, dict):
        raise ConfigurationError(f"{path.name}: expected a mapping of family id -> list of templates")
    out = {}
    for fid, items in entries.items():
        if fid not in ids:
            raise ConfigurationError(f"{path.name}: no family has the id {fid!r}")
        if not isinstance(items, list) or not items:
            raise ConfigurationError(f"{path.name} {fid}: expected a non-empty list of templates")
        _check_templates(f"{path.name} {fid}", items)
        out[fid] = tuple(items)
    return out
