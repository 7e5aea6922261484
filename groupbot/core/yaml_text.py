"""Reading a content file's YAML into nodes (which keep their line numbers), with one wording
for every way the YAML itself can be wrong, so each content file reports it alike."""

from __future__ import annotations

import yaml

from groupbot.core.errors import NESTED_TOO_DEEPLY, ContentError


def compose_yaml(text: str, source: str) -> yaml.Node | None:
    """The document's root node (None for an empty document); raises `ContentError` naming
    `source` and, where YAML knows it, the line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ContentError(source, f"not valid YAML: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise ContentError(source, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise ContentError(source, f"not valid YAML: {NESTED_TOO_DEEPLY}") from None
