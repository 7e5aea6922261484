"""`decide(text, context) -> Verdict`: the pure moderation function.

Crisis runs first and wins: a message showing crisis gets `support`, never removal, a
timeout or a strike, whatever else it contains. Everything else maps findings to the
ladder through the policy in force for the group and channel. Any failure inside falls
open to `escalate` with `error` set and the error logged: a member's message is never
dropped silently because the engine broke.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from groupbot.moderation import abuse, care, crisis, pii, spam, structure
from groupbot.moderation.findings import RECEIVED_THREAT, Finding, Span
from groupbot.moderation.matcher import (
    CRISIS,
    OTHER,
    RULE,
    SPAM,
    SPAM_HINT,
    STREET,
    Hit,
    Matcher,
)
from groupbot.moderation.names import FoldedNames, fold_names
from groupbot.moderation.normalise import (
    Normalised,
    normalise,
    without_quotes,
)
from groupbot.moderation.policy import Policy, Rule
from groupbot.moderation.policy_file import default_policy, load_policy
from groupbot.moderation.reading import Reading
from groupbot.moderation.reading import read as read_message
from groupbot.moderation.verdict import _RANK, CARE_CATEGORIES, Action, Verdict
from groupbot.moderation.vocabulary import speller

log = logging.getLogger(__name__)

# What `hold` means, in plain words, after the policy's reason for it.
HELD: Final = ": removed at once and held until a moderator restores it or confirms the removal"
_ORDER: Final = ("crisis", "distress", "threat", "hate", "harassment", "sexual", "pii", "spam",
          "profanity", "")


@dataclass(frozen=True, slots=True)
class ModerationContext:
    """Everything `decide` may look at besides the text. `history` is a snapshot of the
    author's recent (time, fingerprint) pairs, oldest first; None means judge alone."""

    policy: Policy
    group_id: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    author_id: str | None = None
    author_is_moderator: bool = False
    mentions: tuple[str, ...] = ()
    member_names: frozenset[str] = frozenset()
    history: tuple[tuple[float, int], ...] | None = None
    now: float = 0.0


class _Compiled:
    """What a policy needs at run time, built once at load."""

    def __init__(self, policy: Policy) -> None:
        extra: list[tuple[str, str, int]] = []
        self.rules: dict[str, Rule] = {}
        self.regex_rules: list[Rule] = []
        # Per regex rule: literal strings one of which any match must contain (None: no
        # such set known), so most messages skip the regex engine for that rule.
        self.regex_checks: list[tuple[Rule, list[tuple[Any, frozenset[str] | None]]]] = []
        for rule in policy.rules:
            self.rules[rule.id] = rule
            extra.extend((w, f"rule:{rule.id}", rule.severity) for w in rule.words)
            if rule.patterns:
                self.regex_rules.append(rule)
                self.regex_checks.append((rule, [(p, required_literals(str(p.pattern)))
                                                 for p in rule.patterns]))
        self.matcher = _builtin_matcher() if not extra else Matcher(extra)
        # Every regex rule's required literals, when each rule has them: a message that
        # contains none of them skips the regex rules altogether (None: always run them).
        literals: set[str] | None = set()
        for _rule, checks in self.regex_checks:
            for _pattern, needed in checks:
                if needed is None or literals is None:
                    literals = None
                else:
                    literals.update(needed)
        self.regex_literals: tuple[str, ...] | None = (
            None if literals is None else tuple(sorted(literals)))
        # Verdict parts by (scope, moderator?, findings): a pure function of a small domain
        # (the same few findings recur), so the reason text is built once per combination.
        self.verdicts: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def regex_may_match(self, text: str) -> bool:
        """False when no regex rule can match `text` (none of their literals is in it)."""
        literals = self.regex_literals
        if literals is None:
            return True
        for literal in literals:  # (compiled, a plain loop beats any(map(...)))
            if literal in text:
                return True
        return False


_BUILTIN: Matcher | None = None


def _builtin_matcher() -> Matcher:
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = Matcher()
    return _BUILTIN


def compile_policy(policy: Policy) -> _Compiled:
    compiled = policy.compiled
    if compiled is None:
        compiled = _Compiled(policy)
        policy.compiled = compiled
    assert isinstance(compiled, _Compiled)
    return compiled


