# ruff: noqa: E501  (word lists are data: one pattern per comma, long alternations stay whole)
"""Built-in word lists, written for groupbot (no data-set text).

Every entry is matched as whole words in the normalised token stream (lower case, look-alikes
folded, apostrophes dropped: "you're" is "youre"), never as a raw substring, so "assistance"
and "Scunthorpe" never match "ass" or the slur inside them. Patterns use a tiny syntax:
``(a|b|)`` is an alternative (an empty one makes it optional); ``word+`` adds common endings.

Each entry is (pattern, tag, severity). The tag says which detector reads the hit:
  insult    an insult, harassment only when aimed at someone (you / a mention / a member's name)
  attack    harassment with the target built in ("kill yourself", "nobody likes you")
  (slurs, slogans of organised hate, groups of people and what is said of them are read by
  the structural reader, groupbot/moderation/structure.py, which takes its slur lists from
  here and its word classes from groupbot/data/words/abuse.txt)
  benign    an innocent phrase around a slur or insult ("maine coon"): that hit is dropped
  violence  a violent verb (threat only with first-person intent and a target)
  threat    a threat phrase on its own
  sexual    explicit sexual content
  profanity untargeted swearing
  crisis.*  crisis signals (ideation, selfharm, plan, attempt, distress, means); generic ones
            need a first person subject (or none) and no negation; and danger from someone
            (danger, harming, harmed: someone hurting the writer now, see DANGER)
  support   supportive or resource-giving language (someone helping, not in crisis)
  past      past-tense time markers ("years ago", "when I was a teen"), read near a hit
  recovery  recovery markers ("I'm doing better now", "glad I survived")
  plea.*    a call for help (plea.help) or for anyone at all (plea.here): never spam when
            repeated; a repeated call for help gets care (see engine)
  spam      promotion or scam wording, with its weight as the severity
  heavy     a heavy topic that a content-note channel wants a note for
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from groupbot.moderation.wordlists import street_words

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
psycho+, schizo+, weirdo+, bimbo+, slag+, thot+, incel+, simp+,
tard+, fucktard+, libtard+, dumbfuck+, fuckface+, fuckhead+, cocksucker+, motherfucker+,
cripple+, uncle tom+, pussy boy+,
(fucking|fuckin|stupid|dumb|little|lil|ugly|a|such a) queer
"""

ATTACKS = """
(kill|hang|neck|shoot|off) yourself, (kill|hang) yourselves, kys, go die, (go|) die in a fire,
drop dead, (nobody|no one|noone) (likes|loves|wants|cares about) (you|u),
(you|u) should (die|just die|kill yourself|not exist|disappear),
(i|) hope (you|u|ya) (die|rot|burn|choke|die alone|rot in hell|burn in hell|get raped),
(i|) hope (you|u|ya) (get|catch|die of) (cancer|aids|ebola|covid|hit by a (car|bus|truck|train)|run over),
go (get|) (hit|run over) by a (car|bus|truck|train), go play in traffic,
(the|) world would be better without (you|u), (everyone|everybody) hates (you|u),
(you|u) dont deserve to live, (you|u) deserve to die,
(kill|hang|neck|shoot) (urself|yoself|yaself|ya self|your self|ur self|yourslef),
(kill|hang) (yaselves|urselves|yoselves|yall selves), (go|) (drink|eat|swallow) bleach
"""

# Telling the person addressed to leave the country: a xenophobic attack on a member.
GO_BACK = """
go back (to where|where|to wherever) (you|u|ya) came from, go back to (your|ur) (own|) country
"""

MILD_ATTACKS = """
shut (the fuck|the hell|) up, stfu, gtfo, (nobody|no one) asked (you|u|),
(you|u|ya|youre|you are|u r) (a|such a|little|fucking|fuckin|lil|a little|a fucking|) (pussy|pussies),
(yo|ya|your|ur|you) (bitch|pussy|hoe|punk|dumb|stupid|fat|ugly|broke|lame|weak|scary|sorry|bitch made) ass
"""

# Words with innocent senses ("take out the trash", "a joke") that are insults only when
# said of the person addressed ("you are trash"): the target is part of the phrase.
AIMED_INSULTS = """
(you|u) (are|r|re) (so|such|just|absolute|complete|total|utter|) (trash|garbage|disgusting|repulsive),
youre (so|such|just|absolute|complete|total|utter|) (trash|garbage|disgusting|repulsive),
(you|u) (are|r|re) (a|such a|just a) (joke|disgrace to this group),
youre (a|such a|just a) (joke|disgrace to this group)
"""

# Taunts in the imperative, said to a member ("go cry about it"); not after a softener
# ("it's ok to cry about it": see detectors). Read by the attack rule at severity 1.
TAUNTS = """
(go|) cry about it, get over yourself, (just|) get over it already, (go|) take (your|ur) (meds|pills)
"""

# The same kind, milder: a reminder is enough.
AIMED_MILD = """
(you|u) (suck|sucks|suck so much), (you|u) make me sick, (you|u) disgust me,
(fuck|screw) (you|u) (all|both|people|guys), (fuck|screw) yall,
(you|u) (brought|bring) (this|it|that) on (yourself|urself), (you|u) deserved what (you|u) got,
no wonder (he|she|they) left (you|u), (nobody|no one|noone) (here|) cares about (your|ur) (sob story|sob stories|drama|whining|problems),
(you|u) belong in (a|the) (psych ward|mental hospital|mental institution|asylum|loony bin|nuthouse),
(you|u) (are|r) the problem, youre the problem,
(youre|you are|ur|u r) (so|) (dramatic|needy|attention seeking),
(youre|you are|ur|u r) (such|) (a drama queen|an attention seeker|a crybaby|a snowflake),
no wonder (your|ur) (husband|wife|boyfriend|girlfriend|partner|ex|bf|gf|fiance|fiancee) left (you|u),
(you|u) (are|r|re) (so|really|just|) (annoying|irritating|insufferable),
youre (so|really|just|) (annoying|irritating|insufferable)
"""

