"""Exchange with labelling tools: Label Studio tasks (and Argilla records) out, their annotations back in.

Export carries the masked text unless revealed (each reveal is audited) and the model's flags as
pre-annotations. Import turns each task's latest non-cancelled annotation into a reviewer decision
through `repo.record_decision`; the idempotency key is the tool's annotation id plus a digest of the
answer, so importing a file twice records nothing new, while an edited annotation counts as a new one.
Each task carries the item's revision: an annotation of a comment edited since the export is not recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from comments.decide import flagged_labels
from comments.errors import BadInputError, ConflictError, NotFoundError, StaleError
from comments.labels import LABELS
from comments.store.tables import ReviewItem

FORMATS = ("labelstudio", "argilla")
STATUSES = {"queued": ("queued", "claimed", "escalated"), "reviewed": ("reviewed",), "all": None}
LABELS_FIELD, ESCALATE_FIELD = "labels", "escalate"
HINTS = {
    "victim_identification": "Ties an identifiable person to the abuse material",
    "promotion": "Promotes viewing, finding or trading the material",
    "safety_concern": "Puts a survivor at risk: location, contact, threats, urging others",
}


def labeling_config() -> str:
    """The Label Studio labelling config matching `labelstudio_task`: text, label choices, escalate."""
    choices = "\n".join(f"    <Choice value={quoteattr(lab)} hint={quoteattr(HINTS[lab])}/>" for lab in LABELS)
    return (
        "<View>\n"
        '  <Header value="Tick every label the comment carries; none means allow."/>\n'
        '  <Text name="text" value="$text"/>\n'
        f'  <Choices name="{LABELS_FIELD}" toName="text" choice="multiple" showInline="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        f'  <Choices name="{ESCALATE_FIELD}" toName="text" choice="single">\n'
        '    <Choice value="escalate" hint="Unsure: send to a senior reviewer"/>\n'
        "  </Choices>\n"
        "</View>\n"
    )


def labelstudio_task(item: ReviewItem, text: str) -> dict:
    """One Label Studio task: our id and the text in `data`, the model's flags as a prediction."""
    chosen = flagged_labels(item.decisions)
    result = [
        {"id": "model", "from_name": LABELS_FIELD, "to_name": "text", "type": "choices", "value": {"choices": chosen}}
    ]
    return {
        "data": {
            "id": item.id,
            "revision": item.revision,
            "text": text,
            "decision": item.decision,
            "scores": item.scores,
        },
        "predictions": [
            {
                "model_version": item.model_version,
                "score": max(item.scores.values(), default=0.0),
                "result": result if chosen else [],
            }
        ],
    }


def argilla_record(item: ReviewItem, text: str) -> dict:
    """One Argilla record (`rg.Record.to_dict` shape): text field, scores as metadata, flags as a suggestion."""
    chosen = flagged_labels(item.decisions)
    return {
        "id": item.id,
        "fields": {"text": text},
        "metadata": {
            "model_version": item.model_version,
            "revision": item.revision,
            "decision": item.decision,
            **item.scores,
        },
        "suggestions": {
            LABELS_FIELD: {
                "value": chosen,
                "score": [item.scores.get(lab, 0.0) for lab in chosen],
                "agent": item.model_version,
            }
        },
        "responses": {},
        "vectors": {},
    }


def export(url: str, cipher, fmt: str, status: str, reveal: str | None, actor: str) -> list[dict]:
    """Tasks (or records) for the items of a status; `reveal`, a reason, shows original text, audited per item
    with the reason before its text is read (`repo.revealed`)."""
    from comments.store import repo, scores

    if fmt not in FORMATS:
        raise BadInputError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if status not in STATUSES:
        raise BadInputError(f"--status {status!r} is not one of {', '.join(STATUSES)}")
    if reveal is not None:
        try:
            reveal = repo.audit_reason(reveal)
        except ValueError as exc:
            raise BadInputError(f"--reveal needs a reason that {exc}; it is written to the audit log") from None
    make = labelstudio_task if fmt == "labelstudio" else argilla_record
    repo.audit(url, actor, f"export:{fmt}")
    items = scores.items(url, STATUSES[status])
    if reveal:
        items = repo.revealed(url, actor, reveal, items)
    return [make(item, cipher.open(item.text if reveal else item.masked_text, item.encrypted)) for item in items]


