"""The marks and filler words every reader of a message's tokens shares.

The reading (`reading.py`) turns punctuation into three marks, one token each, and keeps
filler words in its tokens; the structural and care readers skip or stop at them. They live
here, below every reader, so no reader imports another for a constant.
"""

from __future__ import annotations

from typing import Final

# Sentence ends become ".", clause marks ",", quotes '"'.
SENTENCE: Final = "."
CLAUSE: Final = ","
QUOTE: Final = '"'

# Intensifiers and expletive infixes: dropped from the form the phrase matcher reads, so a
# listed phrase still matches with them in between. Never a negation, never "all" or "even".
FILLERS: Final = frozenset(
    "fucking fuckin fkn fking freaking freakin friggin frigging frickin effing bloody goddamn "
    "really realy rly literally honestly actually seriously genuinely truly totally "
    "completely absolutely simply just so soo very super kinda sorta definitely badly "
    "desperately lowkey highkey legit".split())
