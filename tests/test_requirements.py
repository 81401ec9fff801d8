"""The lock files pin exactly what requirements.txt and requirements-test.txt ask for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _pins(path: Path) -> dict[str, str]:
    """Return {normalised name: version} of the `name==version` lines of a requirements file."""
    pins = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line.strip()):
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


@pytest.mark.parametrize(
    ("source", "lock"),
    [
        ("requirements.txt", "requirements.lock"),
        ("requirements-test.txt", "requirements-test.lock"),
    ],
)
def test_every_input_pin_is_locked_at_the_same_version(source, lock):
    wanted, locked = _pins(ROOT / source), _pins(ROOT / lock)
    if source == "requirements-test.txt":
        wanted |= _pins(ROOT / "requirements.txt")
    assert wanted, source
    assert {name: locked.get(name) for name in wanted} == wanted, (
        f"run `make lock` after editing {source}"
    )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_every_locked_package_carries_a_hash(lock):
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    packages = [entry for entry in entries if PIN.match(entry)]
    assert len(packages) >= 30
    assert all("--hash=sha256:" in entry for entry in packages), lock


def test_the_test_lock_runs_the_same_versions_as_production():
    runtime, test = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-test.lock")
    assert {name: test.get(name) for name in runtime} == runtime
