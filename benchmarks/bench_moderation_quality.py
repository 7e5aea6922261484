"""Moderation quality on the shared labeled data, next to better-profanity, glin-profanity
and alt-profanity-check on the same rows.

Reads ../shared/data (or $GROUPBOT_SHARED_DATA). Each data set loads on its own: a missing
file prints "skipped: <file> not found" and the other sets still run. Never prints data-set
text. Slow peers run on a fixed stride sample of the rows (every SAMPLE_STRIDE-th), and every
system is compared on that same sample; groupbot's own figures are also given on all rows.
HateCheck is small, so peers run on all of it; Reddit posts are long, so peers see every
RMHD_PEER_STRIDE-th post there. Set GROUPBOT_BENCH_FULL=1 to run peers on every row.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from groupbot.moderation.verdict import Verdict

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("GROUPBOT_SHARED_DATA", ROOT.parent / "shared" / "data"))
FULL = os.environ.get("GROUPBOT_BENCH_FULL") == "1"
SAMPLE_STRIDE = 1 if FULL else 8
CRISIS_PEER_POSTS = 10**9 if FULL else 400
# Reddit posts are long and better-profanity's time grows with length (about 0.2 s a post),
# so the peers see every 16th post of the crisis and ordinary subreddits.
RMHD_PEER_STRIDE = 1 if FULL else 16
BENCH = "moderation_quality"

DAVIDSON = "davidson_labeled_data.csv"
SMS = "SMSSpamCollection"
CSSRS = "cssrs_500_reddit.csv"
PRESIDIO = "presidio_synth_dataset_v2.json"
HATECHECK = "hatecheck_test_suite_cases.csv"
RMHD = "rmhd_27subreddits_260posts.csv"

# Reddit Mental Health Dataset: the crisis subreddit, and the everyday ones (no support
# context). Every other subreddit in the file is a support subreddit.
CRISIS_SUBREDDIT = "suicidewatch"
ORDINARY_SUBREDDITS = ("conspiracy", "guns", "legaladvice", "personalfinance", "teaching",
                       "ukpolitics", "unitedkingdom", "UKPersonalFinance")

CRISIS_LABELS = ("Ideation", "Behavior", "Attempt")
CARE_ACTIONS = ("support", "care")
PUNISH_ACTIONS = ("remove", "hold", "timeout")  # hold: removed pending review
CARE_CATEGORIES = frozenset(("crisis", "distress"))
WIDE_HATE = frozenset(("hate", "harassment", "threat"))

Flag = Callable[[str], bool]
T = TypeVar("T")


def _row(metric: str, value: float, unit: str = "ratio", peer: str | None = None,
         peer_value: float | None = None, target: str | None = None,
         met: bool | None = None) -> dict[str, Any]:
    ratio = (value / peer_value) if peer_value else None
    return {"benchmark": BENCH, "metric": metric, "value": round(value, 4), "unit": unit,
            "peer": peer, "peer_value": None if peer_value is None else round(peer_value, 4),
            "ratio": None if ratio is None else round(ratio, 3), "target": target, "met": met}


def data_dir() -> Path:
    """The shared data folder, read from the environment at call time."""
    return Path(os.environ.get("GROUPBOT_SHARED_DATA", ROOT.parent / "shared" / "data"))


# --- data -----------------------------------------------------------------------------------

def load_davidson(path: Path | None = None) -> list[tuple[str, int]]:
    with open(path or DATA / DAVIDSON, encoding="utf-8", newline="") as fh:
        return [(r["tweet"], int(r["class"])) for r in csv.DictReader(fh)]


def load_sms(path: Path | None = None) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    with open(path or DATA / SMS, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for row in reader:
            if len(row) >= 2:
                out.append(("\t".join(row[1:]), row[0].strip().lower() == "spam"))
    return out


def load_cssrs(path: Path | None = None) -> list[tuple[str, list[str]]]:
    csv.field_size_limit(1 << 30)
    out: list[tuple[str, list[str]]] = []
    with open(path or DATA / CSSRS, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            try:
                posts = ast.literal_eval(r["Post"])
                if not isinstance(posts, list):
                    posts = [str(posts)]
            except (ValueError, SyntaxError):
                posts = [r["Post"].strip("[]")]  # a few rows are not valid literals
            out.append((r["Label"], [str(p) for p in posts]))
    return out


def load_presidio(path: Path | None = None) -> list[dict[str, Any]]:
    with open(path or DATA / PRESIDIO, encoding="utf-8") as fh:
        data: list[dict[str, Any]] = json.load(fh)
    return data


class HateCase(NamedTuple):
    functionality: str
    text: str
    hateful: bool


def load_hatecheck(path: Path | None = None) -> list[HateCase]:
    with open(path or DATA / HATECHECK, encoding="utf-8", newline="") as fh:
        return [HateCase(r["functionality"], r["test_case"],
                         r["label_gold"].strip().lower() == "hateful")
                for r in csv.DictReader(fh)]


def load_rmhd(path: Path | None = None) -> list[tuple[str, str]]:
    """(subreddit, post) in file order."""
    csv.field_size_limit(1 << 30)
    with open(path or DATA / RMHD, encoding="utf-8", newline="") as fh:
        return [(r["subreddit"], r["post"]) for r in csv.DictReader(fh)]


def _load(folder: Path, name: str, loader: Callable[[Path], T]) -> T | None:
    """One data set, or None after saying why it is skipped (never with its text)."""
    path = folder / name
    if not path.is_file():
        print(f"bench_moderation_quality: skipped: {name} not found in {folder}")
        return None
    try:
        return loader(path)
    except Exception as exc:  # a broken file skips its own set only
        print(f"bench_moderation_quality: skipped: {name} could not be read "
              f"({type(exc).__name__})")
        return None


# --- metric helpers -------------------------------------------------------------------------

def is_hateful(v: Verdict) -> bool:
    """HateCheck's "hateful" in our terms: the hate category."""
    return "hate" in v.categories


