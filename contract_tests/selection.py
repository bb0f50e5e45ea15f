"""Which operations a run covers: the kit's options (through the environment, since test
modules are parametrized when imported) and the read-only guard."""

from __future__ import annotations

import os


def _listed(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    return {v.strip() for v in value.split(",") if v.strip()} if value else None


def selected(ctx) -> bool:
    """The operations the options select; only reads when the target is not the mock."""
    raw = ctx.operation.definition.raw
    operations, tags, sources = (_listed(f"OFAPI_CONTRACT_{v}") for v in ("OPERATIONS", "TAGS", "DATA_SOURCES"))
    return (
        (operations is None or raw.get("operationId") in operations)
        and (tags is None or bool(tags & set(raw.get("tags", ()))))
        and (sources is None or raw.get("x-data-source") in sources)
        and (not read_only() or ctx.operation.method.upper() in ("GET", "HEAD"))
    )


def read_only() -> bool:
    return bool(os.environ.get("OFAPI_CONTRACT_READ_ONLY"))


MODES = {"all": ["positive", "negative"], "positive": ["positive"], "negative": ["negative"]}


def configured(schema):
    """The generation every run uses: OFAPI (Laravel) ignores unknown query parameters, and the
    API key is ours to send, not to mutate."""
    schema.config.generation.update(
        modes=MODES[os.environ.get("OFAPI_CONTRACT_MODE") or "all"],
        allow_extra_parameters=True,
        with_security_parameters=False,
    )
    return schema


def team_of(headers: dict, name: str) -> dict:
    """Against the mock, a team of its own for `name` (any key is a team there: one operation's
    or state machine's writes then never leave another's calls a 404); elsewhere, the key given."""
    if not os.environ.get("OFAPI_CONTRACT_MOCK"):
        return headers
    return {**headers, "Authorization": f"{headers['Authorization']}-{name}"}
