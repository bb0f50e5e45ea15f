"""Rendered answers, kept per worker: the encoded `data` of a live or hybrid read is fixed by the
request (operation, path, query), the world it reads (the seed's generation and the team's
writes to that account: its overlay version, which link-tag changes move too) and the media
cache (its epoch): repeat the same read and the same bytes come out. So they are kept, within a
byte budget, and the next identical read skips rendering, enrichment, encoding and the CDN
rewrite; it still counts as the OnlyFans call it stands for and is charged as one. Only answers
the CDN rewrite left stable are kept (a first sighting of a file would change the next answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lru import ByteLRU


@dataclass(frozen=True)
class Answer:
    data: bytes  # the encoded, CDN-rewritten `data`
    next_cursor: tuple | None
    cost: int | None
    pagination: dict = field(default_factory=dict)  # `_pagination` members besides the next page's URL


class RenderedAnswers:
    def __init__(self, max_bytes: int):
        self._kept = ByteLRU(max_bytes)

    @staticmethod
    def cacheable(req) -> bool:
        op = req.op
        return (
            op.method == "GET"
            and op.data_source in ("live", "hybrid")
            and not (op.behaviour or op.sync_links or op.cache or op.binary or op.world_write)
            and "prefer" not in req.headers
        )

    @staticmethod
    def key(req, state, overlay_version: int) -> tuple:
        return (
            req.tenant,
            req.op.op_id,
            tuple(sorted((k, str(v)) for k, v in req.path_params.items())),
            repr(sorted(req.query.items())),
            state.generation,
            state.media_epoch,
            overlay_version,
        )

    def get(self, key) -> Answer | None:
        return self._kept.get(key)

    def put(self, key, answer: Answer) -> None:
        self._kept.put(key, answer, len(answer.data) + 512)

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
