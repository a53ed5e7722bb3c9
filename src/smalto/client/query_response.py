"""`QueryResponse`: query results grouped by sequence, chainable into new queries.

Each matching topic can also ask the server for its matched time *intervals*
(`QueryResponseItemTopic.clusterize`) and intersect them with other topics of its sequence
(`QueryResponseItemTopic.intersect`), through smalto's own actions. Times are int ns since the
Unix epoch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from smalto.client.query_builders import Query, Queryable, QuerySequence, QueryTopic
from smalto.client.transport import Channel
from smalto.ontology.query_expression import ExpressionScope, QueryExpression, QueryOperator
from smalto.protocol.actions import (
    ActionName,
    ClusterizeRequest,
    IntersectRequest,
    IntersectTopic,
    TimeWindow,
)
from smalto.protocol.locators import topic_name
from smalto.protocol.query import INCLUDE_TIMESTAMP_RANGE, ClusterListResponse, QueryResponseBody

__all__ = [
    "QueryResponse",
    "QueryResponseItem",
    "QueryResponseItemSequence",
    "QueryResponseItemTopic",
    "TimestampRange",
    "run_query",
]


@dataclass(frozen=True)
class TimestampRange:
    """``[start, end]``, both inclusive, in ns since the Unix epoch."""

    start: int
    end: int


@dataclass(frozen=True)
class QueryResponseItemSequence:
    """A matching sequence."""

    name: str


@dataclass(frozen=True)
class _Context:
    """What a topic needs to ask for its intervals: the connection and the content filter."""

    channel: Channel
    ontology: Mapping[str, Any]


@dataclass(frozen=True)
class QueryResponseItemTopic:
    """A matching topic: its name (``/sensors/imu``) and, when asked, the matched range."""

    name: str
    timestamp_range: TimestampRange | None = None
    ontology_tag: str | None = None
    sequence_name: str = ""
    _context: _Context | None = field(default=None, repr=False, compare=False)

    @property
    def locator(self) -> str:
        """``sequence/topic/path``."""
        return f"{self.sequence_name}{self.name}"

    def _conditions(self) -> dict[str, Any]:
        ontology = self._context.ontology if self._context else {}
        prefix = f"{self.ontology_tag}."
        return {
            k: v
            for k, v in ontology.items()
            if k != INCLUDE_TIMESTAMP_RANGE and (self.ontology_tag is None or k.startswith(prefix))
        }

    def _channel(self) -> Channel:
        if self._context is None:
            raise RuntimeError("this topic did not come from MosaicoClient.query")
        return self._context.channel

    def clusterize(
        self, gap_ns: int, start_ns: int | None = None, end_ns: int | None = None
    ) -> list[TimestampRange]:
        """Maximal runs of matching rows whose consecutive rows are at most ``gap_ns`` apart,
        optionally within ``[start_ns, end_ns)``; in time order."""
        window = (
            None
            if start_ns is None and end_ns is None
            else TimeWindow(start_ns=start_ns, end_ns=end_ns)
        )
        request = ClusterizeRequest(
            locator=self.locator,
            clustering_dt_ns=gap_ns,
            ontology=self._conditions(),
            timestamp_range=window,
        )
        return _ranges(self._channel().action(ActionName.TOPIC_FILTER_CLUSTERIZE, request))

    def intersect(
        self, *others: QueryResponseItemTopic, gap_ns: int, tolerance_ns: int = 0
    ) -> list[TimestampRange]:
        """Times covered by a run (``gap_ns``) of matching rows of this topic *and* of every
        topic in ``others`` (same sequence); each run is widened by ``tolerance_ns`` first."""
        foreign = [o.name for o in others if o.sequence_name != self.sequence_name]
        if foreign:
            raise ValueError(f"intersect() needs topics of {self.sequence_name!r}: {foreign}")
        request = IntersectRequest(
            topics=[
                IntersectTopic(locator=t.locator, clustering_dt_ns=gap_ns, ontology=t._conditions())
                for t in (self, *others)
            ],
            intersect_dt_ns=tolerance_ns,
        )
        return _ranges(self._channel().action(ActionName.TOPIC_FILTER_INTERSECT, request))


def _ranges(response: Any) -> list[TimestampRange]:
    clusters = ClusterListResponse.model_validate(response or {"clusters": []}).clusters
    return [TimestampRange(c.ts.start_ns, c.ts.end_ns) for c in clusters]


@dataclass(frozen=True)
class QueryResponseItem:
    """A matching sequence with its matching topics."""

    sequence: QueryResponseItemSequence
    topics: list[QueryResponseItemTopic]


@dataclass(frozen=True)
class QueryResponse:
    """Query results, one item per sequence; iterable, indexable, sized."""

    items: list[QueryResponseItem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[QueryResponseItem]:
        return iter(self.items)

    def __getitem__(self, index: int) -> QueryResponseItem:
        return self.items[index]

    def is_empty(self) -> bool:
        """Whether nothing matched."""
        return not self.items

    def to_query_sequence(self) -> QuerySequence:
        """A `QuerySequence` restricted to these sequences (`ValueError` when empty)."""
        if not self.items:
            raise ValueError("an empty response has no sequences to query")
        names = tuple(item.sequence.name for item in self.items)
        return QuerySequence(
            QueryExpression(ExpressionScope.SEQUENCE, "locator", QueryOperator.IN, names)
        )

    def to_query_topic(self) -> QueryTopic:
        """A `QueryTopic` restricted to these topic names (`ValueError` when empty)."""
        if not self.items:
            raise ValueError("an empty response has no topics to query")
        names = tuple(dict.fromkeys(t.name for item in self.items for t in item.topics))
        expression = QueryExpression(ExpressionScope.TOPIC, "locator", QueryOperator.IN, names)
        return QueryTopic(expression)


def _item(raw: Any, context: _Context) -> QueryResponseItem:
    topics = []
    for hit in raw.topics:
        sequence, _, path = hit.locator.partition("/")
        span = hit.timestamp_range
        topics.append(
            QueryResponseItemTopic(
                name=topic_name(path),
                timestamp_range=TimestampRange(span[0], span[1]) if span else None,
                ontology_tag=hit.ontology_tag,
                sequence_name=sequence,
                _context=context,
            )
        )
    return QueryResponseItem(QueryResponseItemSequence(raw.sequence), topics)


def run_query(
    channel: Channel, queries: tuple[Queryable, ...], query: Query | None
) -> QueryResponse:
    """Send builders (or one `Query`) as one ``query`` action; `ValueError` on two builders of
    one kind or none at all."""
    if queries and query is not None:
        raise ValueError("pass builders or query=Query(...), not both")
    if not queries and query is None:
        raise ValueError("query() needs at least one builder or query=Query(...)")
    request = Query(*queries) if queries else query
    assert request is not None
    body = request.to_dict()
    response = channel.action(ActionName.QUERY, body)
    parsed = QueryResponseBody.model_validate(response or {"items": []})
    context = _Context(channel, body.get("ontology", {}))
    return QueryResponse([_item(raw, context) for raw in parsed.items])
