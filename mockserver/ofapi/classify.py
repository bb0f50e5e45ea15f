"""OFAPI's computed transaction `type`, read from OnlyFans' HTML `description`.

A pure function: the description's leading phrase (before the fan's profile link) decides.
A description it does not recognise gets None, never a guess.
"""

from __future__ import annotations

import html
import re

TYPES = ("subs", "tips", "post", "chat_messages", "stream")

# Leading phrase (lower-case, tags stripped) -> type. Longest phrases are tried first.
PHRASES = {
    "recurring subscription from": "subs",
    "subscription from": "subs",
    "tip from": "tips",
    "tip in chat from": "tips",
    "tip on post from": "tips",
    "tip on stream from": "tips",
    "tip on story from": "tips",
    "payment for message from": "chat_messages",
    "post purchase by": "post",
    "post from": "post",
    "stream from": "stream",
}
_ORDERED = sorted(PHRASES, key=len, reverse=True)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def classify(description: object) -> str | None:
    """'subs' | 'tips' | 'post' | 'chat_messages' | 'stream' | None."""
    if not isinstance(description, str):
        return None
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", description))).strip().lower()
    for phrase in _ORDERED:
        if text.startswith(phrase) and (len(text) == len(phrase) or text[len(phrase)] == " "):
            return PHRASES[phrase]
    return None
