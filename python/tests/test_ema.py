"""cogov as an EMA Workbench model (python/examples/ema_prim.py) at a small size: EMA's experiments
are cogov runs, the levers reach the model, and PRIM answers on them with a figure."""

import json
import pathlib
import sys

import pytest

pytest.importorskip("ema_workbench")
cogov = pytest.importorskip("cogov")

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
import ema_prim  # noqa: E402


def test_the_wrapped_model_is_cogov_with_its_levers_and_registry_ranges():
    model, levers, base, target, function = ema_prim.build(True, 2, 24)
    assert sorted(levers) == sorted(cogov.params()["lever"].dropna().unique())
    registry = cogov.params().set_index("path")
    for u in model.uncertainties:
        key = u.name.replace("__", ".")
        assert (u.lower_bound, u.upper_bound) == (registry.at[key, "plausible_min"], registry.at[key, "plausible_max"])
    middle = {u.name: (u.lower_bound + u.upper_bound) / 2 for u in model.uncertainties}
    off = function(**middle, **{lever: False for lever in levers})
    on = function(**middle, **{lever: True for lever in levers})
    assert on["pollution"] < off["pollution"]
    # One experiment is one cogov run with those keys set.
    direct = cogov.run(base, replicates=2, steps=24,
                       set={k: v for k, v in ((u.name.replace("__", "."), middle[u.name]) for u in model.uncertainties)})
    assert off["pollution"] == direct.metric("pollution_mean")["mean"].iloc[0]


def test_prim_runs_on_a_few_hundred_experiments_and_draws_its_figure(tmp_path, capsys):
    figure = tmp_path / "prim.png"
    assert ema_prim.main(["--small", "--scenarios", "20", "--policies", "10", "--replicates", "2",
                          "--steps", "48", "--out", str(figure)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["experiments"] == 200
    assert 0 < report["share_below_target"] < 1
    assert figure.stat().st_size > 10_000
    if report["box"] is not None:
        assert report["box"]["density"] >= report["threshold"]