# Rude words that need someone to be aimed at, like an insult: "@sam fuck you" and "fuck
# you, Sam" are said to a person; a bare "fuck you" is as often said to the world, to an
# illness or to a day, which a support group hears as venting.
RUDE = """
(fuck|screw) (you|u|ya)
"""

# --- hate (read by structure.py: slurs and slogans; the matcher no longer lists them) ---------

SLURS_SEVERE = """
nigger+, nigguh+, kike+, spic+, wetback+, chink+, gook+, raghead+, towelhead+, sandnigger+,
coon+, jigaboo+, porch monkey+, beaner+, paki+, faggot+, fagot+, fag+, tranny, trannies, shemale+,
zipperhead+, heeb+, golliwog+, wog+, redskin, squaw+, gyppo+, pikey+, muzzie+, darkie+, negroid+,
white trash, trailer trash, whitey+, jungle bunn(y|ies), tar bab(y|ies), sambo+, pickaninn(y|ies),
hymie+, yid+, dago+, kraut+, polack+, chinaman, chinamen, (slant|slanty) eye+, camel jockey+,
sand monkey+, (halfbreed|half breed)+, ching chong, lesbo+, batty boy+, poofter+,
boong+, gypo+,
niggar+, niggur+, niggerish, niggery, niggerize+, niggerized, niggress+, niqqer+, niglet+,
nigglet+, nignog+, nig nog+, kneegrow+, sheboon+, towel head+, rag head+, spear chucker+,
porch monkies, (jiggaboo|jigga boo|jiggerboo)+, moon cricket+, dune coon+, oven dodger+,
(goatfucker|goat fucker)+, chinky, muzrat+, dothead+, curry muncher+, faggit+,
fagget+, fagg+
"""

SLURS_MILD = """
nigga+, niggah+, dyke+, homo+, mongoloid+, spaz+, spastic, jap+, honky+, honkey+, wigger+,
nig, nigs, gringo+, honkie+,
(white|dumb|stupid|fucking|fuckin|lil|little|redneck|old|ass|racist|broke) (cracker|crackers|cracka|crackas),
niggaz, nigguz, nicca+, niccaz, nigha+, niqqa+, nibba+, gaywad+, retard, retards,
coloreds, border (jumper|hopper)+, cotton picker+,
window licker+, peckerwood+, ofay+, whigger+, cracker ass+,
(kill|killing|hang|lynch) (the|some|all|all the|them|em|) (cracker|crackers)
"""

# Slogans and codes of organised hate (white-supremacist numbers and salutes): hate on
# their own, unless the writer is telling what someone else said or did.
HATE_CODES = """
1488, rahowa, racial holy war, (sieg|seig|zieg) heil, (heil|hail) hitler, white power,
white pride world wide, aryan race, aryan nation+, blood and soil,
(jews|you) will not replace us,
(the|) holocaust (never happened|didnt happen|was a hoax|is a hoax|was a lie|is a lie|was fake|is fake|is a myth|was a myth),
hitler (was right|did nothing wrong|had the right idea), gas the jews,
jews (control|run|own|controls|runs|owns) (the|) (media|banks|world|government|money|hollywood|news),
jews are behind (everything|it all|all of this|all of it),
trans women are (men|male|just men|not women|not real women), trans women arent (women|real women),
trans men are (women|female|just women|not men|not real men), trans men arent (men|real men)
"""

# Innocent senses of words listed above (a cat breed, a car part, an idiom, a dish): a slur
# or insult hit that lies inside one of these phrases does not count.
BENIGN = """
maine coon+, coon (dog|dogs|hound|hounds|hunting|hunt|hunter|hunters|tracks|skin|skins|cat|cats|tail|tails|cheese),
honky tonk+, (gobbledy|gobble de|gobbledee) gook, (tighty|tightey|tightie) (whitey|whiteys),
(auto|automatic|manual|rebuilt|new|stick shift|4 speed|5 speed|6 speed) tranny,
tranny (fluid|swap|shop|rebuild|rebuilt|cooler|pan|mount|line|lines|slipping|problems|issues|went out|is shot),
spic (and|n) span, chink in (the|his|her|their|my|your|our|its) (armor|armour),
homo (sapien|sapiens|erectus|habilis|neanderthalensis|floresiensis), fag (break|breaks|end|ends|packet),
squaw valley, redskin (potato|potatoes|peanuts), white trash (bag|bags|can|cans|bin|bins),
(mechanical|john deere|old) cotton picker+, cotton picker (machine|machines),
white power (cord|cords|cable|cables|strip|strips|supply|supplies|bank|banks|adapter|adapters|button|buttons|outlet|outlets|socket|sockets|plug|plugs|brick|bricks|ranger|rangers|led|light|lights),
shoot yourself in the foot, shoot yourself with,
guinea pig+, holy cow, cash cow+, sacred cow+, mad cow, garden hoe+,
(fuck|screw) (you|u) (cancer|depression|anxiety|addiction|alcohol|covid|ptsd|ocd|adhd|bpd|insomnia|migraines|monday|mondays|brain|body|life|2020|grief|trauma|codependency),
(i|we|they|he|she|who|ive|i just|i always|i never|i really) thot
"""

# --- threat ------------------------------------------------------------------------------

VIOLENCE = """
kill, murder, shoot, stab, beat, punch, strangle, choke, rape, slap, smash, burn, bomb, hurt,
beat up, break your (face|neck|legs|jaw|arm|arms), cut (your|ur) throat, slit (your|ur) throat,
bash (your|ur) (head|face) (in|), end (you|u), skin (you|u) (alive|), bury (you|u), gut (you|u)
"""

