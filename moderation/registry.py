"""Kinds of content the engine moderates, and the handlers that apply its decisions.

The app that owns a kind registers a handler in its AppConfig.ready(); the engine calls it back
at run time, which is how a lower layer reaches a higher one without importing it (R1).
"""

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moderation.models import Decision


class KindHandler(Protocol):
    def apply_decision(self, *, object_id: str, decision: "Decision") -> None:
        """Apply the decision to the content, inside the engine's transaction.

        A handler may also define `brand_context(*, brand_id) -> list[str]` (see
        `brand_context` below)."""


_handlers: dict[str, KindHandler] = {}


def register_kind(kind: str, handler: KindHandler) -> None:
    _handlers[kind] = handler


def get_kind(kind: str) -> KindHandler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"No handler registered for the kind {kind!r}") from None


def brand_context(*, kind: str, brand_id: int) -> list[str]:
    """What the app owning a kind knows of a brand that helps a moderator judge its content
    (e.g. invited vs spontaneous reviews), as plain sentences; handlers may offer none."""
    describe = getattr(_handlers.get(kind), "brand_context", None)
    return list(describe(brand_id=brand_id)) if describe is not None else []


def registered_kinds() -> list[str]:
    return sorted(_handlers)
