"""The query actions: ``query`` (PROTOCOL.md §5) and smalto's ``topic_filter_clusterize`` /
``topic_filter_intersect`` (matched time intervals, an extension no official client sends)."""

from __future__ import annotations

from collections.abc import Mapping

from smalto.engine import QueryEngine, clusterize, intersect, matching_timestamps
from smalto.engine.chunk_scan import TimeWindow
from smalto.engine.clusters import Interval
from smalto.protocol.actions import ClusterizeRequest, IntersectRequest, QueryRequest
from smalto.protocol.locators import split_topic_locator
from smalto.protocol.query import (
    Cluster,
    ClusterListResponse,
    ClusterSpan,
    QueryResponseBody,
    parse_ontology,
    parse_query,
)
from smalto.server.state import ServerState

__all__ = ["QueryActions"]


def _clusters(intervals: list[Interval]) -> ClusterListResponse:
    return ClusterListResponse(
        clusters=[
            Cluster(id=index, ts=ClusterSpan(start_ns=start, end_ns=end))
            for index, (start, end) in enumerate(intervals)
        ]
    )


class QueryActions:
    """Handlers of the query actions over the server's catalog and store."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.engine = QueryEngine(state.catalog.db, state.store)

    def query(self, request: QueryRequest) -> QueryResponseBody:
        """Sequences and topics matching every filter, grouped by sequence."""
        return self.engine.run(parse_query(request))

    def _topic_clusters(
        self, locator: str, gap_ns: int, ontology: Mapping[str, object], window: TimeWindow
    ) -> list[Interval]:
        conditions = parse_ontology(ontology).conditions
        timestamps = matching_timestamps(
            self.state.catalog.db,
            self.state.store,
            split_topic_locator(locator),
            conditions,
            window,
        )
        return clusterize(timestamps, gap_ns)

    def clusterize(self, request: ClusterizeRequest) -> ClusterListResponse:
        """Runs of one topic's matching rows, at most ``clustering_dt_ns`` apart."""
        span = request.timestamp_range
        window = TimeWindow() if span is None else TimeWindow(span.start_ns, span.end_ns)
        return _clusters(
            self._topic_clusters(
                request.locator, request.clustering_dt_ns, request.ontology, window
            )
        )

    def intersect(self, request: IntersectRequest) -> ClusterListResponse:
        """Times where every listed topic has a run of matching rows."""
        per_topic = [
            self._topic_clusters(t.locator, t.clustering_dt_ns, t.ontology, TimeWindow())
            for t in request.topics
        ]
        return _clusters(intersect(per_topic, request.intersect_dt_ns))
