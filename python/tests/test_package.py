"""The `cogov` Python package against the command line: the same numbers bit for bit, the same errors
as exceptions, the GIL released while the model runs, and Ctrl-C that stops a run within a second."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pandas as pd
import pytest

cogov = pytest.importorskip("cogov")

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("COGOV_BIN", ROOT / "target" / "debug" / "cogov"))
SMALL = {"world.regions": 3, "enterprises.per_region": 40, "public.per_region": 150}
SMALL_ARGS = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]


def cli(*args):
    done = subprocess.run([str(BIN), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def read(path):
    # The reading the package promises equality with; pandas 3 parses exactly by default and warns
    # that the option is deprecated.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.read_csv(path, float_precision="round_trip")


def assert_same(frame, path):
    """Equal to the CLI's table cell for cell: numbers bit for bit (an integral column the CSV
    reader types as int64 is the same numbers as our float64), missing where the CSV is empty."""
    expected = read(path)
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False, check_exact=True)


def test_run_equals_the_cli_csv_bit_for_bit(tmp_path):
    scenario = ROOT / "scenarios" / "coordinated.toml"
    result = cogov.run(scenario, replicates=3, steps=14, seed=7, set=SMALL, regions=True)
    out = tmp_path / "run"
    cli("run", scenario, "--replicates", 3, "--steps", 14, "--seed", 7, *SMALL_ARGS,
        "--set", "output.regions=true", "--out", out, "--quiet")
    assert_same(result.timeseries, out / "timeseries.csv")
    assert_same(result.summary, out / "summary.csv")
    assert_same(result.regions, out / "regions.csv")
    assert result.differences is None
    # A value that the CSV writes in its shortest round-trip form is the same double here.
    assert result.timeseries["pollution_mean"].map(float.hex).tolist() == \
        read(out / "timeseries.csv")["pollution_mean"].map(float.hex).tolist()
    manifest = json.loads((out / "manifest.json").read_text())
    assert result.manifest["scenarios"][0]["resolved"] == manifest["scenarios"][0]["resolved"]
    assert result.manifest["seed"] == manifest["seed"] == 7
    assert result.manifest["interface"] == "python"


def test_compare_equals_the_cli_and_defaults_to_the_shipped_pair(tmp_path):
    files = [ROOT / "scenarios" / "fragmented.toml", ROOT / "scenarios" / "lever-law-on.toml"]
    result = cogov.compare(files, replicates=4, steps=12, set=SMALL)
    out = tmp_path / "compare"
    cli("compare", *files, "--replicates", 4, "--steps", 12, *SMALL_ARGS, "--out", out, "--quiet")
    for name in ("timeseries", "summary", "differences"):
        assert_same(getattr(result, name), out / f"{name}.csv")
    default = cogov.compare(replicates=2, steps=6, set=SMALL)
    out = tmp_path / "default"
    cli("compare", "--replicates", 2, "--steps", 6, *SMALL_ARGS, "--out", out, "--quiet")
    assert_same(default.differences, out / "differences.csv")
    assert set(default.summary["scenario"]) == {"fragmented", "coordinated"}


def test_a_loaded_dict_runs_as_its_file_and_threads_change_nothing():
    path = ROOT / "scenarios" / "china-2020.toml"
    scenario = cogov.load(path, set=SMALL)
    assert scenario["name"] == "china-2020" and scenario["world"]["regions"] == 3
    from_file = cogov.run(path, replicates=3, steps=8, set=SMALL, threads=1)
    from_dict = cogov.run(scenario, replicates=3, steps=8, threads=2)
    pd.testing.assert_frame_equal(from_file.timeseries, from_dict.timeseries, check_exact=True)
    assert cogov.shipped("china-2020", set=SMALL) == scenario
    edited = dict(scenario, law=dict(scenario["law"], fine=scenario["law"]["fine"] * 2))
    doubled = cogov.run(edited, replicates=3, steps=8)
    assert not doubled.timeseries.equals(from_dict.timeseries)


def test_bad_input_raises_input_error_naming_key_value_and_what_is_allowed(tmp_path):
    with pytest.raises(cogov.InputError) as e:
        cogov.run(ROOT / "scenarios" / "fragmented.toml", set={"law.fine": -1})
    assert "law.fine" in str(e.value) and "-1" in str(e.value) and "[0, 1e12]" in str(e.value)
    assert isinstance(e.value, ValueError)
    with pytest.raises(cogov.InputError, match="did you mean `law.fine`"):
        cogov.load(ROOT / "scenarios" / "fragmented.toml", set={"law.fin": 1})
    bad = tmp_path / "bad.toml"
    bad.write_text("[law]\nfine = \"a lot\"\n")
    with pytest.raises(cogov.InputError) as e:
        cogov.load(bad)
    assert str(bad) in str(e.value) and "law.fine" in str(e.value) and "expected a number" in str(e.value)
    with pytest.raises(cogov.InputError, match="law.fine"):
        cogov.run({"name": "d", "law": {"fine": "x"}})
    edited = cogov.shipped("fragmented")
    edited["law"]["clarity"] = 2.0
    with pytest.raises(cogov.InputError, match=r"law.clarity. = 2 is not allowed"):
        cogov.load(edited)
    with pytest.raises(cogov.InputError, match="no shipped scenario `coordinate`"):
        cogov.shipped("coordinate")
    with pytest.raises(cogov.InputError, match="--threads 0"):
        cogov.run(cogov.shipped("fragmented"), threads=0, steps=1)
    with pytest.raises(cogov.InputError, match="both named `fragmented`"):
        cogov.compare([ROOT / "scenarios" / "fragmented.toml"] * 2, steps=1, set=SMALL)


def test_a_wrong_argument_type_is_a_type_error():
    with pytest.raises(TypeError, match="replicates must be an int"):
        cogov.run(cogov.shipped("fragmented"), replicates="3")
    with pytest.raises(TypeError, match="a scenario is a path"):
        cogov.run(42)
    with pytest.raises(TypeError, match=r"set\[\"law.fine\"\]: a object is not a scenario value"):
        cogov.run(cogov.shipped("fragmented"), set={"law.fine": object()})
    with pytest.raises(TypeError, match="set must be a mapping"):
        cogov.load(ROOT / "scenarios" / "fragmented.toml", set=["law.fine=1"])
    with pytest.raises(TypeError, match="list of scenarios"):
        cogov.compare(ROOT / "scenarios" / "fragmented.toml")


def test_params_is_the_registry_the_cli_prints(tmp_path):
    frame = cogov.params()
    csv = tmp_path / "params.csv"
    csv.write_text(cli("params", "--format", "csv").stdout)
    assert_same(frame, csv)
    fine = frame.set_index("path").loc["law.fine"]
    assert fine["plausible_min"] < fine["plausible_max"] and fine["unit"]


def test_sweep_returns_the_design_and_results_the_cli_writes(tmp_path):
    experiment = tmp_path / "grid.toml"
    experiment.write_text(textwrap.dedent(f"""\
        name = "grid"
        base = "{ROOT / 'scenarios' / 'fragmented.toml'}"
        steps = 8
        replicates = 2
        metrics = ["pollution_mean", "compliance_rate"]
        [design]
        kind = "grid"
        levels = 3
        [[parameters]]
        key = "law.fine"
        min = 0.05
        max = 1.6
        scale = "log"
        """))
    result = cogov.sweep(experiment, set=SMALL)
    assert result.path is None and len(result.design) == 3 and len(result.results) == 6
    out = tmp_path / "cli"
    cli("sweep", experiment, *SMALL_ARGS, "--out", out, "--quiet")
    assert_same(result.design, out / "design.csv")
    assert_same(result.results, out / "results.csv")
    kept = cogov.sweep(experiment, set=SMALL, out=tmp_path / "kept")
    assert kept.path == tmp_path / "kept" and (kept.path / "manifest.json").is_file()
    with pytest.raises(cogov.OutputError, match="--force"):
        cogov.sweep(experiment, set=SMALL, out=tmp_path / "kept")


def test_the_gil_is_released_while_the_model_runs():
    ticks = []
    running = threading.Event()

    def count():
        running.set()
        while len(ticks) < 10_000_000 and not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    done = threading.Event()
    t = threading.Thread(target=count)
    t.start()
    running.wait()
    before = len(ticks)
    cogov.run(cogov.shipped("fragmented"), replicates=4, steps=60)
    during = len(ticks) - before
    done.set()
    t.join()
    # A thread that sleeps 1 ms per tick gets about one tick per millisecond the model ran; with the
    # GIL held it would get none until the run returned.
    assert during > 20, during


# The child installs Python's own Ctrl-C handler: a process started in the background by a
# non-interactive shell (as CI runners and `nohup` do) inherits SIGINT as ignored, and Python then
# leaves it ignored, which is not the interactive session this test stands for.
SIGINT_SCRIPT = r"""
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import cogov
out = pathlib.Path(sys.argv[1])
print("start", flush=True)
try:
    cogov.{call}
