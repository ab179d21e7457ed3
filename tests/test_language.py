"""The theme's partials/language.html says what Material's own says, in every language
Material ships and for every string: looked up once a build (language.py), or as is
where Material's plugins read it without paperfeed's lookup."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import material
import pytest
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from paperfeed.plugin import language
from paperfeed.theme import THEME_DIR

MATERIAL = Path(material.__file__).parent / "templates"
LANGUAGES = sorted(p.stem for p in (MATERIAL / "partials" / "languages").glob("*.html"))
KEYS = re.findall(r'^\s+"([\w.]+)":', (MATERIAL / "partials/languages/en.html").read_text(), re.M)


def strings(env: Environment, lang: str) -> list[str]:
    config = SimpleNamespace(theme={"language": lang})
    module = env.get_template("partials/language.html", globals={"config": config}).module
    return [str(module.t(key)) for key in [*KEYS, "no.such.key"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("looked_up_once", [True, False])
def test_every_string_in_every_language_is_materials(looked_up_once: bool) -> None:
    assert len(LANGUAGES) > 40 and len(KEYS) > 50
    materials = Environment(loader=FileSystemLoader(MATERIAL))
    ours = Environment(loader=ChoiceLoader([FileSystemLoader(THEME_DIR), materials.loader]))
    if looked_up_once:
        language.install(ours)
    for lang in LANGUAGES:
        assert strings(ours, lang) == strings(materials, lang), lang
