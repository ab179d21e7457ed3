"""Material's translated strings, looked up once a build.

Material's templates ask `lang.t(key)` for every label they show: an import of
partials/language.html with the page's context, two more imports of the language files,
and a mapping of all their strings built for each lookup. At 12,500 pages that was 1.5
s of the build. overrides/partials/language.html asks `pf_translate` instead, which
asks Material's own language files the same question once per key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2 import pass_context

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context


def install(env: Environment) -> None:
    """Give the theme's templates `pf_translate` for this build."""
    found: dict[tuple[str, str], Any] = {}

    @pass_context
    def translate(context: Context, key: str) -> Any:
        language = context["config"].theme["language"]
        text = found.get((language, key))
        if text is None:
            text = found[(language, key)] = material_t(env, language, key)
        return text

    env.globals["pf_translate"] = translate


def material_t(env: Environment, language: str, key: str) -> Any:
    """What Material's partials/language.html says for `key`."""
    own = env.get_template(f"partials/languages/{language}.html").module
    english = env.get_template("partials/languages/en.html").module
    return own.t(key) or english.t(key) or key  # type: ignore[attr-defined]
