"""`MosaicoClient.query` end to end: builders → server → `QueryResponse`, chaining, intervals."""

from __future__ import annotations

import pytest

from smalto import (
    GPS,
    IMU,
    Message,
    MosaicoClient,
    Query,
    QueryOntologyCatalog,
    QueryResponse,
    QuerySequence,
    QueryTopic,
    TimestampRange,
)
from tests.client.samples import gps_message, vec


def _imu(i: int, x: float) -> Message:
    return Message(
        timestamp_ns=i * 1_000,
        data=IMU(acceleration=vec(x, 0.0, 9.81), angular_velocity=vec(0.0, 0.0, 0.0)),
    )


def _write(client: MosaicoClient, name: str, planner: str, spikes: list[int]) -> None:
    metadata = {"vehicle": {"software_stack": {"planning": planner}}, "visibility": 40}
    with client.sequence_create(name, metadata) as writer:
        imu = writer.topic_create("/sensors/imu", {"interface": {"type": "UART"}}, IMU)
        for i in range(200):
            imu.push(_imu(i, 5.0 if i in spikes else 0.1))
        gps = writer.topic_create("/sensors/gps", {}, GPS)
        for i in range(10):
            gps.push(gps_message(i))


@pytest.fixture
def archive(client: MosaicoClient) -> MosaicoClient:
    _write(client, "drive_a", "plan-4.1.7", spikes=[10, 11, 12, 100])
    _write(client, "drive_b", "plan-4.1.7", spikes=[])
    _write(client, "calib_c", "plan-5.0.0", spikes=[50])
    return client


def test_the_issue_example_is_one_call(archive: MosaicoClient) -> None:
    response = archive.query(
        QuerySequence().with_user_metadata("vehicle.software_stack.planning", eq="plan-4.1.7"),
        QueryOntologyCatalog(IMU.Q.acceleration.x.gt(4.0), include_timestamp_range=True),
    )
    assert len(response) == 1 and not response.is_empty()
    item = response[0]
    assert item.sequence.name == "drive_a"
    assert [t.name for t in item.topics] == ["/sensors/imu"]
    assert item.topics[0].timestamp_range == TimestampRange(10_000, 100_000)
    assert [i.sequence.name for i in response] == ["drive_a"]


def test_catalog_only_queries_group_topics_by_sequence(archive: MosaicoClient) -> None:
    response = archive.query(
        query=Query(QueryTopic().with_user_metadata("interface.type", eq="UART"))
    )
    assert {i.sequence.name: [t.name for t in i.topics] for i in response} == {
        "calib_c": ["/sensors/imu"],
        "drive_a": ["/sensors/imu"],
        "drive_b": ["/sensors/imu"],
    }
    assert all(t.timestamp_range is None for i in response for t in i.topics)


def test_results_chain_into_new_queries(archive: MosaicoClient) -> None:
    first = archive.query(QuerySequence().with_name_match("drive"))
    assert {i.sequence.name for i in first} == {"drive_a", "drive_b"}
    second = archive.query(
        first.to_query_sequence(),
        QueryOntologyCatalog(IMU.Q.acceleration.x.gt(4.0)),
    )
    assert [i.sequence.name for i in second] == ["drive_a"]
    topics = archive.query(second.to_query_topic(), QuerySequence().with_name("calib_c"))
    assert [[t.name for t in i.topics] for i in topics] == [["/sensors/imu"]]


def test_client_side_mistakes_raise_value_error(archive: MosaicoClient) -> None:
    with pytest.raises(ValueError, match="Query already has a QuerySequence"):
        archive.query(QuerySequence().with_name("a"), QuerySequence().with_name("b"))
    with pytest.raises(ValueError, match="at least one builder"):
        archive.query()
    with pytest.raises(ValueError, match="empty response"):
        QueryResponse().to_query_sequence()


def test_topics_give_their_matched_intervals(archive: MosaicoClient) -> None:
    response = archive.query(
        QuerySequence().with_name("drive_a"),
        QueryOntologyCatalog(IMU.Q.acceleration.x.gt(4.0)),
    )
    imu = response[0].topics[0]
    assert imu.clusterize(1_000) == [
        TimestampRange(10_000, 12_000),
        TimestampRange(100_000, 100_000),
    ]
    assert imu.clusterize(100_000) == [TimestampRange(10_000, 100_000)]
    assert imu.clusterize(1_000, start_ns=11_000, end_ns=100_000) == [
        TimestampRange(11_000, 12_000)
    ]
    everything = archive.query(QuerySequence().with_name("drive_a"))
    gps = next(t for t in everything[0].topics if t.name == "/sensors/gps")
    assert gps.clusterize(1_000) == [TimestampRange(0, 9_000)]
    assert imu.intersect(gps, gap_ns=1_000) == []
    assert imu.intersect(gps, gap_ns=1_000, tolerance_ns=1_000) == [TimestampRange(9_000, 10_000)]
