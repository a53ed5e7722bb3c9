"""Query evaluation: catalog filters in SQL, chunk pruning by column stats, Parquet scans."""

from __future__ import annotations

from smalto.engine.clusters import clusterize, intersect, matching_timestamps
from smalto.engine.query_engine import QueryEngine, ScanStats

__all__ = ["QueryEngine", "ScanStats", "clusterize", "intersect", "matching_timestamps"]