def decide(text: object, context: ModerationContext) -> Verdict:
    """Judge one message. Pure: the same text and context give the same verdict.
    (`text` is typed `object` so that, compiled, a wrong type still reaches the check
    inside and fails open instead of raising at the call.)"""
    try:
        return _decide(text, context)
    except Exception as exc:  # fail open, loudly
        return _failed(exc)


def _failed(exc: Exception) -> Verdict:
    log.exception("moderation engine failed on a message; escalating it to moderators")
    return Verdict(
        Action.ESCALATE, (), ("engine.error",),
        "The moderation check failed on this message, so it was left in place and "
        "moderators are asked to look at it.",
        severity=0, error=f"{type(exc).__name__}: {exc}")


def _decide(text: object, ctx: ModerationContext) -> Verdict:
    if not isinstance(text, str):
        raise TypeError(f"expected message text, got {type(text).__name__}")
    policy = ctx.policy
    # (typed: compiled, its fields and methods are then reached directly)
    compiled: _Compiled | None = policy.compiled
    if compiled is None:
        compiled = compile_policy(policy)
    norm, reading, form = _read(text)
    hits, flags = compiled.matcher.scan_flags(norm)
    signs = care.signals(reading.tokens, form)
    if signs:
        hits = [*hits, *signs]
        flags |= CRISIS
    scope = policy.scope(ctx.group_id, ctx.channel_id, ctx.channel_name)
    findings: list[Finding] = []
    care_finding: Finding | None = None
    street = (flags & STREET) != 0
    if flags & CRISIS:
        quoted: list[Hit] | None = None
        stripped = without_quotes(norm.clean)
        if stripped != norm.clean:
            bare, bare_reading, bare_form = _read(stripped)
            quoted = [h for h in (*compiled.matcher.scan(bare),
                                  *care.signals(bare_reading.tokens, bare_form))
                      if h.tag.startswith("crisis.")]
        care_finding = crisis.crisis(norm, hits, quoted, frozenset(signs))
    if flags & OTHER:
        findings.extend(abuse.abuse(norm, hits, ctx.member_names))
        if findings and findings[0] is RECEIVED_THREAT:  # (abuse puts it first)
            del findings[0]
            if care_finding is None:
                care_finding = RECEIVED_THREAT
        if flags & RULE:
            findings.extend(_word_rules(hits, compiled, ctx))
    # Slurs, slogans of hate and what is said of groups, of you and of members: read by
    # their structure (quoted, reported, reclaimed, negated, another sense).
    found_by_structure = structure.read(reading.tokens, ctx.member_names)
    if found_by_structure:
        have = {f.category for f in findings}
        for sf in found_by_structure:
            if sf.category not in have:
                have.add(sf.category)
                findings.append(Finding(sf.category, sf.rule, sf.severity, sf.note))
    if flags & OTHER:
        if scope.require_content_note:
            note = abuse.content_note(norm, hits)
            if note:
                findings.append(note)
    gates = norm.gates
    spans: list[Span]
    if not street and gates in pii.NOTHING_TO_FIND:
        spans = []  # (most chat) no "@" address, no number, no street word: nothing to find
    else:
        pii_findings, spans = pii.detect(norm.clean, street, gates)
        findings.extend(pii_findings)
    clean = norm.clean
    mentions = max(len(ctx.mentions), norm.mentions)
    # `spam.detect`'s own first gate, here to save the call for most chat: no spam wording,
    # no strong promotional word, no link; then only mentions can count.
    if (flags & (SPAM | SPAM_HINT) or "/" in clean or "http" in clean or "www." in clean
            or mentions >= policy.spam.mass_mentions or norm.everyone
            or policy.spam.score_threshold <= 0):
        findings.extend(spam.detect(norm, hits, policy.spam, mentions, (flags & SPAM) != 0,
                                    (flags & SPAM_HINT) != 0))
    if compiled.regex_rules and compiled.regex_may_match(norm.flat):
        found = _regex_rules(norm.flat[1:-1], compiled, ctx)
        if found:
            fired = {f.rule for f in findings}
            findings.extend(f for f in found if f.rule not in fired)
    fp = spam.fingerprint(norm)
    if ctx.history is not None:
        history = spam.history_findings(ctx.history, ctx.now, fp, policy.spam)
        if history:
            pleas = [h for h in hits if h.tag.startswith("plea.")]
            if pleas:  # someone calling out again, whom nobody has answered: never spam
                history = []
                if care_finding is None and not findings and any(
                        h.tag == "plea.help" and _pleading(norm, h) for h in pleas):
                    care_finding = REPEATED_PLEA  # (a plea tacked onto an insult is not one)
        findings.extend(history)
    details: dict[str, Any] = {"fingerprint": fp}
    if spans:
        details["pii"] = [tuple(s) for s in spans]
    if norm.truncated:
        details["truncated"] = True
    if care_finding is None:
        # Care before judgement, whichever reader found the sign ("I'm so useless, kys"
        # read by the abuse detector as said to oneself)
        for f in findings:
            if f.category in CARE_CATEGORIES:
                care_finding = f
                break
    if care_finding is not None:
        return _care_verdict(care_finding, [f for f in findings if f is not care_finding],
                             scope, ctx, details)
    if not findings:
        if norm.truncated:
            return Verdict(Action.ALLOW, (), (), "nothing found in the first "
                           f"{len(norm.clean)} characters (the rest was not checked)",
                           details=details)
        return _new(Verdict, (_ALLOW, (), (), "", 0, None, details))  # type: ignore[no-any-return]
    key = (id(scope), ctx.author_is_moderator, *findings)
    memo = compiled.verdicts
    parts = memo.get(key)
    if parts is None or parts[0] is not scope:
        v = _verdict(findings, scope, ctx, details)
        if len(memo) >= _VERDICT_MEMO:
            memo.clear()
        memo[key] = (scope, v.action, v.categories, v.rules, v.reason, v.severity)
        return v
    return _new(Verdict, (parts[1], parts[2], parts[3], parts[4], parts[5], None,  # type: ignore[no-any-return]
                          details))


