"""Write the sample topics with the official SDK: ``write_sequence.py H P <seq> <count> [topic…]``.

Prints the writer's session uuid and final status.
"""

from __future__ import annotations

import samples
from official import args, connect, emit, write_topics

name, count, *topics = args()
with connect() as client:
    with client.sequence_create(name, samples.SEQUENCE_METADATA) as writer:
        write_topics(writer, int(count), topics or None)
    emit({"session_uuid": writer.session_uuid, "status": writer.status.value})
