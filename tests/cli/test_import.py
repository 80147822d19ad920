"""`wrenchwork import`: the same engine as `POST /imports`, run at once, with a dry run and partial mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.cli.support import Cli, ok
from wrenchwork.models import Asset

ROWS = "Asset Name,Asset Code,Purchase Cost,Colour\nPump,P-1,10,red\nFan,F-1,-3,blue\nValve,V-1,4,green\n"


def test_import_dry_run_then_partial(wrenchwork: Cli, db: Callable[[Any], list[Any]], tmp_path: Path) -> None:
    ok(wrenchwork.invoke("init"))
    path = tmp_path / "assets.csv"
    path.write_text(ROWS)

    checked = wrenchwork.invoke("import", str(path), "--resource", "assets", "--dry-run")
    assert checked.exit_code == 2, checked.output
    assert "row 3, column Purchase Cost: input should be greater than or equal to 0" in checked.stderr
    assert "assets.csv checked (nothing written): 3 rows, 2 created, 0 updated, 1 skipped, 1 errors." in checked.stdout
    assert "Unmatched columns (ignored): Colour" in checked.stdout
    assert db(select(Asset.name)) == []

    refused = wrenchwork.invoke("import", str(path), "--resource", "assets")
    assert refused.exit_code == 2 and "failed: 3 rows, 0 created" in refused.stdout
    assert db(select(Asset.name)) == []

    kept = ok(wrenchwork.invoke("import", str(path), "--resource", "assets", "--mode", "partial"))
    assert "imported: 3 rows, 2 created, 0 updated, 1 skipped, 1 errors." in kept
    assert sorted(name for (name,) in db(select(Asset.name))) == ["Pump", "Valve"]
