"""The README's Python example runs as written."""

import re

from tests.conftest import ROOT


def test_readme_python_example_scores_a_comment():
    block = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    scope: dict = {}
    exec(block.replace("r.decision, r.scores, r.reasons, r.masked_text", "out = r"), scope)  # noqa: S102
    assert scope["out"].decision in ("allow", "review", "remove")
    assert scope["out"].model_version
