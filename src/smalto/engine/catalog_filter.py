"""Step 1 of a query: the candidate topics, selected in SQL by the sequence and topic filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, and_, literal, select, true

from smalto.catalog import tables as t
from smalto.catalog.database import Database
from smalto.engine.sql_conditions import Expr, column_condition, metadata_condition
from smalto.protocol.query import CatalogFilter

__all__ = ["CandidateTopic", "candidate_ids", "candidate_where", "list_candidates"]


@dataclass(frozen=True)
class CandidateTopic:
    """A topic that passed the catalog filters, with what the content scan needs."""

    id: int
    sequence_name: str
    path: str
    ontology_tag: str
    arrow_schema: bytes | None
    row_count: int
    start_ns: int | None
    end_ns: int | None

    @property
    def locator(self) -> str:
        """``sequence/topic/path``."""
        return f"{self.sequence_name}/{self.path}"


def _filter_terms(
    where: CatalogFilter, columns: Mapping[str, Expr], metadata: Expr, sqlite: bool
) -> Iterable[Expr]:
    for name in ("locator", "created_at_ns", "ontology_tag", "serialization_format"):
        condition = getattr(where, name)
        if condition is not None:
            yield column_condition(columns[name], condition, sqlite)
    for item in where.user_metadata:
        yield metadata_condition(metadata, item, sqlite)


def candidate_where(
    sequence: CatalogFilter | None,
    topic: CatalogFilter | None,
    tags: list[str] | None,
    sqlite: bool,
) -> Expr:
    """The WHERE clause over ``topics ⋈ sequences`` for the two filters and, if given, tags."""
    terms: list[Expr] = []
    if sequence is not None:
        columns: dict[str, Expr] = {
            "locator": t.sequences.c.name,
            "created_at_ns": t.sequences.c.created_at_ns,
        }
        terms += _filter_terms(sequence, columns, t.sequences.c.user_metadata, sqlite)
    if topic is not None:
        columns = {
            # The 0.3.2 dialect names a topic by its path with a leading slash (`/sensors/imu`).
            "locator": literal("/", String) + t.topics.c.path,
            "created_at_ns": t.topics.c.created_at_ns,
            "ontology_tag": t.topics.c.ontology_tag,
            "serialization_format": t.topics.c.serialization_format,
        }
        terms += _filter_terms(topic, columns, t.topics.c.user_metadata, sqlite)
    if tags is not None:
        terms.append(t.topics.c.ontology_tag.in_(tags))
    return and_(true(), *terms)


def candidate_ids(where: Expr) -> Select[Any]:
    """``SELECT topics.id`` of the candidates (a subquery for chunk lookups)."""
    return (
        select(t.topics.c.id)
        .join(t.sequences, t.sequences.c.id == t.topics.c.sequence_id)
        .where(where)
    )


def list_candidates(db: Database, where: Expr, with_schema: bool) -> list[CandidateTopic]:
    """The candidate topics, by sequence name then path."""
    schema = t.topics.c.arrow_schema if with_schema else literal(None).label("arrow_schema")
    query = (
        select(
            t.topics.c.id,
            t.sequences.c.name,
            t.topics.c.path,
            t.topics.c.ontology_tag,
            schema,
            t.topics.c.row_count,
            t.topics.c.start_ns,
            t.topics.c.end_ns,
        )
        .join(t.sequences, t.sequences.c.id == t.topics.c.sequence_id)
        .where(where)
        .order_by(t.sequences.c.name, t.topics.c.path)
    )
    with db.read() as c:
        return [
            CandidateTopic(
                id=r[0],
                sequence_name=r[1],
                path=r[2],
                ontology_tag=r[3],
                arrow_schema=r[4],
                row_count=r[5],
                start_ns=r[6],
                end_ns=r[7],
            )
            for r in c.execute(query)
        ]
