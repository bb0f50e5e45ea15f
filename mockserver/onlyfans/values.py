"""Value classes: what a response string holds beyond "a string".

The spec gives every string a response can carry a class: its `enum`, an `x-faker` hint, a
`pattern` or a `format` (the first that applies; an `x-faker` hint may refine a `format` or
`pattern`, which then still holds). For each class this module knows how to make a value (for
fields the world does not store: `make`), how to bring a value written in another notation into
it (a stored ISO date-time into OFAPI's `.000000Z` form, a number into a money string:
`conform`), and whether a value belongs to it (`holds`). The renderer makes and conforms; the
value-class test and the `value-class` lint rule read the same registry.

Classes of free text (names, sentences, titles) accept any string: what they guarantee is how
the mock makes one, not what a caller may have written.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..spec.fields import MISSING, resolve
from ..spec.fields import conform as typed

# -- how a value is made ------------------------------------------------------------------


@dataclass
class Gen:
    """What a class draws on to make a value: seeded randomness, the world's word pools, its clock."""

    rng: object  # random.Random, keyed by (entity, field path)
    pools: object  # entities.Pools
    now: datetime

    def past(self, max_days: float = 400, min_days: float = 0.04) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(min_days * 86400, max_days * 86400))


@dataclass(frozen=True)
class ValueClass:
    name: str
    make: Callable[[Gen], object]
    holds: Callable[[str], bool]
    conform: Callable[[object], object] | None = None  # a value in another notation -> this class (or MISSING)


CLASSES: dict[str, ValueClass] = {}
ZERO_CLASSES = ("money", "dollars", "percent", "number-text")  # amounts and counts: what "none yet" is in them
FORMATS = ("date-time", "date", "uri", "email", "uuid", "ipv4", "hostname")  # `format`s that are classes


def value_class(name: str, pattern: str | None = None, conform: Callable | None = None, holds=None):
    """Register `make` under `name`; a value belongs to it when it matches `pattern` (or `holds`)."""
    if holds is None:
        rx = re.compile(pattern, re.S) if pattern else None
        holds = (lambda v: True) if rx is None else (lambda v, rx=rx: rx.fullmatch(v) is not None)

    def register(make):
        CLASSES[name] = ValueClass(name, make, holds, conform)
        return make

    return register


# -- date and time ----------------------------------------------------------------------------
ONLYFANS_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")
OFAPI_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def parse_moment(value) -> datetime | None:
    """A moment from an ISO date-time or date string (UTC when it names no zone), or None."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def onlyfans_time(moment: datetime) -> str:
    """As OnlyFans writes a moment: `2025-02-10T02:51:22+00:00`."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def ofapi_time(moment: datetime) -> str:
    """As OFAPI (Laravel) writes its own moments: `2025-05-23T15:51:52.000000Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _valid(rx: re.Pattern, to_moment=parse_moment):
    return lambda v: rx.fullmatch(v) is not None and to_moment(v) is not None


def _reformat(write: Callable[[datetime], str]):
    def conform(value):
        moment = parse_moment(value)
        return write(moment) if moment is not None else MISSING

    return conform


@value_class("date-time", holds=_valid(ONLYFANS_TIME), conform=_reformat(onlyfans_time))
def _onlyfans_time(g: Gen) -> str:
    return onlyfans_time(g.past())


@value_class("ofapi-time", holds=_valid(OFAPI_TIME), conform=_reformat(ofapi_time))
def _ofapi_time(g: Gen) -> str:
    return ofapi_time(g.past(90))


@value_class("date", holds=_valid(re.compile(r"\d{4}-\d{2}-\d{2}")), conform=_reformat(lambda m: m.date().isoformat()))
def _date(g: Gen) -> str:
    return g.past().date().isoformat()


@value_class(
    "local-time",
    holds=_valid(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")),
    conform=_reformat(lambda m: m.strftime("%Y-%m-%d %H:%M:%S")),
)
def _local_time(g: Gen) -> str:
    return g.past().strftime("%Y-%m-%d %H:%M:%S")


def _month_holds(value: str) -> bool:
    return re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value) is not None


@value_class("month", holds=_month_holds, conform=_reformat(lambda m: m.strftime("%Y-%m")))
def _month(g: Gen) -> str:
    return g.past().strftime("%Y-%m")


def _marker(moment: datetime) -> str:
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}"


def _marker_conform(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**8:
        return f"{float(value):.6f}"
    moment = parse_moment(value)
    return _marker(moment) if moment is not None else MISSING


@value_class("marker", r"\d{9,10}\.\d{6}", conform=_marker_conform)
def _make_marker(g: Gen) -> str:
    """OnlyFans' position in a time-ordered list: a Unix time with microseconds, `1739155047.000000`."""
    return _marker(g.past().replace(microsecond=0))


