"""Query builders and `.Q` proxies: the exact 0.3.2 wire form and client-side errors."""

from __future__ import annotations

import pytest

from smalto import (
    GPS,
    IMU,
    Floating64,
    InvalidRequest,
    Query,
    QueryOntologyCatalog,
    QuerySequence,
    QueryTopic,
    Sequence,
    Serializable,
    Topic,
)


class QueryTestOdometry(Serializable):
    """A user ontology: its `.Q` comes from its Arrow schema like a built-in's."""

    ticks: int
    slip: float | None = None
    side: str
    ok: bool


def test_ontology_expressions_use_tag_and_column_paths() -> None:
    body = QueryOntologyCatalog(
        IMU.Q.acceleration.x.gt(5.0),
        IMU.Q.timestamp_ns.between([1, 2]),
        GPS.Q.status.service.in_(1, 2),
        Floating64.Q.data.leq(3),
        IMU.Q.frame_id.match("base%"),
        include_timestamp_range=True,
    ).to_dict()
    assert body == {
        "imu.acceleration.x": {"$gt": 5.0},
        "imu.timestamp_ns": {"$between": [1, 2]},
        "gps.status.service": {"$in": [1, 2]},
        "floating64.data": {"$leq": 3},
        "imu.frame_id": {"$match": "base%"},
        "include_timestamp_range": True,
    }
    assert "include_timestamp_range" not in QueryOntologyCatalog(IMU.Q.frame_id.ex()).to_dict()
    assert QueryOntologyCatalog(IMU.Q.frame_id.nex()).to_dict() == {"imu.frame_id": {"$nex": None}}


def test_custom_ontologies_get_a_proxy() -> None:
    assert QueryTestOdometry.Q.ticks.geq(3).to_dict() == {"query_test_odometry.ticks": {"$geq": 3}}
    assert QueryTestOdometry.Q.ok.eq(True).to_dict() == {"query_test_odometry.ok": {"$eq": True}}
    assert QueryTestOdometry.Q.side.in_(["l", "r"]).to_dict() == {
        "query_test_odometry.side": {"$in": ["l", "r"]}
    }


def test_unknown_fields_list_the_valid_ones() -> None:
    with pytest.raises(
        AttributeError, match="IMU has no field 'accelerationx'; valid fields: timestamp_ns"
    ):
        _ = IMU.Q.accelerationx
    with pytest.raises(
        AttributeError, match=r"IMU.acceleration has no field 'w'; valid fields: x, y, z"
    ):
        _ = IMU.Q.acceleration.w


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: IMU.Q.frame_id.gt("a"), "operator 'gt' does not apply; use one of eq, neq, match"),
        (
            lambda: QueryTestOdometry.Q.ok.lt(True),
            "operator 'lt' does not apply; use one of eq, ex, nex",
        ),
        (lambda: IMU.Q.acceleration.x.match("1"), "operator 'match' does not apply"),
        (lambda: IMU.Q.acceleration.covariance.eq(1), "not queryable"),
        (lambda: IMU.Q.acceleration.x.eq("1"), "compare it with int/float"),
        (lambda: IMU.Q.acceleration.x.eq(True), "compare it with int/float"),
        (lambda: IMU.Q.acceleration.x.between(3, 1), "low <= high"),
        (lambda: IMU.Q.acceleration.x.in_(), "at least one value"),
        (lambda: IMU.Q.acceleration.x.eq(float("nan")), "not a finite number"),
    ],
)
def test_unsupported_operators_and_values_are_refused(make: object, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        make()  # type: ignore[operator]


def test_catalog_builders_nest_user_metadata() -> None:
    sequence = (
        QuerySequence()
        .with_name_match("test_drive")
        .with_user_metadata("vehicle.software_stack.planning", eq="plan-4.1.7")
        .with_expression(Sequence.Q.user_metadata["environment.visibility"].lt(50))
        .with_created_timestamp(10, 20)
    )
    assert sequence.to_dict() == {
        "locator": {"$match": "test_drive"},
        "user_metadata": {
            "vehicle.software_stack.planning": {"$eq": "plan-4.1.7"},
            "environment.visibility": {"$lt": 50},
        },
        "created_at_ns": {"$between": [10, 20]},
    }
    topic = (
        QueryTopic()
        .with_name("/sensors/imu")
        .with_ontology_tag("imu")
        .with_user_metadata("interface.type", in_=["UART", "SPI"])
        .with_created_timestamp(time_start=5)
        .with_expression(Topic.Q.user_metadata["rate"].ex())
    )
    assert topic.to_dict() == {
        "locator": {"$eq": "/sensors/imu"},
        "ontology_tag": {"$eq": "imu"},
        "user_metadata": {"interface.type": {"$in": ["UART", "SPI"]}, "rate": {"$ex": None}},
        "created_at_ns": {"$geq": 5},
    }


def test_builders_refuse_duplicates_and_foreign_expressions() -> None:
    with pytest.raises(ValueError, match=r"already has a condition on 'imu\.acceleration\.x'"):
        QueryOntologyCatalog(IMU.Q.acceleration.x.gt(1), IMU.Q.acceleration.x.lt(5))
    with pytest.raises(TypeError, match="takes sequence expressions"):
        QuerySequence().with_expression(Topic.Q.user_metadata["a"].eq(1))
    with pytest.raises(TypeError, match="takes ontology expressions"):
        QueryOntologyCatalog(Sequence.Q.user_metadata["a"].eq(1))
    with pytest.raises(ValueError, match="exactly one operator"):
        QuerySequence().with_user_metadata("a", eq=1, lt=2)
    with pytest.raises(ValueError, match="unknown operator 'like'"):
        QuerySequence().with_user_metadata("a", like="x")
    with pytest.raises(ValueError, match="Query already has a QuerySequence"):
        Query(QuerySequence().with_name("a"), QuerySequence().with_name("b"))


def test_query_combines_one_builder_per_kind() -> None:
    query = Query(QuerySequence().with_name("a")).append(
        QueryOntologyCatalog(IMU.Q.frame_id.eq("x"))
    )
    assert query.to_dict() == {
        "sequence": {"locator": {"$eq": "a"}},
        "ontology": {"imu.frame_id": {"$eq": "x"}},
    }