THREATS = """
i know where (you|u) live, (i|we) (will|gonna|going to) find (you|u), (ill|well) find (you|u), watch (your|ur) back,
(youre|you are|ur|u r) dead (meat|), (your|ur) days are numbered,
(im|i am) coming for (you|u), (im|i am|were|we|we are|ima|imma) (coming|comin) (for|after) (your|ur|yo) (life|family|kids|head),
(you|u) (will|gonna|going to) pay for (this|that), sleep with one eye open,
(you|u) (will|gonna|going to) regret (this|that|it),
(ill|i will|im going to|im gonna|imma) make (you|u) (pay|suffer|bleed),
(ill|i will|im gonna|imma|i am going to) (shoot|bomb) (up|) (the|this|your) (school|place|building|office|house|church|mosque|synagogue)
"""

# --- sexual ------------------------------------------------------------------------------

SEXUAL = """
send nudes, (send|sending) (me|) (a|) (nude|naked|dirty) (pic|pics|photo|photos|picture|pictures),
(send|sending) me (your|ur) nudes, (wanna|want to) see my (dick|cock|pussy|tits|boobs) (pic|pics|),
cum (on|in) (you|u|your|ur), (suck|lick) my (dick|cock|balls|tits|pussy), sit on my face,
(wanna|want to|lets|let me) (fuck|bang|screw|smash) (you|u), (have|having) sex with (you|u),
sext me, (show|send) me your (tits|boobs|dick|cock|pussy|ass|body), nsfw pics,
(check out|look at|watch|see) my (nudes|porn|onlyfans|only fans), (my|our) onlyfans,
(send|sending) me (a|your|ur) (dick|cock) (pic|pics)
"""

