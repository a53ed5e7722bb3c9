"""Query builders (seed 001): `QuerySequence`, `QueryTopic`, `QueryOntologyCatalog`, `Query`.

Each builder gathers `QueryExpression`s of its own scope (a key may appear once) and serializes
them in the 0.3.2 wire dialect (PROTOCOL.md §5.1): catalog keys at the top, user-metadata keys
nested under ``user_metadata``, ontology keys flat. `Sequence.Q` / `Topic.Q` expose user
metadata as ``Sequence.Q.user_metadata["a.b"].lt(50)``.
"""

from __future__ import annotations

from typing import Any, Protocol

from smalto.ontology.query_expression import ExpressionScope, QueryExpression, QueryOperator
from smalto.ontology.query_proxy import FieldKind, QueryField
from smalto.protocol.query import INCLUDE_TIMESTAMP_RANGE

__all__ = [
    "Query",
    "QueryOntologyCatalog",
    "QuerySequence",
    "QueryTopic",
    "Queryable",
    "Sequence",
    "Topic",
]

_METADATA = "user_metadata"
_OPERATOR_NAMES = {op.method: op for op in QueryOperator} | {"in": QueryOperator.IN}


class Queryable(Protocol):
    """What `MosaicoClient.query` accepts: a builder with a wire name and body."""

    def name(self) -> str:
        """The request member this builder fills (``sequence``, ``topic``, ``ontology``)."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The member's JSON body."""
        ...


class _MetadataProxy:
    """``<Catalog>.Q.user_metadata[key]``: a field of any JSON scalar kind."""

    def __init__(self, scope: ExpressionScope) -> None:
        self._scope = scope

    def __getitem__(self, key: str) -> QueryField:
        if not isinstance(key, str) or not key:
            raise ValueError(f"a user-metadata key is a non-empty dotted string, not {key!r}")
        return QueryField(f"{_METADATA}.{key}", FieldKind.ANY, self._scope, "user metadata")


class _CatalogQuery:
    def __init__(self, scope: ExpressionScope) -> None:
        self.user_metadata = _MetadataProxy(scope)


class _CatalogEntity:
    """`Sequence` / `Topic`: the catalog side of the query proxies (``.Q.user_metadata``)."""

    def __init__(self, scope: ExpressionScope) -> None:
        self.Q = _CatalogQuery(scope)

    def __repr__(self) -> str:
        return f"<{self.Q.user_metadata._scope.value} query proxy>"


Sequence = _CatalogEntity(ExpressionScope.SEQUENCE)
"""Query proxy of sequences: ``Sequence.Q.user_metadata["environment.visibility"].lt(50)``."""
Topic = _CatalogEntity(ExpressionScope.TOPIC)
"""Query proxy of topics: ``Topic.Q.user_metadata["interface.type"].eq("UART")``."""


def _nanoseconds(value: object, what: str) -> int | None:
    if value is None:
        return None
    to_ns = getattr(value, "to_nanoseconds", None)
    result = to_ns() if callable(to_ns) else value
    if isinstance(result, bool) or not isinstance(result, int):
        raise TypeError(f"{what} is an int of ns since the Unix epoch, not {value!r}")
    return result


class _Builder:
    _scope: ExpressionScope

    def __init__(self, *expressions: QueryExpression) -> None:
        self._expressions: list[QueryExpression] = []
        for expression in expressions:
            self._add(expression)

    def _add(self, expression: QueryExpression) -> None:
        if not isinstance(expression, QueryExpression) or expression.scope is not self._scope:
            found = getattr(expression, "scope", type(expression).__name__)
            raise TypeError(
                f"{type(self).__name__} takes {self._scope.value} expressions, got {found!r}"
            )
        if any(e.key == expression.key for e in self._expressions):
            raise ValueError(
                f"{type(self).__name__} already has a condition on {expression.key!r}; "
                "a key may appear only once per builder"
            )
        self._expressions.append(expression)

    def name(self) -> str:
        """The request member this builder fills."""
        return self._scope.value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"

    def to_dict(self) -> dict[str, Any]:
        """The member's JSON body (PROTOCOL.md §5.1)."""
        body: dict[str, Any] = {}
        for expression in self._expressions:
            head, _, rest = expression.key.partition(".")
            (condition,) = expression.to_dict().values()
            if head == _METADATA and rest:
                body.setdefault(_METADATA, {})[rest] = condition
            else:
                body[expression.key] = condition
        return body


