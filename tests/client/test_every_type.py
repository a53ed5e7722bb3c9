"""Every built-in type, written through a real server and read back, is identical."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smalto import Message, MosaicoClient, Serializable
from smalto.ontology import registered_ontologies
from tests.client.samples import imu_message
from tests.ontology.strategies import messages

BUILTINS = sorted(
    (cls for cls in registered_ontologies().values() if cls.__module__.startswith("smalto.")),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("cls", BUILTINS, ids=lambda cls: cls.__name__)
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_builtin_type_round_trips_through_the_server(
    client: MosaicoClient, cls: type[Serializable], data: st.DataObject
) -> None:
    drawn = data.draw(st.lists(messages(cls), min_size=1, max_size=5))
    # Distinct, interleaved timestamps: the type's rows between an IMU topic's rows.
    written = [m.model_copy(update={"timestamp_ns": 2 * i + 1}) for i, m in enumerate(drawn)]
    imu = [imu_message(i, timestamp_ns=2 * i) for i in range(len(written) + 1)]
    name = f"type_{uuid.uuid4().hex[:10]}"
    with client.sequence_create(name, {}) as writer:
        typed = writer.topic_create("typed", {}, cls)
        other = writer.topic_create("imu", {}, type(imu[0].data))
        for i, message in enumerate(written):
            other.push(imu[i])
            typed.push(message)
        other.push(imu[-1])
    handler = client.topic_handler(name, "/typed")
    assert handler is not None
    assert list(handler.get_data_streamer()) == written
    sequence = client.sequence_handler(name)
    assert sequence is not None
    merged: list[tuple[str, Message]] = list(sequence.get_data_streamer())
    assert [m.timestamp_ns for _, m in merged] == list(range(2 * len(written) + 1))
    assert [m for topic, m in merged if topic == "/typed"] == written
