"""`Serializable`, the base of every ontology data type, and the class-level facts about one."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from smalto.enums import SerializationFormat
from smalto.errors import InvalidRequest
from smalto.ontology.naming import (
    QUERY_PROXY_NAME,
    check_field_names,
    check_tag,
    derive_tag,
)
from smalto.ontology.query_proxy import QueryProxyDescriptor
from smalto.ontology.registry import register_ontology

__all__ = ["Serializable", "ontology_tag", "serialization_format"]


class Serializable(BaseModel):
    """Base class of every ontology data type: subclass it to define one.

    The fields, in declaration order, become the topic's Arrow columns after the envelope (see
    `smalto.ontology.types` for the mapping and the markers that refine it). Two class
    variables describe the type: ``__ontology_tag__`` (default: the class name in snake_case,
    ``Vector3d`` → ``vector_3_d``) and ``__serialization_format__`` (default
    `SerializationFormat.Default`). A subclass registers itself under its tag when defined, so
    `smalto.ontology.get_ontology` finds it.

    Attribute docstrings become field descriptions (and Arrow field ``description`` metadata).
    Class-level facts are read with module functions (`ontology_tag`, `data_fields`,
    `message_schema`, `serialization_format`) so no method name can shadow a user's field.
    """

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        ser_json_bytes="base64",
        val_json_bytes="base64",
    )

    __ontology_tag__: ClassVar[str]
    __serialization_format__: ClassVar[SerializationFormat] = SerializationFormat.Default
    Q: ClassVar[QueryProxyDescriptor] = QueryProxyDescriptor()
    """The query proxy of the class: ``IMU.Q.acceleration.x.gt(5.0)`` (see `query_proxy`)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Runs before pydantic collects fields, whose warning about a field shadowing `Q`
        # would otherwise come first.
        if QUERY_PROXY_NAME in inspect.get_annotations(cls):
            check_field_names([QUERY_PROXY_NAME], cls.__qualname__)
        super().__init_subclass__(**kwargs)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__pydantic_generic_metadata__["origin"] is not None:
            return  # a parametrisation such as Reading[int] is not a type of its own
        owner = cls.__qualname__
        tag = check_tag(cls.__dict__.get("__ontology_tag__", derive_tag(cls.__name__)), owner)
        _check_format(cls.__serialization_format__, owner)
        check_field_names(cls.model_fields, owner)
        cls.__ontology_tag__ = tag
        register_ontology(cls, tag)


def _check_format(value: object, owner: str) -> None:
    if not isinstance(value, str) or value not in {f.value for f in SerializationFormat}:
        choices = ", ".join(repr(f.value) for f in SerializationFormat)
        raise InvalidRequest(
            f"__serialization_format__ {value!r} of {owner} is not one of {choices}; "
            "use a smalto.SerializationFormat member"
        )


def ontology_tag(cls: type[Serializable]) -> str:
    """The tag ``cls`` is registered and stored under (e.g. ``"imu"``)."""
    tag = cls.__dict__.get("__ontology_tag__") if isinstance(cls, type) else None
    if not isinstance(tag, str):
        raise InvalidRequest(f"{cls!r} has no ontology tag: pass a subclass of Serializable")
    return tag


def serialization_format(cls: type[Serializable]) -> SerializationFormat:
    """How topics of ``cls`` are batched and stored (`SerializationFormat`)."""
    ontology_tag(cls)  # only ontology classes have one
    return SerializationFormat(cls.__serialization_format__)
