"""Malformed queries are refused with INVALID_ARGUMENT naming the bad part; hostile keys and
values are data, never SQL."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from tests.engine.archive import SequenceData, TopicData, answer
from tests.engine.conftest import QueryWorld
from tests.server.wire import act

T0 = 1_000


@pytest.fixture(scope="module")
def small_world(world: QueryWorld) -> QueryWorld:
    """The module server with two sequences whose metadata holds SQL-looking keys and values."""
    hostile = {
        "a'); DROP TABLE sequences; --": {"x": 1},
        "name": "' OR '1'='1",
        "pct": "100%_done",
        "nested": {"k": "v"},
    }
    rows = [{"timestamp_ns": T0 + i, "value": float(i), "label": "l%_"} for i in range(20)]
    for name, meta in (("hostile", hostile), ("plain", {"name": "plain"})):
        sequence = SequenceData(name, meta)
        sequence.topics.append(TopicData(name, "r", "reading", {}, rows))
        world.archive.upload(world.flight, sequence, batch_rows=5)
    return world


def _refused(world: QueryWorld, body: dict[str, Any] | bytes) -> str:
    with pytest.raises(pa.ArrowInvalid) as caught:
        act(world.flight, "query", body)
    message = str(caught.value)
    assert "smalto[invalid_request]" in message
    return message


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"ontology": {"reading.valuex": {"$gt": 1}}}, "field 'valuex' not in reading"),
        (
            {"ontology": {"reading.pos": {"$gt": 1}}},
            "'pos' is a struct; name one of its fields: x, y",
        ),
        ({"ontology": {"reading.label": {"$gt": "a"}}}, "operator '$gt' does not apply to 'label'"),
        ({"ontology": {"reading.value": {"$eq": "abc"}}}, "compare it with numbers"),
        ({"ontology": {"reading.flag": {"$lt": True}}}, "'$lt' does not apply to 'flag'"),
        ({"ontology": {"reading.value": {"$foo": 1}}}, "unknown operator '$foo'"),
        ({"ontology": {"reading.value": {"$gt": 1, "$lt": 2}}}, "ontology key 'reading.value'"),
        ({"ontology": {"reading.value": {"$between": [3, 1]}}}, "low <= high"),
        ({"ontology": {"reading.value": {"$in": []}}}, "non-empty list"),
        ({"ontology": {"reading": {"$eq": 1}}}, "'<ontology tag>.<field path>'"),
        (
            {"ontology": {"reading.value": {"$eq": 1}, "include_timestamp_range": "yes"}},
            "true or false",
        ),
        ({"sequence": {"name": {"$eq": "x"}}}, "unknown key 'name'; valid keys: locator"),
        ({"sequence": {"locator": {"$gt": "x"}}}, "sequence.locator: operator '$gt'"),
        ({"sequence": {"created_at_ns": {"$gt": 1.5}}}, "must be an integer"),
        ({"sequence": {"user_metadata": {"a..b": {"$eq": 1}}}}, "empty part between dots"),
        ({"sequence": {"user_metadata": {'a"b': {"$eq": 1}}}}, "may not contain"),
        ({"topic": {"user_metadata": {"a": {"$eq": 2**70}}}}, "does not fit"),
        ({"topic": {"ontology_tag": {"$eq": 5}}}, "topic.ontology_tag"),
        ({"bogus": {}}, "bogus"),
        ({"ontology": {"reading.count": {"$in": list(range(1001))}}}, "at most 1000 values"),
        ({"sequence": {"user_metadata": {"a": {"$eq": "x\x00y"}}}}, "may not contain NUL"),
        ({"sequence": {"user_metadata": {"a\x00": {"$ex": None}}}}, "may not contain"),
    ],
)
def test_malformed_queries_name_the_bad_part(
    small_world: QueryWorld, body: dict[str, Any], named: str
) -> None:
    assert named in _refused(small_world, body)


def test_invalid_json_is_refused(small_world: QueryWorld) -> None:
    assert "Invalid JSON" in _refused(small_world, b"{not json")


@pytest.mark.parametrize(
    "body",
    [
        {"sequence": {"user_metadata": {"a'); DROP TABLE sequences; --.x": {"$eq": 1}}}},
        {"sequence": {"user_metadata": {"name": {"$eq": "' OR '1'='1"}}}},
        {"sequence": {"user_metadata": {"name": {"$match": "' OR "}}}},
        {"sequence": {"user_metadata": {"pct": {"$match": "%_"}}}},
        {"sequence": {"user_metadata": {"pct": {"$match": "0%"}}}},
        {"sequence": {"locator": {"$eq": "x' OR 1=1 --"}}},
        {"sequence": {"user_metadata": {"$.name": {"$ex": None}}}},
        {"sequence": {"user_metadata": {"nested.k')) OR 1=1 --": {"$nex": None}}}},
        {"topic": {"locator": {"$match": "%"}}},
        {"ontology": {"reading.label": {"$eq": "l%_' OR 1=1"}}},
    ],
)
def test_injection_attempts_are_plain_data(small_world: QueryWorld, body: dict[str, Any]) -> None:
    got = answer(act(small_world.flight, "query", body))
    assert got == small_world.archive.expected(body)
    names = {item["sequence"] for item in act(small_world.flight, "query", {})["items"]}
    assert {"hostile", "plain"} <= names  # nothing was dropped


def test_hostile_metadata_keys_are_addressable(small_world: QueryWorld) -> None:
    body = {"sequence": {"user_metadata": {"a'); DROP TABLE sequences; --.x": {"$eq": 1}}}}
    assert list(answer(act(small_world.flight, "query", body))) == ["hostile"]
    body = {"sequence": {"user_metadata": {"name": {"$eq": "' OR '1'='1"}}}}
    assert list(answer(act(small_world.flight, "query", body))) == ["hostile"]