def is_hateful_wide(v: Verdict) -> bool:
    """The wider reading: any category acting on abuse of a person or group."""
    return bool(WIDE_HATE.intersection(v.categories))


def shows_care(v: Verdict) -> bool:
    """A care category (crisis or distress) on the message."""
    return bool(CARE_CATEGORIES.intersection(v.categories))


def is_care(v: Verdict) -> bool:
    """Care by action (support, care) or by category (crisis, distress)."""
    return v.action.value in CARE_ACTIONS or shows_care(v)


def is_punished(v: Verdict) -> bool:
    return v.action.value in PUNISH_ACTIONS


def share(flags: Iterable[bool]) -> float:
    """Share of true flags; 0.0 when there are none."""
    items = list(flags)
    return sum(1 for f in items if f) / len(items) if items else 0.0


def accuracy(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    return share(p == g for p, g in zip(pred, gold, strict=True))


def accuracy_by_group(cases: Iterable[tuple[str, bool, bool]]) -> dict[str, tuple[float, int]]:
    """(group, predicted, gold) cases -> group: (accuracy, n), groups in first-seen order."""
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for group, pred, gold in cases:
        total[group] = total.get(group, 0) + 1
        right[group] = right.get(group, 0) + (pred == gold)
    return {g: (right[g] / n, n) for g, n in total.items()}


def rate_by_group(items: Iterable[tuple[str, bool]]) -> dict[str, tuple[float, int]]:
    """(group, flag) items -> group: (share flagged, n), groups in first-seen order."""
    hits: dict[str, int] = {}
    total: dict[str, int] = {}
    for group, flag in items:
        total[group] = total.get(group, 0) + 1
        hits[group] = hits.get(group, 0) + bool(flag)
    return {g: (hits[g] / n, n) for g, n in total.items()}


def negative_groups(cases: Iterable[tuple[str, bool]]) -> set[str]:
    """(group, gold) cases -> the groups whose every case is negative."""
    seen: set[str] = set()
    positive: set[str] = set()
    for group, gold in cases:
        seen.add(group)
        if gold:
            positive.add(group)
    return seen - positive


def worst(values: Mapping[str, float], *, highest: bool = False) -> tuple[str, float]:
    """The lowest value (the highest with highest=True) and its name; a tie goes to the
    name that sorts first, so the pick does not depend on input order."""
    if not values:
        raise ValueError("no values to pick from")
    sign = -1.0 if highest else 1.0
    name = min(sorted(values), key=lambda k: sign * values[k])
    return name, values[name]


def stride_by_group(groups: Sequence[str], wanted: Iterable[str], stride: int) -> list[int]:
    """Indices of every stride-th item within each wanted group, in input order."""
    keep = set(wanted)
    seen: dict[str, int] = defaultdict(int)
    out: list[int] = []
    for i, group in enumerate(groups):
        if group in keep:
            if seen[group] % max(1, stride) == 0:
                out.append(i)
            seen[group] += 1
    return out


def subreddit_kind(name: str) -> str:
    if name == CRISIS_SUBREDDIT:
        return "crisis"
    return "ordinary" if name in ORDINARY_SUBREDDITS else "support"


def subreddit_order(names: Iterable[str]) -> list[str]:
    """The crisis subreddit, then support ones, then ordinary ones; by name within each."""
    rank = {"crisis": 0, "support": 1, "ordinary": 2}
    return sorted(set(names), key=lambda s: (rank[subreddit_kind(s)], s.lower()))


# --- systems --------------------------------------------------------------------------------

class BatchFlag:
    """A peer flag that can also judge many texts in one call, with the same answers (for a
    model whose per-call overhead dwarfs its per-text cost)."""

    def __init__(self, many: Callable[[Sequence[str]], list[bool]]) -> None:
        self.many = many

    def __call__(self, text: str) -> bool:
        return self.many([text])[0]


def flag_all(fn: Flag, texts: Sequence[str]) -> list[bool]:
    """fn on every text, in one call when fn can take them all at once."""
    if isinstance(fn, BatchFlag):
        return fn.many(list(texts)) if texts else []
    return [bool(fn(t)) for t in texts]


def peers() -> dict[str, tuple[Flag | None, str]]:
    """name -> (flag function or None, note)."""
    out: dict[str, tuple[Flag | None, str]] = {}
    try:
        from better_profanity import profanity

        profanity.load_censor_words()
        out["better-profanity"] = (profanity.contains_profanity, "")
    except Exception as exc:  # report honestly, keep going
        out["better-profanity"] = (None, f"not available: {exc}")
    try:
        from glin_profanity import Filter

        f = Filter()
        out["glin-profanity"] = (lambda t: bool(f.is_profane(t)), "")
    except Exception as exc:
        out["glin-profanity"] = (None, f"not available: {exc}")
    try:
        import warnings

        warnings.filterwarnings("ignore")
        from profanity_check import predict

        out["alt-profanity-check"] = (BatchFlag(lambda ts: [bool(x) for x in predict(ts)]),
                                      "")
    except Exception as exc:
        out["alt-profanity-check"] = (None, f"not available: {exc}")
    return out


def _prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if not p and g)
    neg = sum(1 for g in gold if not g)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    fa = fp / neg if neg else 0.0
    return precision, recall, fa


