"""Kinds of content the engine moderates, and the handlers that apply its decisions.

The app that owns a kind registers a handler in its AppConfig.ready(); the engine calls it back
at run time, which is how a lower layer reaches a higher one without importing it (R1).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moderation.models import Decision


class KindHandler(Protocol):
    def apply_decision(self, *, object_id: str, decision: "Decision") -> None:
        """Apply the decision to the content, inside the engine's transaction.

        A handler may also define `brand_context(*, brand_id) -> list[str]` and
        `media(*, object_id) -> list[Media]` (see the functions of the same names below)."""


@dataclass(frozen=True)
class Media:
    """A photo or video attached to a content, as a moderator opens it."""

    url: str
    content_type: str
    description: str  # the text alternative its author gave

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


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


def media(*, kind: str, object_id: str) -> list[Media]:
    """The photos and videos attached to a content; no check can read them, so a moderator
    looks at them before they are shown (rule "media_review")."""
    attached = getattr(_handlers.get(kind), "media", None)
    return list(attached(object_id=object_id)) if attached is not None else []


def object_ids_for_external(*, kind: str, external_ids: list[str]) -> dict[str, str]:
    """{external id: object id} for content imported from another provider (labelled files
    name reviews by the provider's id, which only the owning app knows); handlers may offer
    none."""
    lookup = getattr(_handlers.get(kind), "object_ids_for_external", None)
    return dict(lookup(external_ids=external_ids)) if lookup is not None else {}


def registered_kinds() -> list[str]:
    return sorted(_handlers)