except KeyboardInterrupt:
    print("interrupted", time.monotonic(), flush=True)
    sys.exit(0)
print("finished", flush=True)
"""


@pytest.mark.parametrize("call", [
    "run(cogov.shipped('fragmented'), replicates=8, steps=100000)",
    "sweep(sys.argv[2], out=out / 'sweep', steps=100000)",
])
def test_ctrl_c_raises_keyboard_interrupt_within_a_second_and_leaves_no_output(tmp_path, call):
    experiment = tmp_path / "long.toml"
    experiment.write_text(
        f'name = "long"\nbase = "{ROOT / "scenarios" / "fragmented.toml"}"\nreplicates = 2\n'
        'metrics = ["pollution_mean"]\n[design]\nkind = "grid"\nlevels = 8\n'
        '[[parameters]]\nkey = "law.fine"\nmin = 0.1\nmax = 1.0\n'
    )
    script = SIGINT_SCRIPT.replace("{call}", call)
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(experiment)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "start"
    time.sleep(1.5)  # well into the run
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        out, _ = child.communicate(timeout=20)
    finally:
        child.kill()
    assert child.returncode == 0, out
    word, at = out.split()
    assert word == "interrupted"
    assert float(at) - sent < 1.0, float(at) - sent
    # Nothing published: the sweep's target does not exist (its checkpoint, which `resume=True`
    # continues, is a hidden staging directory beside it).
    assert not (tmp_path / "sweep").exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["long.toml"]


def test_parquet_from_the_cli_reads_back_as_the_same_frame(tmp_path):
    pytest.importorskip("pyarrow")
    scenario = ROOT / "scenarios" / "fragmented.toml"
    result = cogov.run(scenario, replicates=2, steps=10, set=SMALL, regions=True)
    out = tmp_path / "pq"
    cli("run", scenario, "--replicates", 2, "--steps", 10, *SMALL_ARGS,
        "--set", "output.regions=true", "--format", "parquet", "--out", out, "--quiet")
    for name in ("timeseries", "regions"):
        frame = pd.read_parquet(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(getattr(result, name), frame, check_dtype=False, check_exact=True)
    manifest = json.loads((out / "manifest.json").read_text())
    import hashlib
    digest = hashlib.sha256((out / "timeseries.parquet").read_bytes()).hexdigest()
    assert manifest["outputs"]["timeseries.parquet"] == digest
