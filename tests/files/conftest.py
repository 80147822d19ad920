"""Every files test runs twice: on local storage and on S3 (moto's server, started once per test process)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator

import boto3
import pytest
from fastapi import FastAPI
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.contract.resources import create_asset
from tests.helpers import Tenant
from wrenchwork.files import lifecycle
from wrenchwork.files.s3 import S3Storage
from wrenchwork.files.storage import LocalStorage, Storage

BUCKET = "wrenchwork-test"
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, **_credentials())
    client.create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def _credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"],
        "region_name": S3_ENV["AWS_DEFAULT_REGION"],
    }


@pytest.fixture(scope="module", params=["local", "s3"])
def storage_kind(request: pytest.FixtureRequest, app: FastAPI, engine: Engine) -> Iterator[str]:
    """The app's storage for the module's tests (the local one put back after them, before other modules run)."""
    before = app.state.storage
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        client = boto3.client("s3", endpoint_url=endpoint, **_credentials())
        storage: Storage = S3Storage(client, BUCKET, "attachments")
    else:
        storage = before
    app.state.storage = storage
    lifecycle.register(engine, storage)
    yield request.param
    app.state.storage = before
    lifecycle.register(engine, before)


@pytest.fixture(autouse=True)
def store(app: FastAPI, storage_kind: str) -> Storage:
    """The storage of this test, emptied first (it lives as long as the test session)."""
    storage: Storage = app.state.storage
    if isinstance(storage, LocalStorage):
        shutil.rmtree(storage.root, ignore_errors=True)
    else:
        for key in storage.listing():
            storage.delete(key)
    return storage


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
