import pandas as pd

from comments.synth.card import untrained_kinds
from comments.synth.grammar import Family


def _family(id_: str, kind: str, labels=("promotion",)) -> Family:
    return Family(id=id_, labels=frozenset(labels), kind=kind, templates={"en": ("a", "b", "c")})


def test_a_positive_kind_only_in_dev_or_test_is_listed_with_its_families_per_split():
    families = [
        _family("pr_a1", "pointer"),
        _family("pr_a2", "pointer"),
        _family("pr_b1", "reupload"),
        _family("pr_b2", "reupload"),
        _family("neg_c1", "chatter", labels=()),
    ]
    df = pd.DataFrame(
        {
            "family": ["pr_a1", "pr_a2", "pr_a2", "pr_b1", "pr_b1", "pr_b2", "neg_c1"],
            "split": ["train", "test", "test", "test", "test", "dev", "test"],
        }
    )
    table = untrained_kinds(df, families)
    assert table.index.tolist() == ["reupload"]
    assert table.loc["reupload"].to_dict() == {"dev": 1, "test": 1}
