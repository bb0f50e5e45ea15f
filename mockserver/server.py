"""How `ofapi-mock serve` runs uvicorn: bounded connections and no idle connection kept forever.

uvicorn closes a keep-alive connection that stays idle after a response, but a connection that
never sends a request at all is kept until the client goes away: enough of them exhaust the
process's file descriptors and new clients are refused. The protocol below starts the same
idle timer as soon as a connection opens, so every idle connection is closed after
`--keep-alive` seconds; `--max-connections` bounds the rest (503 beyond it).
"""

from __future__ import annotations

import resource

from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional
    HttpToolsProtocol = None


class _IdleFromTheStart:
    """Mixed into uvicorn's protocol: the idle timer runs from the moment a connection opens."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)


class IdleTimeoutH11(_IdleFromTheStart, H11Protocol):
    pass


if HttpToolsProtocol is not None:

    class IdleTimeoutHttpTools(_IdleFromTheStart, HttpToolsProtocol):
        pass

    HTTP_PROTOCOL = IdleTimeoutHttpTools
else:
    HTTP_PROTOCOL = IdleTimeoutH11


def raise_file_limit() -> int:
    """Use as many file descriptors as the system allows this process (the soft limit is often
    far below the hard one); the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft
