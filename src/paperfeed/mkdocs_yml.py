"""A feed's mkdocs.yml as commands outside MkDocs read it (`digest`, `upgrade`).

They run without MkDocs' config machinery, so they read the file with a safe loader
that reads MkDocs' own tags instead of refusing the file: !ENV as MkDocs reads it, and
any other tag (!relative, a plugin's !!python/name ...) as the plain value under it.
"""

from __future__ import annotations

import os
from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    """A safe loader: !ENV as MkDocs reads it, any other tag as the plain value under it."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """!ENV NAME, or !ENV [NAME, OTHER, default]: the first variable set, else the default."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode):
        names = [loader.construct_object(item) for item in node.value]
        default = names.pop() if len(names) > 1 else None
    else:
        return None
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return os.environ[name]
    return default


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None  # pragma: no cover - YAML has no other kind of node


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("", _any_tag)


def load(text: str) -> Any:
    """What the YAML of a mkdocs.yml holds; raises yaml.YAMLError if it is not YAML."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
