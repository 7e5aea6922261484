# ruff: noqa: E501  (word lists are data: one pattern per comma, long alternations stay whole)
"""Built-in word lists, written for groupbot (no data-set text).

Every entry is matched as whole words in the normalised token stream (lower case, look-alikes
folded, apostrophes dropped: "you're" is "youre"), never as a raw substring, so "assistance"
and "Scunthorpe" never match "ass" or the slur inside them. Patterns use a tiny syntax:
``(a|b|)`` is an alternative (an empty one makes it optional); ``word+`` adds common endings.

Each entry is (pattern, tag, severity). The tag says which detector reads the hit:
  insult    an insult, harassment only when aimed at someone (you / a mention / a member's name)
  attack    harassment with the target built in ("kill yourself", "nobody likes you")
  slur      hate, on its own
  group     a group of people (hate only with a hate predicate nearby)
  hatepred  a dehumanising or exclusionary predicate
  violence  a violent verb (threat only with first-person intent and a target)
  threat    a threat phrase on its own
  sexual    explicit sexual content
  profanity untargeted swearing
  crisis.*  crisis signals (ideation, selfharm, plan, attempt, distress, means); generic ones
            need a first person subject (or none) and no negation
  support   supportive or resource-giving language (someone helping, not in crisis)
  past      past-tense time markers ("years ago", "when I was a teen"), read near a hit
  recovery  recovery markers ("I'm doing better now", "glad I survived")
  spam      promotion or scam wording, with its weight as the severity
  heavy     a heavy topic that a content-note channel wants a note for
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

_ALT = re.compile(r"\(([^()]*)\)")
_ENDINGS = {
    "+": ("", "s"),
    "+ing": ("", "s", "ing", "ed", "er", "ers"),
}


def expand(pattern: str) -> Iterator[str]:
    """All phrases a pattern stands for, with single spaces. Groups may nest."""
    for text in _alternatives(pattern):
        words: list[str] = []
        for word in text.split():
            if word.endswith("+ing"):
                stem = word[:-4]
                words.append("{" + ",".join(stem + e for e in _ENDINGS["+ing"]) + "}")
            elif word.endswith("+"):
                stem = word[:-1]
                words.append("{" + ",".join(stem + e for e in _ENDINGS["+"]) + "}")
            else:
                words.append(word)
        yield from _cross(words)


def _alternatives(pattern: str) -> list[str]:
    """Expand ``(a|b)`` groups, innermost first, into plain strings."""
    m = _ALT.search(pattern)
    if m is None:
        return [pattern]
    out: list[str] = []
    for choice in m.group(1).split("|"):
        out.extend(_alternatives(pattern[:m.start()] + choice + pattern[m.end():]))
    return out


def _cross(words: list[str]) -> Iterator[str]:
    options = [w[1:-1].split(",") if w.startswith("{") else [w] for w in words]
    for combo in itertools.product(*options):
        phrase = " ".join(combo)
        if phrase:
            yield phrase


# --- harassment -------------------------------------------------------------------------

INSULTS = """
idiot+, stupid, moron+, loser+, dumb, dumbass, dumbasses, retard+, retarded, pathetic, worthless,
useless, ugly, scum, scumbag+, bitch, bitches, slut+, whore+, hoe+, skank+, cunt+,
twat+, prick+, asshole+, arsehole+, bastard+, jerk+, clown+, freak+, creep+, fool+, imbecile+,
dipshit+, douche+, douchebag+, jackass, jackasses, numbnuts, dickhead+, shithead+, fatass, fatso+,
pig+, cow+, hag+, wanker+, tosser+, (piece|pile) of (shit|crap|garbage|trash),
waste of (space|oxygen|air), lowlife+, degenerate+, subhuman, parasite+, vermin, disgrace,
psycho+, weirdo+, bimbo+, slag+, thot+, incel+, simp+
"""

ATTACKS = """
(kill|hang|neck|shoot|off) yourself, (kill|hang) yourselves, kys, go die, (go|) die in a fire,
drop dead, (nobody|no one|noone) (likes|loves|wants|cares about) (you|u),
(you|u) should (die|just die|kill yourself|not exist|disappear),
i hope (you|u) die, i hope (you|u) get (cancer|hit by a car|hit by a bus|raped),
(the|) world would be better without (you|u), (everyone|everybody) hates (you|u),
(you|u) dont deserve to live, (you|u) deserve to die
"""

MILD_ATTACKS = """
shut (the fuck|the hell|) up, stfu, gtfo, (nobody|no one) asked (you|u|)
"""

# --- hate --------------------------------------------------------------------------------

SLURS_SEVERE = """
nigger+, nigguh+, kike+, spic+, wetback+, chink+, gook+, raghead+, towelhead+, sandnigger+,
coon+, jigaboo+, porch monkey+, beaner+, paki+, faggot+, fagot+, fag+, tranny, trannies, shemale+,
zipperhead+, heeb+, golliwog+, wog+, redskin, squaw+, gyppo+, pikey+, muzzie+, darkie+, negroid+,
white trash, trailer trash, whitey+, jungle bunn(y|ies), tar bab(y|ies), sambo+, pickaninn(y|ies),
hymie+, yid+, dago+, kraut+, polack+, chinaman, chinamen, (slant|slanty) eye+, camel jockey+,
sand monkey+, (halfbreed|half breed)+, ching chong, lesbo+, batty boy+, poofter+,
boong+, gypo+
"""

SLURS_MILD = """
nigga+, niggah+, dyke+, homo+, mongoloid+, spaz+, spastic, jap+, honky+, honkey+, wigger+,
nig, nigs, gringo+, honkie+,
(white|dumb|stupid|fucking|fuckin|lil|little|redneck|old|ass|racist|broke) (cracker|crackers|cracka|crackas)
"""

GROUPS = """
muslim+, islam, jew+, jewish people, blacks, black people, black (men|women), whites, white people,
gays, gay people, lesbian+, trans people, transgender+, transgender people, immigrant+, refugee+,
mexican+, arab+, asian+, chinese people, indian+, women, females, feminist+, christian+, hindu+,
sikh+, disabled people, autistic people, homosexual+, illegal+, foreigner+, migrant+, africans,
latinos, latinas, hispanics, gypsies, roma, queers, bisexuals, atheists, catholic+
"""

HATE_PREDICATES = """
(are|r) (animals|vermin|subhuman|parasites|disgusting|filth|filthy|inferior|savages|rats|cockroaches|a disease|a plague|trash|garbage|scum|evil|not human|not people),
should (die|be killed|be shot|be gassed|be hanged|be deported|be exterminated|burn|not exist|not be allowed|go back),
(deserve|deserves) to die, go back to (your|their) (country|countries),
kill all, exterminate+, gas (the|all), (hate|hating|despise) (all|the|every),
(all|every) (of them|one of them) (should|must|need to), genocide, ethnic cleansing,
(i|we|i fucking|i really|i just|i honestly) (hate|despise|detest|cant stand|loathe),
(fuck|fuk|fck|fuck all|fuck you) (all|these|those|them|every|the)
"""

# --- threat ------------------------------------------------------------------------------

VIOLENCE = """
kill, murder, shoot, stab, beat, punch, strangle, choke, rape, slap, smash, burn, bomb, hurt,
beat up, break your (face|neck|legs|jaw|arm|arms), cut (your|ur) throat, slit (your|ur) throat,
bash (your|ur) (head|face) (in|), end (you|u), skin (you|u) (alive|), bury (you|u), gut (you|u)
"""

THREATS = """
i know where (you|u) live, (i|ill|we) (will|gonna|going to|) find (you|u), watch (your|ur) back,
(youre|you are|ur|u r) dead (meat|), (your|ur) days are numbered, (im|i am) coming for (you|u),
(you|u) (will|gonna|going to) pay for (this|that), sleep with one eye open,
(you|u) (will|gonna|going to) regret (this|that|it),
(ill|i will|im going to|im gonna|imma) make (you|u) (pay|suffer|bleed),
(ill|i will|im gonna|imma|i am going to) (shoot|bomb) (up|) (the|this|your) (school|place|building|office|house|church|mosque|synagogue)
"""

# --- sexual ------------------------------------------------------------------------------

SEXUAL = """
porn, porno, pornography, pornhub, xvideos, xhamster, nudes, send nudes,
(send|sending) (me|) (a|) (nude|naked|dirty) (pic|pics|photo|photos|picture|pictures),
dick (pic|pics), blowjob+, handjob+, cumshot+, cum (on|in) (you|u|me|your|ur), cumming, jizz+,
orgasm+, (masturbate|masturbates|masturbated|masturbating|masturbation), (jerk|jerking) off,
(jack|jacking) off, horny, hentai, anal sex, deepthroat+, titties, titty, boner+, dildo+, milf+,
bdsm, camgirl+, (suck|lick) my (dick|cock|balls|tits|pussy), sit on my face,
(wanna|want to|lets|let me) (fuck|bang|screw|smash) (you|u|me), (have|having) sex with (you|u|me),
sexting, sext (me|), (show|send) me your (tits|boobs|dick|cock|pussy|ass|body), nsfw pics
"""

# --- profanity (untargeted) ----------------------------------------------------------------

PROFANITY = """
fuck+ing, fucks, fucked, fuckin, fucking, motherfucker+, motherfucking, mofo, mf, fk, fck, fcking,
fuk+, shit+, shitty, shitting, shite, bullshit, horseshit, damn, goddamn, dammit, goddammit, ass,
asses, arse, asshole+, arsehole+, bitch, bitches, bitching, bitchy, bastard+, crap, crappy, piss,
pissed, pissing, dick+, cock+, cunt+, twat+, wanker+, bollocks, prick+, douche+, wtf, stfu, fml,
jfc, pussy, pussies, tits, slut+, whore+, hoe+
"""

# --- crisis ------------------------------------------------------------------------------

# Crisis language, by kind. Written from the warning signs crisis lines publish (talk of
# wanting to die, of being a burden, of having no reason to live, of being trapped or in
# unbearable pain; looking for a method; saying goodbye; self-harm and its relapse), phrased
# the way people write in chat. The detector reads them with their context: a first-person
# subject (or none), no negation, not about someone else, not a quote, not a recovery story.
#   crisis.ideation  wanting to die or not to exist, no reason to live (severity 2)
#   crisis.selfharm  self-harm acts, urges and relapse (severity 2)
#   crisis.plan      intent, timing, a method, a note or goodbye (severity 3)
#   crisis.attempt   an attempt (severity 2; severity 3 when it is happening now)
#   crisis.distress  hopelessness, feeling trapped, worthless or a burden: weak alone, so it
#                    counts only as two different signals, or next to another crisis signal
#   crisis.means     having the means or a date ("I have the pills"): counts only next to
#                    another crisis signal, and then raises it to severity 3

CRISIS_IDEATION = """
(kill|killing|unalive|unaliving|off|offing) myself, kms, sewerslide, (end|ending) my (own|) life,
(take|taking) my (own|) life, (hang|hanging|drown|drowning|shoot|shooting|poison|poisoning) myself,
(want|wanna|wanted|wanting|need|needing) to die, (wanna|just wanna) die, (want|wanna) (to be|be) dead,
(want|wanna|need) (it|it all|everything|the pain|all of this|all this) to (end|stop|be over),
(want|wanna) to (stop existing|not exist|cease to exist|sleep forever|never wake up|be gone forever|go to sleep forever),
wish (i|id) (was|were|had|could be) (dead|died|never born|never been born|not been born|gone forever|never existed),
wish (i|id) (could|would) (just|) (die|disappear forever|not wake up|never wake up|stop existing|cease to exist|fall asleep forever),
wish i (wasnt|was not|werent) (born|alive|here anymore|alive anymore),
(dont|do not|dont even|never) (want|wanna) to (live|be alive|exist|be here|wake up) (anymore|again|tomorrow|),
(dont|do not) (want|wanna) (live|be alive|exist) anymore,
(hope|hoping|pray|praying|wish|wishing) (i|that i) (dont|do not|wont|will not|never) wake up,
(hope|hoping|pray|praying) (i|that i) (die|get hit by a (car|bus|truck|train)) (soon|tonight|in my sleep|),
no (reason|point|reasons) (to|in|for) (live|living|going on|being alive|life|staying alive|keep living|keep going|existing|me to live),
(dont|do not) have (a|any) (reason|reasons) to (live|keep living|go on|stay alive),
nothing (left|) to live for, (life|living|my life) (is not|isnt|aint) worth (living|it anymore),
(whats|what is) the point (of|in) (living|being alive|going on|existing|staying alive|my life),
(dont|do not|cant|cannot|no longer) see (the|any|a) (point|reason) (of|in|to|for) (living|being alive|going on|existing|staying alive|life|live),
why (am i|should i|do i) (still|even|) (alive|keep living|stay alive|go on living|bother living|exist),
(cant|cannot) go on (anymore|like this|living), (cant|cannot|dont want to) (keep|) (live|living) like this (anymore|),
better off dead, (i|id|i would) rather (be dead|die) (than|),
(everyone|everybody|they|world|family|the world|people|my family|my friends|my kids|my parents|everyone else) (would be|will be|is|are|would|will|d be) better off (without me|if i (was|were|wasnt|werent) (gone|dead|here|around|not here|never born)|if i died|with me gone|with me dead),
(no one|nobody|noone) (would|will|is going to|gonna) (even|) (miss me|notice if i (died|was gone|were gone|disappeared|was dead|killed myself|wasnt here)|care if i (died|was gone|were gone|disappeared|was dead|killed myself|wasnt here)),
(i|) (dont|do not) deserve to (live|be alive|exist|be here), i deserve to die,
i (should|might as well|may as well|need to) (just|) (die|be dead|kill myself|end it all|end my life),
(im|i am|i feel|feeling|i get|been|being|im feeling|i was feeling|im so|im really|im getting|i become|i feel really|feeling really) suicidal,
suicidal (thoughts|ideation|urges|feelings|again|tonight|lately|thoughts again),
(thinking|thought|thinking about|considering|contemplating|think about|thought about|dreaming about|fantasizing about|fantasize about) (suicide|killing myself|ending my life|ending it|ending it all|taking my life|my suicide),
(thoughts|thought) of (suicide|killing myself|ending my life|ending it),
(end|ending) it all, (tired|sick|exhausted) of (living|being alive|existing|waking up),
(go|fall) to sleep and never wake up, never wake up again, (ready|prepared) to die,
(lost|losing|no|have no|dont have the|lost all) (my|the|) will to live,
(think|thinking|thought|thoughts) (of|about) (suicide|killing myself|ending my life|ending it|ending it all),
(want|wanna|need) to end it (all|), (i|ive|i have|been) (had|having|get|getting|keep having) suicidal (thoughts|ideation|urges),
(i|ive|im) (give|given|giving|gave) up on (life|living|staying alive),
(im|i am|i feel) (done|finished) with (life|living|being alive|existing),
(i|) (feel|felt|feeling) like (dying|ending it|ending it all|killing myself|ending my life),
(suicide|death|dying) (is|seems|feels like) (the|my) only (way out|option|answer|escape|solution),
(i|) (want|wanna|need) (out|to escape) of (this life|life|existence),
(im|i am|i feel like|feel like|im just|i am just|i feel|im such|i am such) (a|such a|nothing but a|just a|only a) (burden|waste of space|waste of oxygen),
(im|i am|being|i feel like|feel like) (a|such a) burden (to|on|for) (everyone|everybody|my family|them|others|people|my friends|my parents|the world|you all|you guys|anyone),
(was|were|feel|felt|got|get|go|make me|makes me|made me|more|so|very|extremely|really|pretty|super|chronically|passively|actively|been|bit|little|severely|deeply) suicidal,
(my|i have|ive had|i had|i get|i struggle with|i struggled with|i deal with|i dealt with|i battle|i live with|ive dealt with|ive struggled with|ive battled) (suicidal|suicide) (thoughts|ideation|urges|feelings|tendencies|depression|attempts|attempt),
(considered|contemplated|attempted|considering|contemplating|researching|planned|planning) (suicide|killing myself|ending my life|ending it all),
(tried|try|trying|attempted) (killing|hanging|drowning|poisoning|cutting|hurting) myself,
(suicide|killing myself|ending it all|ending my life|death) (is|seems|feels like|was) (the|my) (best|only|easiest) (way out|option|answer|escape|solution|choice),
(want|wanna|wanted|wanting|need|needed|thinking about|think about|thought about|considering|considered|plan to|planning to|tried to|try to|going to|gonna) (to|) commit suicide,
(thinking|thought|think) about committing suicide, (tried|attempted|try|trying) suicide,
(dont|do not|wouldnt|would not|didnt|did not) (want|wanna) to be around (anymore|much longer|any longer|),
(not|never) (brave|strong|courageous) enough to (end it|kill myself|go through with it|end my life),
too (scared|afraid|cowardly|much of a coward|chicken) to (kill myself|end it|end my life|go through with it),
(dont|do not|wouldnt|would not) (care|even care|mind) if i (die|died|dont wake up|didnt wake up|never wake up|got hit by a car),
(death|dying|being dead|not existing) (would be|sounds like|feels like|seems like|would feel like) (a relief|peaceful|such a relief|a release|the answer|better than this),
(i|) (think|thinking|thought) about (death|dying|being dead) (all the time|every day|constantly|so much|every night|more and more),
(end|ending) my (suffering|misery) (forever|for good|permanently|)
"""

CRISIS_SELFHARM = """
(cut|cutting|burn|burning|burned|burnt|hurt|hurting|harm|harming|punish|punishing|starve|starving|scratch|scratching|carve|carving|carved|stab|stabbing|bruise|bruising) myself,
(started|start|been|keep|im|i am|went back to|back to|going back to|started to) (cutting|self harming|selfharming|hurting myself|harming myself) (again|),
(cutting|self harming|selfharming) again, (i|and|) (cut|burned|burnt|self harmed|selfharmed|hurt myself) again, (relapse|relapsed|relapsing) (on|into|with|) (self harm|cutting|selfharm|sh),
(urge|urges|craving|cravings|temptation|itch) to (cut|self harm|hurt myself|harm myself|burn myself|cut again),
my (self harm|selfharm|cuts|cutting|scars are fresh), (fresh|new) (cuts|wounds) on my (arm|arms|wrist|wrists|thigh|thighs|leg|legs|skin|stomach|hips),
(i|ive|i have|i still) (self harm|selfharm|self harmed|selfharmed|self injure|self injured),
i cut (again|deeper|deep|tonight|today|last night|my (arm|arms|wrist|wrists|thigh|thighs|legs|leg|skin)),
(need|want|wanna) to (cut|hurt myself|harm myself|bleed),
(slit|slitting|slice|slicing|sliced|cut open) my (wrist|wrists|arm|arms|thigh|thighs),
(i|i have|ive got|i got) (scars|cuts|fresh cuts) (on|all over) my (arm|arms|wrist|wrists|thigh|thighs|legs|body|stomach),
(days|weeks|months|years) (without|free of|free from|clean from|clean of) (cutting|self harm|selfharm|self harming|hurting myself),
(the|my) (first|last) time i (cut|cut myself|self harmed|hurt myself), (i|ive) (been|started) cutting,
(tried|try|trying) cutting, (i|) (have|need|had|needed) to cut, (i|i still|still) (cut|self harm) (when|whenever|every|to cope|sometimes|a lot),
(i|ive|i have|i used to) (cut|cuts|burned|burn) (my|on my) (arm|arms|wrist|wrists|thigh|thighs|legs|leg|skin|stomach|hips|body)
"""

CRISIS_PLAN = """
(going|gonna|about|planning|plan|planned|decided|ready|trying|intend|intending) to (kill myself|end my life|end it|end it all|take my life|die tonight|commit suicide|overdose),
(im|i am|i will|ill) (kill|killing) myself (tonight|today|tomorrow|soon|this weekend),
i have a plan to (die|end it|kill myself), my (suicide|) plan is, my suicide plan, (planning|planned|plan) my (own|) (suicide|death),
(wrote|writing|written|write|left) (a|my) (suicide|goodbye|) (note|letter),
suicide note, goodbye (note|letter), this is (my|) (final|last) (goodbye|message|post|words), my (final|last) (message|post|goodbye|words),
(saved|saving|stockpiling|hoarding|swallowed|counting|collecting) (up|) (all|) (my|the|some|enough|a bunch of|a lot of) (pills|meds|tablets|sleeping pills),
(take|taking|took) all (my|the|of my) (pills|meds|tablets), (im|i am|gonna|going to|i will|about to) (overdose|od),
(tie|tied|tying|made|bought|making) a noose,
(bought|have|got|loaded) (a|the|my dads|my) (gun|rope) (to|for) (myself|end it|kill myself),
(jump|jumping) (off|from) (a|the|this) (bridge|building|roof|cliff|balcony) (tonight|today|now|),
step in front of a (train|car|bus|truck),
(wont|will not) be alive (tomorrow|much longer|by morning|next week|anymore|for long|),
(said|saying) my goodbyes, (give|giving) away (all|) my (stuff|things|belongings|possessions),
tonight is the night, (tonight|today) (is|will be) my last (day|night),
my (last|final) (day|night) (alive|on earth|of my life),
by the time (you|anyone|someone|u) (read|reads|see|sees|find|finds) this (i|ill|im),
goodbye (cruel world|forever|world),
(how|ways|best way|easiest way|quickest way|painless way|painless ways) to (kill myself|end my life|commit suicide),
(painless|quick|easy) (way|ways) to die, (swallow|swallowed|take|took) (all|) (the|my|a bottle of|all the|all my|a handful of) (pills|sleeping pills|painkillers) (tonight|now|and|),
(pick|picked|pull|pulled|grab|grabbed) (up|) (the|my|a) (gun|trigger|rope|razor|blade) (and|to|), (lethal|fatal) dose, how many (pills|tablets) (would|will|does it take|to)
"""

CRISIS_ATTEMPT = """
(i|ive|i have|i had|i just) (tried|attempted|try) to (kill myself|end my life|end it|commit suicide|take my life|overdose|hang myself|end it all),
(i|ive|i have) attempted (suicide|twice|before|again), my (last|first|second|third|previous|recent|suicide|failed) attempt, (failed|botched|unsuccessful|several|multiple|two|three|many) (suicide|) attempts,
survived (my|an|a|the) (suicide|) attempt, (after|since) my (last|) attempt, attempted suicide,
(i|ive|i have|i just) (overdosed|taken too many pills|took too many pills),
(had|got) my stomach pumped, (im|i am) (bleeding|bleeding out) (now|badly|a lot),
(i|i just|ive just) (took|taken|swallowed) (a bottle|a handful|all|the whole bottle|the whole pack) (of|)
"""

DISTRESS = """
(im|i am|i feel|i just feel|feeling|i feel so|im so|im just|i am so|i feel completely|im completely|i feel totally|im totally|i always feel) (hopeless|worthless|empty inside|numb inside|trapped|defeated|dead inside|like a failure|like a burden|like giving up|like a waste of space|so alone|all alone|useless|broken inside),
(i|) (hate|despise|loathe|cant stand) (myself|my life|being alive|my existence|who i am|being me),
(i|) (cant|cannot|dont think i can|can no longer) (take|do|handle) (it|this|this life|life) anymore,
(i|) (cant|cannot|dont think i can|can no longer) (keep going|carry on|go on|keep fighting|keep doing this),
(there is|theres|i see|i have|i can see) no (way out|hope|future|light|escape|point anymore|hope left|hope for me),
(i|) (dont|do not|cant|cannot) see (a|any|my) (future|way out|point anymore|light at the end),
(im|i am|i feel|i) (give|giving|gave|given) up on (everything|myself|getting better|ever being happy|trying),
(im|i am) (done|finished) with (everything|it all|all of it|trying|fighting), (i|) (want|wanna) (to|) give up,
(tired|sick|exhausted) of (life|everything|fighting|trying|being me|my life|the pain|hurting|it all),
(want|wanna|wish i could) (disappear|vanish|fade away) (forever|completely|for good|),
(the|this) (pain|hurt) (is|feels) (unbearable|too much|never ending), (i|) (cant|cannot) (bear|stand) (the pain|this pain|it) anymore,
(no one|nobody|noone) (would|will) (care|notice|miss me), (no one|nobody|noone) (cares|loves me|cares about me|would care),
(im|i am|i feel) (so|) (alone|lonely) (all the time|and hopeless|and worthless),
(what|whats) the point (anymore|of anything|of trying|of it all),
(when|after|once) (im|i am) (gone|dead|not here|no longer here),
(sorry|im sorry|i am sorry) for (everything|being a burden|being such a burden|all the pain i caused),
(nothing|no one) (will|can|could) (ever|) (help|save) me, (its|it is) (hopeless|pointless) (anymore|now|),
(i|) (wont|will not) be (here|around) (much longer|for much longer|anymore|for long),
(thank you|thanks) for everything (goodbye|bye), (i love you all|love you all) (goodbye|bye),
(relapsed|relapse|relapsing) (again|today|last night|tonight), (broke|broken|ruined|lost) my (streak|clean streak),
(woke|waking|wake) up in (the|a) (hospital|er|icu|psych ward), (psych|psychiatric|mental) (ward|hospital|unit),
(hit|hitting|punch|punching|slap|slapping|scratching|pinching) myself (until|till|so hard|again|hard),
(why|how) (am i|do i keep) (still|) (here|alive|going|living),
(id|i would|i much|id much|i would much) rather (die|be dead) than, (everything|all) i (had|have) to live for,
(i|ive|i have|i had) (been|) (hospitalized|committed|admitted) (for|after) (my|an|a) (attempt|overdose|suicide attempt|suicidal)
"""

MEANS = """
(i|ive|i have|i already have|i got|ive got|i bought|i found|i keep) (the|enough|a bottle of|all my|a stash of|a box of) (pills|meds|tablets|sleeping pills|painkillers),
(i|ive|i have|i already have|i got|ive got|i bought|i found) (a|the) (rope|noose|gun|blade|razor|razor blade),
(i|ive|i have|ive got|i already have) (a|the) (plan|method|date|time|place|spot) (picked|chosen|set|ready|planned|),
(picked|chose|chosen|set|decided on) (a|the) (date|day|method|place|spot) (to|for),
(researching|researched|looking up|looked up|googling|googled|reading about) (methods|ways to die|suicide methods|lethal doses|how to die|how many pills),
(goodbye|bye) (everyone|everybody|all|guys|my friends)
"""

SUPPORT = """
if (you|u|youre|your|anyone|someone) (are|is|re|) (thinking|feeling|having|struggling|in crisis|considering),
please (call|text|reach out|talk to|contact|get help|stay|dont), (call|text|dial) (988|911|999|112|lifeline|samaritans),
hotline, lifeline, samaritans, crisis (line|text line|team|number|hotline), (you are|youre|ur) not alone,
(im|i am|were|we are) (here|always here) (for you|if you need), here if (you|u) (need|want) (to talk|someone),
stay strong, hang in there, i believe in (you|u), reach out (to someone|),
(dont|do not|please dont) (do it|give up|kill yourself|hurt yourself|do anything),
(are|r) (you|u) (thinking|having thoughts|feeling) (of|about|) (suicide|killing yourself|hurting yourself|suicidal),
(you|u) (should|could|can|need to) (talk|see|call|get help|reach out), (did|do|have) (you|u) (tried|considered|talked),
sending (you|u) (hugs|love), (please|) take care of yourself, warning signs, risk factors,
(the|this) article (says|said|mentions|explains|describes)
"""

PAST = """
used to, years ago, year ago, (a long|long) time ago, (months|weeks) ago,
when i was (younger|a kid|a teen|a teenager|in school|in high school|in college|little|a child|young),
(back|way back) (then|when), no longer, in the past, (as a|when i was a) (kid|teen|teenager|child),
(in|during) (high school|middle school|college|my teens|my twenties|my childhood)
"""

RECOVERY = """
(im|i am|i feel|feeling|its|things are|life is|im doing|i am doing|doing) (so much|much|a lot|way|far|) better (now|these days|today|than ever|),
(im|i am|now im|now i am) (in recovery|recovered|healing|in a better place|doing well|doing okay|doing ok|happy now|safe now),
(got|getting|gotten|finally got) (better|help|through it), (years|months|days|weeks) clean, recovered (from|),
(glad|grateful|thankful|happy) (i|that i) (failed|survived|didnt|am still here|stayed|reached out|got help|am alive|lived),
(glad|grateful|thankful|happy) to be (alive|here|still here), (im|i am) still here and,
(havent|have not|didnt|did not) (cut|self harmed|hurt myself|harmed myself|attempted|felt suicidal) (in|for|since)
"""

# --- spam ----------------------------------------------------------------------------------

SPAM = """
free nitro, (claim|claiming) (your|ur|a|the) (free|prize|reward|gift|nitro|cash|bonus|voucher),
(you|u) (have|ve|has) (won|been selected|been chosen), (congratulations|congrats) (you|u|ur),
click (here|the link|this link|below), (limited|special) (time|) offer, (act|order|call|buy) now,
(cash|money|mystery) (prize|reward|bonus), (winner|winning) (prize|claim), (gift card|giftcard|voucher)+,
(earn|make) (money|cash|extra cash|income) (from home|fast|online|daily), work from home,
(crypto|bitcoin|btc|forex) (investment|trading|signals|profit|profits), double (your|ur) (money|investment|bitcoin),
(dm|message|pm) me (for|to) (details|info|more|earn|make), (guaranteed|guarantee) (profit|income|returns|prize|win),
(urgent|important) (message|notice|reply|call), (account|acct) (suspended|locked|compromised),
verify (your|ur) account, (unsubscribe|opt out|stop to end|reply stop|text stop|txt stop|send stop),
(txt|text) (win|yes|stop|claim), (call|ring) (now|free|us|the number) (to claim|to collect|customer service|),
(t&c|t&cs|tcs|tscs|ts and cs), (per|a|p) (msg|min|minute|week|wk|text|txt), onlyfans,
subscribe to my (channel|page), follow (me|my page) (for|and) (free|more), check out my (channel|page|profile|link|store),
(lowest|best|great|cheap) (price|prices|deal|deals|rates), (cheap|discount) (meds|pills|viagra|rolex), viagra, cialis,
you have (been|) (awarded|selected|chosen), (entry|entered) (into|in) (a|the|our) (draw|prize draw|competition|contest),
(ringtone|ringtones|wallpaper|wallpapers), (mobile|phone) (update|upgrade),
(sexy|hot) (singles|girls|babes|chat), (dating|date|chat) (service|line), (live|adult) chat
"""

# The strongest promotional words. Not hits: the matcher only reports that one occurs
# (`matcher.SPAM_HINT`), so most messages skip the spam scorer's word count.
SPAM_HINTS = ("free", "win", "won", "prize", "claim", "cash", "txt", "urgent", "offer", "nitro",
              "giveaway", "call", "mobile", "text", "reply")

# --- heavy topics (content-note channels) -------------------------------------------------

HEAVY = """
suicide, suicidal, self harm, selfharm, cutting, overdose, abuse+, abused, abusive, rape, raped,
molest+, molested, assault+, assaulted, sexual assault, eating disorder, anorexia, bulimia,
relapse+, miscarriage+, trauma, traumatic, grooming, groomed, incest, domestic violence
"""

NEGATIONS = frozenset(
    "dont not never no nt wont wouldnt didnt doesnt cant cannot stop stopped isnt arent".split()
)
FIRST_PERSON = frozenset("i im ive id ill me my myself mine".split())
OTHER_SUBJECTS = frozenset(
    "you u youre ur your yourself he hes she shes they theyre them his her someone anyone "
    "somebody people everyone friend brother sister mom dad mother father son daughter "
    "wife husband partner boyfriend girlfriend".split()
)
SECOND_PERSON = frozenset("you u ya youre ur your yours yourself yourselves yall ye".split())
INTENT = frozenset(
    "i ill im imma ima we were gonna going will gon wanna shall finna about".split()
)
THREAT_TARGETS = frozenset(
    "you u ya your ur yourself yall him her them zmention his family kids".split()
)
MENTION_TOKEN = "zmention"

CONTENT_NOTE_MARKERS = ("cn:", "cw:", "tw:", "content note", "content warning", "trigger warning",
                        "[cn", "[cw", "[tw", "(cn", "(cw", "(tw")


def entries() -> Iterator[tuple[str, str, int]]:
    """(phrase, tag, severity) for every built-in pattern."""
    from groupbot.moderation.pii import ADDRESS_WORDS

    for word in ADDRESS_WORDS:
        yield word, "street", 0
    table: Iterable[tuple[str, str, int]] = (
        (INSULTS, "insult", 2), (ATTACKS, "attack", 3), (MILD_ATTACKS, "attack", 1), (SLURS_SEVERE, "slur", 3),
        (SLURS_MILD, "slur", 2), (GROUPS, "group", 1), (HATE_PREDICATES, "hatepred", 2),
        (VIOLENCE, "violence", 2), (THREATS, "threat", 3), (SEXUAL, "sexual", 2),
        (PROFANITY, "profanity", 1), (CRISIS_IDEATION, "crisis.ideation", 2),
        (CRISIS_SELFHARM, "crisis.selfharm", 2), (CRISIS_PLAN, "crisis.plan", 3),
        (CRISIS_ATTEMPT, "crisis.attempt", 2), (DISTRESS, "crisis.distress", 1),
        (MEANS, "crisis.means", 3), (SUPPORT, "support", 1), (PAST, "past", 1),
        (RECOVERY, "recovery", 1),
        (SPAM, "spam", 2), (HEAVY, "heavy", 1),
    )
    for block, tag, severity in table:
        for pattern in _patterns(block):
            for phrase in expand(pattern):
                yield phrase, tag, severity


def _patterns(block: str) -> Iterator[str]:
    """Patterns in a block are separated by commas (or line ends)."""
    for item in block.replace("\n", ",").split(","):
        item = item.strip()
        if item:
            yield item
