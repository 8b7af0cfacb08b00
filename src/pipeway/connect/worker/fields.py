"""Reading pydantic fields as configuration keys: their names, types and secrecy.

Shared by masking (which keys to hide) and the validate endpoint (Connect's config
definitions), so both agree on what a password is.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretBytes, SecretStr
from pydantic.fields import FieldInfo


def key_of(name: str, field: FieldInfo) -> str:
    """The configuration key of a field: its (dotted) alias, else its name."""
    return field.alias or name


def fields_by_key(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {key_of(n, f): f for n, f in model.model_fields.items()}


def _leaves(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated (one level of containers kept)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def is_secret(field: FieldInfo) -> bool:
    return any(leaf in (SecretStr, SecretBytes) for leaf in _leaves(field.annotation))


def connect_type(field: FieldInfo) -> str:
    """Kafka Connect's ConfigDef type name for a field."""
    leaves = [leaf for leaf in _leaves(field.annotation) if leaf is not type(None)]
    leaf = leaves[0] if leaves else str
    if is_secret(field):
        return "PASSWORD"
    origin = get_origin(leaf) or leaf
    table = {bool: "BOOLEAN", int: "INT", float: "DOUBLE", list: "LIST", dict: "STRING"}
    return table.get(origin, "STRING")


def choices(field: FieldInfo) -> list[str]:
    """The allowed values of a ``Literal`` field (Connect's ``recommended_values``)."""
    values: list[str] = []
    for leaf in _leaves(field.annotation):
        if get_origin(leaf) is Literal:
            values += [str(v) for v in get_args(leaf)]
    return values
