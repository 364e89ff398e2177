"""Results as JSON: the core's result classes are pydantic dataclasses whose fields, computed
fields and serializers are their JSON shape; ``to_data`` dumps one, and the JSON Schemas of the
``--json`` outputs (``output_schemas``) come from the same classes.

Callers: the result classes (``RESULT``, ``keys_first``) and the CLI's ``--json`` outputs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ConfigDict, SerializerFunctionWrapHandler, TypeAdapter, model_serializer

RESULT = ConfigDict(
    extra="forbid",  # published as "additionalProperties": false
    serialize_by_alias=True,
    json_schema_serialization_defaults_required=True,  # every key is always there
)


def to_data(obj: Any) -> Any:
    """A result object (or a list of them) as JSON data: dicts, lists, strings, numbers."""
    if isinstance(obj, list | tuple):
        return [to_data(item) for item in obj]
    return _adapter(type(obj)).dump_python(obj, mode="json")


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


def keys_first(*keys: str) -> Any:
    """A model serializer for a class whose documented JSON lists ``keys`` first, in this order,
    where its fields (then its computed fields) would come out in another."""

    # No return annotation on purpose: pydantic then derives the JSON Schema from the fields.
    def in_order(self: Any, handler: SerializerFunctionWrapHandler):
        data = handler(self)
        return {**{key: data.pop(key) for key in keys if key in data}, **data}

    return model_serializer(mode="wrap")(in_order)
