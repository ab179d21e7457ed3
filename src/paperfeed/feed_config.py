"""The few values of a feed's mkdocs.yml that commands outside MkDocs need.

`paperfeed digest` runs in a workflow without MkDocs' config machinery: it reads the
site's name and address and the paperfeed plugin's options here (read by mkdocs_yml.py,
which takes MkDocs' own tags too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from paperfeed import mkdocs_yml
from paperfeed.digest.content import DEFAULT_LIMIT, DigestSettings
from paperfeed.errors import PaperfeedError, Problem

PLUGIN = "paperfeed"


@dataclass(frozen=True)
class FeedConfig:
    path: Path  # mkdocs.yml
    site_name: str
    site_url: str
    papers_dir: Path  # resolved against mkdocs.yml's folder
    digest_limit: int = DEFAULT_LIMIT
    unsubscribe_url: str | None = None

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where a feed's own digest templates are looked up first: its overrides/."""
        overrides = self.root / "overrides"
        return (overrides,) if overrides.is_dir() else ()

    def digest_settings(self) -> DigestSettings:
        try:
            return DigestSettings(
                self.site_name, self.site_url, self.digest_limit, self.unsubscribe_url
            )
        except PaperfeedError as e:
            raise PaperfeedError(Problem(str(self.path), None, "digest", e.report())) from None


def read_feed_config(path: Path) -> FeedConfig:
    """The values of `path` (a mkdocs.yml) that paperfeed's commands use."""

    def problem(field: str, message: str, line: int | None = None) -> PaperfeedError:
        return PaperfeedError(Problem(str(path), line, field, message))

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise problem("file", f"cannot be read ({e.strerror}): is this a feed's folder?") from None
    except UnicodeDecodeError:
        raise problem("file", "is not UTF-8 text") from None
    try:
        data = mkdocs_yml.load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(e, "problem", None) or str(e)
        raise problem("file", f"is not valid YAML: {reason}", line) from None
    if not isinstance(data, dict):
        raise problem("file", "is not a MkDocs configuration (a mapping of settings)")

    site_name = data.get("site_name")
    if not isinstance(site_name, str) or not site_name.strip():
        raise problem("site_name", "is missing: digests are signed with the site's name")
    site_url = data.get("site_url")
    if not isinstance(site_url, str) or not site_url.strip():
        raise problem("site_url", "is missing: digests link to the site's full address")
    options = _plugin_options(data.get("plugins"))
    if options is None:
        raise problem("plugins", f"has no {PLUGIN!r} plugin: is this a paperfeed feed?")

    def option(name: str, kind: type, default: Any) -> Any:
        value = options.get(name, default)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise problem(f"plugins.{PLUGIN}.{name}", f"must be {kind.__name__}, not {value!r}")
        return value

    config = FeedConfig(
        path=path,
        site_name=site_name.strip(),
        site_url=site_url.strip(),
        papers_dir=path.parent / option("papers_dir", str, "papers"),
        digest_limit=option("digest_limit", int, DEFAULT_LIMIT),
        unsubscribe_url=option("unsubscribe_url", str, None),
    )
    config.digest_settings()  # check them now, naming the file
    return config


def _plugin_options(plugins: Any) -> dict[str, Any] | None:
    """The paperfeed plugin's options, from a list or a mapping of plugins."""
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    for item in plugins if isinstance(plugins, list) else []:
        if item == PLUGIN:
            return {}
        if isinstance(item, dict) and PLUGIN in item:
            options = item[PLUGIN]
            return options if isinstance(options, dict) else {}
    return None
