"""Finds comments that identify, promote or endanger survivors of abuse imagery."""

__version__ = "0.1.0"
