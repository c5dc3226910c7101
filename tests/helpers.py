"""Helpers shared by the tests."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from mapserver.config import PROJECT_ROOT

SHARED_SOURCE = PROJECT_ROOT.parent / "shared" / "geodata" / "source"


def pin_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pin")).scalar_one()


def shared_source(name: str) -> Path:
    """A reference file from ../shared; skips the test on a machine without it."""
    path = SHARED_SOURCE / name
    if not path.exists():
        pytest.skip(f"Referenzdaten fehlen ({path}): ../shared liegt nur auf den Projektrechnern, nicht in einem frischen Klon.")
    return path
