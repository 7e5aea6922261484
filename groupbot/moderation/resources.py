"""Crisis and support resources: the lines a member in distress is offered, per region.

Kept in `groupbot/data/resources.yaml` (a facilitator may add a region), read and checked
whole at load: every problem is listed with its file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

import yaml

from groupbot.core.errors import ContentError, ContentErrors
from groupbot.core.yaml_text import compose_yaml


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    reach: str  # how to reach it: "Call or text 988"
    source: str  # where the number is published
    region: str
    topic: str = "crisis"  # one of RESOURCE_TOPICS: whom the line is for


# "crisis": listening and crisis lines, and emergency services (every crisis reply);
# "danger": lines for someone being hurt by someone (domestic abuse), shown first when a
# member says someone is hurting them, and not to a member with thoughts of suicide;
# "young": lines for children and teenagers, shown first when the member says they are one.
RESOURCE_TOPICS: Final = ("crisis", "danger", "young")


def default_resources_path() -> Path:
    return Path(str(resources.files("groupbot") / "data" / "resources.yaml"))


def all_resources(path: str | Path | None = None) -> list[Resource]:
    """Every region's resources, in file order."""
    return [r for items in load_resource_table(path).values() for r in items]


def load_resources(path: str | Path | None, region: str) -> list[Resource]:
    """The resources for `region` (a country code), or the international ones if none."""
    return resources_for(load_resource_table(path), region)


def load_resource_table(path: str | Path | None = None) -> dict[str, list[Resource]]:
    """Every region's resources (the shipped file when `path` is None), checked whole:
    raises `ContentErrors` listing every problem, each with its file, line and key."""
    return _load_resource_table(Path(path) if path else default_resources_path())


def resources_for(table: dict[str, list[Resource]], region: str) -> list[Resource]:
    """A region's resources from a loaded table, then the international ones (all of them
    when the region has none)."""
    code = region.upper()
    if code == "UK":
        code = "GB"
    found = table.get(code) or table.get("INTL") or []
    if code != "INTL" and found is not table.get("INTL"):
        found = found + [r for r in table.get("INTL", []) if r not in found]
    return found


def _load_resource_table(p: Path) -> dict[str, list[Resource]]:
    src = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentErrors([ContentError(src, "the resources file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentErrors([ContentError(src, f"cannot read the resources file: {exc}")]
                            ) from None
    try:
        root = compose_yaml(text, src)
    except ContentError as exc:
        raise ContentErrors([exc]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ContentErrors([ContentError(src, "expected 'regions:' with a list of resources "
                                               "per country")])
    errors: list[ContentError] = []  # every problem, in file order; the reading goes on
    regions = None
    at: int | None = None  # the line of `regions:`
    for k, v in root.value:
        if k.value != "regions":
            errors.append(ContentError(src, f"unknown key '{k.value}'", k.start_mark.line + 1,
                                       k.value))
            continue
        regions, at = v, k.start_mark.line + 1
    if not isinstance(regions, yaml.MappingNode):
        errors.append(ContentError(src, "'regions' must map country codes to lists", at,
                                   "regions"))
        raise ContentErrors(errors)
    out: dict[str, list[Resource]] = {}
    for k, v in regions.value:
        code = str(k.value).upper()
        key = f"regions.{code}"
        if not isinstance(v, yaml.SequenceNode) or not v.value:
            errors.append(ContentError(src, "must be a non-empty list of resources",
                                       v.start_mark.line + 1, key))
            continue
        items: list[Resource] = []
        for i, item in enumerate(v.value):
            found = _resource(src, f"{key}[{i}]", item, code, errors)
            if found is not None:
                items.append(found)
        out[code] = items
    if "INTL" not in out and not any(e.field == "regions.INTL" for e in errors):
        errors.append(ContentError(src, "an international fallback (INTL) is required", at,
                                   "regions"))
    if errors:
        raise ContentErrors(errors)
    return out


def _resource(src: str, ikey: str, item: yaml.Node, code: str,
              errors: list[ContentError]) -> Resource | None:
    """One resource, or None with its problems added to `errors`."""
    if not isinstance(item, yaml.MappingNode):
        errors.append(ContentError(src, "must have name, reach and source",
                                   item.start_mark.line + 1, ikey))
        return None
    before = len(errors)
    line = item.start_mark.line + 1
    fields: dict[str, str] = {}
    for fk, fv in item.value:
        if fk.value not in ("name", "reach", "source", "topic"):
            errors.append(ContentError(src, f"unknown key '{fk.value}' (use name, reach, "
                                       "source, topic)", fk.start_mark.line + 1,
                                       f"{ikey}.{fk.value}"))
        elif not isinstance(fv, yaml.ScalarNode) or not str(fv.value).strip():
            errors.append(ContentError(src, "must be non-empty text", fv.start_mark.line + 1,
                                       f"{ikey}.{fk.value}"))
        else:
            fields[fk.value] = str(fv.value).strip()
    for need in ("name", "reach", "source"):
        if need not in fields and not any(e.field == f"{ikey}.{need}" for e in errors):
            errors.append(ContentError(src, "is missing", line, f"{ikey}.{need}"))
    if "source" in fields and not fields["source"].startswith("https://"):
        errors.append(ContentError(src, "must be the https:// page that publishes this number",
                                   line, f"{ikey}.source"))
    topic = fields.get("topic", "crisis")
    if topic not in RESOURCE_TOPICS:
        errors.append(ContentError(src, f"unknown topic '{topic}' (use "
                                   f"{' or '.join(RESOURCE_TOPICS)})", line, f"{ikey}.topic"))
    if len(errors) > before:
        return None
    return Resource(fields["name"], fields["reach"], fields["source"], code, topic)
