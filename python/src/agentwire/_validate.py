"""Client-side event validation, the same rules as the gateway's (``validateEvent`` in
packages/protocol/src/validate.ts), over the JSON schemas generated into ``_protocol``. An
invalid event raises :class:`InvalidEventError` naming the field before any request is made."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Mapping

from ._protocol import PROTOCOL
from .errors import InvalidEventError

_ENVELOPE: Mapping[str, Any] = PROTOCOL["envelopeSchema"]
_DATA_SCHEMAS: Mapping[str, Any] = PROTOCOL["eventDataSchemas"]
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _js_length(text: str) -> int:
    """String length as JavaScript counts it (UTF-16 code units), which the schemas' limits use."""
    return len(text.encode("utf-16-le")) // 2


def _check(schema: Mapping[str, Any], value: Any, field: str) -> None:
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            raise InvalidEventError(field, "Expected string")
        length = _js_length(value)
        if "minLength" in schema and length < schema["minLength"]:
            raise InvalidEventError(
                field, f"Expected string length greater or equal to {schema['minLength']}"
            )
        if "maxLength" in schema and length > schema["maxLength"]:
            raise InvalidEventError(
                field, f"Expected string length less or equal to {schema['maxLength']}"
            )
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidEventError(field, "Expected number")
        if not math.isfinite(value):
            raise InvalidEventError(field, "Expected a finite number")
        if "minimum" in schema and value < schema["minimum"]:
            raise InvalidEventError(field, f"Expected number to be greater or equal to {schema['minimum']}")
    elif kind == "object":
        if not isinstance(value, dict):
            raise InvalidEventError(field, "Expected object")
        for name in schema.get("required", ()):
            if name not in value:
                raise InvalidEventError(f"{field}.{name}", "Expected required property")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                _check(sub, value[name], f"{field}.{name}")
    elif kind is not None:
        raise AssertionError(f"schema type {kind!r} is not handled by the Python validator")


def validate_event(event: Any, field: str = "event") -> None:
    """Raises InvalidEventError for an event the gateway would refuse (except its size limit)."""
    if not isinstance(event, dict):
        raise InvalidEventError(field, "must be a JSON object")
    for key in event:
        if key not in _ENVELOPE["properties"]:
            raise InvalidEventError(f"{field}.{key}", "unknown field")
    ts = event.get("ts")
    if ts is not None and (not isinstance(ts, str) or not _TIMESTAMP.match(ts)):
        raise InvalidEventError(
            f"{field}.ts", "must be an RFC 3339 timestamp such as 2026-11-22T10:00:00.123Z"
        )
    _check(_ENVELOPE, event, field)
    kind: str = event["type"]
    if kind in _DATA_SCHEMAS:
        if "runId" not in event:
            raise InvalidEventError(f"{field}.runId", f"is required for {kind}")
        data = event.get("data")
        if not isinstance(data, dict):
            raise InvalidEventError(f"{field}.data", f"must be an object for {kind}")
        _check(_DATA_SCHEMAS[kind], data, f"{field}.data")
        if kind == "tool_completed" and "result" in data and "error" in data:
            raise InvalidEventError(
                f"{field}.data", "tool_completed carries either result or error, not both"
            )
    elif not (2 < len(kind) <= 128 and kind.startswith("x-")):
        raise InvalidEventError(
            f"{field}.type", f'unknown event type "{kind[:64]}"; custom types must start with "x-"'
        )
    try:
        json.dumps(event, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidEventError(field, f"is not JSON-serializable: {error}") from None
