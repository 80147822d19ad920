"""A text index merge killed midway (core/text_index.py `merge_segments`, as the server runs it while serving)
leaves the index whole: each step is a transaction of its own, so the index holds every row either way, searches
answer the same, and the next merge finishes the work."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, text

from wrenchwork.core import text_index
from wrenchwork.core.db import make_engine, make_sessionmaker
from wrenchwork.core.migrate import upgrade
from wrenchwork.models import Asset
from wrenchwork.system.bootstrap import create_customer

# Merges one page a step with a long pause after each: killed after the first steps, long before the last.
MERGE = """
import sys
from wrenchwork.core import text_index
from wrenchwork.core.db import make_engine
print("merging", flush=True)
text_index.merge_segments(make_engine(sys.argv[1]), pages=1, pause=0.3)
print("done", flush=True)
"""


def _segments(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(DISTINCT segid) FROM assets_text_idx").scalar_one())


def _pump_ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT rowid FROM assets_text WHERE assets_text MATCH '\"pump 1\"'"))
        return sorted(rows.scalars())


def test_a_merge_killed_midway_leaves_the_index_whole(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'merge.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:  # FTS5's own merging held off: a segment for each transaction
            connection.exec_driver_sql("INSERT INTO assets_text(assets_text, rank) VALUES ('automerge', 0)")
        with make_sessionmaker(engine)() as session:
            entity_id = create_customer(session, "Merge", "Main", "admin@example.com", "Ada", "Admin").entity.id
            session.commit()
            for n in range(60):
                session.add(Asset(entity_id=entity_id, name=f"Pump {n}", description="Centrifugal " * 40))
                session.commit()
        before, found = _segments(engine), _pump_ids(engine)
        assert before > text_index.MAX_SEGMENTS and len(found) == 11  # Pump 1, Pump 10-19

        merger = subprocess.Popen(
            [sys.executable, "-c", MERGE, url], stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            assert merger.stdout is not None and merger.stdout.readline().strip() == "merging"
            time.sleep(0.5)
            assert merger.poll() is None, "the merge ended before it could be killed"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(merger.pid, signal.SIGKILL)
            merger.wait()

        with engine.begin() as connection:  # FTS5's own check of the index's structure
            connection.exec_driver_sql("INSERT INTO assets_text(assets_text, rank) VALUES ('integrity-check', 0)")
        assert _segments(engine) > 1  # stopped midway (an incremental merge adds its output segment as it goes)
        assert _pump_ids(engine) == found
        assert text_index.merge_segments(engine) == ["assets_text"]
        assert _segments(engine) == 1
        assert _pump_ids(engine) == found
    finally:
        engine.dispose()
