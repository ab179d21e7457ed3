"""paperfeed: papers as YAML files in, a paper-feed website and its feeds out."""

from paperfeed.errors import PaperfeedError, Problem

__all__ = ["PaperfeedError", "Problem"]
