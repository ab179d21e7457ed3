"""Kept for the modules that import `map_chunks` from here: it lives in processes.py."""

from __future__ import annotations

from paperfeed.processes import map_chunks

__all__ = ["map_chunks"]
