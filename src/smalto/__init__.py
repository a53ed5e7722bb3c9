"""smalto: a data platform for robotics and physical-AI recordings."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