class PeerSet:
    """The peers, loaded on first use (not at all when no set needs them)."""

    def __init__(self, load: Callable[[], dict[str, tuple[Flag | None, str]]] | None = None
                 ) -> None:
        self._load = load
        self._fns: dict[str, tuple[Flag | None, str]] | None = None

    def available(self) -> list[tuple[str, Flag]]:
        if self._fns is None:
            self._fns = (self._load or peers)()
        return [(name, fn) for name, (fn, _note) in self._fns.items() if fn is not None]

    def notes(self) -> list[str]:
        return [f"peer {name}: {note}" for name, (fn, note) in (self._fns or {}).items()
                if fn is None]


Judge = Callable[[str], "Verdict"]
Rows = list[dict[str, Any]]


# --- sections -------------------------------------------------------------------------------

def crisis_rows(ours: Judge, users: list[tuple[str, list[str]]] | None,
                sms: list[tuple[str, bool]] | None, davidson: list[tuple[str, int]] | None,
                peer_set: PeerSet) -> Rows:
    rows: Rows = []
    by_label: dict[str, list[list[bool]]] = defaultdict(list)
    care_by_label: dict[str, list[list[bool]]] = defaultdict(list)
    crisis_posts: list[str] = []
    if users is not None:
        for label, posts in users:
            verdicts = [ours(p) for p in posts]
            by_label[label].append(["crisis" in v.categories for v in verdicts])
            care_by_label[label].append([shows_care(v) for v in verdicts])
            if label in CRISIS_LABELS:
                crisis_posts.extend(posts)
        pos = [u for lab in CRISIS_LABELS for u in by_label[lab]]
        user_recall = share(any(u) for u in pos)
        post_recall = sum(sum(u) for u in pos) / max(1, sum(len(u) for u in pos))
        rows.append(_row("crisis recall (C-SSRS Ideation/Behavior/Attempt users, any post)",
                         user_recall, target=">= 0.9", met=user_recall >= 0.9))
        rows.append(_row("crisis recall per post (Ideation/Behavior/Attempt posts)",
                         post_recall))
        for lab in CRISIS_LABELS:
            rows.append(_row(f"crisis recall, {lab} users", share(any(u) for u in by_label[lab])))
        for lab in ("Supportive", "Indicator"):
            us = by_label[lab]
            rows.append(_row(f"crisis-verdict rate, {lab} users (any post)",
                             share(any(u) for u in us)))
            rows.append(_row(f"crisis-verdict rate, {lab} posts",
                             sum(sum(u) for u in us) / max(1, sum(len(u) for u in us))))
        # Care: crisis or distress on any of the user's posts.
        care_pos = [u for lab in CRISIS_LABELS for u in care_by_label[lab]]
        rows.append(_row("care recall, Ideation/Behavior/Attempt users (crisis or distress, "
                         "any post)", share(any(u) for u in care_pos)))
        for lab in CRISIS_LABELS:
            rows.append(_row(f"care recall, {lab} users (crisis or distress, any post)",
                             share(any(u) for u in care_by_label[lab])))
        for lab in ("Supportive", "Indicator"):
            rows.append(_row(f"care rate, {lab} users (crisis or distress, any post)",
                             share(any(u) for u in care_by_label[lab])))
    if sms is not None:
        ham_rate = share("crisis" in ours(t).categories for t, s in sms if not s)
        rows.append(_row("crisis-verdict rate on SMS ham", ham_rate, target="<= 0.01",
                         met=ham_rate <= 0.01))
    if davidson is not None:
        nei_rate = share("crisis" in ours(t).categories for t, c in davidson if c == 2)
        rows.append(_row('crisis-verdict rate on Davidson "neither"', nei_rate,
                         target="<= 0.01", met=nei_rate <= 0.01))
    # What a plain filter does to people in crisis: share of crisis posts it would flag.
    if crisis_posts:
        step = max(1, len(crisis_posts) // CRISIS_PEER_POSTS)
        sample = crisis_posts[::step][:CRISIS_PEER_POSTS]
        our_punish = share(is_punished(ours(t)) for t in sample)
        for name, fn in peer_set.available():
            rows.append(_row(f"crisis posts punished/flagged (n={len(sample)})", our_punish,
                             peer=name, peer_value=share(flag_all(fn, sample))))
    return rows


def davidson_rows(ours: Judge, davidson: list[tuple[str, int]], peer_set: PeerSet,
                  lines: list[str]) -> Rows:
    rows: Rows = []
    acting = ("harassment", "hate", "threat")
    our_pred = [any(c in acting for c in ours(t).categories) for t, _ in davidson]
    our_pred_any = [bool(set(ours(t).categories) & {"harassment", "hate", "threat", "sexual",
                                                      "profanity"}) for t, _ in davidson]
    gold_hate = [c == 0 for _, c in davidson]
    gold_off = [c in (0, 1) for _, c in davidson]
    n_neither = sum(1 for _, c in davidson if c == 2)
    p, r, _ = _prf(our_pred, gold_hate)
    rows.append(_row('hate-only: precision (harassment+hate+threat, all rows)', p))
    rows.append(_row('hate-only: recall (all rows)', r))
    p2, r2, _ = _prf(our_pred_any, gold_off)
    rows.append(_row('hate-or-offensive: precision (any abuse category incl. profanity)', p2))
    rows.append(_row('hate-or-offensive: recall (any abuse category incl. profanity)', r2))
    fa_neither = sum(1 for (t, c), pr in zip(davidson, our_pred, strict=True)
                     if c == 2 and pr) / max(1, n_neither)
    rows.append(_row('false-alarm rate on "neither" (harassment+hate+threat, all rows)',
                     fa_neither))
    idx = list(range(0, len(davidson), SAMPLE_STRIDE))
    sub_gold_hate = [gold_hate[i] for i in idx]
    sub_gold_off = [gold_off[i] for i in idx]
    sub_ours = [our_pred[i] for i in idx]
    sub_ours_any = [our_pred_any[i] for i in idx]
    sub_neither = [i for i in idx if davidson[i][1] == 2]
    o_p, o_r, _ = _prf(sub_ours, sub_gold_hate)
    o_fa = sum(1 for i in sub_neither if our_pred[i]) / max(1, len(sub_neither))
    o_p2, o_r2, _ = _prf(sub_ours_any, sub_gold_off)
    # The peers give one "profane" flag; ours in that sense is any abuse category found,
    # profanity included (detected, though the policy lets venting stand).
    _, o_r_flag, _ = _prf(sub_ours_any, sub_gold_hate)
    o_fa_flag = sum(1 for i in sub_neither if our_pred_any[i]) / max(1, len(sub_neither))
    lines.append("alt-profanity-check's model was trained on a dataset that includes these "
                 "Davidson tweets (its package metadata, section 'How'): its figures here are "
                 "in-sample.")
    for name, fn in peer_set.available():
        flags = dict(zip(idx, flag_all(fn, [davidson[i][0] for i in idx]), strict=True))
        pp, pr_, _ = _prf([flags[i] for i in idx], sub_gold_hate)
        pfa = sum(1 for i in sub_neither if flags[i]) / max(1, len(sub_neither))
        pp2, pr2, _ = _prf([flags[i] for i in idx], sub_gold_off)
        n = len(idx)
        rows.append(_row(f"hate-only recall (n={n})", o_r, peer=name, peer_value=pr_,
                         target="above every peer", met=o_r > pr_))
        rows.append(_row(f"hate-only precision (n={n})", o_p, peer=name, peer_value=pp))
        rows.append(_row(f'false-alarm rate on "neither" (n={len(sub_neither)})', o_fa,
                         peer=name, peer_value=pfa, target="below every peer", met=o_fa < pfa))
        rows.append(_row(f"hate-only recall, any abuse category as the flag (n={n})",
                         o_r_flag, peer=name, peer_value=pr_))
        rows.append(_row(f'false-alarm rate on "neither", any abuse category '
                         f"(n={len(sub_neither)})", o_fa_flag, peer=name, peer_value=pfa))
        rows.append(_row(f"hate-or-offensive recall (n={n}, incl. profanity)", o_r2, peer=name,
                         peer_value=pr2))
        rows.append(_row(f"hate-or-offensive precision (n={n}, incl. profanity)", o_p2,
                         peer=name, peer_value=pp2))
    return rows


def pii_rows(ours: Judge, presidio: list[dict[str, Any]] | None,
             sms: list[tuple[str, bool]] | None) -> Rows:
    from groupbot.moderation import pii

    rows: Rows = []
    if presidio is not None:
        wanted = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card",
                  "IBAN_CODE": "iban", "US_SSN": "ssn", "STREET_ADDRESS": "address",
                  "IP_ADDRESS": "ip"}
        found: dict[str, list[bool]] = defaultdict(list)
        ours_spans = 0
        ours_correct = 0
        for item in presidio:
            text = item["full_text"]
            spans = pii.find(text)
            gold = [s for s in item["spans"] if s["entity_type"] in wanted]
            for s in gold:
                a, b = s["start_position"], s["end_position"]
                found[s["entity_type"]].append(any(sp.start < b and a < sp.end for sp in spans))
            for sp in spans:
                ours_spans += 1
                if any(sp.start < s["end_position"] and s["start_position"] < sp.end
                       for s in item["spans"]):
                    ours_correct += 1
        for etype, hits in sorted(found.items()):
            rec = share(hits)
            strict = etype not in ("STREET_ADDRESS", "IP_ADDRESS")
            rows.append(_row(f"pii recall {etype} (n={len(hits)})", rec,
                             target=">= 0.95" if strict else None,
                             met=(rec >= 0.95) if strict else None))
        rows.append(_row("pii precision (found spans overlapping any labeled entity)",
                         ours_correct / max(1, ours_spans)))
    if sms is not None:
        ham_pii = share("pii" in ours(t).categories for t, s in sms if not s)
        rows.append(_row("pii verdict rate on SMS ham", ham_pii))
    return rows


