"""A small archive for query tests: what was uploaded, and a brute-force evaluation over it.

`Archive` uploads sequences of two raw-Arrow tags (``reading``: floats with NaN, ints, a uint8,
a bool, a string and a nullable struct; ``probe``: an int and a string) and remembers every row.
`Archive.expected` answers a ``query`` body by checking every row of every topic in plain Python,
with the semantics docs/query.md states; tests compare it with the server's answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight

from tests.server.wire import act, put

READING = pa.schema(
    [
        pa.field("timestamp_ns", pa.int64(), nullable=False),
        pa.field("recording_timestamp_ns", pa.int64()),
        pa.field("frame_id", pa.string()),
        pa.field("sequence_id", pa.uint32()),
        pa.field("value", pa.float64()),
        pa.field("count", pa.int32()),
        pa.field("ticks", pa.uint8()),
        pa.field("flag", pa.bool_()),
        pa.field("label", pa.string()),
        pa.field("pos", pa.struct([pa.field("x", pa.float64()), pa.field("y", pa.int64())])),
    ]
)
PROBE = pa.schema(
    [
        pa.field("timestamp_ns", pa.int64(), nullable=False),
        pa.field("recording_timestamp_ns", pa.int64()),
        pa.field("frame_id", pa.string()),
        pa.field("sequence_id", pa.uint32()),
        pa.field("level", pa.int64()),
        pa.field("name", pa.string()),
    ]
)
SCHEMAS = {"reading": READING, "probe": PROBE}
FIELD_KINDS = {
    "reading": {
        "timestamp_ns": "number",
        "frame_id": "string",
        "value": "number",
        "count": "number",
        "ticks": "number",
        "flag": "bool",
        "label": "string",
        "pos.x": "number",
        "pos.y": "number",
    },
    "probe": {"timestamp_ns": "number", "level": "number", "name": "string"},
}
_MISSING = object()


@dataclass
class TopicData:
    """One uploaded topic and its rows (flat dicts keyed by dotted leaf path)."""

    sequence: str
    path: str
    tag: str
    metadata: dict[str, Any]
    rows: list[dict[str, Any]]

    @property
    def locator(self) -> str:
        return f"{self.sequence}/{self.path}"


@dataclass
class SequenceData:
    name: str
    metadata: dict[str, Any]
    topics: list[TopicData] = field(default_factory=list)


def _batch(tag: str, rows: list[dict[str, Any]]) -> pa.RecordBatch:
    schema = SCHEMAS[tag]
    columns: dict[str, Any] = {}
    for f in schema:
        if pa.types.is_struct(f.type):
            columns[f.name] = [
                None
                if r.get(f"{f.name}.__null__")
                else {c.name: r.get(f"{f.name}.{c.name}") for c in f.type}
                for r in rows
            ]
        else:
            columns[f.name] = [r.get(f.name) for r in rows]
    return pa.RecordBatch.from_pydict(columns, schema=schema)


class Archive:
    """Everything uploaded to one server, for brute-force answers."""

    def __init__(self) -> None:
        self.sequences: list[SequenceData] = []

    def upload(self, client: flight.FlightClient, sequence: SequenceData, batch_rows: int) -> None:
        """Write ``sequence`` (one session), each topic in batches of ``batch_rows`` rows."""
        act(
            client,
            "sequence_create",
            {"locator": sequence.name, "user_metadata": sequence.metadata},
        )
        session = act(client, "session_create", {"locator": sequence.name})["uuid"]
        for topic in sequence.topics:
            body = {
                "session_uuid": session,
                "locator": topic.locator,
                "serialization_format": "default",
                "ontology_tag": topic.tag,
                "user_metadata": topic.metadata,
            }
            uuid = act(client, "topic_create", body)["uuid"]
            batches = [
                _batch(topic.tag, topic.rows[i : i + batch_rows])
                for i in range(0, len(topic.rows), batch_rows)
            ] or [_batch(topic.tag, [])]
            put(client, topic.locator, uuid, batches, SCHEMAS[topic.tag])
        act(client, "session_finalize", {"session_uuid": session})
        self.sequences.append(sequence)

    def expected(self, body: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """``{sequence: {topic locator: [first, last] or None}}`` by brute force."""
        ontology = dict(body.get("ontology") or {})
        include = bool(ontology.pop("include_timestamp_range", False))
        by_tag: dict[str, list[tuple[str, Any]]] = {}
        for key, cond in ontology.items():
            tag, _, path = key.partition(".")
            by_tag.setdefault(tag, []).append((path, cond))
        candidates = [
            (s, t)
            for s in self.sequences
            for t in s.topics
            if _catalog_ok(body.get("sequence"), s.name, s.metadata)
            and _catalog_ok(body.get("topic"), "/" + t.path, t.metadata, t.tag)
        ]
        if not by_tag:
            return _group(
                [
                    (s.name, t.locator, _span([r["timestamp_ns"] for r in t.rows]))
                    for s, t in candidates
                ],
                include,
            )
        per_tag = []
        for tag, conds in by_tag.items():
            found = []
            for s, t in candidates:
                if t.tag != tag:
                    continue
                times = [
                    r["timestamp_ns"]
                    for r in t.rows
                    if all(_field_ok(r.get(p), c) for p, c in conds)
                ]
                if times:
                    found.append((s.name, t.locator, _span(times)))
            per_tag.append(found)
        sequences = set.intersection(*({f[0] for f in found} for found in per_tag))
        return _group([f for found in per_tag for f in found if f[0] in sequences], include)


def _span(times: list[int]) -> list[int] | None:
    return [min(times), max(times)] if times else None


def _group(hits: list[tuple[str, str, Any]], include: bool) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for sequence, locator, span in hits:
        result.setdefault(sequence, {})[locator] = span if include else None
    return result


def answer(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The server's ``query`` response in the shape of `Archive.expected`."""
    return {
        item["sequence"]: {t["locator"]: t.get("timestamp_range") for t in item["topics"]}
        for item in response["items"]
    }