def _read(text: str) -> tuple[Normalised, Reading, int]:
    """The normalised text with the reading's word form among its forms (misspellings and
    fillers read, for the phrase matcher), the reading, and that form's number."""
    norm = normalise(text)
    reading = read_message(norm, speller())
    if not reading.changed:
        return norm, reading, 0  # (the reading's words are the flat form's)
    forms = norm.forms()
    if reading.flat in forms:
        return norm, reading, forms.index(reading.flat)
    return norm._replace(variants=(*norm.variants, reading.flat)), reading, len(forms)


def _pleading(norm: Normalised, hit: Hit) -> bool:
    """A call for help, not a request for a hand with something ("help me understand the
    schedule", "can anyone help me with the bot")."""
    toks = norm.flat.split() if hit.form == 0 else None
    if toks is None:
        return True
    nxt = toks[hit.start + hit.length] if hit.start + hit.length < len(toks) else ""
    if nxt == "me":  # "can anyone help" + "me ..."
        nxt = toks[hit.start + hit.length + 1] if hit.start + hit.length + 1 < len(toks) else ""
    return nxt not in _TASK_AFTER


_TASK_AFTER: Final = frozenset(
    "with understand find figure set fix get learn choose decide pick write make out on to "
    "install use read edit".split())

# A call for help said again and again: never spam; the member gets the support reply.
REPEATED_PLEA: Final = Finding("crisis", "crisis.plea", 1,
                        "crisis: signs of someone asking for help again and again (severity 1)")

_VERDICT_MEMO: Final = 4096
_ALLOW: Final = Action.ALLOW
# Builds a Verdict without the NamedTuple's Python-level __new__ (once per message).
_new: Any = tuple.__new__


def _word_rules(hits: Sequence[Hit], compiled: _Compiled, ctx: ModerationContext) -> list[Finding]:
    out: list[Finding] = []
    seen: set[str] = set()
    channel = (ctx.channel_name or "").lstrip("#").lower()
    for h in hits:
        if h.tag.startswith("rule:"):
            rule = compiled.rules[h.tag[5:]]
            if rule.id in seen or (rule.channels and channel not in rule.channels
                                   and (ctx.channel_id or "") not in rule.channels):
                continue
            seen.add(rule.id)
            out.append(Finding(rule.category, f"rule.{rule.id}", rule.severity,
                               f"{rule.category}: policy rule '{rule.id}' (\"{h.phrase}\")"))
    return out


