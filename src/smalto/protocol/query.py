"""The ``query`` grammar (PROTOCOL.md §5, 0.3.2 dialect): typed filters parsed from the wire.

A request has up to three filters, ANDed: ``sequence`` and ``topic`` (catalog columns and dotted
user-metadata keys) and ``ontology`` (``"<tag>.<field path>"`` keys on sensor data). Every
condition is a one-key object ``{"$op": value}``. Parsing checks shapes and value types and names
the bad part in its `InvalidRequest`; checks that need a schema happen in the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from smalto.errors import InvalidRequest
from smalto.ontology.query_expression import QueryOperator, QueryValue, Scalar, check_scalar
from smalto.protocol.actions import QueryRequest

__all__ = [
    "INCLUDE_TIMESTAMP_RANGE",
    "CatalogFilter",
    "Cluster",
    "ClusterListResponse",
    "ClusterSpan",
    "Condition",
    "FieldCondition",
    "MetadataCondition",
    "OntologyFilter",
    "QueryItem",
    "QueryPlan",
    "QueryResponseBody",
    "TopicHit",
    "parse_condition",
    "parse_ontology",
    "parse_query",
]

INCLUDE_TIMESTAMP_RANGE = "include_timestamp_range"

_Op = QueryOperator
_TEXT_OPS = frozenset({_Op.EQ, _Op.NEQ, _Op.IN, _Op.MATCH, _Op.EX, _Op.NEX})
_TIME_OPS = frozenset({_Op.EQ, _Op.NEQ, _Op.LT, _Op.LEQ, _Op.GT, _Op.GEQ, _Op.IN, _Op.BETWEEN})
_ALL_OPS = frozenset(_Op)
_TAG = re.compile(r"[A-Za-z0-9_]+")
_MAX_KEY_DEPTH = 32
MAX_IN_VALUES = 1000
"""Most values one ``$in`` may list."""
MAX_CONDITIONS = 256
"""Most conditions one filter may hold."""
_INT_MIN, _INT_MAX, _UINT_MAX = -(2**63), 2**63 - 1, 2**64 - 1


@dataclass(frozen=True)
class Condition:
    """One ``{"$op": value}``: a scalar, a tuple (``$in``, ``$between``) or None."""

    op: QueryOperator
    value: QueryValue

    @property
    def values(self) -> tuple[Scalar, ...]:
        """The value(s) as a tuple (empty for ``$ex``/``$nex``)."""
        if self.value is None:
            return ()
        return self.value if isinstance(self.value, tuple) else (self.value,)


@dataclass(frozen=True)
class MetadataCondition:
    """A condition on the user-metadata value at ``keys`` (``"a.b"`` → ``("a", "b")``)."""

    keys: tuple[str, ...]
    condition: Condition


@dataclass(frozen=True)
class CatalogFilter:
    """A sequence or topic filter; ``locator`` of a topic is its name with a leading ``/``."""

    locator: Condition | None = None
    created_at_ns: Condition | None = None
    ontology_tag: Condition | None = None
    serialization_format: Condition | None = None
    user_metadata: tuple[MetadataCondition, ...] = ()


@dataclass(frozen=True)
class FieldCondition:
    """A condition on the sensor field ``path`` of topics tagged ``tag``."""

    tag: str
    path: tuple[str, ...]
    condition: Condition

    @property
    def key(self) -> str:
        """The wire key, ``tag.field.path``."""
        return ".".join((self.tag, *self.path))


@dataclass(frozen=True)
class OntologyFilter:
    """Sensor-data conditions (ANDed within a tag) and whether to return time ranges."""

    conditions: tuple[FieldCondition, ...]
    include_timestamp_range: bool = False

    @property
    def tags(self) -> list[str]:
        """The tags the conditions address, in first-use order."""
        return list(dict.fromkeys(c.tag for c in self.conditions))

    def for_tag(self, tag: str) -> tuple[FieldCondition, ...]:
        """The conditions on fields of ``tag``."""
        return tuple(c for c in self.conditions if c.tag == tag)


@dataclass(frozen=True)
class QueryPlan:
    """A parsed ``query`` request."""

    sequence: CatalogFilter | None
    topic: CatalogFilter | None
    ontology: OntologyFilter | None


def _scalar(where: str, value: Any, ints_only: bool) -> Scalar:
    checked = check_scalar(where, value)
    if ints_only and (isinstance(checked, bool) or not isinstance(checked, int)):
        raise InvalidRequest(f"{where}: {value!r} must be an integer (ns since the Unix epoch)")
    if isinstance(checked, int) and not _INT_MIN <= checked <= _UINT_MAX:
        raise InvalidRequest(f"{where}: {value!r} does not fit in 64 bits")
    if isinstance(checked, str) and "\x00" in checked:
        raise InvalidRequest(f"{where}: strings may not contain NUL (\\u0000)")
    return checked


def _check_int64(where: str, condition: Condition) -> Condition:
    """Catalog values are compared in SQL, where integers are signed 64-bit."""
    for value in condition.values:
        if isinstance(value, int) and value > _INT_MAX:
            raise InvalidRequest(f"{where}: {value!r} does not fit in a signed 64-bit integer")
    return condition


def _between(where: str, raw: Any, ints_only: bool) -> tuple[Scalar, ...]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise InvalidRequest(f"{where}: '$between' takes a list [low, high], got {raw!r}")
    low, high = (_scalar(where, v, ints_only) for v in raw)
    numbers = not isinstance(low, (str, bool)) and not isinstance(high, (str, bool))
    if not numbers and not (isinstance(low, str) and isinstance(high, str)):
        raise InvalidRequest(f"{where}: '$between' needs two numbers or two strings, got {raw!r}")
    if low > high:  # type: ignore[operator]
        raise InvalidRequest(f"{where}: '$between' needs low <= high, got {raw!r}")
    return (low, high)


def _value(where: str, op: QueryOperator, raw: Any, ints_only: bool) -> QueryValue:
    if op in (_Op.EX, _Op.NEX):
        if raw not in (None, True):
            raise InvalidRequest(f"{where}: '{op.value}' takes null (or true), got {raw!r}")
        return None
    if op is _Op.BETWEEN:
        return _between(where, raw, ints_only)
    if op is _Op.IN:
        if not isinstance(raw, list) or not raw:
            raise InvalidRequest(f"{where}: '$in' takes a non-empty list, got {raw!r}")
        if len(raw) > MAX_IN_VALUES:
            raise InvalidRequest(f"{where}: '$in' takes at most {MAX_IN_VALUES} values")
        return tuple(_scalar(where, v, ints_only) for v in raw)
    value = _scalar(where, raw, ints_only)
    if op is _Op.MATCH and not isinstance(value, str):
        raise InvalidRequest(f"{where}: '$match' takes a string, got {raw!r}")
    return value


def parse_condition(
    where: str,
    raw: Any,
    allowed: frozenset[QueryOperator] = _ALL_OPS,
    ints_only: bool = False,
    strings_only: bool = False,
) -> Condition:
    """Parse ``{"$op": value}``; ``where`` names the part in errors."""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise InvalidRequest(f'{where}: a condition is one {{"$op": value}} object, got {raw!r}')
    ((name, value),) = raw.items()
    try:
        op = QueryOperator(name)
    except ValueError:
        known = ", ".join(o.value for o in QueryOperator if o in allowed)
        raise InvalidRequest(f"{where}: unknown operator {name!r}; use one of {known}") from None
    if op not in allowed:
        known = ", ".join(o.value for o in QueryOperator if o in allowed)
        raise InvalidRequest(f"{where}: operator {name!r} does not apply; use one of {known}")
    condition = Condition(op, _value(f"{where} {name}", op, value, ints_only))
    if strings_only and any(not isinstance(v, str) for v in condition.values):
        raise InvalidRequest(f"{where}: {name} compares text; give strings, got {value!r}")
    return condition


def _split_key(where: str, key: str) -> tuple[str, ...]:
    parts = tuple(key.split("."))
    if not key or any(not p for p in parts):
        raise InvalidRequest(f"{where} key {key!r}: empty key or empty part between dots")
    if any('"' in p or "\\" in p or "\x00" in p for p in parts):
        raise InvalidRequest(f"{where} key {key!r}: keys may not contain '\"', '\\' or NUL")
    if len(parts) > _MAX_KEY_DEPTH:
        raise InvalidRequest(f"{where} key {key!r}: deeper than {_MAX_KEY_DEPTH} levels")
    return parts


def _metadata(where: str, raw: Any) -> tuple[MetadataCondition, ...]:
    if not isinstance(raw, Mapping):
        raise InvalidRequest(f"{where}: an object of dotted keys to conditions, got {raw!r}")
    if len(raw) > MAX_CONDITIONS:
        raise InvalidRequest(f"{where}: at most {MAX_CONDITIONS} keys per filter")
    return tuple(
        MetadataCondition(
            _split_key(where, key),
            _check_int64(f"{where} key {key!r}", parse_condition(f"{where} key {key!r}", value)),
        )
        for key, value in raw.items()
    )


def _catalog_filter(scope: str, raw: Mapping[str, Any], topic: bool) -> CatalogFilter:
    known = ["locator", "created_at_ns", "user_metadata"]
    known += ["ontology_tag", "serialization_format"] if topic else []
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise InvalidRequest(
            f"{scope} filter: unknown key {unknown[0]!r}; valid keys: {', '.join(known)}"
        )

    def text(key: str) -> Condition | None:
        value = raw.get(key)
        if value is None:
            return None
        return parse_condition(f"{scope}.{key}", value, _TEXT_OPS, strings_only=True)

    created = raw.get("created_at_ns")
    return CatalogFilter(
        locator=text("locator"),
        created_at_ns=None
        if created is None
        else _check_int64(
            f"{scope}.created_at_ns",
            parse_condition(f"{scope}.created_at_ns", created, _TIME_OPS, ints_only=True),
        ),
        ontology_tag=text("ontology_tag"),
        serialization_format=text("serialization_format"),
        user_metadata=_metadata(f"{scope}.user_metadata", raw.get("user_metadata") or {}),
    )


def _field_condition(key: str, raw: Any) -> FieldCondition:
    where = f"ontology key {key!r}"
    tag, _, rest = key.partition(".")
    if not _TAG.fullmatch(tag) or not rest:
        raise InvalidRequest(
            f"{where}: write '<ontology tag>.<field path>', e.g. 'imu.acceleration.x'"
        )
    return FieldCondition(tag, _split_key(where, rest), parse_condition(where, raw))


def parse_ontology(raw: Mapping[str, Any]) -> OntologyFilter:
    """Parse an ontology filter (keys ``tag.field.path`` plus ``include_timestamp_range``)."""
    if len(raw) > MAX_CONDITIONS:
        raise InvalidRequest(f"ontology filter: at most {MAX_CONDITIONS} keys")
    include = raw.get(INCLUDE_TIMESTAMP_RANGE, False)
    if not isinstance(include, bool):
        raise InvalidRequest(f"ontology.{INCLUDE_TIMESTAMP_RANGE} must be true or false")
    conditions = tuple(
        _field_condition(key, value) for key, value in raw.items() if key != INCLUDE_TIMESTAMP_RANGE
    )
    return OntologyFilter(conditions, include)


def parse_query(request: QueryRequest) -> QueryPlan:
    """The typed plan of a ``query`` request; `InvalidRequest` names the first bad part."""
    return QueryPlan(
        sequence=None
        if request.sequence is None
        else _catalog_filter("sequence", request.sequence, topic=False),
        topic=None if request.topic is None else _catalog_filter("topic", request.topic, True),
        ontology=None if request.ontology is None else parse_ontology(request.ontology),
    )


class TopicHit(BaseModel):
    """A matching topic: full locator ``seq/topic``, its tag, and the matched time range.

    ``timestamp_range`` is ``[first, last]`` ``timestamp_ns`` of matching rows; the key is left
    out unless the request asked for it (the 0.3.2 client reads it only then). ``ontology_tag``
    is extra for 0.3.2 clients (ignored there) and what 0.7 clients require.
    """

    locator: str
    ontology_tag: str
    timestamp_range: list[int] | None = None

    @model_serializer(mode="wrap")
    def _omit_absent_range(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.timestamp_range is None:
            data.pop("timestamp_range", None)
        return data


class QueryItem(BaseModel):
    """One sequence of the result with its matching topics."""

    sequence: str
    topics: list[TopicHit]


class QueryResponseBody(BaseModel):
    """``query`` response: ``{items: [...]}`` (order carries no meaning)."""

    items: list[QueryItem]


class ClusterSpan(BaseModel):
    """A time interval in ns since the Unix epoch, both ends inclusive."""

    start_ns: int
    end_ns: int


class Cluster(BaseModel):
    """One run of matching rows (0.7's ``{id, ts}`` shape)."""

    id: int
    ts: ClusterSpan


class ClusterListResponse(BaseModel):
    """``topic_filter_clusterize`` / ``topic_filter_intersect`` response, in time order."""

    clusters: list[Cluster]