# Sexual things named: in a member's own life (an addiction, an assault, a health matter, what
# was done to them, their sex life) this is welcome talk, not content. Only offered or shared
# ("go look", a link, "dm me for") does it count (see detectors.abuse).
SEXUAL_TOPIC = """
porn, porno, pornography, pornhub, xvideos, xhamster, nudes, dick (pic|pics), blowjob+, handjob+,
cumshot+, cumming, jizz+, orgasm+, (masturbate|masturbates|masturbated|masturbating|masturbation),
(jerk|jerking) off, (jack|jacking) off, horny, hentai, anal sex, deepthroat+, titties, titty,
boner+, dildo+, milf+, bdsm, camgirl+, sexting, sext
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
(want|wanna|need) (it|it all|everything|all of this|all this) to (end|stop|be over),
(want|wanna) to (stop existing|not exist|cease to exist|sleep forever|never wake up|be gone forever|go to sleep forever|disappear forever|disappear for good),
wish (i|id) (was|were|had|could be) (dead|died|never born|never been born|not been born|gone forever|never existed),
wish (i|id) (could|would) (just|) (die|disappear forever|not wake up|never wake up|stop existing|cease to exist|fall asleep forever),
wish i (wasnt|was not|werent) (born|alive|here anymore|alive anymore),
(dont|do not|dont even|never) (want|wanna) to (be alive|exist|be here|wake up) (anymore|again|tomorrow|),
(dont|do not|dont even|never) (want|wanna) to live (anymore|again|like this|any longer),
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
(everyone|everybody|they|world|family|the world|people|my family|my friends|my kids|my parents|everyone else) (would be|will be|is|are|would|will|d be) better off (if i (was|were) dead|if i died|with me dead|if i (was|were) never born),
(no one|nobody|noone) (would|will|is going to|gonna) (even|) (notice|care) if i (died|was dead|killed myself),
(i|) (dont|do not) deserve to (live|be alive|exist|be here), i deserve to die,
i (should|might as well|may as well|need to) (just|) (die|be dead|kill myself|end it all|end it|end my life),
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
(end|ending) my (suffering|misery) (forever|for good|permanently|),
(kill|killing|end|ending|off|offing|unalive|hang|hanging|shoot|shooting) my self, (neck|necking|top|topping|end|ending|delete|deleting) myself, (do|doing) myself in,
(would have|wouldve|would of|id have|i would have|should have|shouldve|havent|have not|hadnt|if i|when i|before i|once ive|after ive|when ive) (killed|ended|offed|hanged) (myself|my self|my life|it all),
(would have|wouldve|would of|id have|i would have) (already|certainly|definitely|probably|surely) (killed myself|ended it|ended my life|committed suicide),
(would have|wouldve|would of|id have|i would have) committed suicide, (all i want|what i want|all i need|what i need|all i wish for) (right now|now|) is (just|) to (die|end it|end it all|be dead|stop existing|not exist|sleep forever|never wake up|disappear forever),
every day (im|i am|that im|that i am) (alive|still alive|still here) (is|feels like|feels) (torture|hell|agony|a punishment|unbearable),
(suicide|death|dying|suicidal) (fantasies|daydreams|fantasy),
(want|wanna|wish i could) (to|) (just|) (go to sleep|sleep|fall asleep) and (never|not) wake up, (wish|wished) (i|id|i had|i was) never (been born|born|existed),
(i|id|i would|im|i am) (be|) better off (gone|not existing|not being here|not alive|not around|never born|never existing),
(want|wanna|going|need) to end everything, (thinking|thought|think) (of|about) ending everything,
(thinking about|thought about|considering|think about|thinking of) (overdosing|taking all my pills|hanging myself|jumping off a bridge|slitting my wrists|shooting myself),
the only (reason|thing) (i havent|ive not|im still|i am still|that keeps me|keeping me|that is keeping me|that stops me from|stopping me from|keeping me from) (killed myself|killing myself|ending it|ending it all|ending my life|committed suicide|commit suicide|committing suicide|alive|breathing),
(i|id|i would) (have|) (be|been) dead (by now|already|long ago|years ago),
i (should|shouldve|should have|was supposed to|am supposed to) (be dead|have died|died|have never been born|not be alive|not exist|not be here),
(i have|ive got|ive had|i get|i had) (a|this) death wish, (my|i have|i get|i have these|ive had) (death|suicide|suicidal|dying) (fantasies|fantasy|wishes|dreams),
(crave|craving|long for|longing for|welcome|yearn for|yearning for|wish for|wishing for|pray for|praying for) (death|my death|to die|to be dead|my own death),
(just|im just|i am just|im|i am) waiting (to die|for death|for my death|to be dead),
(keep|kept|been|always|constantly|cant stop|cannot stop|often) (thinking|think) (about|of) (dying|suicide|killing myself|ending it|ending it all|ending my life|my death|my own death|not being here|not existing|being dead),
(having|have|had|get|getting) (thoughts|urges|fantasies) (of|about) (dying|death|suicide|killing myself|ending it|ending my life|not waking up|being dead|my death),
suicidal (thoughts|urges|feelings|ideation) (are|have|is|came|come|have come|are coming) (back|coming back|returned|getting worse|worse|stronger|getting stronger),
back to (being|feeling) suicidal, passive (suicidal thoughts|suicidal ideation|death wish|suicidality), active suicidal (thoughts|ideation),
(depressed|depression|hopeless|lonely|miserable|worthless|empty) and suicidal,
no (point|reason) (living|being alive|going on|staying alive|existing|carrying on|in carrying on),
(i|) (dont|do not|no longer|honestly dont) (care|even care) (if|whether) i (live or die|live|am alive|wake up|make it),
(dont|do not|lack|dont even have|dont have) (the courage|the guts|the balls|the nerve|the strength|what it takes) to (kill myself|end it|end my life|go through with it|end it all),
(jump|jumping|step|stepping|throw myself|throwing myself|walk|walking|lie down|lay down) in front of (a|the|an) (train|car|bus|truck|lorry|oncoming car|subway),
(drive|driving|crash|crashing|drove|crashed|swerve|swerving) (my car|the car|myself) (into|off) (a|the) (tree|wall|bridge|cliff|pole|river|lake|truck),
(swerve|swerving|drive|driving) into oncoming traffic,
(thinking about|think about|thought about|keep thinking about|want to|wanna|fantasize about|fantasizing about|urge to|tempted to) (drive|driving|crash|crashing|swerve|swerving) into (a|the) (tree|wall|pole|truck|bridge|river),
(use|using|turn|turning|point|pointing) (the|a|my|that) (gun|knife|razor|blade|pistol) on myself, (think|thinking|thought) about (using|turning) it on myself,
(want|wanna|need|going|wish i could) (to|) (escape|leave) (this world|this life|life|existence) (for good|forever|behind|)
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
(i|ive|i have|i used to) (cut|cuts|burned|burn) (my|on my) (arm|arms|wrist|wrists|thigh|thighs|legs|leg|skin|stomach|hips|body),
(im|i am|i was|i used to be|ive been|im still|i became) a cutter, (dig|digging|dug) my (nails|fingernails) into my (skin|arm|arms|wrist|wrists|legs|thighs),
(cuts|scars|marks|carving|lines|slashes|cutting) (on|into|across) my (wrist|wrists|forearm|forearms|thigh|thighs),
(carve|carving|carved|cut|cutting) (into|words into|lines into) my (skin|arm|arms|wrist|wrists|thigh|thighs|legs),
(self harm|selfharm|self harming|self injury) (thoughts|urges), (thoughts|urges) (of|to|about) (self harm|selfharm|self harming|self injury),
(my|i have|i struggle with|ive struggled with|i engage in|i deal with|i have a history of|i relapsed into|back to|started) (self injury|self injurious behavior|self injurious behaviour|nssi|self injuring),
(burn|burned|burning|burnt) myself with (a|my|the|) (lighter|cigarette|cigarettes|iron|match|matches)
"""

CRISIS_PLAN = """
(stockpiling|stockpiled|been saving|saving up|saved up|hoarding|hoarded) (my|the|) (pills|meds|medication|medications|tablets|sleeping pills|painkillers),
(going|gonna|about|planning|plan|planned|decided|ready|trying|intend|intending) to (kill myself|end my life|end it|end it all|take my life|die tonight|commit suicide|overdose),
(im|i am|i will|ill) (kill|killing) myself (tonight|today|tomorrow|soon|this weekend),
i have a plan to (die|end it|kill myself), my suicide plan is, my suicide plan, (planning|planned|plan) my (own|) (suicide|death),
(wrote|writing|written|write|left) (a|my) (suicide|goodbye) (note|letter),
(wrote|writing|written|write|left) (my|) (suicide|goodbye) (notes|letters),
suicide note, suicide notes, goodbye (note|letter|notes|letters), this is (my|) (final|last) (goodbye|message|post|words), my (final|last) (goodbye|words),
(saved|saving|stockpiling|hoarding|swallowed|counting|collecting) (up|) (all|) (my|the|some|enough|a bunch of|a lot of) (pills|meds|tablets|sleeping pills),
(take|taking|took) all (my|the|of my) (pills|meds|tablets), (im|i am|gonna|going to|i will|about to) (overdose|od),
(tie|tied|tying|made|bought|making) a noose,
(bought|have|got|loaded) (a|the|my dads|my) (gun|rope) (to|for) (myself|end it|kill myself),
(jump|jumping) (off|from) (a|the|this) (bridge|building|roof|cliff|balcony) (tonight|today|now|),
step in front of a (train|car|bus|truck),
(wont|will not) be alive (tomorrow|much longer|by morning|next week|anymore|for long|),
(said|saying) my goodbyes, (give|giving) away (all|) my (stuff|things|belongings|possessions),
(tonight is|tonights) the night, (tonight|today) (is|will be) my last (day|night),
my (last|final) (day|night) (alive|on earth|of my life),
by the time (you|anyone|someone|u) (read|reads|see|sees|find|finds) this (i|ill|im),
goodbye (cruel world|forever|world),
(how|ways|best way|easiest way|quickest way|painless way|painless ways) to (kill myself|end my life|commit suicide),
(painless|quick|easy) (way|ways) to die, (swallow|swallowed|take|took) (all|) (the|my|a bottle of|all the|all my|a handful of) (pills|sleeping pills|painkillers) (tonight|now|and|),
(pick|picked|grab|grabbed) (up|) (the|my|a) (gun|rope|razor|blade) (and|to), (lethal|fatal) dose, how many (pills|tablets) (would|will|does it take|to|it takes|it would take),
(have|got|has|had) (the|my|all the|all my) (pills|noose) (ready|ready to go|lined up|laid out),
(gave|given) away (all|) my (stuff|things|belongings|possessions), (getting|got|get|put|putting|set|setting) my affairs in order,
(im|i am|ill|i will|im going to|im gonna|i want to|i need to) end it (tonight|today|tomorrow|this week|this weekend|soon|for good)
"""

