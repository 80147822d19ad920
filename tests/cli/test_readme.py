"""The README's examples, run as written against a real server holding the demo data: every curl line (with only
the key and the port filled in) and every make target it names."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.support import Cli, free_port, ok, serving, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
FIRST_START = r'curl -H "Authorization: Bearer (\S+)" (\S+)/api/v1/entities'


def shell_lines() -> list[str]:
    """The commands of the README's indented blocks, a line ending in a backslash joined with the next."""
    commands, pending = [], ""
    for line in README.splitlines():
        if not line.startswith("    "):
            continue
        text = line.strip()
        if text.endswith("\\"):
            pending += text[:-1].strip() + " "
            continue
        commands.append(pending + text)
        pending = ""
    return commands


CURLS = [line for line in shell_lines() if line.startswith("curl ")]


def test_the_readme_has_the_examples_it_promises() -> None:
    assert any(" -g " in line and "filter[" in line for line in CURLS)
    assert any("-X PATCH" in line and '"status_id": 5' in line for line in CURLS)
    assert "make demo" in shell_lines()
    assert "`.venv/bin/wrenchwork`" in README
    assert "`api-key revoke ID`" in README  # as `wrenchwork api-key revoke --help` names it


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_every_curl_example_works_as_written(wrenchwork: Cli) -> None:
    port = free_port()
    with serving(wrenchwork.env, "--port", str(port)) as server:
        token, base = server.read_until(FIRST_START).groups()
        wait_until_up(base)
        ok(wrenchwork.invoke("demo"))  # what `make demo` runs

        for line in CURLS:
            command = line.replace("http://127.0.0.1:8000", base).replace("curl ", "curl -sS --fail-with-body ", 1)
            run = subprocess.run(
                ["bash", "-c", command], env={**os.environ, "KEY": token}, capture_output=True, text=True, timeout=60
            )

            assert run.returncode == 0, (line, run.stdout, run.stderr)
            body = json.loads(run.stdout)
            assert body["status"] == "success", (line, body)
            if "filter[" in line:
                assert body["data"], line
            if '"status_id": 5' in line:
                assert body["data"]["status"]["name"] == "completed"
                assert body["data"]["part_assignments"][0]["type"] == "usage"  # its parts left the stock


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("target", "command"),
    [
        ("make demo ENTITY=Plant", '.venv/bin/wrenchwork demo --entity "Plant"'),
        ("make api-key EMAIL=a@example.com NAME=CI", '/wrenchwork api-key create --email "a@example.com" --name "CI"'),
        ("make user EMAIL=a@example.com NAME=Ann", '/wrenchwork user create --email "a@example.com" --name "Ann"'),
    ],
)  # fmt: skip
def test_the_make_shortcuts_run_the_command(target: str, command: str) -> None:
    assert re.search(rf"`{target.split()[0]} {target.split()[1]}", README)
    dry_run = subprocess.run(["make", "-n", "-C", str(ROOT), *target.split()[1:]], capture_output=True, text=True)

    assert dry_run.returncode == 0, dry_run.stderr
    assert command in dry_run.stdout
