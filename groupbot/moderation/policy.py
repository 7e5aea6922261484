"""The moderation policy: a YAML file a moderator can read and edit, validated at load.

Errors name the file, the line and the key (read from YAML node marks). Per-group and
per-channel overrides change actions per category (a venting channel that allows profanity)
or ask for content notes. Custom rules are whole-word lists and google-re2 regular
expressions (linear time: no pattern can make the bot hang), compiled once at load.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import re2
import yaml

from groupbot.core.errors import ContentError
from groupbot.moderation.verdict import CARE_CATEGORIES, CATEGORIES, Action

log = logging.getLogger(__name__)

_ACTIONS = {a.value: a for a in Action}
DISTRESS_GUIDELINE = "It's okay to not be okay here. You're welcome to share, and to reach out."
_PUNITIVE = (Action.REMOVE, Action.TIMEOUT)
MAX_REGEX_LEN = 1000
MAX_RULES = 500


@dataclass(frozen=True, slots=True)
class CategoryPolicy:
    """What to do for one category, by severity (1 mild, 2 serious, 3 severe)."""

    action: Action
    mild: Action
    severe: Action
    strike: float = 0.0
    enabled: bool = True
    guideline: str = ""

    def action_for(self, severity: int) -> Action:
        if not self.enabled:
            return Action.ALLOW
        if severity >= 3:
            return self.severe
        if severity <= 1:
            return self.mild
        return self.action


@dataclass(frozen=True, slots=True)
class Threshold:
    points: float
    action: Action
    minutes: int = 0


@dataclass(frozen=True, slots=True)
class StrikePolicy:
    half_life_days: float = 30.0
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True, slots=True)
class SpamPolicy:
    score_threshold: float = 4.0
    mass_mentions: int = 5
    allow_invites: bool = False
    flood_messages: int = 6
    flood_seconds: float = 10.0
    repeat_count: int = 3
    repeat_seconds: float = 300.0
    history_per_member: int = 20
    max_members: int = 5000


@dataclass(frozen=True, slots=True)
class Rule:
    """A custom rule from the policy file: words and/or re2 patterns for one category."""

    id: str
    category: str
    severity: int
    words: tuple[str, ...] = ()
    patterns: tuple[Any, ...] = ()  # compiled re2 objects
    channels: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    """The settings in force in one place (group + channel), after overrides."""

    categories: Mapping[str, CategoryPolicy]
    require_content_note: bool = False
    exempt_moderators: frozenset[str] = frozenset()


@dataclass(slots=True)
class Override:
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    require_content_note: bool | None = None


@dataclass(eq=False, slots=True)
class Policy:
    source: str
    name: str
    categories: dict[str, CategoryPolicy]
    strikes: StrikePolicy
    spam: SpamPolicy
    rules: tuple[Rule, ...]
    exempt_moderators: frozenset[str]
    channels: dict[str, Override]
    groups: dict[str, tuple[Override, dict[str, Override]]]
    text: str = ""  # the file as loaded, for `/mod policy show`
    compiled: Any = field(default=None, repr=False)  # the engine's matcher, built once
    _scopes: dict[tuple[str | None, str | None, str | None], Scope] = field(default_factory=dict)

    def scope(self, group_id: str | None = None, channel_id: str | None = None,
              channel_name: str | None = None) -> Scope:
        """The settings for a place; cached, so this costs a dict lookup per message."""
        key = (group_id, channel_id, channel_name)
        found = self._scopes.get(key)
        if found is None:
            found = self._resolve(group_id, channel_id, channel_name)
            if len(self._scopes) > 4096:
                self._scopes.clear()
            self._scopes[key] = found
        return found

    def _resolve(self, group_id: str | None, channel_id: str | None,
                 channel_name: str | None) -> Scope:
        layers: list[Override] = []
        names = [n for n in (channel_id, _channel_key(channel_name)) if n]
        for n in names:
            if n in self.channels:
                layers.append(self.channels[n])
                break
        if group_id is not None and group_id in self.groups:
            group_override, group_channels = self.groups[group_id]
            layers.append(group_override)
            for n in names:
                if n in group_channels:
                    layers.append(group_channels[n])
                    break
        cats = dict(self.categories)
        note = False
        for layer in layers:
            for cat, changes in layer.categories.items():
                cats[cat] = replace(cats[cat], **changes)
            if layer.require_content_note is not None:
                note = layer.require_content_note
        return Scope(cats, note, self.exempt_moderators)

    def describe(self) -> str:
        """A readable summary of the policy in force (for `/mod policy show`)."""
        lines = [f"Policy: {self.name} ({self.source})"]
        for cat in CATEGORIES:
            c = self.categories[cat]
            state = "" if c.enabled else " (off)"
            lines.append(f"- {cat}{state}: mild {c.mild.value}, serious {c.action.value}, "
                         f"severe {c.severe.value}; strike {c.strike:g}")
        lines.append(f"Strikes halve every {self.strikes.half_life_days:g} days; thresholds: "
                     + (", ".join(f"{t.points:g} -> {t.action.value}"
                                  + (f" {t.minutes} min" if t.minutes else "")
                                  for t in self.strikes.thresholds) or "none"))
        if self.exempt_moderators:
            lines.append("Moderators exempt from: " + ", ".join(sorted(self.exempt_moderators)))
        for name, ov in self.channels.items():
            lines.append(f"Channel #{name}: " + _describe_override(ov))
        for gid, (gov, chans) in self.groups.items():
            lines.append(f"Group {gid}: " + _describe_override(gov))
            for name, ov in chans.items():
                lines.append(f"  Channel #{name}: " + _describe_override(ov))
        if self.rules:
            lines.append("Custom rules: " + ", ".join(r.id for r in self.rules))
        return "\n".join(lines)


def _describe_override(ov: Override) -> str:
    parts = [f"{cat} " + ", ".join(f"{k}={_show(v)}" for k, v in ch.items())
             for cat, ch in ov.categories.items()]
    if ov.require_content_note:
        parts.append("content notes required on heavy topics")
    return "; ".join(parts) or "no changes"


def _show(v: Any) -> str:
    return v.value if isinstance(v, Action) else str(v)


def _channel_key(name: str | None) -> str | None:
    return name.lstrip("#").lower() if name else None


# --- loading -------------------------------------------------------------------------------

def default_policy_path() -> Path:
    return Path(str(resources.files("groupbot") / "data" / "policy.yaml"))


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return load_policy(default_policy_path())


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ContentError(str(p), "the policy file does not exist") from None
    except OSError as exc:
        raise ContentError(str(p), f"cannot read the policy file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(str(p), "the policy file is not UTF-8 text") from None
    return parse_policy(text, str(p))


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ContentError(source, f"not valid YAML: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise ContentError(source, f"not valid YAML: {exc}") from None
    if node is None:
        raise ContentError(source, "the policy file is empty")
    return _Builder(source, text).build(node)


class _Builder:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self._loader = yaml.SafeLoader("")

    # -- helpers
    def fail(self, node: yaml.Node, key: str, message: str) -> ContentError:
        return ContentError(self.source, message, node.start_mark.line + 1, key)

    def mapping(self, node: yaml.Node, key: str,
                allowed: Iterable[str] | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "must be a mapping of keys to values")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        allowed_list = list(allowed) if allowed is not None else None
        for knode, vnode in node.value:
            name = self.scalar(knode, key)
            name = str(name)
            dotted = f"{key}.{name}" if key else name
            if allowed_list is not None and name not in allowed_list:
                close = difflib.get_close_matches(name, allowed_list, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.fail(knode, dotted, f"unknown key '{name}'{hint}; expected one of "
                                + ", ".join(allowed_list))
            if name in out:
                raise self.fail(knode, dotted, "appears twice")
            out[name] = (knode, vnode)
        return out

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, "must be a single value")
        return self._loader.construct_object(node, deep=True)

    def string(self, node: yaml.Node, key: str) -> str:
        v = self.scalar(node, key)
        if not isinstance(v, str | int) or isinstance(v, bool):
            raise self.fail(node, key, f"must be text, not {v!r}")
        return str(v)

    def number(self, node: yaml.Node, key: str, lo: float, hi: float) -> float:
        v = self.scalar(node, key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
            raise self.fail(node, key, f"must be a number from {lo:g} to {hi:g}, not {v!r}")
        return float(v)

    def boolean(self, node: yaml.Node, key: str) -> bool:
        v = self.scalar(node, key)
        if not isinstance(v, bool):
            raise self.fail(node, key, f"must be true or false, not {v!r}")
        return v

    def action(self, node: yaml.Node, key: str) -> Action:
        v = self.scalar(node, key)
        if not isinstance(v, str) or v.lower() not in _ACTIONS:
            raise self.fail(node, key, f"unknown action {v!r}; use one of "
                            + ", ".join(_ACTIONS))
        return _ACTIONS[v.lower()]

    def strings(self, node: yaml.Node, key: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode):
            return [self.string(node, key)]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "must be a list of text items")
        return [self.string(item, key) for item in node.value]

    # -- sections
    def build(self, node: yaml.Node) -> Policy:
        top = self.mapping(node, "", ("version", "name", "categories", "strikes", "spam",
                                      "moderators_exempt", "rules", "channels", "groups"))
        if "version" in top:
            v = self.scalar(top["version"][1], "version")
            if v != 1:
                raise self.fail(top["version"][1], "version", f"unsupported version {v!r} "
                                "(this groupbot reads version 1)")
        name = self.string(top["name"][1], "name") if "name" in top else "policy"
        if "categories" not in top:
            raise self.fail(node, "categories", "is missing: every policy sets an action for "
                            "each category")
        categories = self.categories(top["categories"][1])
        strikes = self.strikes(top["strikes"][1]) if "strikes" in top else StrikePolicy()
        spam = self.spam(top["spam"][1]) if "spam" in top else SpamPolicy()
        exempt: frozenset[str] = frozenset()
        if "moderators_exempt" in top:
            vnode = top["moderators_exempt"][1]
            items = self.strings(vnode, "moderators_exempt")
            for item in items:
                self.check_category(vnode, "moderators_exempt", item)
            for care in sorted(CARE_CATEGORIES & set(items)):
                raise self.fail(vnode, "moderators_exempt", f"moderators get {care} care too; "
                                f"remove '{care}' from this list")
            exempt = frozenset(items)
        rules = self.rules(top["rules"][1]) if "rules" in top else ()
        channels: dict[str, Override] = {}
        if "channels" in top:
            channels = self.channel_map(top["channels"][1], "channels")
        groups: dict[str, tuple[Override, dict[str, Override]]] = {}
        if "groups" in top:
            for gid, (_gk, gnode) in self.mapping(top["groups"][1], "groups").items():
                key = f"groups.{gid}"
                body = self.mapping(gnode, key, ("categories", "channels"))
                ov = Override()
                if "categories" in body:
                    ov.categories = self.overrides(body["categories"][1], f"{key}.categories")
                chans = (self.channel_map(body["channels"][1], f"{key}.channels")
                         if "channels" in body else {})
                groups[gid] = (ov, chans)
        return Policy(self.source, name, categories, strikes, spam, rules, exempt, channels,
                      groups, self.text)

    def check_category(self, node: yaml.Node, key: str, name: str) -> None:
        if name not in CATEGORIES:
            close = difflib.get_close_matches(name, CATEGORIES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(node, key, f"unknown category '{name}'{hint}; the categories are "
                            + ", ".join(CATEGORIES))

    _CAT_KEYS = ("action", "mild", "severe", "strike", "enabled", "guideline")

    def categories(self, node: yaml.Node) -> dict[str, CategoryPolicy]:
        body = self.mapping(node, "categories")
        out: dict[str, CategoryPolicy] = {}
        for cat, (knode, vnode) in body.items():
            self.check_category(knode, f"categories.{cat}", cat)
            fields = self.category_fields(vnode, f"categories.{cat}", cat)
            if "action" not in fields:
                raise self.fail(vnode, f"categories.{cat}.action", "is missing")
            action = fields["action"]
            out[cat] = CategoryPolicy(action=action, mild=fields.get("mild", action),
                                      severe=fields.get("severe", action),
                                      strike=fields.get("strike", 0.0),
                                      enabled=fields.get("enabled", True),
                                      guideline=fields.get("guideline", ""))
        if "distress" not in out:  # (policies written before the care tier existed)
            out["distress"] = CategoryPolicy(Action.CARE, Action.CARE, Action.CARE,
                                             guideline=DISTRESS_GUIDELINE)
        missing = [c for c in CATEGORIES if c not in out]
        if missing:
            raise self.fail(node, "categories", "missing categories: " + ", ".join(missing))
        return out

    def category_fields(self, node: yaml.Node, key: str, cat: str) -> dict[str, Any]:
        body = self.mapping(node, key, self._CAT_KEYS)
        fields: dict[str, Any] = {}
        for name, (_k, v) in body.items():
            dotted = f"{key}.{name}"
            if name in ("action", "mild", "severe"):
                act = self.action(v, dotted)
                if cat == "crisis" and act is not Action.SUPPORT:
                    raise self.fail(v, dotted, "crisis messages always get support (a private, "
                                    "warm reply and a moderator alert), never "
                                    f"'{act.value}'")
                if cat != "crisis" and act is Action.SUPPORT:
                    raise self.fail(v, dotted, "'support' is the crisis path; use nudge, remove, "
                                    "timeout or escalate")
                if cat == "distress" and act not in (Action.CARE, Action.ALLOW):
                    raise self.fail(v, dotted, "a member in distress gets 'care' (a short, kind "
                                    "private note) or, where the group prefers, 'allow'; never "
                                    f"'{act.value}'")
                if cat != "distress" and act is Action.CARE:
                    raise self.fail(v, dotted, "'care' is the note for a member in distress; use "
                                    "nudge, remove, timeout or escalate")
                fields[name] = act
            elif name == "strike":
                fields[name] = self.number(v, dotted, 0, 100)
                if cat in CARE_CATEGORIES and fields[name]:
                    raise self.fail(v, dotted, f"a {cat} message never counts as a strike")
            elif name == "enabled":
                fields[name] = self.boolean(v, dotted)
                if cat == "crisis" and not fields[name]:
                    raise self.fail(v, dotted, "crisis support cannot be switched off")
            else:
                fields[name] = self.string(v, dotted)
        return fields

    def overrides(self, node: yaml.Node, key: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for cat, (knode, vnode) in self.mapping(node, key).items():
            self.check_category(knode, f"{key}.{cat}", cat)
            out[cat] = self.category_fields(vnode, f"{key}.{cat}", cat)
            if "action" in out[cat]:  # a new action also sets mild/severe unless given
                out[cat].setdefault("mild", out[cat]["action"])
                out[cat].setdefault("severe", out[cat]["action"])
        return out

    def channel_map(self, node: yaml.Node, key: str) -> dict[str, Override]:
        out: dict[str, Override] = {}
        for name, (_k, vnode) in self.mapping(node, key).items():
            ckey = f"{key}.{name}"
            body = self.mapping(vnode, ckey, ("categories", "require_content_note"))
            ov = Override()
            if "categories" in body:
                ov.categories = self.overrides(body["categories"][1], f"{ckey}.categories")
            if "require_content_note" in body:
                ov.require_content_note = self.boolean(body["require_content_note"][1],
                                                       f"{ckey}.require_content_note")
            out[name.lstrip("#").lower()] = ov
        return out

    def strikes(self, node: yaml.Node) -> StrikePolicy:
        body = self.mapping(node, "strikes", ("half_life_days", "thresholds"))
        half = (self.number(body["half_life_days"][1], "strikes.half_life_days", 0.1, 3650)
                if "half_life_days" in body else 30.0)
        thresholds: list[Threshold] = []
        if "thresholds" in body:
            tnode = body["thresholds"][1]
            if not isinstance(tnode, yaml.SequenceNode):
                raise self.fail(tnode, "strikes.thresholds", "must be a list")
            for i, item in enumerate(tnode.value):
                key = f"strikes.thresholds[{i}]"
                t = self.mapping(item, key, ("points", "action", "minutes"))
                for need in ("points", "action"):
                    if need not in t:
                        raise self.fail(item, f"{key}.{need}", "is missing")
                act = self.action(t["action"][1], f"{key}.action")
                if act not in (Action.NUDGE, Action.TIMEOUT, Action.ESCALATE):
                    raise self.fail(t["action"][1], f"{key}.action",
                                    "a threshold can nudge, timeout or escalate")
                minutes = int(self.number(t["minutes"][1], f"{key}.minutes", 1, 40320)
                              ) if "minutes" in t else 0
                if act is Action.TIMEOUT and not minutes:
                    raise self.fail(item, f"{key}.minutes", "a timeout needs minutes")
                thresholds.append(Threshold(self.number(t["points"][1], f"{key}.points",
                                                        0.1, 1000), act, minutes))
        thresholds.sort(key=lambda t: t.points)
        return StrikePolicy(half, tuple(thresholds))

    def spam(self, node: yaml.Node) -> SpamPolicy:
        keys = ("score_threshold", "mass_mentions", "allow_invites", "flood", "repeats",
                "history_per_member", "max_members")
        body = self.mapping(node, "spam", keys)
        sp = SpamPolicy()
        changes: dict[str, Any] = {}
        if "score_threshold" in body:
            changes["score_threshold"] = self.number(body["score_threshold"][1],
                                                     "spam.score_threshold", 1, 100)
        if "mass_mentions" in body:
            changes["mass_mentions"] = int(self.number(body["mass_mentions"][1],
                                                       "spam.mass_mentions", 2, 1000))
        if "allow_invites" in body:
            changes["allow_invites"] = self.boolean(body["allow_invites"][1], "spam.allow_invites")
        if "history_per_member" in body:
            changes["history_per_member"] = int(self.number(
                body["history_per_member"][1], "spam.history_per_member", 2, 1000))
        if "max_members" in body:
            changes["max_members"] = int(self.number(body["max_members"][1], "spam.max_members",
                                                     10, 1_000_000))
        if "flood" in body:
            f = self.mapping(body["flood"][1], "spam.flood", ("messages", "seconds"))
            if "messages" in f:
                changes["flood_messages"] = int(self.number(f["messages"][1],
                                                            "spam.flood.messages", 2, 1000))
            if "seconds" in f:
                changes["flood_seconds"] = self.number(f["seconds"][1], "spam.flood.seconds",
                                                       1, 3600)
        if "repeats" in body:
            r = self.mapping(body["repeats"][1], "spam.repeats", ("count", "seconds"))
            if "count" in r:
                changes["repeat_count"] = int(self.number(r["count"][1], "spam.repeats.count",
                                                          2, 1000))
            if "seconds" in r:
                changes["repeat_seconds"] = self.number(r["seconds"][1], "spam.repeats.seconds",
                                                        1, 86400)
        return replace(sp, **changes)

    def rules(self, node: yaml.Node) -> tuple[Rule, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "rules", "must be a list of rules")
        if len(node.value) > MAX_RULES:
            raise self.fail(node, "rules", f"at most {MAX_RULES} rules")
        out: list[Rule] = []
        seen: set[str] = set()
        opts = re2.Options()
        opts.log_errors = False
        opts.max_mem = 8 << 20
        for i, item in enumerate(node.value):
            key = f"rules[{i}]"
            body = self.mapping(item, key, ("id", "category", "severity", "words", "regex",
                                            "channels", "description"))
            for need in ("id", "category"):
                if need not in body:
                    raise self.fail(item, f"{key}.{need}", "is missing")
            rid = self.string(body["id"][1], f"{key}.id")
            if rid in seen:
                raise self.fail(body["id"][1], f"{key}.id", f"rule id '{rid}' is used twice")
            seen.add(rid)
            key = f"rules[{i}] ({rid})"
            cat = self.string(body["category"][1], f"{key}.category")
            self.check_category(body["category"][1], f"{key}.category", cat)
            if cat == "crisis":
                raise self.fail(body["category"][1], f"{key}.category", "custom rules cannot "
                                "add crisis signals; the built-in crisis check always runs")
            sev = int(self.number(body["severity"][1], f"{key}.severity", 1, 3)
                      ) if "severity" in body else 2
            words: tuple[str, ...] = ()
            if "words" in body:
                from groupbot.moderation.normalise import normalise  # no cycle at import

                words = tuple(w for w in (normalise(x).flat.strip()
                                          for x in self.strings(body["words"][1], f"{key}.words"))
                              if w)
            patterns: list[Any] = []
            if "regex" in body:
                rnode = body["regex"][1]
                for pat in self.strings(rnode, f"{key}.regex"):
                    if len(pat) > MAX_REGEX_LEN:
                        raise self.fail(rnode, f"{key}.regex",
                                        f"a pattern may be at most {MAX_REGEX_LEN} characters")
                    try:
                        patterns.append(re2.compile(pat, opts))
                    except re2.error as exc:
                        msg = exc.args[0] if exc.args else exc
                        if isinstance(msg, bytes):
                            msg = msg.decode("utf-8", "replace")
                        raise self.fail(rnode, f"{key}.regex", f"pattern {pat!r} is not a valid "
                                        f"RE2 expression ({msg}); RE2 has no look-around or "
                                        "back-references, which is what keeps it fast") from None
            if not words and not patterns:
                raise self.fail(item, key, "a rule needs 'words' or 'regex'")
            channels = (tuple(c.lstrip("#").lower() for c in
                              self.strings(body["channels"][1], f"{key}.channels"))
                        if "channels" in body else ())
            desc = self.string(body["description"][1], f"{key}.description") \
                if "description" in body else ""
            out.append(Rule(rid, cat, sev, words, tuple(patterns), channels, desc))
        return tuple(out)