def spam_rows(ours: Judge, sms: list[tuple[str, bool]], peer_set: PeerSet) -> Rows:
    rows: Rows = []
    gold_spam = [s for _, s in sms]
    pred_spam = ["spam" in ours(t).categories for t, _ in sms]
    s_p, sr, sfa = _prf(pred_spam, gold_spam)
    rows.append(_row("spam precision (SMS)", s_p))
    rows.append(_row("spam recall (SMS)", sr, target=">= 0.8", met=sr >= 0.8))
    rows.append(_row("spam false-alarm rate on ham (SMS)", sfa, target="<= 0.02",
                     met=sfa <= 0.02))
    sidx = list(range(0, len(sms), SAMPLE_STRIDE))
    pr = [pred_spam[i] for i in sidx]
    gs = [gold_spam[i] for i in sidx]
    _, orr, _ = _prf(pr, gs)
    for name, fn in peer_set.available():
        sflags = flag_all(fn, [sms[i][0] for i in sidx])
        _, prr, _ = _prf(sflags, gs)
        rows.append(_row(f"spam recall (SMS, n={len(sidx)}; peers flag profanity only)", orr,
                         peer=name, peer_value=prr))
    return rows


def hatecheck_rows(ours: Judge, cases: list[HateCase], peer_set: PeerSet,
                   lines: list[str]) -> Rows:
    rows: Rows = []
    verdicts = [ours(c.text) for c in cases]
    pred = [is_hateful(v) for v in verdicts]
    wide = [is_hateful_wide(v) for v in verdicts]
    gold = [c.hateful for c in cases]
    n_hateful = sum(gold)
    by_func = accuracy_by_group((c.functionality, p, c.hateful)
                                for c, p in zip(cases, pred, strict=True))
    non_hateful = negative_groups((c.functionality, c.hateful) for c in cases)
    for func, (acc, n) in by_func.items():
        if func in non_hateful:
            rows.append(_row(f"HateCheck accuracy, {func} (n={n}, non-hateful)", acc,
                             target=">= 0.90", met=acc >= 0.90))
        else:
            rows.append(_row(f"HateCheck accuracy, {func} (n={n})", acc))
    overall = accuracy(pred, gold)
    rows.append(_row(f"HateCheck accuracy, all cases (n={len(cases)})", overall,
                     target=">= 0.85", met=overall >= 0.85))
    low_name, low_acc = worst({f: a for f, (a, _n) in by_func.items()})
    rows.append(_row(f"HateCheck lowest functionality accuracy: {low_name}", low_acc,
                     target=">= 0.70", met=low_acc >= 0.70))
    our_recall = share(p for p, g in zip(pred, gold, strict=True) if g)
    rows.append(_row(f"HateCheck recall on hateful cases (n={n_hateful})", our_recall))
    rows.append(_row("HateCheck accuracy, wider reading: hate or harassment or threat "
                     "(information)", accuracy(wide, gold)))
    lines.append("HateCheck: our 'hateful' is the hate category; HateCheck labels abuse of "
                 "individuals and of non-protected groups non-hateful by design (our threat "
                 "and harassment categories act on those separately). A peer's 'profane' "
                 "flag is its 'hateful'. Peers run on every case.")
    for name, fn in peer_set.available():
        flags = flag_all(fn, [c.text for c in cases])
        rows.append(_row(f"HateCheck accuracy, all cases (n={len(cases)})", overall,
                         peer=name, peer_value=accuracy(flags, gold)))
        rows.append(_row(f"HateCheck recall on hateful cases (n={n_hateful})", our_recall,
                         peer=name,
                         peer_value=share(f for f, g in zip(flags, gold, strict=True) if g)))
    return rows