# -- semantics ----------------------------------------------------------------------------------


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else None


def _compare(op: str, value: Any, target: Any) -> bool:
    return {
        "$eq": value == target,
        "$neq": value != target,
        "$lt": value < target,
        "$leq": value <= target,
        "$gt": value > target,
        "$geq": value >= target,
    }[op]


def _field_ok(value: Any, cond: dict[str, Any]) -> bool:
    """A sensor field: nulls match only $nex; NaN only $neq (and $ex)."""
    ((op, target),) = cond.items()
    if op in ("$ex", "$nex"):
        return (value is not None) == (op == "$ex")
    if value is None:
        return False
    if op == "$in":
        return any(value == t for t in target)
    if op == "$between":
        return bool(target[0] <= value <= target[1])
    if op == "$match":
        return target in value
    return _compare(op, value, target)


def _metadata_value(document: dict[str, Any], key: str) -> Any:
    node: Any = document
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return _MISSING if node is None else node


def _metadata_eq(value: Any, target: Any) -> bool:
    return _kind(value) == _kind(target) and value == target


def _metadata_ok(value: Any, cond: dict[str, Any]) -> bool:
    """User metadata: compared within one kind; another kind or a missing key never matches."""
    ((op, target),) = cond.items()
    present = value is not _MISSING
    if op in ("$ex", "$nex"):
        return present == (op == "$ex")
    if not present:
        return False
    if op == "$eq":
        return _metadata_eq(value, target)
    if op == "$neq":
        return not _metadata_eq(value, target)
    if op == "$in":
        return any(_metadata_eq(value, t) for t in target)
    if op == "$match":
        return isinstance(value, str) and target in value
    if op == "$between":
        return _kind(value) == _kind(target[0]) and bool(target[0] <= value <= target[1])
    if isinstance(target, bool) or _kind(value) != _kind(target):
        return False
    return _compare(op, value, target)


def _text_ok(value: str, cond: dict[str, Any]) -> bool:
    ((op, target),) = cond.items()
    if op == "$in":
        return value in target
    if op == "$match":
        return target in value
    return {"$eq": value == target, "$neq": value != target, "$ex": True, "$nex": False}[op]


def _catalog_ok(
    where: dict[str, Any] | None, locator: str, metadata: dict[str, Any], tag: str | None = None
) -> bool:
    if where is None:
        return True
    if "locator" in where and not _text_ok(locator, where["locator"]):
        return False
    if "ontology_tag" in where and not _text_ok(tag or "", where["ontology_tag"]):
        return False
    return all(
        _metadata_ok(_metadata_value(metadata, key), cond)
        for key, cond in (where.get("user_metadata") or {}).items()
    )


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
