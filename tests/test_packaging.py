"""The two ways to install stay in step, and the data ships with the package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from mentor_workshop.core.steps import STEPS

ROOT = Path(__file__).resolve().parent.parent


def _split(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", spec)
    assert m, spec
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return dict(_split(s) for s in specs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            found.update(_split(p) for p in dep["pip"] if not p.startswith("-"))
        elif not dep.startswith(("python=", "pip")) or dep.startswith("pip-"):
            found.update([_split(dep)])
    return found


def test_environment_yml_matches_pyproject() -> None:
    py, env = _pyproject(), _environment()
    assert set(py) - set(env) == set(), "in pyproject.toml but not environment.yml"
    assert set(env) - set(py) == set(), "in environment.yml but not pyproject.toml"
    mismatched = {n: (py[n], env[n]) for n in py if py[n] != env[n]}
    assert mismatched == {}


def test_environment_pins_python_311() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert env["channels"] == ["conda-forge"]


def test_wheel_force_includes_the_data() -> None:
    hatch = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]
    included = hatch["build"]["targets"]["wheel"]["force-include"]
    assert included["exercises"] == "mentor_workshop/_data/exercises"
    assert included["notebooks"] == "mentor_workshop/_data/notebooks"


def test_installed_wheel_carries_exercises(tmp_path: Path) -> None:
    """Build the real wheel, unpack it away from the checkout, load the curriculum and the word
    list from it."""
    import os
    import subprocess
    import sys
    import zipfile

    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = wheels.glob("mentor_workshop-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "mentor_workshop/_data/exercises/curriculum.yaml").is_file()
    env = {k: v for k, v in os.environ.items() if k != "MENTOR_WORKSHOP_EXERCISES"}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run(
        [sys.executable, "-c",
         "import mentor_workshop, mentor_workshop.core.curriculum as c, "
         "mentor_workshop.core.resources as r, mentor_workshop.core.reality.vocabulary as v;"
         "print(len(c.load().steps), r.exercises_dir(), len(v.words()), v.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    count, where, words, vocabulary = out.stdout.split()
    assert count == str(len(STEPS))
    assert Path(where).is_relative_to(site)
    # the English word list ships inside the wheel and loads from it
    assert int(words) > 100_000
    assert Path(vocabulary).is_relative_to(site)
