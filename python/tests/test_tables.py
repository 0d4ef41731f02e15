"""cogov's tables as pandas reads them: every table of every command loads with each row the width
of its header, every manifest's hashes match its files, months run 1..N, and design values can be
selected with an equality filter."""

import csv
import hashlib
import json
import os
import pathlib
import subprocess

import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("COGOV_BIN", ROOT / "target" / "debug" / "cogov"))
SMALL = ["--quiet", "--set", "world.regions=2", "--set", "enterprises.per_region=50",
         "--set", "public.per_region=200"]


def cogov(*args):
    done = subprocess.run([str(BIN), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outputs")
    grid = tmp / "grid.toml"
    grid.write_text(
        f'name = "grid"\nbase = "{ROOT / "scenarios" / "fragmented.toml"}"\nsteps = 12\n'
        'replicates = 2\nmetrics = ["pollution_mean", "compliance_rate"]\n'
        '[design]\nkind = "grid"\nlevels = 3\n'
        '[[parameters]]\nkey = "law.fine"\nmin = 0.05\nmax = 1.6\nscale = "log"\n'
    )
    dirs = {
        "run": ["run", "scenarios/coordinated.toml", "--steps", "12", "--replicates", "2",
                "--set", "output.regions=true", *SMALL],
        "compare": ["compare", "--steps", "12", "--replicates", "2", *SMALL],
        "sweep": ["sweep", grid, *SMALL],
        "game": ["game", "scenarios/games/wang2023-stage3.toml"],
        "validate": ["validate", "--quick"],
    }
    for name, args in dirs.items():
        cogov(*args, "--out", tmp / name)
    return {name: tmp / name for name in dirs}


def tables(outputs):
    for directory in outputs.values():
        yield from sorted(directory.rglob("*.csv"))


def test_every_table_loads_in_pandas_with_every_row_the_header_width(outputs):
    checked = 0
    for path in tables(outputs):
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        width = len(rows[0])
        assert all(len(r) == width for r in rows), path
        frame = pd.read_csv(path)
        assert frame.shape == (len(rows) - 1, width), path
        assert "index" not in frame.columns, path
        checked += 1
    assert checked >= 15


def test_every_manifest_hashes_every_file(outputs):
    for directory in outputs.values():
        manifest = json.loads((directory / "manifest.json").read_text())
        files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                       if p.is_file() and p != directory / "manifest.json")
        assert sorted(manifest["outputs"]) == files, directory
        for name, digest in manifest["outputs"].items():
            assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest, name
        assert manifest["cogov_version"]
        assert "git_commit" in manifest and "git_dirty" in manifest


def test_months_run_from_one_to_the_last(outputs):
    for name in ["timeseries.csv", "regions.csv"]:
        steps = pd.read_csv(outputs["run"] / name)["step"]
        assert (steps.min(), steps.max()) == (1, 12), name


def test_design_values_are_the_values_written_in_the_experiment(outputs):
    design = pd.read_csv(outputs["sweep"] / "design.csv")
    assert len(design[design["law.fine"] == 0.05]) == 1
    assert len(design[design["law.fine"] == 1.6]) == 1
    summary = pd.read_csv(outputs["sweep"] / "summary.csv")
    assert list(summary.columns[-5:]) == ["mean", "sd", "ci95_low", "ci95_high", "n"]
    compare = pd.read_csv(outputs["compare"] / "summary.csv")
    assert list(compare.columns[-5:]) == list(summary.columns[-5:])


def test_game_titles_with_commas_stay_in_one_cell(outputs):
    info = pd.read_csv(outputs["game"] / "info.csv")
    title = info.loc[info["key"] == "title", "value"].item()
    assert title == "Wang et al. (2023), stage 3"