def rmhd_rows(ours: Judge, posts: list[tuple[str, str]], peer_set: PeerSet,
              lines: list[str]) -> Rows:
    rows: Rows = []
    subs = [s for s, _ in posts]
    verdicts = [ours(t) for _, t in posts]
    care = rate_by_group((s, is_care(v)) for s, v in zip(subs, verdicts, strict=True))
    crisis = rate_by_group((s, "crisis" in v.categories)
                           for s, v in zip(subs, verdicts, strict=True))
    punished = rate_by_group((s, is_punished(v)) for s, v in zip(subs, verdicts, strict=True))
    order = subreddit_order(subs)
    ordinary = [s for s in order if subreddit_kind(s) == "ordinary"]
    support = [s for s in order if subreddit_kind(s) == "support"]
    missing = [s for s in (CRISIS_SUBREDDIT, *ORDINARY_SUBREDDITS) if s not in care]
    lines.append(f"RMHD: ordinary subreddits (everyday chat): {', '.join(ORDINARY_SUBREDDITS)}."
                 f" Support subreddits: all the others except {CRISIS_SUBREDDIT} "
                 f"({len(support)}: {', '.join(support)}).")
    lines.append("RMHD: care = action support or care, or a crisis or distress category; "
                 "crisis = the crisis category; punished = action remove or timeout.")
    if missing:
        lines.append(f"RMHD: subreddits not in the file: {', '.join(missing)}")
    for s in order:
        rate, n = care[s]
        if s == CRISIS_SUBREDDIT:
            rows.append(_row(f"RMHD care rate, r/{s} ({subreddit_kind(s)}, n={n})", rate,
                             target=">= 0.90", met=rate >= 0.90))
        else:
            rows.append(_row(f"RMHD care rate, r/{s} ({subreddit_kind(s)}, n={n})", rate))
    for s in order:
        rate, n = crisis[s]
        if s in ORDINARY_SUBREDDITS:
            rows.append(_row(f"RMHD crisis rate, r/{s} ({subreddit_kind(s)}, n={n})", rate,
                             target="<= 0.01", met=rate <= 0.01))
        else:
            rows.append(_row(f"RMHD crisis rate, r/{s} ({subreddit_kind(s)}, n={n})", rate))
    if ordinary:
        ord_flags = ["crisis" in v.categories
                     for s, v in zip(subs, verdicts, strict=True) if s in ORDINARY_SUBREDDITS]
        n_ord, pooled = len(ord_flags), share(ord_flags)
        rows.append(_row(f"RMHD crisis rate, ordinary subreddits pooled (n={n_ord})", pooled,
                         target="<= 0.01", met=pooled <= 0.01))
    for s in order:
        rate, n = punished[s]
        rows.append(_row(f"RMHD punished rate, r/{s} ({subreddit_kind(s)}, n={n})", rate,
                         target="<= 0.005", met=rate <= 0.005))
    if punished:
        top_name, top_rate = worst({s: r for s, (r, _n) in punished.items()}, highest=True)
        rows.append(_row(f"RMHD highest punished rate: r/{top_name}", top_rate,
                         target="<= 0.005", met=top_rate <= 0.005))
    # Peers on a fixed stride sample of the crisis and ordinary subreddits (posts are long).
    sample = stride_by_group(subs, (CRISIS_SUBREDDIT, *ORDINARY_SUBREDDITS), RMHD_PEER_STRIDE)
    groups = {f"r/{CRISIS_SUBREDDIT}": [i for i in sample if subs[i] == CRISIS_SUBREDDIT],
              "ordinary-subreddit": [i for i in sample if subs[i] != CRISIS_SUBREDDIT]}
    groups = {k: v for k, v in groups.items() if v}
    if groups:
        lines.append(f"RMHD peers: every {RMHD_PEER_STRIDE}th post of each of those subreddits "
                     f"(the same posts for every system); ours there is the punished rate.")
    for name, fn in peer_set.available():
        for label, idx in groups.items():
            rows.append(_row(f"RMHD {label} posts punished/flagged (n={len(idx)})",
                             share(is_punished(verdicts[i]) for i in idx), peer=name,
                             peer_value=share(flag_all(fn, [posts[i][1] for i in idx]))))
    return rows


