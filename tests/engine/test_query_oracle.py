"""The ``query`` action equals a brute-force scan of the same data, for random queries.

One archive per module (tiny chunks, so topics span many chunks): sequences with nested
metadata of every JSON kind, two raw-Arrow tags with nulls, NaN, negative numbers, ints and
floats, booleans, a nullable struct and strings with ``%``, ``_`` and quotes. Hypothesis draws
queries (and, in the second test, more data); `Archive.expected` is the oracle.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from smalto.catalog import Catalog, tables
from tests.engine.archive import FIELD_KINDS, SequenceData, TopicData, answer
from tests.engine.conftest import QueryWorld
from tests.server.wire import act

TEXTS = ["", "a", "a%", "%", "_", "a_b", "it's", 'say "hi"', "drive", "x", "é", "Z"]
NUMBERS = [-1e9, -5, -2.5, -1, -0.0, 0, 0.5, 1, 2, 2.5, 3, 7, 100, 255, 256, 1e12]
META_KEYS = ["a", "b", "env", "env.visibility", "env.name", "x y", "it's", "50%", "u_v", "a.b.c"]
NAMES = ["drive_1", "drive-2", "drivex1", "test_drive_a", "calib", "a_b", "axb"]
TOPIC_PATHS = ["sensors/reading", "sensors/probe", "misc/reading_2"]
T0 = 1_700_000_000_000_000_000

meta_scalars = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(NUMBERS),
    st.booleans(),
    st.none(),
    st.integers(-1000, 1000),
)
meta_values = st.recursive(
    meta_scalars,
    lambda inner: (
        st.dictionaries(st.sampled_from(["c", "visibility", "name", "b"]), inner, max_size=3)
        | st.lists(inner, max_size=2)
    ),
    max_leaves=4,
)
metadata = st.dictionaries(
    st.sampled_from(["a", "b", "env", "x y", "it's", "50%", "u_v"]), meta_values, max_size=4
)


def _condition(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    scalar = {
        "number": st.sampled_from(NUMBERS),
        "string": st.sampled_from(TEXTS),
        "bool": st.booleans(),
        "any": meta_scalars.filter(lambda v: v is not None),
    }[kind]
    ops = {
        "number": ["$eq", "$neq", "$lt", "$leq", "$gt", "$geq", "$in", "$between", "$ex", "$nex"],
        "string": ["$eq", "$neq", "$match", "$in", "$ex", "$nex"],
        "bool": ["$eq", "$ex", "$nex"],
        "any": [
            "$eq",
            "$neq",
            "$lt",
            "$leq",
            "$gt",
            "$geq",
            "$in",
            "$between",
            "$match",
            "$ex",
            "$nex",
        ],
    }[kind]

    def build(op: str, data: st.DataObject) -> dict[str, Any]:
        if op in ("$ex", "$nex"):
            return {op: None}
        if op == "$in":
            return {op: data.draw(st.lists(scalar, min_size=1, max_size=3))}
        if op == "$match":
            return {op: data.draw(st.sampled_from(TEXTS))}
        if op == "$between":
            pool = st.sampled_from(TEXTS) if kind == "string" else st.sampled_from(NUMBERS)
            if kind == "any":
                pool = data.draw(
                    st.sampled_from([st.sampled_from(TEXTS), st.sampled_from(NUMBERS)])
                )
            low, high = sorted(data.draw(st.lists(pool, min_size=2, max_size=2)))
            return {op: [low, high]}
        value = data.draw(scalar)
        if kind == "any" and isinstance(value, bool) and op not in ("$eq", "$neq"):
            value = 1
        return {op: value}

    return st.tuples(st.sampled_from(ops), st.data()).map(lambda pair: build(*pair))


def _catalog_filter(topic: bool) -> st.SearchStrategy[dict[str, Any]]:
    names = (
        [f"/{p}" for p in TOPIC_PATHS] + ["/sensors", "reading"]
        if topic
        else [*NAMES, "drive", "_", "-"]
    )
    locator = st.one_of(
        st.sampled_from(names).map(lambda n: {"$eq": n}),
        st.sampled_from(names).map(lambda n: {"$match": n}),
        st.sampled_from(names).map(lambda n: {"$neq": n}),
        st.lists(st.sampled_from(names), min_size=1, max_size=3).map(lambda n: {"$in": n}),
    )
    members: dict[str, st.SearchStrategy[Any]] = {
        "locator": locator,
        "user_metadata": st.dictionaries(st.sampled_from(META_KEYS), _condition("any"), max_size=2),
    }
    if topic:
        members["ontology_tag"] = st.sampled_from(["reading", "probe", "nope"]).map(
            lambda t: {"$eq": t}
        )
    return st.fixed_dictionaries({}, optional=members)


def _ontology() -> st.SearchStrategy[dict[str, Any]]:
    keys = [
        (f"{tag}.{path}", kind)
        for tag, fields in FIELD_KINDS.items()
        for path, kind in fields.items()
    ]

    def build(chosen: list[tuple[str, str]], data: st.DataObject, include: bool) -> dict[str, Any]:
        body: dict[str, Any] = {key: data.draw(_condition(kind)) for key, kind in chosen}
        if include:
            body["include_timestamp_range"] = True
        return body

    chosen = st.lists(st.sampled_from(keys), max_size=3, unique_by=lambda k: k[0])
    return st.builds(build, chosen, st.data(), st.booleans())


QUERIES = st.fixed_dictionaries(
    {},
    optional={
        "sequence": _catalog_filter(False),
        "topic": _catalog_filter(True),
        "ontology": _ontology(),
    },
)


def _reading_row(rng: random.Random, ts: int) -> dict[str, Any]:
    pick = rng.random
    row: dict[str, Any] = {"timestamp_ns": ts}
    row["frame_id"] = rng.choice([None, "base", "a%", "it's"])
    row["value"] = rng.choice(
        [None, float("nan"), -0.0, rng.uniform(-10, 10), rng.choice(NUMBERS) * 1.0]
    )
    row["count"] = None if pick() < 0.2 else rng.randint(-10, 10)
    row["ticks"] = None if pick() < 0.2 else rng.choice([0, 1, 3, 255])
    row["flag"] = rng.choice([None, True, False])
    row["label"] = rng.choice([None, *TEXTS, "abc%def", "x_y"])
    if pick() < 0.2:
        row["pos.__null__"] = True
    else:
        row["pos.x"] = rng.choice([None, float("nan"), rng.uniform(-3, 3)])
        row["pos.y"] = rng.choice([None, -(2**40), rng.randint(-3, 3)])
    return row


def _probe_row(rng: random.Random, ts: int) -> dict[str, Any]:
    return {
        "timestamp_ns": ts,
        "level": None if rng.random() < 0.2 else rng.randint(-100, 300),
        "name": rng.choice([None, *TEXTS]),
    }


def make_sequence(rng: random.Random, name: str, meta: dict[str, Any], rows: int) -> SequenceData:
    """A sequence with one to three topics of random rows in random time order."""
    sequence = SequenceData(name, meta)
    for path in rng.sample(TOPIC_PATHS, rng.randint(1, 3)):
        tag = "probe" if "probe" in path else "reading"
        count = rng.randint(0, rows)
        stamps = rng.sample(range(T0, T0 + 10 * rows), count)
        make = _probe_row if tag == "probe" else _reading_row
        data = [make(rng, ts) for ts in stamps]
        topic_meta = rng.choice(
            [{}, {"interface": {"type": "UART"}}, {"rate": rng.choice([10, 100.0])}]
        )
        sequence.topics.append(TopicData(name, path, tag, topic_meta, data))
    return sequence


@pytest.fixture(scope="module")
def archive_world(world: QueryWorld) -> QueryWorld:
    """The module server with a fixed, seeded archive."""
    rng = random.Random(4)
    metas = [
        {"env": {"visibility": 30, "name": "fog"}, "a": 1, "b": "x_y"},
        {"env": {"visibility": 80.5}, "a": "1", "x y": True, "it's": "50%"},
        {"env": "flat", "a": 2.5, "50%": None, "u_v": [1, 2]},
        {"a": True, "b": 'say "hi"', "env": {"visibility": -5, "name": "a%"}},
        {},
        {"a": -1000, "b": "", "env": {"name": "é"}},
        {"u_v": {"c": 3}, "a": 0},
    ]
    for name, meta in zip(NAMES, metas, strict=True):
        world.archive.upload(world.flight, make_sequence(rng, name, meta, 60), batch_rows=7)
    return world


def _check(world: QueryWorld, body: dict[str, Any]) -> None:
    got = answer(act(world.flight, "query", body))
    assert got == world.archive.expected(body), body


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=QUERIES)
def test_random_queries_equal_brute_force(archive_world: QueryWorld, body: dict[str, Any]) -> None:
    _check(archive_world, body)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), meta=metadata, bodies=st.lists(QUERIES, min_size=1, max_size=5))
def test_random_archives_equal_brute_force(
    archive_world: QueryWorld, seed: int, meta: dict[str, Any], bodies: list[dict[str, Any]]
) -> None:
    rng = random.Random(seed)
    name = f"gen_{len(archive_world.archive.sequences)}_{seed}"
    archive_world.archive.upload(
        archive_world.flight, make_sequence(rng, name, meta, 40), batch_rows=rng.randint(1, 9)
    )
    for body in bodies:
        _check(archive_world, body)


def test_the_archive_spans_many_chunks(archive_world: QueryWorld) -> None:
    catalog = Catalog(archive_world.server.settings.resolved_catalog_url)
    try:
        with catalog.db.read() as c:
            chunks = c.execute(select(func.count()).select_from(tables.chunks)).scalar_one()
            topics = c.execute(select(func.count()).select_from(tables.topics)).scalar_one()
    finally:
        catalog.close()
    assert chunks >= 3 * topics


EDGE_QUERIES: list[dict[str, Any]] = [
    {"ontology": {"reading.label": {"$match": "%"}}},
    {"ontology": {"reading.label": {"$match": "_"}, "include_timestamp_range": True}},
    {"ontology": {"probe.name": {"$match": "'"}}},
    {"ontology": {"reading.value": {"$neq": 0}}},
    {"ontology": {"reading.value": {"$eq": -0.0}, "include_timestamp_range": True}},
    {"ontology": {"reading.count": {"$lt": 2.5}, "reading.ticks": {"$gt": -1}}},
    {"ontology": {"reading.ticks": {"$between": [-300, 254.5]}}},
    {"ontology": {"reading.ticks": {"$in": [255, 3.5, 1e12]}}},
    {"ontology": {"reading.pos.x": {"$nex": None}, "include_timestamp_range": True}},
    {"ontology": {"reading.pos.y": {"$eq": -(2**40)}, "probe.level": {"$geq": 0}}},
    {"ontology": {"reading.flag": {"$eq": False}, "reading.timestamp_ns": {"$gt": T0 + 100}}},
    {"ontology": {"include_timestamp_range": True}},
    {"sequence": {"locator": {"$match": "_"}}},
    {"sequence": {"locator": {"$match": "-"}}, "topic": {"locator": {"$eq": "/sensors/probe"}}},
    {"sequence": {"user_metadata": {"b": {"$match": "_"}}}},
    {"sequence": {"user_metadata": {"env.visibility": {"$lt": 50}}}},
    {"sequence": {"user_metadata": {"a": {"$eq": 1}}}},
    {"sequence": {"user_metadata": {"a": {"$eq": True}}}},
    {"sequence": {"user_metadata": {"a": {"$neq": 1}}}},
    {"sequence": {"user_metadata": {"50%": {"$nex": None}, "it's": {"$ex": None}}}},
    {"sequence": {"user_metadata": {"env": {"$between": ["a", "g"]}}}},
    {
        "topic": {
            "user_metadata": {"interface.type": {"$eq": "UART"}},
            "ontology_tag": {"$eq": "reading"},
        }
    },
    {"topic": {"user_metadata": {"rate": {"$eq": 100}}}},
    {},
]


@pytest.mark.parametrize("body", EDGE_QUERIES)
def test_edge_queries_equal_brute_force(archive_world: QueryWorld, body: dict[str, Any]) -> None:
    _check(archive_world, body)