CRISIS_ATTEMPT = """
(i|ive|i have|i had|i just) (tried|attempted|try) to (kill myself|end my life|end it|commit suicide|take my life|overdose|hang myself|end it all),
(i|ive|i have) attempted (suicide|twice|before|again), my (last|first|second|third|previous|recent|suicide|failed) attempt, (failed|botched|unsuccessful|several|multiple|two|three|many) (suicide|) attempts,
survived (my|an|a|the) (suicide|) attempt, (after|since) my (last|) attempt, attempted suicide,
(i|ive|i have|i just) (overdosed|taken too many pills|took too many pills),
(had|got) my stomach pumped, (im|i am) (bleeding|bleeding out) (now|badly|a lot),
(i|i just|ive just) (took|taken|swallowed) (a bottle|a handful|all|the whole bottle|the whole pack) (of|),
(downed|swallowed|chugged|took|taken) (an entire|the entire|the whole|a whole|half a|a full|a) (bottle|box|pack|packet) of (pills|painkillers|sleeping pills|tablets|meds|tylenol|paracetamol|advil|aspirin),
(i|ive|i have|i had|i just) (tried|attempted|try) to (choke|suffocate|strangle|drown|poison|shoot|hang|electrocute|starve|gas|cut) myself,
(another|my|one) attempt on my own life, (i|) survived (an|my|the|a) overdose, (after|since) my (last|) overdose,
(i|ive|i have) (failed|fail) (at|to) (kill|killing|end|ending) (myself|my life),
i (took|swallowed|downed) (too many|a ton of|loads of|every one of my|all of my|a bunch of|a handful of|way too many) (pills|tablets|painkillers|meds|sleeping pills),
(i|ive|i have|i just) (took|taken|take) an overdose, (i|ive|i just) oded,
(gun|pistol|revolver|barrel|shotgun) in my mouth, (gun|pistol|revolver|barrel|shotgun) (to|against|under) my (temple|chin),
(my|the) (gun|pistol|revolver) jammed, the noose (broke|snapped)
"""