@dataclass(frozen=True)
class Annotation:
    """A labelling tool's answer for one of our items."""

    item_id: str
    source_id: str
    action: str
    labels: dict[str, bool]
    revision: int | None = None  # the item's revision when exported; None in files from before revisions

    @property
    def idempotency_key(self) -> str:
        """Stable for the same annotation with the same answer."""
        answer = json.dumps([self.action, sorted(k for k, v in self.labels.items() if v)])
        return f"{self.source_id}:{hashlib.sha256(answer.encode()).hexdigest()[:12]}"[:200]


def _labels(chosen: Iterable[str], where: str) -> dict[str, bool]:
    chosen = set(chosen)
    if unknown := sorted(chosen - set(LABELS)):
        raise BadInputError(f"{where} has unknown choices {unknown}; the labels are {', '.join(LABELS)}")
    return {lab: lab in chosen for lab in LABELS}


def _choices(result: list[dict], name: str) -> list[str]:
    return [c for r in result if r.get("from_name") == name for c in r.get("value", {}).get("choices", [])]


def _revision(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInputError(f"{where} has revision {value!r}; it must be the whole number the export wrote")
    return value


def _tasks(doc: object, where: str) -> list[dict]:
    if not isinstance(doc, list) or not all(isinstance(t, dict) for t in doc):
        raise BadInputError(f"{where} is not a JSON list of tasks (Label Studio: Export > JSON)")
    return doc


def parse_labelstudio(doc: object, where: str = "the file") -> Iterator[Annotation | str]:
    """Each task's latest non-cancelled annotation; a task with none yields its item id as a bare string."""
    for task in _tasks(doc, where):
        item_id = str((task.get("data") or {}).get("id", ""))
        if not item_id:
            raise BadInputError(f"{where}: task {task.get('id')} has no data.id; export it from `comments labels`")
        live = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if not live:
            yield item_id
            continue
        latest = max(live, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), str(a.get("id"))))
        result = latest.get("result") or []
        labels = _labels(_choices(result, LABELS_FIELD), f"{where}: task {task.get('id')}")
        action = "escalate" if _choices(result, ESCALATE_FIELD) else ("remove" if any(labels.values()) else "allow")
        revision = _revision(task["data"].get("revision"), f"{where}: task {task.get('id')}")
        yield Annotation(item_id, f"ls:{latest.get('id')}", action, labels, revision)


def parse_argilla(doc: object, where: str = "the file") -> Iterator[Annotation | str]:
    """Each record's last submitted `labels` response; a record with none yields its id as a bare string."""
    for record in _tasks(doc, where):
        item_id = str(record.get("id") or "")
        answers = [
            r
            for r in (record.get("responses") or {}).get(LABELS_FIELD, [])
            if r.get("status", "submitted") == "submitted"
        ]
        if not item_id or not answers:
            yield item_id
            continue
        last = answers[-1]
        labels = _labels(last.get("value") or [], f"{where}: record {item_id}")
        action = "remove" if any(labels.values()) else "allow"
        revision = _revision((record.get("metadata") or {}).get("revision"), f"{where}: record {item_id}")
        yield Annotation(item_id, f"argilla:{item_id}:{last.get('user_id', '')}", action, labels, revision)


@dataclass
class ImportReport:
    """What an import did."""

    recorded: int = 0
    unchanged: int = 0
    unannotated: int = 0
    unknown: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def import_file(url: str, path: Path, fmt: str, claim_seconds: int) -> ImportReport:
    """Record the file's annotations as reviewer decisions (key id `labelstudio` or `argilla`)."""
    from comments.store import repo

    if fmt not in FORMATS:
        raise BadInputError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"{path} does not exist") from None
    except (ValueError, UnicodeError):
        raise BadInputError(f"{path} is not JSON; export the project as JSON") from None
    parsed = list((parse_labelstudio if fmt == "labelstudio" else parse_argilla)(doc, str(path)))
    report = ImportReport()
    for ann in parsed:
        if isinstance(ann, str):
            report.unannotated += 1
            continue
        note = f"imported from {fmt} ({ann.source_id})"
        try:
            _, created = repo.record_decision(
                url,
                ann.item_id,
                fmt,
                ann.action,
                ann.labels,
                note,
                ann.idempotency_key,
                claim_seconds,
                None if ann.revision is None else frozenset({ann.revision}),
            )
        except NotFoundError:
            report.unknown.append(ann.item_id)
            continue
        except (ConflictError, StaleError):
            report.conflicts.append(ann.item_id)
            continue
        if created:
            report.recorded += 1
        else:
            report.unchanged += 1
    return report
