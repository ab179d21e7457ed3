"""When Python's collector may walk what the build made.

The collector walks every object that survived earlier collections, again and again
while a build allocates. Most of what a build makes (the papers, their pages, MkDocs'
pages) lives until the build ends, so after each stage that makes them they are frozen
(`gc.freeze`): left out of every collection until the build is over.
"""

from __future__ import annotations

import gc


class Memory:
    @staticmethod
    def settled() -> None:
        """What exists now lives until the build ends: no collection need walk it."""
        gc.freeze()

    @staticmethod
    def build_ended() -> None:
        """The build's objects may go: a `serve` rebuild collects the last one's."""
        gc.unfreeze()

    @staticmethod
    def exiting() -> None:
        """MkDocs is about to exit: Python's last collection would walk every object
        the build made, to free what the exit frees anyway."""
        gc.freeze()
