"""The patterns the sentence reader (sentence.py) matches over a sentence's symbols, and the
small word sets it reads beside them. Each regular expression is bounded (no nested
repetition), so the time stays linear in the length of the message; the symbols are those of
abuse_words.py ("G" a group, "Y" you, "A" a derogatory description, ...).
"""

from __future__ import annotations

import re
from typing import Final

# The sense words that make a slur's other meaning: "a packet of fags", "a garden hoe".
SENSES: Final = {"fag": "sense.fag", "fags": "sense.fag", "faggot": "sense.faggot",
           "faggots": "sense.faggot", "hoe": "sense.hoe", "hoes": "sense.hoe",
           "dyke": "sense.dyke", "dykes": "sense.dyke", "bitch": "sense.bitch",
           "bitches": "sense.bitch", "queer": "sense.queer", "queers": "sense.queer"}
_GAP: Final = "[Dopi]"
_AFTER: Final = "[Dop]"
# A target, then what is said of it: "... are (not) ...", "... should all be ...".
SUBJECT: Final = re.compile(
    r"(?P<q>X[D]{0,2})?(?P<t>[GYZm])r?(?:[Dp]|i[Dops]{0,3}){0,3}?"
    r"(?P<mid>(?:[MXCs]" + _AFTER + r"{0,2}){0,5}?)(?P<p>[AaxNIKOPVqFy])")
# Something done to, felt about or refused a target: "kill all ...", "I despise ...", "no
# place for ...", "I have no compassion for ...", "never trust a word said by a ...".
OBJECT: Final = re.compile(r"(?P<p>[VEK])(?P<gap>[DiXM]{0,4}?o{0,2}D{0,2})(?P<t>[GYZm])")
# Refusing a target a place or kindness: "no place for ...", "I have no compassion for ...",
# "never trust a word said by a ...", "human rights should not apply to ...".
REFUSE: Final = re.compile(r"(?P<p>[Oy])(?P<gap>[DopisXRM]{0,6}?)(?P<t>[GYZm])")
# A hostile feeling named as a noun, with the writer as the one who feels it: "contempt
# for ...", "the scorn I feel for ...".
FEELING: Final = re.compile(r"(?P<p>e)(?P<gap>(?:Wo{0,2})?" + _GAP + r"{0,3}?)(?P<t>[GYZm])")
# Letting or making a target suffer: "make those ... suffer", "let any ... live".
CAUSE: Final = re.compile(r"(?P<p0>M)" + _GAP + r"{0,3}?(?P<t>[GZ])" + _GAP + r"{0,2}?"
                    r"(?:C" + _GAP + r"{0,1})?(?P<p>[KVPv])")
# What a target makes the writer feel, further apart: "seeing ... here makes me angry".
FEEL: Final = re.compile(r"(?P<t>[GZ])[^.B\"]{0,8}?(?P<p>F)")
# A swarm of a group; a degrading word right next to it: "swarms of ...", "filthy ...",
# "... vermin".
SWARM: Final = re.compile(r"(?P<p>w)D{0,2}(?P<t>G)")
BESIDE: Final = re.compile(r"(?P<p>A)(?P<t>G)|(?P<t2>G)(?P<p2>[NI])")
# "typical of a ...", "in their nature": a trait framed as the group's own.
GENERAL: Final = re.compile(r"J" + _GAP + r"{0,3}(?P<t>G)|(?P<t2>G)" + _GAP + r"{0,3}J")
# "I find all ... disgusting": the writer's judgement of a group, in a small clause.
CONSIDER: Final = re.compile(r"(?P<w>W)oD{0,2}(?P<t>G)(?P<p>[AaNI])")
CONSIDERING: Final = frozenset("find consider deem call think".split())
# "execution is the only solution for ...": elimination as the answer to a group.
SOLUTION: Final = re.compile(r"(?P<p>V)C[DJo]{0,4}iD{0,2}(?P<t>[GZ])")
ANSWERS: Final = frozenset("solution answer cure remedy way fix option".split())
# "of course that dumbass was a ...": an insult for someone, then the group they belong to.
NAMED_AS: Final = re.compile(r"(?P<p>[IN])C[D]{0,2}(?P<t>G)")
# "no one else is as filthy as these ...": the most of a bad trait.
AS: Final = re.compile(r"(?P<p>[Aa])o" + _GAP + r"{0,2}?(?P<t>[GZ])")

NEGATIVE: Final = frozenset("AaxNIKVqFOwEe")
# The writer's own belief, told as past ("I felt like they were ..."): no longer said.
PAST_BELIEF: Final = frozenset(("felt like", "i thought", "we thought", "used to think",
                          "used to believe", "was like", "were like", "im like", "im all like",
                          "was all like", "be like"))
# How far back the readers look from a word for its subject, a negation or a frame: a
# clause's worth of symbols. (Bounded, so a long run-on message costs its length, no more.)
REACH: Final = 14
# Degree words between "is/are" and what is said ("as clever as", "that stupid").
DEGREE: Final = frozenset("as that this such too quite rather".split())
ARTICLES: Final = frozenset("the a an my our your their his her its this that".split())
# Small words after a praise word that leave it said of the target ("smart as anyone").
PARTICLES: Final = frozenset("as like than to at for of in on with about enough".split())
SUGGESTIONS: Final = ("what if", "how about", "why dont", "why not", "why cant", "why do not")
# Modal verbs that wish or demand ("should die"), as against predict ("you will die").
WISHING: Final = frozenset(
    "should shouldve must ought need needs deserve deserves hope hoping wish wishing pray "
    "praying let better".split())
# Words before a wished act that keep the writer as the one who wishes it ("it would be best
# to ...", "it's in everybody's interest to ...").
EVALUATIVE: Final = frozenset(
    "to it its best better good great time interest idea fine ok okay right necessary needed "
    "only way just everybodys everyones everybody everyone in".split())
MODAL_TOKENS: Final = frozenset(
    "should must ought need needs deserve deserves will would shall can could may might gonna "
    "wanna gotta hope wish pray let make see watch love like".split())
# A wish that needs no modal verb between the target and the act ("if only ... had their
# throats cut", "we would be better off if ... were eradicated").
WISHES: Final = ("if only", "better off if", "best if", "better if", "happier if", "good riddance",
           "i wish", "we wish", "i hope", "we hope", "i pray", "hopefully", "in a just world",
           "in a perfect world", "in an ideal world", "at my hands", "by my hand",
           "at our hands")
# Words between "my" and an in-group word ("my fellow ...", "my day one ...").
KIN: Final = frozenset("fellow day one main real own dear sweet brave lovely".split())
PASSIVE_TOLD: Final = frozenset("told taught called named raised labelled labeled".split())
# Verbs and nouns that mention a word rather than use it.
NAMING: Final = frozenset(
    "call calls called calling say says said saying word words term terms slur slurs name "
    "names named naming use uses used using write wrote written writing".split())
# Someone else's view: "... might not be worth shit to you".
TO_OTHER: Final = frozenset(("you", "him", "her", "them", "people", "some"))


KIND: Final = {"A": "a derogatory description", "a": "a derogatory description",
         "y": "kindness refused",
         "x": "a derogatory generalisation", "N": "a degrading noun", "I": "an insult",
         "K": "death or suffering wished", "V": "violence wished", "O": "exclusion",
         "P": "worth denied", "q": "harm to a shared place", "F": "disgust or anger",
         "w": "a swarm image", "E": "hostility", "e": "hostility", "v": "life denied"}
