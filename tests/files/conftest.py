from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from tests.contract.resources import create_asset
from tests.helpers import Tenant


@pytest.fixture
def files_root(app: FastAPI) -> Path:
    """The storage root, emptied first (the data directory lives as long as the test session)."""
    root: Path = app.state.storage.root
    shutil.rmtree(root, ignore_errors=True)
    return root


@pytest.fixture
def asset(session: Session, tenant: Tenant) -> int:
    asset_id = create_asset(session, tenant, tenant.entity_id)
    session.commit()
    return asset_id


@pytest.fixture
def small_limit(app: FastAPI) -> Iterator[int]:
    """Uploads limited to 20,000 bytes for the test."""
    before = app.state.settings.max_upload_bytes
    app.state.settings.max_upload_bytes = 20_000
    yield 20_000
    app.state.settings.max_upload_bytes = before
