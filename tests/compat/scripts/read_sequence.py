"""Read a sequence back with the official SDK and print everything the handlers expose.

``read_sequence.py H P <seq> [--start NS] [--end NS] [--topics /a,/b] [--per-topic]``: the
sequence handler's properties, every topic handler's properties, the merged stream (windowed and
restricted as asked) and, with ``--per-topic``, each topic's own stream over the same window.
"""

from __future__ import annotations

import argparse

from official import args, canonical, connect, emit

parser = argparse.ArgumentParser()
parser.add_argument("sequence")
parser.add_argument("--start", type=int)
parser.add_argument("--end", type=int)
parser.add_argument("--topics", default="")
parser.add_argument("--per-topic", action="store_true")
options = parser.parse_args(args())
topics = [t for t in options.topics.split(",") if t]
window = {"start_timestamp_ns": options.start, "end_timestamp_ns": options.end}

with connect() as client:
    handler = client.sequence_handler(options.sequence)
    assert handler is not None, options.sequence
    document = {
        "sequence": {
            "name": handler.name,
            "topics": handler.topics,
            "user_metadata": handler.user_metadata,
            "created_timestamp": handler.created_timestamp,
            "updated_timestamps": handler.updated_timestamps,
            "total_size_bytes": handler.total_size_bytes,
            "timestamp_ns_min": handler.timestamp_ns_min,
            "timestamp_ns_max": handler.timestamp_ns_max,
            "sessions": [
                {
                    "uuid": s.uuid,
                    "created_timestamp": s.created_timestamp,
                    "locked": s.locked,
                    "completed_timestamp": s.completed_timestamp,
                    "topics": s.topics,
                }
                for s in handler.sessions
            ],
        },
        "topics": {},
        "types": {},
    }
    for name in handler.topics:
        topic = client.topic_handler(options.sequence, name)
        assert topic is not None, name
        document["topics"][name] = {
            "name": topic.name,
            "sequence_name": topic.sequence_name,
            "user_metadata": topic.user_metadata,
            "created_timestamp": topic.created_timestamp,
            "locked": topic.locked,
            "chunks_number": topic.chunks_number,
            "ontology_tag": topic.ontology_tag,
            "serialization_format": str(
                getattr(topic.serialization_format, "value", topic.serialization_format)
            ),
            "total_size_bytes": topic.total_size_bytes,
            "timestamp_ns_min": topic.timestamp_ns_min,
            "timestamp_ns_max": topic.timestamp_ns_max,
        }
    stream = []
    for topic_name, message in handler.get_data_streamer(topics=topics, **window):
        stream.append([topic_name, canonical(message)])
        document["types"][topic_name] = type(message.data).__name__
    document["stream"] = stream
    if options.per_topic:
        per_topic = {}
        for name in topics or handler.topics:
            topic = client.topic_handler(options.sequence, name)
            assert topic is not None, name
            streamer = (
                topic.get_data_streamer(**window)
                if options.start is not None or options.end is not None
                else topic.get_data_streamer()
            )
            per_topic[name] = [canonical(m) for m in streamer]
        document["per_topic"] = per_topic
    emit(document)
