"""OFAPI's reference list of words OnlyFans bans or flags (what the `blockBannedWords` screening
parameter checks against): a fixed catalogue, the same for every team, paged the way Laravel
pages (`data`, `links`, `meta`; `page` and `per_page`). Never an OnlyFans call; free.

Each entry's `regex_pattern` matches the word with look-alike characters (`a` as `@` or `4`)
and up to two separators between letters, as screening needs."""

from __future__ import annotations

from urllib.parse import urlencode

from .actions import Answer, action, page

# (word, category, risk level, safer wording or None)
CATALOGUE = (
    ("abduct", "Non-consensual acts", "strict_ban", "Avoid entirely; describe a consensual roleplay instead."),
    ("kidnap", "Non-consensual acts", "strict_ban", "Avoid entirely; describe a consensual roleplay instead."),
    ("unconscious", "Non-consensual acts", "strict_ban", "Avoid entirely."),
    ("drugged", "Non-consensual acts", "strict_ban", "Avoid entirely."),
    ("hypnotize", "Non-consensual acts", "risky", "Use 'mesmerising' in a playful, consensual context."),
    ("schoolgirl", "Age-related", "strict_ban", "Avoid entirely; every persona must be an adult."),
    ("teen", "Age-related", "replace_soften", "Use 'young adult' or '18+'."),
    ("petite", "Age-related", "risky", "Fine for body type; never pair it with age words."),
    ("paypal", "Off-platform payments", "strict_ban", "Keep every payment on OnlyFans (tips, PPV)."),
    ("venmo", "Off-platform payments", "strict_ban", "Keep every payment on OnlyFans (tips, PPV)."),
    ("cashapp", "Off-platform payments", "strict_ban", "Keep every payment on OnlyFans (tips, PPV)."),
    ("zelle", "Off-platform payments", "strict_ban", "Keep every payment on OnlyFans (tips, PPV)."),
    ("crypto", "Off-platform payments", "risky", "Do not ask for payment outside OnlyFans."),
    ("whatsapp", "Off-platform contact", "risky", "Keep the conversation in OnlyFans chats."),
    ("telegram", "Off-platform contact", "risky", "Keep the conversation in OnlyFans chats."),
    ("kik", "Off-platform contact", "risky", "Keep the conversation in OnlyFans chats."),
    ("meetup", "In-person meetings", "strict_ban", "Offer a video call or custom content instead."),
    ("escort", "In-person meetings", "strict_ban", "Avoid entirely."),
    ("hotel", "In-person meetings", "replace_soften", "Describe a setting, not an invitation."),
    ("cocaine", "Drugs", "strict_ban", "Avoid entirely."),
    ("weed", "Drugs", "risky", "Avoid in promotional text."),
    ("drunk", "Drugs", "replace_soften", "Use 'tipsy' or 'relaxed'."),
    ("blood", "Violence", "strict_ban", "Avoid entirely."),
    ("weapon", "Violence", "risky", "Avoid in explicit content."),
    ("strangle", "Violence", "strict_ban", "Avoid entirely."),
)
LOOK_ALIKES = {"a": "aA@4", "b": "bB8", "e": "eE3", "i": "iI1!|", "l": "lL1|", "o": "oO0", "s": "sS5$", "t": "tT7+"}


def _pattern(word: str) -> str:
    classes = []
    for ch in word:
        chars = LOOK_ALIKES.get(ch, ch + ch.upper())
        classes.append("[" + "".join("\\" + c if c in "\\]^-" else c for c in chars) + "]")
    return "[^a-zA-Z0-9_]{0,2}".join(classes)


ENTRIES = tuple(
    {
        "word": word,
        "base": word,
        "category": category,
        "risk_level": risk,
        "safe_alternatives": alternative,
        "notes": None,
        "regex_pattern": _pattern(word),
    }
    for word, category, risk, alternative in sorted(CATALOGUE)
)


def _url(store, req, number: int) -> str:
    host = store.settings.public_url or (f"{req.url.scheme}://{req.url.netloc}" if req.url is not None else "")
    base = host.rstrip("/") + (req.url.path if req.url is not None else "/api/banned-words")
    query = {k: v for k, v in req.query.items() if v is not None and k != "page"}
    return f"{base}?{urlencode({**query, 'page': number})}"


@action("banned_words.list")
def list_words(store, req) -> Answer:
    q = req.query
    entries = [
        e
        for e in ENTRIES
        if (not q.get("category") or e["category"].lower() == str(q["category"]).lower())
        and (not q.get("risk_level") or e["risk_level"] == q["risk_level"])
        and (not q.get("search") or str(q["search"]).lower() in e["word"])
    ]
    shown = page(req, entries)
    number, last = shown.fields["current_page"], shown.fields["last_page"]
    return Answer(
        {
            "data": shown.items,
            "links": {
                "first": _url(store, req, 1),
                "last": _url(store, req, last),
                "prev": _url(store, req, number - 1) if 1 < number <= last + 1 else None,
                "next": _url(store, req, number + 1) if shown.next else None,
            },
            "meta": {
                **{k: shown.fields[k] for k in ("current_page", "from", "last_page", "per_page", "to", "total")},
                "path": _url(store, req, 1).split("?", 1)[0],
            },
        },
        shown.next,
    )
