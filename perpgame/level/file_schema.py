"""The JSON schema of a level file, for editors (``perpgame schema``).

pydantic writes the schema of :class:`~perpgame.level.schema.Level`; but a file is friendlier than
the model: amounts are written as numbers or strings (``"60000"``, ``"2.5%"``, ``0.5``) and turned
into engine integers by "before" validators, so the schema of such a field says what the *file*
may hold (a number or a string; a range may also be a two-item list; a goal may be its condition
alone), not the integer it becomes.
Every other rule (names, unknown keys, sections) is pydantic's own.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from perpgame.level.schema import Level

__all__ = ["SCHEMA_ID", "level_file_schema", "level_file_schema_text"]

SCHEMA_ID = "https://perpgame.invalid/level.schema.json"
"""A name for the schema (editors key on it); nothing is served there."""

_AMOUNT: JsonSchemaValue = {"type": ["number", "string"]}


class _FileSchema(GenerateJsonSchema):
    """pydantic's generator, with a "before" validator's field described by what it accepts."""

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        inner = super().function_before_schema(schema)
        if inner.get("type") == "integer":
            return dict(_AMOUNT)
        if inner.get("type") == "array":  # a range: one amount, or [min, max]
            pair = {"type": "array", "items": _AMOUNT, "minItems": 2, "maxItems": 2}
            return {"anyOf": [dict(_AMOUNT), pair]}
        if "$ref" in inner:  # a table with a short form: a goal may be just its condition
            return {"anyOf": [{"type": "string"}, inner]}
        return inner


def level_file_schema() -> dict[str, Any]:
    """The JSON schema (draft 2020-12) a level file, read as TOML, conforms to."""
    schema = Level.model_json_schema(mode="validation", schema_generator=_FileSchema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "perpgame level",
        **schema,
    }


def level_file_schema_text() -> str:
    """The schema as indented JSON text."""
    return json.dumps(level_file_schema(), indent=2, sort_keys=True) + "\n"