@value_class("cursor", r"[A-Za-z0-9+/]+={0,2}")
def _cursor(g: Gen) -> str:
    """An opaque page cursor (base64 of JSON), as OFAPI's search hands out."""
    return base64.b64encode(json.dumps([g.rng.randint(1, 9), str(g.rng.randint(10, 500))]).encode()).decode()


# -- money and numbers ----------------------------------------------------------------------------
def _decimal_conform(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return MISSING
    return f"{number:.2f}" if number >= 0 and number == number and number != float("inf") else MISSING


@value_class("money", r"\d+\.\d{2}", conform=_decimal_conform)
def _money(g: Gen) -> str:
    """An amount in dollars, as a decimal string with cents: `12.50`."""
    return f"{g.rng.uniform(1, 500):.2f}"


@value_class("percent", r"\d{1,3}\.\d{2}", conform=_decimal_conform)
def _percent(g: Gen) -> str:
    """A share in percent with two decimals: `20.00`."""
    return f"{g.rng.uniform(0, 100):.2f}"


def _dollars_conform(value):
    amount = _decimal_conform(value)
    return MISSING if amount is MISSING else f"${float(amount):g}"


@value_class("dollars", r"\$\d+(\.\d{2})?", conform=_dollars_conform)
def _dollars(g: Gen) -> str:
    """An amount as OnlyFans labels it for display: `$25`."""
    return f"${g.rng.choice((0, 0, 5, 10, 25, 50, 100))}"


def _id_text(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else MISSING


@value_class("numeric-id", r"\d+", conform=_id_text)
def _numeric_id(g: Gen) -> str:
    """An OnlyFans id written as a string: `418392001`."""
    return str(g.rng.randint(10**8, 10**9))


@value_class("number-text", r"\d+(\.\d+)?[kKmM]?", conform=lambda v: _number_text_conform(v))
def _number_text(g: Gen) -> str:
    """A count or size written as a string, as OnlyFans shows some: `123`, `4k`."""
    return str(g.rng.randint(0, 900))


def _number_text_conform(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return MISSING
    return str(int(value)) if float(value).is_integer() else str(value)


# -- identifiers and tokens -------------------------------------------------------------------
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@value_class("ulid", r"[0-9A-HJKMNP-TV-Z]{26}")
def _ulid(g: Gen) -> str:
    """A ULID (OFAPI's own ids): 48 bits of milliseconds then 80 random bits."""
    value = (int(g.past().timestamp() * 1000) << 80) | g.rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


@value_class("uuid", r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
def _uuid(g: Gen) -> str:
    return str(uuid.UUID(int=g.rng.getrandbits(128), version=4))


@value_class("hex", r"[0-9a-f]+")
def _hex(g: Gen) -> str:
    """A hex digest or signature (64 characters)."""
    return f"{g.rng.getrandbits(256):064x}"


@value_class("key", r"[a-z][a-z0-9_]*")
def _key(g: Gen) -> str:
    """A machine name in snake_case (a category key, a preset, a code): `gift_preferences`."""
    return "_".join(g.rng.choice(g.pools.words).lower() for _ in range(g.rng.choice((1, 2))))


def _list_id_conform(value):
    return _id_text(value) if isinstance(value, int) else MISSING


@value_class("list-id", r"[a-z][a-z0-9_]*|\d+", conform=_list_id_conform)
def _list_id(g: Gen) -> str:
    """A list OnlyFans keeps by name (`recent`, `archived`) or one the creator made, by number."""
    return g.rng.choice(("recent", "fans", "following", "archived", str(g.rng.randint(10**8, 10**9))))


@value_class("token", r"[A-Za-z0-9._~+/=-]+")
def _token(g: Gen) -> str:
    """An opaque token: letters and digits."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(g.rng.choice(alphabet) for _ in range(32))


# -- the web ----------------------------------------------------------------------------------
_URI = r"[a-z][a-z0-9+.-]*://[^\s/?#]+[^\s]*"
CDN_HOSTS = r"(cdn\d*\.onlyfans\.com|thumbs\.onlyfans\.com|public\.onlyfans\.com|cdn\.fansapi\.com)"


@value_class("uri", _URI)
def _uri(g: Gen) -> str:
    return f"https://onlyfans.com/{g.rng.choice(g.pools.first_names).lower()}{g.rng.randint(1, 999)}"


@value_class("media-url", rf"https://{CDN_HOSTS}/\S+")
def _media_url(g: Gen) -> str:
    """A file on OnlyFans' CDN (the CDN rewrite may turn it into OFAPI's copy)."""
    from .entities import cdn_url

    return cdn_url(g.rng, g.rng.randint(10**8, 10**9), 960, 1280)


@value_class("email", r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
def _email(g: Gen) -> str:
    return f"{g.rng.choice(g.pools.first_names).lower()}.{g.rng.randint(1, 999)}@example.com"


@value_class("file-name", r"[^/\\\s][^/\\]*\.[A-Za-z0-9]{2,4}")
def _file_name(g: Gen) -> str:
    return f"{g.rng.choice(g.pools.words)}_{g.rng.randint(1, 999)}.{g.rng.choice(('jpg', 'png', 'mp4'))}"


@value_class("color", r"#[0-9A-Fa-f]{6}")
def _color(g: Gen) -> str:
    return f"#{g.rng.getrandbits(24):06x}"


# -- values drawn from the world's pools ---------------------------------------------------------
POOLED = {  # class -> (pool, pattern)
    "ipv4": ("ips", r"(\d{1,3}\.){3}\d{1,3}"),
    "hostname": ("domains", r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"),
    "user-agent": ("user_agents", None),
    "first-name": ("first_names", None),
    "last-name": ("last_names", None),
    "country-code": ("countries", r"[A-Z]{2}"),
    "country-name": ("country_names", None),
    "city": ("cities", None),
    "sentence": ("sentences", None),
}
for _name, (_pool, _pattern) in POOLED.items():
    value_class(_name, _pattern)(lambda g, pool=_pool: g.rng.choice(getattr(g.pools, pool)))


# -- people and places ------------------------------------------------------------------------
@value_class("person-name")
def _person_name(g: Gen) -> str:
    return f"{g.rng.choice(g.pools.first_names)} {g.rng.choice(g.pools.last_names)}"


@value_class("username", r"[A-Za-z0-9_.-]+")
def _username(g: Gen) -> str:
    return f"{g.rng.choice(g.pools.first_names).lower()}{g.rng.randint(1, 9999)}"


@value_class("address")
def _address(g: Gen) -> str:
    return f"{g.rng.randint(1, 999)} {g.rng.choice(g.pools.last_names)} Street"


@value_class("postal-code", r"[A-Z0-9][A-Z0-9 -]{2,9}")
def _postal_code(g: Gen) -> str:
    return f"{g.rng.randint(10000, 99999)}"


# -- text -------------------------------------------------------------------------------------
@value_class("html")
def _html(g: Gen) -> str:
    """Text as OnlyFans stores it: HTML paragraphs."""
    return f"<p>{g.rng.choice(g.pools.sentences)}</p>"


@value_class("title")
def _title(g: Gen) -> str:
    """A short name for a thing (a campaign, a list, a form): two or three capitalised words."""
    words = [g.rng.choice(g.pools.words).capitalize() for _ in range(g.rng.choice((2, 2, 3)))]
    return " ".join(words)


@value_class("tag", r"[^\s].*")
def _tag(g: Gen) -> str:
    """One lower-case keyword (a tag, a banned word)."""
    return g.rng.choice(g.pools.words)


@value_class("duration", r"(\d+ (day|days|month|months|year|years))?")
def _duration(g: Gen) -> str:
    """How long, as OnlyFans words it: `22 days`, `2 months`."""
    n = g.rng.randint(1, 11)
    return f"{n} {g.rng.choice(('day', 'month'))}{'s' if n > 1 else ''}"


@value_class("json", holds=lambda v: _is_json(v))
def _json(g: Gen) -> str:
    return json.dumps({"click_id": "{click_id}", "value": "{amount_gross}"})


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


@value_class("regex", holds=lambda v: _is_regex(v))
def _regex(g: Gen) -> str:
    """A regular expression (what a banned word matches, what an input filter strips)."""
    word = g.rng.choice(g.pools.words).lower()
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _is_regex(value: str) -> bool:
    try:
        re.compile(value)
    except re.error:
        return False
    return True


@value_class("none", holds=lambda v: False)
def _none(g: Gen) -> None:
    """A field the vendor types as a string but only ever shows as null (OnlyFans sends
    another type there, or nothing): null."""
    return None


# -- patterns -------------------------------------------------------------------------------
def from_pattern(pattern: str, rng) -> str:
    """A string matching a regular expression of the simple kind the spec uses (literals,
    classes, groups, alternatives, repeats), drawn with `rng`."""
    out: list[str] = []
    _emit(_compiled(pattern), rng, out)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> tuple:
    """The pattern as nested steps: ("chars", alphabet) | ("repeat", lo, hi, steps) | ("branch", [steps])."""
    from re import _parser  # the standard library's own regex parser (stable since 3.11)

    def steps(items) -> tuple:
        out = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(("chars", chr(arg)))
            elif name == "NOT_LITERAL":
                out.append(("chars", "a" if chr(arg) != "a" else "b"))
            elif name == "ANY":
                out.append(("chars", "x"))
            elif name == "IN":
                out.append(("chars", "".join(_members(arg))))
            elif name == "CATEGORY":
                out.append(("chars", _CATEGORY[str(arg)]))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                lo, hi, sub = arg
                hi = lo + 12 if hi is _parser.MAXREPEAT else min(hi, lo + 12)
                out.append(("repeat", lo, max(lo, hi), steps(sub)))
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                out.extend(steps(arg[-1]))
            elif name == "BRANCH":
                out.append(("branch", tuple(steps(b) for b in arg[1])))
            # AT (anchors) and the like make no characters
        return tuple(out)

    return steps(_parser.parse(pattern))


def _emit(steps: tuple, rng, out: list[str]) -> None:
    for step in steps:
        if step[0] == "chars":
            out.append(rng.choice(step[1]))
        elif step[0] == "repeat":
            for _ in range(rng.randint(step[1], step[2])):
                _emit(step[3], rng, out)
        else:
            _emit(rng.choice(step[1]), rng, out)


_CATEGORY = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyz0123456789",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_DIGIT": "abcdef",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_NOT_SPACE": "abcdef",
}


def _members(items) -> list[str]:
    chars: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY":
            chars.extend(_CATEGORY[str(arg)])
    return chars or ["x"]


# -- a schema's class -------------------------------------------------------------------------
@dataclass(frozen=True)
class Declared:
    """The class a string schema declares, with what it checks."""

    name: str  # enum | pattern | a registered class
    schema: dict

    def make(self, g: Gen):
        s = self.schema
        if self.name == "enum":
            return g.rng.choice(s["enum"])
        if self.name == "pattern":
            return from_pattern(s["pattern"], g.rng)
        return CLASSES[self.name].make(g)

    def holds(self, value) -> bool:
        s = self.schema
        if value is None:
            return bool(s.get("nullable"))
        if "enum" in s:
            return value in s["enum"]
        if not isinstance(value, str):
            return False
        if "pattern" in s and re.search(s["pattern"], value) is None:
            return False
        if self.name == "pattern":
            return True
        return CLASSES[self.name].holds(value)

    def conform(self, value):
        """`value` in this class's notation (MISSING when it cannot be)."""
        if self.holds(value):
            return value
        known = CLASSES.get(self.name)
        if known is None or known.conform is None:
            return MISSING
        converted = known.conform(value)
        return converted if converted is not MISSING and self.holds(converted) else MISSING


_DECLARED: dict[int, tuple[dict, Declared | None]] = {}


def declared(schema: dict) -> Declared | None:
    """The class a string schema declares, or None (an unclassed string: the lint rule's finding).
    Remembered per schema object (the spec's schemas live as long as the process)."""
    hit = _DECLARED.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    found = _declared(schema)
    if len(_DECLARED) < 100_000:
        _DECLARED[id(schema)] = (schema, found)
    return found


def _declared(schema: dict) -> Declared | None:
    if "enum" in schema:
        return Declared("enum", schema)
    hint = schema.get("x-faker")
    if hint in CLASSES:
        return Declared(hint, schema)
    if "pattern" in schema:
        return Declared("pattern", schema)
    fmt = schema.get("format")
    if fmt in FORMATS:
        return Declared(fmt, schema)
    return None


def conform(value, schema: dict, schemas: dict):
    """`value` with its scalars in the types `schema` declares and its strings in their
    classes (what OFAPI adds to a payload, written like the rest of it)."""
    schema = resolve(schema, schemas)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        return {k: conform(v, props[k], schemas) if k in props else v for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [conform(v, schema["items"], schemas) for v in value]
    decl = declared(schema) if schema.get("type") == "string" else None
    if decl is not None and value is not None and not isinstance(value, (bool, dict, list)):
        classed = decl.conform(value)
        return value if classed is MISSING else classed
    return typed(value, schema, schemas)
