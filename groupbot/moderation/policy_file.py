"""Reading a policy file: the YAML checked part by part, every mistake reported at once with
its file, line and key (read from the YAML node marks), and the `Policy` built from it.

The shipped policy is `groupbot/data/policy.yaml`; a group may load its own (`/mod policy`).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import re2
import yaml

from groupbot.core.errors import NESTED_TOO_DEEPLY, ContentError, ContentErrors
from groupbot.core.yaml_text import compose_yaml
from groupbot.moderation.policy import (
    ACTIONS,
    DISTRESS_GUIDELINE,
    MAX_REGEX_LEN,
    MAX_RULES,
    CategoryPolicy,
    Override,
    Policy,
    Rule,
    SpamPolicy,
    StrikePolicy,
    Threshold,
)
from groupbot.moderation.verdict import CARE_CATEGORIES, CATEGORIES, HOLD_CATEGORIES, Action

log = logging.getLogger(__name__)


class PolicyErrors(ContentErrors):
    """Every problem found in a policy file, in the order found (`errors`). As a ContentError
    it is the first one (`path`, `line`, `field`); its message lists them all, one a line,
    each naming the file, the line and the key."""


def default_policy_path() -> Path:
    return Path(str(resources.files("groupbot") / "data" / "policy.yaml"))


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return load_policy(default_policy_path())


def load_policy(path: str | Path) -> Policy:
    """Read and check a policy file. Raises `PolicyErrors` listing every problem found."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise PolicyErrors([ContentError(str(p), "the policy file does not exist")]) from None
    except OSError as exc:
        raise PolicyErrors([ContentError(str(p), "cannot read the policy file: "
                                         f"{exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyErrors([ContentError(str(p), "the policy file is not UTF-8 text")]) from None
    return parse_policy(text, str(p))


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Check a policy and build it. Every mistake that can be found in one reading is
    reported (`PolicyErrors`), not only the first: one mistake never hides the next."""
    try:
        node = compose_yaml(text, source)
    except ContentError as exc:
        raise PolicyErrors([exc]) from None
    if node is None:
        raise PolicyErrors([ContentError(source, "the policy file is empty")])
    builder = _Builder(source, text)
    try:
        policy = builder.build(node)
    except ContentError as exc:  # a problem that stops the reading (the top is not a mapping)
        builder.errors.append(exc)
        policy = None
    except RecursionError:  # (the builder follows the policy's shape, but to be sure)
        raise PolicyErrors([ContentError(source, NESTED_TOO_DEEPLY)]) from None
    if builder.errors or policy is None:
        raise PolicyErrors(builder.errors)
    return policy


_T = TypeVar("_T")


class _Builder:
    """Reads the composed YAML. Each part (a field, a category, a rule, a threshold, an
    override) is checked on its own: its mistake is recorded in `errors` and the reading goes
    on with the next part. A part with a mistake is left out, so nothing is built from it."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self._loader = yaml.SafeLoader("")
        self.errors: list[ContentError] = []
        # dotted keys an unknown key was probably meant as ("did you mean"): not reported
        # again as missing
        self._meant: set[str] = set()

    # -- helpers
    def fail(self, node: yaml.Node, key: str, message: str) -> ContentError:
        return ContentError(self.source, message, node.start_mark.line + 1, key)

    def note(self, node: yaml.Node, key: str, message: str) -> None:
        """Record a mistake and read on."""
        self.errors.append(self.fail(node, key, message))

    def take(self, fn: Callable[..., _T], *args: Any) -> _T | None:
        """`fn(*args)`, or None with its mistake recorded."""
        try:
            return fn(*args)
        except _Skipped:
            return None
        except ContentError as exc:
            self.errors.append(exc)
            return None

    def _unknown(self, name: str, known: Iterable[str], parent: str) -> str:
        """' (did you mean 'x'?)' for a close known name, remembered as probably meant."""
        close = difflib.get_close_matches(name, list(known), n=1)
        if not close:
            return ""
        self._meant.add(f"{parent}.{close[0]}" if parent else close[0])
        return f" (did you mean '{close[0]}'?)"

    def meant(self, dotted: str) -> bool:
        return dotted in self._meant

    def mapping(self, node: yaml.Node, key: str,
                allowed: Iterable[str] | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of a mapping; an unknown or repeated key is recorded and left out."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "must be a mapping of keys to values")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        allowed_list = list(allowed) if allowed is not None else None
        for knode, vnode in node.value:
            raw = self.take(self.scalar, knode, key)
            if raw is None:
                continue
            name = str(raw)
            dotted = f"{key}.{name}" if key else name
            if allowed_list is not None and name not in allowed_list:
                hint = self._unknown(name, allowed_list, key)
                self.note(knode, dotted, f"unknown key '{name}'{hint}; expected one of "
                          + ", ".join(allowed_list))
                continue
            if name in out:
                self.note(knode, dotted, "appears twice")
                continue
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

    def integer(self, node: yaml.Node, key: str, lo: float, hi: float) -> int:
        return int(self.number(node, key, lo, hi))

    def boolean(self, node: yaml.Node, key: str) -> bool:
        v = self.scalar(node, key)
        if not isinstance(v, bool):
            raise self.fail(node, key, f"must be true or false, not {v!r}")
        return v

    def action(self, node: yaml.Node, key: str) -> Action:
        v = self.scalar(node, key)
        if not isinstance(v, str) or v.lower() not in ACTIONS:
            raise self.fail(node, key, f"unknown action {v!r}; use one of "
                            + ", ".join(ACTIONS))
        return ACTIONS[v.lower()]

    def strings(self, node: yaml.Node, key: str) -> list[str]:
        """A list of text items (or one); a bad item is recorded and left out."""
        if isinstance(node, yaml.ScalarNode):
            return [self.string(node, key)]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "must be a list of text items")
        found = (self.take(self.string, item, key) for item in node.value)
        return [s for s in found if s is not None]

    # -- sections
    def build(self, node: yaml.Node) -> Policy | None:
        """The policy, or None when a mistake was recorded."""
        top = self.mapping(node, "", ("version", "name", "categories", "strikes", "spam",
                                      "moderators_exempt", "rules", "channels", "groups"))
        if "version" in top:
            self.take(self.version, top["version"][1])
        name = self.take(self.string, top["name"][1], "name") if "name" in top else "policy"
        categories: dict[str, CategoryPolicy] | None = None
        if "categories" not in top:
            if not self.meant("categories"):
                self.note(node, "categories", "is missing: every policy sets an action for "
                          "each category")
        else:
            categories = self.take(self.categories, top["categories"][1])
        strikes = (self.take(self.strikes, top["strikes"][1]) if "strikes" in top
                   else StrikePolicy())
        spam = self.take(self.spam, top["spam"][1]) if "spam" in top else SpamPolicy()
        exempt: frozenset[str] | None = frozenset()
        if "moderators_exempt" in top:
            exempt = self.take(self.exempt, top["moderators_exempt"][1])
        rules = self.take(self.rules, top["rules"][1]) if "rules" in top else ()
        channels: dict[str, Override] | None = {}
        if "channels" in top:
            channels = self.take(self.channel_map, top["channels"][1], "channels")
        groups: dict[str, tuple[Override, dict[str, Override]]] | None = {}
        if "groups" in top:
            groups = self.take(self.groups, top["groups"][1])
        if (self.errors or name is None or categories is None or strikes is None or spam is None
                or exempt is None or rules is None or channels is None or groups is None):
            return None
        return Policy(self.source, name, categories, strikes, spam, rules, exempt, channels,
                      groups, self.text)

    def version(self, node: yaml.Node) -> int:
        v = self.scalar(node, "version")
        if v != 1:
            raise self.fail(node, "version", f"unsupported version {v!r} "
                            "(this groupbot reads version 1)")
        return 1

    def exempt(self, vnode: yaml.Node) -> frozenset[str] | None:
        items = self.strings(vnode, "moderators_exempt")
        ok = True
        for item in items:
            ok = self.take(self.check_category, vnode, "moderators_exempt", item) is not None \
                and ok
        for care in sorted(CARE_CATEGORIES & set(items)):
            ok = False
            self.note(vnode, "moderators_exempt", f"moderators get {care} care too; "
                      f"remove '{care}' from this list")
        return frozenset(items) if ok else None

    def groups(self, node: yaml.Node) -> dict[str, tuple[Override, dict[str, Override]]]:
        out: dict[str, tuple[Override, dict[str, Override]]] = {}
        for gid, (_gk, gnode) in self.mapping(node, "groups").items():
            found = self.take(self.group, gnode, f"groups.{gid}")
            if found is not None:
                out[gid] = found
        return out

    def group(self, gnode: yaml.Node, key: str) -> tuple[Override, dict[str, Override]]:
        body = self.mapping(gnode, key, ("categories", "channels"))
        ov = Override()
        if "categories" in body:
            ov.categories = self.take(self.overrides, body["categories"][1],
                                      f"{key}.categories") or {}
        chans: dict[str, Override] = {}
        if "channels" in body:
            chans = self.take(self.channel_map, body["channels"][1], f"{key}.channels") or {}
        return ov, chans

    def check_category(self, node: yaml.Node, key: str, name: str) -> str:
        if name not in CATEGORIES:
            parent = key.rpartition(".")[0] if key.endswith(f".{name}") else key
            hint = self._unknown(name, CATEGORIES, parent)
            raise self.fail(node, key, f"unknown category '{name}'{hint}; the categories are "
                            + ", ".join(CATEGORIES))
        return name

    _CAT_KEYS = ("action", "mild", "severe", "strike", "enabled", "guideline")

    def categories(self, node: yaml.Node) -> dict[str, CategoryPolicy]:
        body = self.mapping(node, "categories")
        out: dict[str, CategoryPolicy] = {}
        given: set[str] = set()  # named in the file, even with a mistake: not "missing"
        for cat, (knode, vnode) in body.items():
            given.add(cat)
            key = f"categories.{cat}"
            if self.take(self.check_category, knode, key, cat) is None:
                continue
            got = self.take(self.category_fields, vnode, key, cat)
            if got is None:
                continue
            fields, failed = got
            if "action" not in fields:
                if "action" not in failed and not self.meant(f"{key}.action"):
                    self.note(vnode, f"{key}.action", "is missing")
                continue
            action = fields["action"]
            out[cat] = CategoryPolicy(action=action, mild=fields.get("mild", action),
                                      severe=fields.get("severe", action),
                                      strike=fields.get("strike", 0.0),
                                      enabled=fields.get("enabled", True),
                                      guideline=fields.get("guideline", ""))
        if "distress" not in given:  # (policies written before the care tier existed)
            out["distress"] = CategoryPolicy(Action.CARE, Action.CARE, Action.CARE,
                                             guideline=DISTRESS_GUIDELINE)
        missing = [c for c in CATEGORIES
                   if c not in given and c not in out and not self.meant(f"categories.{c}")]
        if missing:
            self.note(node, "categories", "missing categories: " + ", ".join(missing))
        return out

    def category_fields(self, node: yaml.Node, key: str,
                        cat: str) -> tuple[dict[str, Any], set[str]]:
        """The fields that check out, and the names of those that do not."""
        body = self.mapping(node, key, self._CAT_KEYS)
        fields: dict[str, Any] = {}
        failed: set[str] = set()
        for name, (_k, v) in body.items():
            value = self.take(self.category_field, v, f"{key}.{name}", cat, name)
            if value is None:
                failed.add(name)
            else:
                fields[name] = value
        return fields, failed

    def category_field(self, v: yaml.Node, dotted: str, cat: str, name: str) -> Any:
        if name in ("action", "mild", "severe"):
            act = self.action(v, dotted)
            if cat == "crisis" and act is not Action.SUPPORT:
                raise self.fail(v, dotted, "crisis messages always get support (a private, "
                                "warm reply and a moderator alert), never "
                                f"'{act.value}'")
            if cat != "crisis" and act is Action.SUPPORT:
                raise self.fail(v, dotted, "'support' is the crisis path; use nudge, remove, "
                                + ("hold, " if cat in HOLD_CATEGORIES else "")
                                + "timeout or escalate")
            if cat == "distress" and act not in (Action.CARE, Action.ALLOW):
                raise self.fail(v, dotted, "a member in distress gets 'care' (a short, kind "
                                "private note) or, where the group prefers, 'allow'; never "
                                f"'{act.value}'")
            if cat != "distress" and act is Action.CARE:
                raise self.fail(v, dotted, "'care' is the note for a member in distress; use "
                                "nudge, remove, "
                                + ("hold, " if cat in HOLD_CATEGORIES else "")
                                + "timeout or escalate")
            if act is Action.HOLD and cat not in HOLD_CATEGORIES:
                raise self.fail(v, dotted, "'hold' (removed until a moderator restores it or "
                                "confirms the removal) is for "
                                + ", ".join(c for c in CATEGORIES if c in HOLD_CATEGORIES)
                                + f"; never for {cat}")
            return act
        if name == "strike":
            weight = self.number(v, dotted, 0, 100)
            if cat in CARE_CATEGORIES and weight:
                raise self.fail(v, dotted, f"a {cat} message never counts as a strike")
            return weight
        if name == "enabled":
            enabled = self.boolean(v, dotted)
            if cat == "crisis" and not enabled:
                raise self.fail(v, dotted, "crisis support cannot be switched off")
            return enabled
        return self.string(v, dotted)

    def overrides(self, node: yaml.Node, key: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for cat, (knode, vnode) in self.mapping(node, key).items():
            if self.take(self.check_category, knode, f"{key}.{cat}", cat) is None:
                continue
            got = self.take(self.category_fields, vnode, f"{key}.{cat}", cat)
            if got is None:
                continue
            out[cat] = got[0]
            if "action" in out[cat]:  # a new action also sets mild/severe unless given
                out[cat].setdefault("mild", out[cat]["action"])
                out[cat].setdefault("severe", out[cat]["action"])
        return out

    def channel_map(self, node: yaml.Node, key: str) -> dict[str, Override]:
        out: dict[str, Override] = {}
        for name, (_k, vnode) in self.mapping(node, key).items():
            ov = self.take(self.channel_override, vnode, f"{key}.{name}")
            if ov is not None:
                out[name.lstrip("#").lower()] = ov
        return out

    def channel_override(self, vnode: yaml.Node, ckey: str) -> Override:
        body = self.mapping(vnode, ckey, ("categories", "require_content_note"))
        ov = Override()
        if "categories" in body:
            ov.categories = self.take(self.overrides, body["categories"][1],
                                      f"{ckey}.categories") or {}
        if "require_content_note" in body:
            ov.require_content_note = self.take(self.boolean, body["require_content_note"][1],
                                                f"{ckey}.require_content_note")
        return ov

    def strikes(self, node: yaml.Node) -> StrikePolicy:
        body = self.mapping(node, "strikes", ("half_life_days", "thresholds"))
        half: float | None = 30.0
        if "half_life_days" in body:
            half = self.take(self.number, body["half_life_days"][1], "strikes.half_life_days",
                             0.1, 3650)
        thresholds: list[Threshold] = []
        if "thresholds" in body:
            tnode = body["thresholds"][1]
            if not isinstance(tnode, yaml.SequenceNode):
                raise self.fail(tnode, "strikes.thresholds", "must be a list")
            for i, item in enumerate(tnode.value):
                found = self.take(self.threshold, item, f"strikes.thresholds[{i}]")
                if found is not None:
                    thresholds.append(found)
        thresholds.sort(key=lambda t: t.points)
        return StrikePolicy(half if half is not None else 30.0, tuple(thresholds))

    def threshold(self, item: yaml.Node, key: str) -> Threshold:
        t = self.mapping(item, key, ("points", "action", "minutes"))
        for need in ("points", "action"):
            if need not in t and not self.meant(f"{key}.{need}"):
                self.note(item, f"{key}.{need}", "is missing")
        act = self.take(self.action, t["action"][1], f"{key}.action") if "action" in t else None
        if act is not None and act not in (Action.NUDGE, Action.TIMEOUT, Action.ESCALATE):
            self.note(t["action"][1], f"{key}.action", "a threshold can nudge, timeout or "
                      "escalate")
            act = None
        minutes: int | None = 0
        if "minutes" in t:
            minutes = self.take(self.integer, t["minutes"][1], f"{key}.minutes", 1, 40320)
        elif act is Action.TIMEOUT:
            self.note(item, f"{key}.minutes", "a timeout needs minutes")
            minutes = None
        points = (self.take(self.number, t["points"][1], f"{key}.points", 0.1, 1000)
                  if "points" in t else None)
        if act is None or points is None or minutes is None:
            raise _Skipped()
        return Threshold(points, act, minutes)

    def spam(self, node: yaml.Node) -> SpamPolicy:
        keys = ("score_threshold", "mass_mentions", "allow_invites", "flood", "repeats",
                "history_per_member", "max_members")
        body = self.mapping(node, "spam", keys)
        changes: dict[str, Any] = {}

        def read(field_name: str, key: str, fn: Callable[..., Any], vnode: yaml.Node,
                 *args: Any) -> None:
            value = self.take(fn, vnode, key, *args)
            if value is not None:
                changes[field_name] = value

        if "score_threshold" in body:
            read("score_threshold", "spam.score_threshold", self.number,
                 body["score_threshold"][1], 1, 100)
        if "mass_mentions" in body:
            read("mass_mentions", "spam.mass_mentions", self.integer, body["mass_mentions"][1],
                 2, 1000)
        if "allow_invites" in body:
            read("allow_invites", "spam.allow_invites", self.boolean, body["allow_invites"][1])
        if "history_per_member" in body:
            read("history_per_member", "spam.history_per_member", self.integer,
                 body["history_per_member"][1], 2, 1000)
        if "max_members" in body:
            read("max_members", "spam.max_members", self.integer, body["max_members"][1],
                 10, 1_000_000)
        if "flood" in body:
            f = self.take(self.mapping, body["flood"][1], "spam.flood", ("messages", "seconds"))
            if f and "messages" in f:
                read("flood_messages", "spam.flood.messages", self.integer, f["messages"][1],
                     2, 1000)
            if f and "seconds" in f:
                read("flood_seconds", "spam.flood.seconds", self.number, f["seconds"][1],
                     1, 3600)
        if "repeats" in body:
            r = self.take(self.mapping, body["repeats"][1], "spam.repeats", ("count", "seconds"))
            if r and "count" in r:
                read("repeat_count", "spam.repeats.count", self.integer, r["count"][1], 2, 1000)
            if r and "seconds" in r:
                read("repeat_seconds", "spam.repeats.seconds", self.number, r["seconds"][1],
                     1, 86400)
        return replace(SpamPolicy(), **changes)

    def rules(self, node: yaml.Node) -> tuple[Rule, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "rules", "must be a list of rules")
        if len(node.value) > MAX_RULES:
            raise self.fail(node, "rules", f"at most {MAX_RULES} rules")
        out: list[Rule] = []
        seen: set[str] = set()
        for i, item in enumerate(node.value):
            rule = self.take(self.rule, item, i, seen)
            if rule is not None:
                out.append(rule)
        return tuple(out)

    def rule(self, item: yaml.Node, i: int, seen: set[str]) -> Rule:
        key = f"rules[{i}]"
        errors_before = len(self.errors)
        body = self.mapping(item, key, ("id", "category", "severity", "words", "regex",
                                        "channels", "description"))
        for need in ("id", "category"):
            if need not in body and not self.meant(f"{key}.{need}"):
                self.note(item, f"{key}.{need}", "is missing")
        rid = self.take(self.string, body["id"][1], f"{key}.id") if "id" in body else None
        if rid is not None:
            if rid in seen:
                self.note(body["id"][1], f"{key}.id", f"rule id '{rid}' is used twice")
            seen.add(rid)
            key = f"rules[{i}] ({rid})"
        cat = None
        if "category" in body:
            cnode = body["category"][1]
            cat = self.take(self.string, cnode, f"{key}.category")
            if cat is not None and self.take(self.check_category, cnode, f"{key}.category",
                                             cat) is None:
                cat = None
            if cat == "crisis":
                self.note(cnode, f"{key}.category", "custom rules cannot add crisis signals; "
                          "the built-in crisis check always runs")
        sev = (self.take(self.integer, body["severity"][1], f"{key}.severity", 1, 3)
               if "severity" in body else 2)
        words: tuple[str, ...] = ()
        if "words" in body:
            from groupbot.moderation.normalise import normalise  # no cycle at import

            given = self.take(self.strings, body["words"][1], f"{key}.words") or []
            words = tuple(w for w in (normalise(x).flat.strip() for x in given) if w)
        patterns: list[Any] = []
        if "regex" in body:
            rnode = body["regex"][1]
            for pat in self.take(self.strings, rnode, f"{key}.regex") or []:
                compiled = self.take(self.pattern, rnode, f"{key}.regex", pat)
                if compiled is not None:
                    patterns.append(compiled)
        if not words and not patterns and len(self.errors) == errors_before:
            self.note(item, key, "a rule needs 'words' or 'regex'")
        channels: tuple[str, ...] = ()
        if "channels" in body:
            channels = tuple(c.lstrip("#").lower() for c in
                             self.take(self.strings, body["channels"][1], f"{key}.channels")
                             or [])
        desc = ""
        if "description" in body:
            desc = self.take(self.string, body["description"][1], f"{key}.description") or ""
        if len(self.errors) > errors_before or rid is None or cat is None or sev is None:
            raise _Skipped()
        return Rule(rid, cat, sev, words, tuple(patterns), channels, desc)

    def pattern(self, rnode: yaml.Node, key: str, pat: str) -> Any:
        if len(pat) > MAX_REGEX_LEN:
            raise self.fail(rnode, key, f"a pattern may be at most {MAX_REGEX_LEN} characters")
        opts = re2.Options()
        opts.log_errors = False
        opts.max_mem = 8 << 20
        try:
            return re2.compile(pat, opts)
        except re2.error as exc:
            msg = exc.args[0] if exc.args else exc
            if isinstance(msg, bytes):
                msg = msg.decode("utf-8", "replace")
            raise self.fail(rnode, key, f"pattern {pat!r} is not a valid RE2 expression "
                            f"({msg}); RE2 has no look-around or back-references, which is "
                            "what keeps it fast") from None


class _Skipped(ContentError):
    """A part whose mistakes are already recorded: leave it out, record nothing more."""

    def __init__(self) -> None:
        super().__init__("", "skipped")