def main() -> list[dict[str, Any]]:
    folder = data_dir()
    if not folder.is_dir():
        print(f"bench_moderation_quality: skipped, no labeled data at {folder} "
              "(set GROUPBOT_SHARED_DATA to the shared data folder)")
        return []
    users = _load(folder, CSSRS, load_cssrs)
    sms = _load(folder, SMS, load_sms)
    davidson = _load(folder, DAVIDSON, load_davidson)
    presidio = _load(folder, PRESIDIO, load_presidio)
    hatecheck = _load(folder, HATECHECK, load_hatecheck)
    rmhd = _load(folder, RMHD, load_rmhd)
    if all(x is None for x in (users, sms, davidson, presidio, hatecheck, rmhd)):
        return []
    from groupbot.moderation.engine import ModerationEngine

    engine = ModerationEngine()
    ours: Judge = engine.decide
    peer_set = PeerSet()
    rows: Rows = []
    lines: list[str] = []
    if users is not None or sms is not None or davidson is not None:
        rows.extend(crisis_rows(ours, users, sms, davidson, peer_set))
    if davidson is not None:
        rows.extend(davidson_rows(ours, davidson, peer_set, lines))
    if presidio is not None or sms is not None:
        rows.extend(pii_rows(ours, presidio, sms))
    if sms is not None:
        rows.extend(spam_rows(ours, sms, peer_set))
    if hatecheck is not None:
        rows.extend(hatecheck_rows(ours, hatecheck, peer_set, lines))
    if rmhd is not None:
        rows.extend(rmhd_rows(ours, rmhd, peer_set, lines))
    for line in [*peer_set.notes(), *lines]:
        print(line)
    return rows


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    print(f"{'metric':<78} {'ours':>7}  {'peer':<20} {'peer':>7}  {'target':<18} met")
    for r in rows:
        pv = "" if r["peer_value"] is None else f"{r['peer_value']:.3f}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['metric']:<78} {r['value']:>7.3f}  {r['peer'] or '':<20} {pv:>7}  "
              f"{r['target'] or '':<18} {met}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    result = main()
    print_table(result)
    print(f"({time.perf_counter() - start:.1f} s)")
