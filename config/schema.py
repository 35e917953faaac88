from typing import Any

from drf_spectacular.openapi import AutoSchema


class VoixAutoSchema(AutoSchema):
    """Names the nested `InputSerializer`/`OutputSerializer` of each API view after the view
    (R6): `UserRoleChangeApi.InputSerializer` becomes the component `UserRoleChangeInput`."""

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer and inner in ("InputSerializer", "OutputSerializer"):
            return outer.removesuffix("Api") + inner.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)
