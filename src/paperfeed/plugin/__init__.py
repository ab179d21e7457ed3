"""The MkDocs adapter: the only part of paperfeed that imports MkDocs."""

from paperfeed.plugin.plugin import PaperfeedPlugin

__all__ = ["PaperfeedPlugin"]