DISTRESS = """
(everyone|everybody|they|world|family|the world|people|my family|my friends|my kids|my parents|everyone else) (would be|will be|is|are|would|will|d be) better off (without me|if i (was|were|wasnt|werent) (gone|here|around|not here)|with me gone),
(no one|nobody|noone) (would|will|is going to|gonna) (even|) (miss me|notice if i (was gone|were gone|disappeared|wasnt here)|care if i (was gone|were gone|disappeared|wasnt here)),
(im|i am|i feel like|feel like|im just|i am just|i feel|im such|i am such) (a|such a|nothing but a|just a|only a) (burden|waste of space|waste of oxygen),
(im|i am|being|i feel like|feel like) (a|such a) burden (to|on|for) (everyone|everybody|my family|them|others|people|my friends|my parents|the world|you all|you guys|anyone),
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
(im not|i am not|i aint) (going to|gonna) be (here|around) (much longer|for much longer|anymore|for long),
(everyone|everybody) hates me, (i|) (feel|am|im) (so|) (empty|numb) (all the time|inside and out|every day),
(thank you|thanks) for everything (goodbye|bye), (i love you all|love you all) (goodbye|bye),
(relapsed|relapse|relapsing) (again|today|last night|tonight), (broke|broken|ruined|lost) my (streak|clean streak),
(woke|waking|wake) up in (the|a) (hospital|er|icu|psych ward), (psych|psychiatric|mental) (ward|hospital|unit),
(hit|hitting|punch|punching|slap|slapping|scratching|pinching) myself (until|till|so hard|again|hard),
(why|how) (am i|do i keep) (still|) (here|alive|going|living),
(id|i would|i much|id much|i would much) rather (die|be dead) than, (everything|all) i (had|have) to live for,
(i|ive|i have|i had) (been|) (hospitalized|committed|admitted) (for|after) (my|an|a) (attempt|overdose|suicide attempt|suicidal),
(want|wanna|wish i could|need) to (disappear|vanish|fade away|go away forever|not be here anymore|not be here),
(life|living|being alive|existing|my life|every day|everyday|each day|waking up) (is|feels like|feels|has become|is just) (torture|hell|a living hell|agony|unbearable|pointless|meaningless|a punishment|so pointless|so meaningless|too much),
nothing (will|is going to|is ever going to|will ever|ever) (get|gets|getting|be) (better|any better|okay|ok), nothing (will ever change|is ever going to change|ever changes),
(it|things|life|my life) (will never|is never going to|are never going to|wont ever|never|will not ever|isnt ever going to|arent ever going to) (get|be) (better|any better|okay|ok),
(it|things|life|my life) (wont|will not|isnt going to|arent going to) (ever|) get (any|) better,
(im|i am|i feel like im|i feel like i am|i feel) (at|hitting|hit|reached) (rock bottom|my breaking point|the end of my rope|the end of my tether|my limit|the end of the line),
(im|i am) (falling apart|barely holding on|hanging by a thread|running out of reasons|losing the will|losing the will to live|out of reasons),
(i|) (have|got|ive got) nothing (left|left to lose|to look forward to|left to live for),
(i|) (dont|do not|cant|cannot) see (myself|me) (getting better|getting out of this|ever being happy|being here|living|surviving|making it) (much longer|anymore|for long|),
(i|) (dont|do not|dont really) (want|wanna) to (do this|keep doing this|keep going|keep trying|fight|try|be here) anymore,
not sure i (want|wanna) to (do this|keep doing this|keep going|keep trying|fight|be here|be alive|live) anymore,
(i|) (feel|am|im) (backed into a corner|cornered|stuck with no way out),
(i|) (hate|despise|loathe) (living|existing|waking up|being alive|every day of my life),
(checked|check|checking) myself into (the|a) (hospital|psych ward|psych unit|mental hospital|er|psychiatric hospital),
(i have|i get|i have this|ive got this) (a|this|that|) (hopeless|empty|suicidal) feeling,
everything (is|feels|seems) (hopeless|pointless|meaningless),
(until|till) i (bleed|bled|start bleeding|started bleeding),
(im|i am|i feel|i just feel|i) (completely|totally|so|) (dead inside|hollow inside|empty and numb|numb and empty),
(im|i am|i was|i) (so|) (depressed|depression) and (hopeless|worthless|empty|numb|alone),
(im|i am|i feel like im|i feel like i am) (such a|a complete|a total|a) (failure|screwup|screw up|disappointment to everyone|mistake),
(i|) (have|got|ive got) no one (left|to talk to|to turn to),
(i|) (dont|do not) know (what to do|how to go on|how to keep going|what to do with myself) anymore,
(i|) (dont|do not) know how (much longer|long) i can (go on|keep going|do this|take this|hold on),
my life (has gone|is going|went|has gone straight) (down hill|downhill|to hell|to pieces),
my life is (over|ruined|falling apart|a waste|meaningless|pointless|worthless)
"""