def _regex_rules(text: str, compiled: _Compiled, ctx: ModerationContext) -> list[Finding]:
    out: list[Finding] = []
    channel: str | None = None
    for rule, checks in compiled.regex_checks:
        if rule.channels:
            if channel is None:
                channel = (ctx.channel_name or "").lstrip("#").lower()
            if channel not in rule.channels and (ctx.channel_id or "") not in rule.channels:
                continue
        for pattern, needed in checks:
            if needed is not None:
                for lit in needed:
                    if lit in text:
                        break
                else:
                    continue  # cannot match: none of its required literals is in the text
            if pattern.search(text):
                out.append(Finding(rule.category, f"rule.{rule.id}", rule.severity,
                                   f"{rule.category}: policy rule '{rule.id}' (pattern)"))
                break
    return out


_sre: Any = importlib.import_module("re._parser")
_MIN_LITERAL: Final = 3


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings, one of which every match of `pattern` contains (lower-cased, as the text
    the rules read is lower-case); None when no useful set is known. A conservative
    analysis of the parsed pattern: literal runs, groups, alternations, repeats of at
    least one. Anything it does not understand makes it give up, never guess."""
    try:
        parsed = _sre.parse(pattern)
    except Exception:  # RE2-only syntax: no prefilter, the rule always runs
        return None
    found = _required(parsed)
    if found is None or min(len(s) for s in found) < _MIN_LITERAL:
        return None
    return frozenset(s.lower() for s in found)


def _required(seq: Any) -> set[str] | None:
    best: set[str] | None = None

    def consider(cands: set[str] | None) -> None:
        nonlocal best
        if cands and (best is None or min(map(len, cands)) > min(map(len, best))):
            best = cands

    run: list[str] = []
    for op, arg in seq:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        if run:
            consider({"".join(run)})
            run = []
        if name == "SUBPATTERN":
            consider(_required(arg[-1]))
        elif name == "BRANCH":
            alts = [_required(alt) for alt in arg[1]]
            if alts and all(a is not None for a in alts):
                consider(set().union(*(a for a in alts if a is not None)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            consider(_required(arg[2]))
        elif name == "AT":
            continue  # \b, ^, $: zero width, do not break a literal run's meaning
    if run:
        consider({"".join(run)})
    return best


def _care_verdict(care: Finding, others: list[Finding], scope: Any, ctx: ModerationContext,
                  details: dict[str, Any]) -> Verdict:
    """Care before judgement: a message with a sign of crisis or distress is never removed,
    timed out or counted as a strike, whatever else fires. Crisis gets `support` (the
    private reply with resources, and moderators alerted). Distress gets `care` (a short
    private note), or what the group set for it (`allow`); if the rest of the message would
    be removed, timed out or escalated, it is `escalate` instead: moderators look, nothing is
    removed, and the member still gets the care note."""
    found = {f.category for f in others}
    cats = (care.category, *(c for c in _ORDER if c and c not in CARE_CATEGORIES and c in found))
    rules = (care.rule, *dict.fromkeys(f.rule for f in others if f.category not in
                                       CARE_CATEGORIES))
    also = [f.note for f in others if f.category not in CARE_CATEGORIES]
    if care.category == "crisis":
        reason = care.note + ". Support path: a private, kind reply with resources and a " \
            "moderator alert; nothing is removed and no strike is counted."
        if also:
            reason += " Also noted: " + "; ".join(also[:3])
        return Verdict(Action.SUPPORT, cats, rules, reason, care.severity, details=details)
    rest = _verdict(others, scope, ctx, details) if also else None
    action = scope.categories["distress"].action_for(care.severity)
    if rest is not None and rest.action.rank >= Action.REMOVE.rank:
        action = Action.ESCALATE
        reason = (care.note + ". Care comes first: the message stays up and no strike is "
                  f"counted; moderators are asked to look, as the rest would be "
                  f"{rest.action.value}. Also noted: " + "; ".join(also[:3]))
    elif action is Action.CARE:
        reason = care.note + ". Care: a short, kind private note pointing to /resources; no " \
            "moderator alert."
        if also:
            reason += " Also noted: " + "; ".join(also[:3])
    else:  # the group lets distress be (a venting channel)
        if rest is not None and rest.action is not Action.ALLOW:
            return rest
        action = Action.ALLOW
        reason = care.note + " (allowed here by the policy: no note)"
    return Verdict(action, cats, rules, reason, care.severity, details=details)


def _verdict(findings: list[Finding], scope: Any, ctx: ModerationContext,
             details: dict[str, Any]) -> Verdict:
    best = Action.ALLOW
    best_rank = -1
    best_finding = findings[0]
    best_index = 0
    severity = 0
    exempt_notes: list[str] = []
    moderator = ctx.author_is_moderator
    categories = scope.categories
    for index, f in enumerate(findings):
        if not f.category:
            act = Action.NUDGE
        elif moderator and f.category in scope.exempt_moderators:
            act = Action.ALLOW
            exempt_notes.append(f.category)
        else:
            act = categories[f.category].action_for(f.severity)
        rank = _RANK[act]
        if rank > best_rank:
            best, best_rank, best_finding, best_index = act, rank, f, index
        if act is not Action.ALLOW and f.severity > severity:
            severity = f.severity
    if len(findings) == 1:
        cats: tuple[str, ...] = (best_finding.category,) if best_finding.category else ()
        rules: tuple[str, ...] = (best_finding.rule,)
        reason = best_finding.note
    else:
        found = {f.category for f in findings}
        cats = tuple(c for c in _ORDER if c and c in found)
        rules = tuple(dict.fromkeys(f.rule for f in findings))
        reason = best_finding.note
        rest = [f.note for i, f in enumerate(findings) if i != best_index]
        if rest:
            reason += "; also " + "; ".join(rest[:3])
    if best is Action.ALLOW:
        reason += " (allowed here by the policy)"
    elif best_finding.category:
        reason += f" -> {best.value} (policy for {best_finding.category}, severity " \
                  f"{best_finding.severity})"
    else:
        reason += f" -> {best.value}"
    if best is Action.HOLD:
        reason += HELD
    if exempt_notes:
        reason += " (moderator exempt from " + ", ".join(dict.fromkeys(exempt_notes)) + ")"
    return Verdict(best, cats, rules, reason, severity, details=details)


class ModerationEngine:
    """Load a policy once and judge messages; keeps the spam history for stateful use."""

    def __init__(self, policy: Policy | str | Path | None = None) -> None:
        if policy is None:
            self.policy = default_policy()
        elif isinstance(policy, Policy):
            self.policy = policy
        else:
            self.policy = load_policy(policy)
        compile_policy(self.policy)
        self.tracker = spam.SpamTracker(self.policy.spam)
        self._plain = self.context()  # the context of a message judged on its own

    def swap(self, policy: Policy) -> Policy:
        """Put `policy` in force for every message judged from now on; returns the one it
        replaces. The new policy is complete (checked and compiled) before it is put in
        place, by one assignment, and a verdict reads the policy once (through its
        context): a message is judged wholly by the old policy or wholly by the new one.
        The flood and repeat history carries over (bounded by the new spam settings)."""
        compile_policy(policy)
        old = self.policy
        if policy.spam != old.spam:
            tracker = spam.SpamTracker(policy.spam)
            for (group, author), seen in self.tracker._members.items():
                for when, fingerprint in seen:
                    tracker.record(group, author, when, fingerprint)
            self.tracker = tracker
        self.policy = policy
        return old

    def context(self, *, group_id: str | None = None, channel_id: str | None = None,
                channel_name: str | None = None, author_id: str | None = None,
                author_is_moderator: bool = False, mentions: Sequence[str] = (),
                member_names: Iterable[str] = (),
                history: tuple[tuple[float, int], ...] | None = None,
                now: float = 0.0) -> ModerationContext:
        names = (member_names if isinstance(member_names, FoldedNames)
                 else fold_names(member_names))
        return ModerationContext(self.policy, group_id, channel_id, channel_name, author_id,
                                 author_is_moderator, tuple(mentions), names, history, now)

    def decide(self, text: object, *, stateful: bool = False, now: float | None = None,
               **ctx: Any) -> Verdict:
        """Judge `text`. With `stateful`, flood/repeat history applies and is updated."""
        if not stateful and not ctx:
            if self._plain.policy is not self.policy:  # the policy was swapped
                self._plain = self.context()
            return decide(text, self._plain)
        if stateful:
            when = time.monotonic() if now is None else now
            group = ctx.get("group_id") or ""
            author = ctx.get("author_id") or ""
            ctx = {**ctx, "history": self.tracker.history(group, author, when), "now": when}
        try:
            context = self.context(**ctx)
        except Exception as exc:  # (a caller's wrong types: fail open all the same)
            return _failed(exc)
        verdict = decide(text, context)
        if not stateful:
            return verdict
        self.tracker.record(group, author, when, int(verdict.details.get("fingerprint", 0)))
        return verdict
