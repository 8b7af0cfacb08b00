"""Kafka Connect's ``PUT /connector-plugins/{plugin}/config/validate`` answer.

Every key the runtime and the connector define is listed with its definition and its value
(errors included); keys that are invalid but defined nowhere (unknown keys, transform and
converter options) get an entry too, so ``error_count`` equals the errors listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pipeway.connect.settings import RuntimeSettings
from pipeway.connect.worker.fields import choices, connect_type, fields_by_key, is_secret
from pipeway.connect.worker.masking import HIDDEN, mask
from pipeway.connect.worker.validation import Errors

COMMON, ERRORS, CONNECTOR, OTHER = "Common", "Error Handling", "Connector", "Other"


def _group(key: str) -> str:
    return ERRORS if key.startswith("errors.") else COMMON


def _definition(key: str, field: FieldInfo | None, group: str, order: int) -> dict[str, Any]:
    required = field is not None and field.is_required()
    default = None if field is None or required else field.get_default(call_default_factory=True)
    if default is PydanticUndefined:
        default = None
    return {
        "name": key,
        "type": connect_type(field) if field is not None else "STRING",
        "required": required,
        "default_value": None if default is None else _text(default),
        "importance": "HIGH" if required else "MEDIUM",
        "documentation": (field.description if field is not None else None) or "",
        "group": group,
        "width": "NONE",
        "display_name": key,
        "dependents": [],
        "order": order,
    }


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _entry(
    key: str,
    field: FieldInfo | None,
    group: str,
    order: int,
    config: Mapping[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    value = config.get(key)
    if value is not None and field is not None and is_secret(field):
        value = HIDDEN
    return {
        "definition": _definition(key, field, group, order),
        "value": {
            "name": key,
            "value": None if value is None else _text(value),
            "recommended_values": choices(field) if field is not None else [],
            "errors": list(errors.get(key, [])),
            "visible": True,
        },
    }


def validate_response(
    plugin: str,
    config: Mapping[str, Any],
    errors: Errors,
    settings_class: type[BaseModel] | None,
) -> dict[str, Any]:
    """Build the answer for ``plugin`` (the connector class name as the user gave it)."""
    shown = mask(config)
    sections: list[tuple[str, dict[str, FieldInfo]]] = [
        ("", fields_by_key(RuntimeSettings)),
        (CONNECTOR, fields_by_key(settings_class) if settings_class is not None else {}),
    ]
    configs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for group, fields in sections:
        for key, field in fields.items():
            configs.append(
                _entry(key, field, group or _group(key), len(configs) + 1, shown, errors)
            )
            seen.add(key)
    for key in sorted(k for k in errors if k not in seen):
        configs.append(_entry(key, None, OTHER, len(configs) + 1, shown, errors))
    groups = [
        g
        for g in (COMMON, ERRORS, CONNECTOR, OTHER)
        if any(c["definition"]["group"] == g for c in configs)
    ]
    return {
        "name": plugin,
        "error_count": sum(len(c["value"]["errors"]) for c in configs),
        "groups": groups,
        "configs": configs,
    }
