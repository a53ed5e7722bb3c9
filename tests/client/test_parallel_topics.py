"""Topics of one sequence pushed from several threads at once all arrive complete and in order."""

from __future__ import annotations

import threading

from smalto.client import MosaicoClient, TopicWriter
from smalto.ontology import IMU

from .samples import imu_message

COUNT = 300


def _push(topic: TopicWriter, offset: int) -> None:
    for i in range(COUNT):
        topic.push(imu_message(i, timestamp_ns=offset + i))
    topic.finalize()


def test_threads_upload_their_topics_concurrently(client: MosaicoClient) -> None:
    with client.sequence_create("parallel", {}, max_batch_size_records=64) as writer:
        topics = [writer.topic_create(f"imu_{k}", {}, IMU) for k in range(4)]
        threads = [
            threading.Thread(target=_push, args=(topic, k * 10_000))
            for k, topic in enumerate(topics)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sequence = client.sequence_handler("parallel")
    assert sequence is not None
    tables = sequence.to_arrow()
    for k in range(4):
        stamps = tables[f"/imu_{k}"].column("timestamp_ns").to_pylist()
        assert stamps == [k * 10_000 + i for i in range(COUNT)]
