"""Run queries with the official SDK and print their results.

``query.py H P``: sequence, topic and ontology filters (alone and together), time ranges,
chaining with ``to_query_sequence()`` / ``to_query_topic()``. Each result is
``{sequence: {topic: [start, end] | null}}``.
"""

from __future__ import annotations

from typing import Any

from mosaicolabs import IMU, Query, QueryOntologyCatalog, QuerySequence, QueryTopic, Sequence
from official import connect, emit


def shape(response: Any) -> dict[str, dict[str, Any]]:
    """A response as plain JSON."""
    if response is None:
        return {}
    return {
        item.sequence.name: {
            t.name: None
            if t.timestamp_range is None
            else [t.timestamp_range.start, t.timestamp_range.end]
            for t in item.topics
        }
        for item in response
    }


with connect() as client:
    planned = QuerySequence().with_user_metadata("vehicle.software_stack.planning", eq="plan-4.1.7")
    spikes = QueryOntologyCatalog(include_timestamp_range=True).with_expression(
        IMU.Q.acceleration.x.gt(4.0)
    )
    first = client.query(QuerySequence().with_name_match("drive"))
    document = {
        "by_metadata": shape(client.query(planned)),
        "by_proxy": shape(
            client.query(
                QuerySequence().with_expression(Sequence.Q.user_metadata["visibility"].lt(50))
            )
        ),
        "by_topic": shape(
            client.query(QueryTopic().with_name("/sensors/imu").with_ontology_tag("imu"))
        ),
        "by_content": shape(client.query(spikes)),
        "all_three": shape(
            client.query(
                query=Query(
                    QuerySequence().with_name_match("drive"),
                    QueryTopic().with_user_metadata("interface.type", eq="UART"),
                    QueryOntologyCatalog(IMU.Q.acceleration.x.between([4.5, 6.0])),
                )
            )
        ),
        "chained_sequence": shape(
            client.query(first.to_query_sequence(), QueryOntologyCatalog(IMU.Q.frame_id.eq("imu")))
        ),
        "chained_topic": shape(
            client.query(first.to_query_topic(), QuerySequence().with_name("calib_c"))
        ),
        "nothing": shape(client.query(QuerySequence().with_name("missing"))),
    }
    emit(document)
