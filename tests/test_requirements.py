"""Installs are reproducible: every dependency is pinned with hashes, and installs use them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", re.M)


def _pins(name: str) -> dict[str, str]:
    text = (REPO / name).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    for block in blocks:
        if "==" in block:
            assert "--hash=sha256:" in block, f"{name}: no hash for {block.splitlines()[0]}"
    return {m.group(1).lower().replace("_", "-"): m.group(2) for m in PIN.finditer(text)}


def _declared(extra: str | None) -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [
        re.split(r"[<>=!~\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs
    ]


@pytest.mark.parametrize(
    ("name", "extras"), [("requirements.txt", (None,)), ("requirements-dev.txt", (None, "dev"))]
)
def test_every_declared_dependency_is_pinned_with_hashes(
    name: str, extras: tuple[str | None]
) -> None:
    pins = _pins(name)
    for extra in extras:
        for package in _declared(extra):
            assert package in pins, (
                f"{package} is declared in pyproject.toml but not pinned in {name}"
            )
    assert {"setuptools", "wheel"} <= set(pins), "the build backend is pinned too"


def test_make_install_and_the_image_install_only_the_pinned_versions() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.txt" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert not re.search(r"pip install[^\n]*(--upgrade|-U )", makefile.split("\nlock:")[0])
    dockerfile = (REPO / "Dockerfile").read_text()
    assert dockerfile.count("--require-hashes -r") == 2
    assert "--no-deps" in dockerfile
