"""Connect with an API key, list sequences, then try to write one.

Arguments: ``<host> <port> <api key>``. Prints
``{"connected": bool, "sequences": [...] | null, "created": bool, "error": str | null}``.
"""

from __future__ import annotations

import sys

from mosaicolabs import Boolean, Message, MosaicoClient
from official import emit

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    client = MosaicoClient.connect(host, port, timeout=10, api_key=key)
except Exception as exc:  # the official SDK raises ConnectionError (ValueError for bad format)
    emit({"connected": False, "sequences": None, "created": False, "error": type(exc).__name__})
    sys.exit(0)
with client:
    sequences = sorted(client.list_sequences())
    created, error = True, None
    try:
        with client.sequence_create("keyed_write", {"by": "official"}) as writer:
            flag = writer.topic_create("/flag", {}, Boolean)
            flag.push(Message(timestamp_ns=1, data=Boolean(data=True)))
    except Exception as exc:  # a read-only key is refused the write
        created, error = False, type(exc).__name__
    emit({"connected": True, "sequences": sequences, "created": created, "error": error})