MEANS = """
(i|ive|i have|i already have|i got|ive got|i bought|i found|i keep) (the|enough|a bottle of|all my|a stash of|a box of) (pills|meds|tablets|sleeping pills|painkillers),
(i|ive|i have|i already have|i got|ive got|i bought|i found) (a|the) (rope|noose|gun|blade|razor|razor blade),
(i|ive|i have|ive got|i already have) (a|the) (plan|method|date|time|place|spot) (picked|chosen|set|ready|planned|),
(picked|chose|chosen|set|decided on) (a|the) (date|day|method|place|spot) (to|for),
(researching|researched|looking up|looked up|googling|googled|reading about) (methods|ways to die|suicide methods|lethal doses|how to die|how many pills),
(goodbye|bye) (everyone|everybody|all|guys|my friends),
(i|ive|i have|ive got|i already have) (it|everything|it all) (planned|planned out|figured out|worked out) (already|),
(i|) know (exactly|) how (i would|id|i will|ill|im going to|i am going to|im gonna) do it,
(my|a|the) (suicide|) method (is|would be|will be|isnt going anywhere|of choice), (my|the) (chosen|preferred) method,
(looking|looked|staring|stared|sitting with|holding) (at|) (a|the|my|that) (gun|pills|rope|noose|razor|blade|bottle of pills),
(buy|buying|bought|get|getting|got) (a|the) (gun|rope|shotgun|pistol|handgun),
i (do|still|already) (have|own) (a|my|the) (gun|rope|pills|shotgun|pistol),
(stood|standing|stand|sat|sitting) on the (ledge|edge) of (a|the) (bridge|roof|building|cliff),
(said|saying|say) goodbye to (everyone|my family|my friends|my cat|my dog|the people i love|everybody)
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

# Someone hurting the writer, or the writer in danger from someone: a member in danger is
# cared for like a member in crisis (a private reply with the region's lines and its
# emergency number, and a moderator alert), never punished. Members often tell the group
# what was done to them long ago; only what is happening now, or just happened, counts.
# `harming` and `harmed` need a person as the subject just before ("he", "my ex": see
# detectors.crisis); `harmed` also needs a sign that it just happened ("last night").
DANGER = """
(im|i am) (scared|afraid|terrified) (he|she|they|hell|shell|theyll|he will|she will|they will|he is going to|she is going to|hes going to|shes going to|he might|she might) (kill|hurt|hit|beat) me,
(im|i am) (scared|afraid|terrified) (for my life|to go home|of going home),
(im|i am) not safe (at home|in my own home|in my house|in my own house|with him|with her|with them),
(i|) (dont|do not) feel safe (at home|in my own home|in my house|in my own house|with him|with her|with them)
"""
HARMING = """
(hits|beats|chokes|strangles|kicks|punches|slaps) me,
(hitting|beating|choking|strangling|kicking|punching|hurting|molesting|raping) me,
(molests|rapes|hurts) me, (keeps|keep|kept|wont stop|always) touching me,
(threatens|keeps threatening) me,
(threatens|threatened|threatening) to (kill|hurt|stab|shoot) me,
(hed|shed|theyd|hell|shell|theyll|would) (kill|hurt|stab|shoot) me,
(wont|doesnt) let me (leave|leave the house|go out)
"""
HARMED = """
(choked|strangled|punched|slapped|hit|kicked|raped|assaulted|beat|attacked|stabbed|molested) me,
(beat|roughed) me up, tried to (kill|strangle|choke|stab|drown) me, threatened me,
(i was|i got|ive been|i have been|im being) (raped|sexually assaulted|assaulted|beaten up|strangled|choked|attacked),
(hit|beat|hurt) me with (a|his|her|their|the) (belt|bottle|fist|fists|bat|stick|chair|shoe|pan|cord|knife|hammer|board),
(put|had) (his|her|their) hands (around|on) my (throat|neck),
(held|put|pressed|pointed) (a|his|her|their|the) (knife|gun|blade|pistol) (to|against|at) my (throat|head|neck|chest)
"""

# A member calling out for help, or for anyone at all: said again and again, it is someone
# nobody has answered yet, never spam (see engine: a repeated call for help gets care).
PLEA_HELP = """
help me, please help, pls help, plz help, (i|i really|i just|i really just) need (help|someone|somebody|someone to talk to|somebody to talk to),
(someone|somebody|anyone|anybody) (please|pls|plz|) help, can (someone|somebody|anyone|anybody) (please|) (help|talk to me)
"""
PLEA_HERE = """
(is|) (anyone|anybody|someone|somebody) (here|there|around|awake|online|up)
"""

PAST = """
used to, years ago, year ago, (a long|long) time ago, (months|weeks) ago,
when i was (younger|a kid|a teen|a teenager|in school|in high school|in college|little|a child|young),
(back|way back) (then|when), no longer, in the past, (as a|when i was a) (kid|teen|teenager|child),
(in|during) (high school|middle school|college|my teens|my twenties|my childhood),
last (year|summer|winter|spring|fall|autumn)
"""

RECOVERY = """
(im|i am|i feel|feeling|its|things are|life is|im doing|i am doing|doing) (so much|much|a lot|way|far|) better (now|these days|today|than ever|),
(im|i am|now im|now i am) (in recovery|recovered|healing|in a better place|doing well|doing okay|doing ok|happy now|safe now),
(got|getting|gotten|finally got) (better|help|through it), (years|months|days|weeks) clean, recovered (from|),
(glad|grateful|thankful|happy) (i|that i) (failed|survived|didnt|am still here|stayed|reached out|got help|am alive|lived),
(glad|grateful|thankful|happy) to be (alive|here|still here), (im|i am) still here and,
(havent|have not|didnt|did not) (cut|self harmed|hurt myself|harmed myself|attempted|felt suicidal) (in|for|since),
(im|i am|i feel|feeling|doing) (okay|ok|alright|fine|good|safe) (now|today|these days),
(today|now|these days) (im|i am|i feel) (okay|ok|alright|fine|good|safe|better)
"""

# --- spam ----------------------------------------------------------------------------------

# Spam wording, of two kinds: an offer (a prize, a free gift, a sale, money to earn, a channel
# to follow, a paid chat line, or a lure such as a locked account) and a call to act on one
# ("click here", "call now", "txt WIN"). The spam rule (spam.py) needs an offer and a way to
# act on it; a phrase whose first word is a verb of acting (click, call, ring, txt, text,
# reply, send, dm, message, pm) is the way to act, any other phrase is an offer. Everyday
# money talk stays out: "per week", "a text", "a great deal", "best rates", "work from
# home", "live chat" and "opt out" are how members talk about rent, jobs, banks and pensions.
SPAM = """
free nitro, free (gift|gifts|msg|msgs|ringtone|ringtones|tone|tones|camcorder|text messages|txts|spins|followers|robux|vbucks|crypto|bitcoin),
(for|for your|for a|your) chance (to|2) win,
(claim|claiming|collect) (your|ur|a|the) (free|prize|reward|gift|nitro|cash|bonus|voucher|award|holiday),
(you|u) (have|ve|has|are) (won|been selected|been chosen|a winner|our winner),
(limited|special|exclusive) (time|) offer, (act|order|buy) now, (lowest|cheapest) (price|prices),
(cash|money|mystery) (prize|reward|bonus|award), (winner|winning) (prize|claim), (win|won) a (prize|cash prize|holiday|gift card|voucher),
(earn|make) (money|cash|extra cash|income) (from home|fast|online|daily|every day|from your phone),
(crypto|bitcoin|btc|forex) (investment|trading|signals|profit|profits|giveaway), double (your|ur) (money|investment|bitcoin|crypto|mins|minutes|txts|texts|data),
(guaranteed|guarantee) (profit|profits|income|returns|prize|win|cash),
(your|ur) (account|acct|card) (has been|is|was|will be) (suspended|locked|blocked|restricted|compromised|closed), verify (your|ur) (account|identity|details|payment) (now|here|at|by|within|to),
(unusual|suspicious) (activity|login|sign in) (on|in|detected on) (your|ur), update (your|ur) (payment|billing|bank|card) (details|info|information),
(your|ur) (parcel|package|delivery|prize|reward|award|cash) (is|) (waiting|awaiting|on hold), (parcel|package) (could not|couldnt|cannot|was not) be delivered,
(pay|settle) (the|a|your|ur) (small|) (fee|customs fee|delivery fee|redelivery fee|release fee), (you are|youre|u r|ur) (eligible|entitled) (for|to) (a|an|) (refund|tax refund|grant|rebate|compensation|prize|reward|update|upgrade),
(singles|girls|women|dates|people|babes) in (your|ur) area, (you have|youve|u have|uve) been (charged|billed),
onlyfans, subscribe to my (channel|page), follow (me|my page) (for|and) (free|more), check out my (channel|page|profile|link|store|onlyfans),
(cheap|discount|discounted) (meds|pills|viagra|rolex|followers|likes), viagra, cialis, buy (followers|likes|views|subscribers),
you have (been|) (awarded|selected|chosen), (entry|entered) (into|in) (a|the|our) (weekly|monthly|) (draw|prize draw|competition|comp),
(polyphonic|poly) (tones|ringtones), (ringtone|ringtones) (club|service|order|of the week),
(video|camera|colour|new) (handset|handsets|mobiles), (double|bonus|extra) (mins|txts|texts|minutes), free (txts|texts|text messages|camera|camcorder) (to|with|and|for|on),
(free|new|latest) (camera|video|colour) (phone|phones|mobile|mobiles), (half price|1 2 price) line rental, (sexy|hot|horny) (singles|girls|babes|chat|pics),
(dating|chat) (service|line), (adult|xxx|sex|sexy|hot) (chat|chatline|line|pics|videos),
click (here|the link|this link|below|now), (call|ring) (now|free|freephone|immediately|our customer) (to claim|to collect|to receive|),
(txt|text|reply|send) (win|yes|claim|stop|now), (call|ring|txt|text) us (now|today|free|on),
(dm|message|pm) me (for|to) (details|info|more|earn|make|buy|order|join)
"""

# Words that mark a message as one the spam rule reads (they make no hit: the matcher only
# reports that one occurs, `matcher.SPAM_HINT`, and spam.py says what each one weighs): every
# offer word of spam.py, and the words that come with the paid-service signs it reads from
# digits ("call 09...", "txt WIN to 80086", "send STOP"). A message with none of them and no
# spam phrase is never promotion and skips the scorer.
SPAM_HINTS: tuple[str, ...] = (
    "prize", "prizes", "winner", "winners", "awarded", "guaranteed", "voucher", "vouchers", "jackpot",
    "giveaway", "giveaways", "nitro", "ringtone", "ringtones", "polyphonic", "horny", "freemsg",
    "camcorder", "complimentary",
    "free", "win", "won", "claim", "cash", "urgent", "offer", "offers", "bonus", "reward", "rewards",
    "discount", "promo", "sale", "subscription", "unlimited", "tone", "tones", "poly", "polys",
    "mobile", "mob", "mobiles", "expires", "landline", "sexy", "xxx", "bitcoin", "crypto", "quiz",
    "awaiting", "handset", "txts", "wap", "flirt", "flirting", "babes", "pics",
    "call", "text", "txt", "reply", "ring", "stop", "chat", "msg", "msgs", "sms", "cost", "costs")

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
    "wife husband partner boyfriend girlfriend grandma grandpa grandmother grandfather "
    "nana aunt auntie uncle cousin niece nephew kid kids child children roommate coworker "
    "boss ex bestie classmate teacher neighbor neighbour".split()
)
SECOND_PERSON = frozenset("you u ya youre ur your yours yourself yourselves yall ye".split())
# Words that make a violent verb an intent ("I'm gonna ...", "I'll ..."); "I hurt him" is told.
INTENT = frozenset(
    "ill imma ima gonna going will gon wanna shall finna about".split()
)
THREAT_TARGETS = frozenset(
    "you u ya your ur yourself yall him her them zmention his family kids".split()
)

CONTENT_NOTE_MARKERS: tuple[str, ...] = ("cn:", "cw:", "tw:", "content note", "content warning", "trigger warning",
                        "[cn", "[cw", "[tw", "(cn", "(cw", "(tw")


def entries() -> Iterator[tuple[str, str, int]]:
    """(phrase, tag, severity) for every built-in pattern."""
    for word in street_words():
        yield word, "street", 0
    table: Iterable[tuple[str, str, int]] = (
        (INSULTS, "insult", 2), (ATTACKS, "attack", 3), (MILD_ATTACKS, "attack", 1),
        (AIMED_INSULTS, "attack", 2), (GO_BACK, "attack", 2), (AIMED_MILD, "attack", 1), (TAUNTS, "attack", 1), (RUDE, "insult", 1),
        (BENIGN, "benign", 0), (VIOLENCE, "violence", 2), (THREATS, "threat", 3), (SEXUAL, "sexual", 2), (SEXUAL_TOPIC, "sexual.topic", 2),
        (PROFANITY, "profanity", 1), (CRISIS_IDEATION, "crisis.ideation", 2),
        (CRISIS_SELFHARM, "crisis.selfharm", 2), (CRISIS_PLAN, "crisis.plan", 3),
        (CRISIS_ATTEMPT, "crisis.attempt", 2), (DISTRESS, "crisis.distress", 1),
        (MEANS, "crisis.means", 3), (SUPPORT, "support", 1), (PAST, "past", 1),
        (RECOVERY, "recovery", 1), (PLEA_HELP, "plea.help", 1), (PLEA_HERE, "plea.here", 1), (DANGER, "crisis.danger", 3), (HARMING, "crisis.harming", 3),
        (HARMED, "crisis.harmed", 2),
        (SPAM, "spam", 2), (HEAVY, "heavy", 1),
    )
    for block, tag, severity in table:
        for pattern in patterns(block):
            for phrase in expand(pattern):
                yield phrase, tag, severity


def patterns(block: str) -> Iterator[str]:
    """Patterns in a block are separated by commas (or line ends)."""
    for item in block.replace("\n", ",").split(","):
        item = item.strip()
        if item:
            yield item


# Every phrase of TAUNTS, for the softener check in detectors.abuse.
TAUNT_PHRASES = frozenset(p for pattern in patterns(TAUNTS) for p in expand(pattern))
