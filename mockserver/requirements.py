"""Laravel's conditional `required_*` rules, declared per operation in the spec by
`x-required-when` (field -> condition), over the operation's whole input (query and body):

    x-required-when:
      file: {without: [file_url]}                       # required_without:file_url
      votingCorrectIndex: {if: {votingType: [quiz]}}    # required_if:votingType,quiz
      account_ids: {unless: {account_scope: [global]}}  # required_unless:account_scope,global
      sort: {with: [sortDirection]}                     # required_with:sortDirection
      headers.*.name: {with: [headers.*.value]}         # each item; `*` is the same index on both sides

`with_all` and `without_all` are `required_with_all` and `required_without_all`. A field counts as
given when Laravel's `required` would pass: present, not null, not blank, not an empty list."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("with", "with_all", "without", "without_all", "if", "unless")


@dataclass(frozen=True)
class Rule:
    field: str
    kind: str
    others: tuple[str, ...]
    values: tuple = ()  # if / unless: the values of the (single) other field that decide


@dataclass(frozen=True)
class Failure:
    """A required field that is missing: `field` and `others` with their `*` filled in."""

    field: str
    rule: Rule
    others: tuple[str, ...]
    actual: object = None  # if: the other field's value


def compile_rules(declared: dict | None) -> tuple[Rule, ...]:
    """The rules of one `x-required-when`; a malformed declaration fails loudly, at start-up."""
    rules = []
    for name, condition in (declared or {}).items():
        if not isinstance(condition, dict) or len(condition) != 1 or next(iter(condition)) not in KINDS:
            raise ValueError(f"x-required-when {name!r}: want one of {', '.join(KINDS)}, got {condition!r}")
        kind, arg = next(iter(condition.items()))
        if kind in ("if", "unless"):
            if not isinstance(arg, dict) or len(arg) != 1:
                raise ValueError(f"x-required-when {name!r}: {kind} names one field and its values")
            other, values = next(iter(arg.items()))
            rules.append(Rule(name, kind, (other,), tuple(values if isinstance(values, list) else [values])))
        else:
            rules.append(Rule(name, kind, tuple(arg if isinstance(arg, list) else [arg])))
    return tuple(rules)


def filled(value) -> bool:
    """Laravel's `required`: not null, not blank, not an empty list or object."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, dict)):
        return len(value) > 0
    return True


MISSING = object()


def value_at(bag, path: list[str]):
    node = bag
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isascii() and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return MISSING
    return node


def _expand(parts: list[str], node, done: list[str], stars: list[str]):
    """(concrete path, the indexes its `*` took) for each item a wildcard pattern reaches."""
    if len(parts) <= 1:
        yield done + parts, stars
        return
    head, rest = parts[0], parts[1:]
    if head != "*":
        child = node.get(head, MISSING) if isinstance(node, dict) else MISSING
        yield from _expand(rest, child, [*done, head], stars)
    elif isinstance(node, (list, dict)):
        for key in range(len(node)) if isinstance(node, list) else node:
            yield from _expand(rest, node[key], [*done, str(key)], [*stars, str(key)])


def _bind(pattern: str, stars: list[str]) -> list[str]:
    parts, it = pattern.split("."), iter(stars)
    return [next(it, "*") if p == "*" else p for p in parts]


def _same(actual, expected) -> bool:
    if isinstance(actual, bool):
        return str(expected).lower() == ("true" if actual else "false") or expected is actual
    return actual is not MISSING and actual is not None and str(actual) == str(expected)


def failures(rules: tuple[Rule, ...], bag: dict) -> list[Failure]:
    out = []
    for rule in rules:
        for path, stars in _expand(rule.field.split("."), bag, [], []):
            if filled(_or_none(value_at(bag, path))):
                continue
            others = [_bind(o, stars) for o in rule.others]
            given = [filled(_or_none(value_at(bag, o))) for o in others]
            actual = _or_none(value_at(bag, others[0]))
            needed = {
                "with": any(given),
                "with_all": all(given),
                "without": not all(given),
                "without_all": not any(given),
                "if": any(_same(actual, v) for v in rule.values),
                "unless": not any(_same(actual, v) for v in rule.values),
            }[rule.kind]
            if needed:
                out.append(Failure(".".join(path), rule, tuple(".".join(o) for o in others), actual))
    return out


def _or_none(value):
    return None if value is MISSING else value
