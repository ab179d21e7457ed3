"""paperfeed's theme: templates, partials and assets that extend Material for MkDocs.

A folder of the package, as Material's own templates are, so an installed paperfeed
carries it; the plugin puts it between a feed's `custom_dir` and Material's templates.
"""

from pathlib import Path

THEME_DIR = Path(__file__).resolve().parent