class _CatalogBuilder(_Builder):
    def with_expression(self, expression: QueryExpression) -> Any:
        """Add a condition made by ``Sequence.Q`` / ``Topic.Q`` (ANDed with the others)."""
        self._add(expression)
        return self

    def with_user_metadata(self, key: str, **operator: Any) -> Any:
        """Add a condition on the user-metadata value at dotted ``key``: exactly one of
        ``eq neq lt leq gt geq between in_ match ex nex`` (e.g. ``eq="plan-4.1.7"``)."""
        if len(operator) != 1:
            raise ValueError("with_user_metadata() takes exactly one operator, e.g. eq=5")
        ((name, value),) = operator.items()
        op = _OPERATOR_NAMES.get(name)
        if op is None:
            raise ValueError(
                f"unknown operator {name!r}; use one of {', '.join(sorted(_OPERATOR_NAMES))}"
            )
        field = _MetadataProxy(self._scope)[key]
        method = getattr(field, op.method)
        self._add(method() if op in (QueryOperator.EX, QueryOperator.NEX) else method(value))
        return self

    def _locator(self, op: QueryOperator, value: str) -> Any:
        if not isinstance(value, str):
            raise TypeError(f"a name is a string, not {value!r}")
        self._add(QueryExpression(self._scope, "locator", op, value))
        return self

    def with_name(self, name: str) -> Any:
        """Exactly this name (a topic name keeps its leading slash: ``/sensors/imu``)."""
        return self._locator(QueryOperator.EQ, name)

    def with_name_match(self, text: str) -> Any:
        """Names containing ``text`` (a literal substring; ``%`` and ``_`` are plain)."""
        return self._locator(QueryOperator.MATCH, text)

    def with_created_timestamp(self, time_start: object = None, time_end: object = None) -> Any:
        """Created within ``[time_start, time_end]`` (int ns, or objects with
        ``to_nanoseconds()``; either end may be None, not both)."""
        start = _nanoseconds(time_start, "time_start")
        end = _nanoseconds(time_end, "time_end")
        if start is None and end is None:
            raise ValueError("with_created_timestamp() needs time_start, time_end or both")
        if start is not None and end is not None:
            if start > end:
                raise ValueError("with_created_timestamp(): time_start is after time_end")
            expression = QueryExpression(
                self._scope, "created_at_ns", QueryOperator.BETWEEN, (start, end)
            )
        elif start is not None:
            expression = QueryExpression(self._scope, "created_at_ns", QueryOperator.GEQ, start)
        else:
            expression = QueryExpression(self._scope, "created_at_ns", QueryOperator.LEQ, end)
        self._add(expression)
        return self


class QuerySequence(_CatalogBuilder):
    """Conditions on sequences: name, creation time, user metadata (all ANDed)."""

    _scope = ExpressionScope.SEQUENCE


class QueryTopic(_CatalogBuilder):
    """Conditions on topics: name (``/sensors/imu``), ontology tag, creation time, metadata."""

    _scope = ExpressionScope.TOPIC

    def with_ontology_tag(self, ontology_tag: str) -> QueryTopic:
        """Topics of this ontology tag (e.g. ``"imu"``)."""
        if not isinstance(ontology_tag, str):
            raise TypeError(f"an ontology tag is a string, not {ontology_tag!r}")
        self._add(QueryExpression(self._scope, "ontology_tag", QueryOperator.EQ, ontology_tag))
        return self


class QueryOntologyCatalog(_Builder):
    """Conditions on sensor data, made with ``.Q`` (``IMU.Q.acceleration.x.gt(5.0)``).

    Conditions on one ontology tag must hold on the same row; several tags must each match
    in the same sequence. ``include_timestamp_range`` asks for the ``[first, last]``
    ``timestamp_ns`` of the matching rows of each topic.
    """

    _scope = ExpressionScope.ONTOLOGY

    def __init__(
        self, *expressions: QueryExpression, include_timestamp_range: bool | None = None
    ) -> None:
        super().__init__(*expressions)
        self._include_timestamp_range = bool(include_timestamp_range)

    def with_expression(self, expression: QueryExpression) -> QueryOntologyCatalog:
        """Add a sensor-data condition (ANDed with the others)."""
        self._add(expression)
        return self

    def to_dict(self) -> dict[str, Any]:
        """Flat ``{"tag.field": condition}`` plus ``include_timestamp_range`` when asked."""
        body = super().to_dict()
        if self._include_timestamp_range:
            body[INCLUDE_TIMESTAMP_RANGE] = True
        return body


class Query:
    """Several builders, at most one of each kind, sent as one request (ANDed)."""

    def __init__(self, *queries: Queryable) -> None:
        self._queries: list[Queryable] = []
        self.append(*queries)

    def append(self, *queries: Queryable) -> Query:
        """Add builders; `ValueError` if one of the same kind is already there."""
        for query in queries:
            if any(q.name() == query.name() for q in self._queries):
                raise ValueError(
                    f"Query already has a {type(query).__name__} (a {query.name()!r} filter); "
                    "put all its conditions in one builder"
                )
            self._queries.append(query)
        return self

    @property
    def queries(self) -> tuple[Queryable, ...]:
        """The builders, in the order given."""
        return tuple(self._queries)

    def to_dict(self) -> dict[str, Any]:
        """The whole request body."""
        return {q.name(): q.to_dict() for q in self._queries}
