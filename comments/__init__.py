"""Finds comments that identify, promote or endanger survivors of abuse imagery.

The public surface: `load_pipeline`, `Pipeline`, `Result`, `Evidence`. Imported lazily, so
`import comments` stays cheap for the CLI and nothing loads a model at import time.
"""

__version__ = "0.1.0"
__all__ = ["Evidence", "Pipeline", "Result", "load_pipeline"]


def __getattr__(name: str):
    if name in ("load_pipeline", "Pipeline", "Result"):
        from comments import pipeline

        return getattr(pipeline, name)
    if name == "Evidence":
        from comments.types import Evidence

        return Evidence
    raise AttributeError(f"module 'comments' has no attribute {name!r}")
