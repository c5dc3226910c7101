"""The characters a text of step two may hold. Ideas, answers, projects, milestones and updates go
into the Atom feeds (XML 1.0): what XML forbids is refused where a text comes in, and dropped where
a feed is written, so that no stored text can make a feed unreadable."""
from __future__ import annotations

import re

# XML 1.0's Char production: tab, line feed, carriage return, U+0020–U+D7FF, U+E000–U+FFFD and
# U+10000–U+10FFFF. Outside it: the other C0 controls, lone surrogates, U+FFFE and U+FFFF.
NOT_IN_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Refused in what people send: that, and DEL and the C1 controls besides (XML allows them, but
# nobody types them; they come from pasted binary or an attack).
REFUSED = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def refused(text: str) -> bool:
    """Whether `text` holds a character no text of step two may hold."""
    return REFUSED.search(text) is not None


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return NOT_IN_XML.sub("", text)
