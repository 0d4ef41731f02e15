"""cogov from Python: the simulator's scenarios, runs, comparisons and sweeps, with results as pandas
DataFrames.

>>> import cogov
>>> result = cogov.compare(replicates=5)
>>> result.differences.query("metric == 'pollution_mean'")

The numbers are those of the command line for the same scenario and seed, bit for bit: a table here
equals the CLI's CSV read with ``pandas.read_csv(path, float_precision="round_trip")``. The model runs
with the GIL released; Ctrl-C stops it within a second and raises ``KeyboardInterrupt``, leaving
nothing behind.
"""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _native
from ._errors import CogovError, InputError, OutputError

__all__ = [
    "CogovError",
    "InputError",
    "OutputError",
    "Result",
    "SweepResult",
    "compare",
    "load",
    "params",
    "run",
    "scenarios",
    "shipped",
    "sweep",
]

__version__: str = _native.version()

#: A scenario: a path to a scenario file, or a dict as :func:`load` or :func:`shipped` returns it.
Scenario = Union[str, "os.PathLike[str]", Dict[str, Any]]
#: Overrides of scenario keys by dotted path, as the command line's ``--set key=value``.
Overrides = Mapping[str, Any]


def _frame(table: Any) -> pd.DataFrame:
    columns, data = table
    built: Dict[str, Any] = {}
    for name, (kind, payload) in zip(columns, data):
        if kind == "O":
            built[name] = pd.Series(payload, dtype=object)
        else:
            built[name] = np.frombuffer(payload, dtype="<" + kind)
    return pd.DataFrame(built, columns=columns)


@dataclass(frozen=True)
class Result:
    """What ``cogov run`` or ``cogov compare`` writes, held in memory.

    ``timeseries``: one row per scenario × replicate × month; ``summary``: final-window means over
    replicates with 95% intervals; ``differences``: each scenario against the first, paired by
    replicate (``None`` for one scenario); ``regions``: one row per region and month (``None``
    unless asked for with ``regions=True``); ``manifest``: the run's record as ``manifest.json``.
    """

    timeseries: pd.DataFrame
    summary: pd.DataFrame
    differences: Optional[pd.DataFrame]
    regions: Optional[pd.DataFrame]
    manifest: Dict[str, Any] = field(repr=False)

    def metric(self, name: str) -> pd.DataFrame:
        """The summary rows of one metric, one per scenario."""
        return self.summary[self.summary["metric"] == name].reset_index(drop=True)

    def __repr__(self) -> str:
        names = list(dict.fromkeys(self.summary["scenario"]))
        return (
            f"<cogov.Result {' vs '.join(names)}: {self.manifest.get('replicates')} replicates × "
            f"{self.manifest.get('steps')} months, seed {self.manifest.get('seed')}>"
        )


@dataclass(frozen=True)
class SweepResult:
    """What ``cogov sweep`` writes: ``design`` (one row per design point), ``results`` (one row per
    point × replicate), every other table of the sweep by name in ``tables`` (``summary``,
    ``differences``, ``sensitivity`` where the design has them), the ``manifest``, and the
    directory it was written to (``None`` when it was a temporary one)."""

    design: pd.DataFrame
    results: pd.DataFrame
    tables: Dict[str, pd.DataFrame] = field(repr=False)
    manifest: Dict[str, Any] = field(repr=False)
    path: Optional[pathlib.Path] = None


def _sets(set: Optional[Overrides], regions: bool = False) -> Optional[Dict[str, Any]]:
    if set is not None and not isinstance(set, Mapping):
        raise TypeError(f"set must be a mapping of key paths to values, not {type(set).__name__}")
    merged = dict(set or {})
    if regions:
        merged["output.regions"] = True
    return merged or None


def _check_sizes(**sizes: Any) -> None:
    """``replicates``, ``seed``, ``steps``, ``threads``: each a whole number ≥ 0 or None."""
    for name, value in sizes.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
        if value is not None and value < 0:
            raise InputError(f"{name} = {value} is not allowed: a whole number ≥ 0")


def _simulate(command: str, items: List[Any], replicates, seed, steps, threads, set, regions) -> Result:
    _check_sizes(replicates=replicates, seed=seed, steps=steps, threads=threads)
    tables, manifest = _native.simulate(
        command, items, replicates, seed, steps, threads, _sets(set, regions)
    )
    frames = {stem: _frame(t) for stem, t in tables.items()}
    return Result(
        timeseries=frames["timeseries"],
        summary=frames["summary"],
        differences=frames.get("differences"),
        regions=frames.get("regions"),
        manifest=json.loads(manifest),
    )


def load(
    path: Union[str, "os.PathLike[str]", Dict[str, Any]], set: Optional[Overrides] = None
) -> Dict[str, Any]:
    """The scenario in ``path`` with its ``extends`` chain followed and ``set`` applied, validated
    and fully resolved (every key, as ``cogov check`` prints it), as a dict. A dict (one this
    function returned, edited) is validated and resolved the same way. Bad input raises
    :class:`InputError` naming the file, key, value and what is allowed."""
    if isinstance(path, dict):
        return _native.resolve(path, _sets(set))
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, os.PathLike or dict, not {type(path).__name__}")
    return _native.load(path, _sets(set))


def shipped(name: str, set: Optional[Overrides] = None) -> Dict[str, Any]:
    """A scenario shipped with cogov (``fragmented``, ``china-2020``, ``coordinated``,
    ``lever-<lever>-on`` / ``-off``; see :func:`scenarios`), compiled into the package, as a dict."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    return _native.load_shipped(name, _sets(set))


def scenarios() -> List[str]:
    """The names of the shipped scenarios :func:`shipped` takes."""
    return list(_native.shipped_names())


def run(
    scenario: Scenario,
    *,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Overrides] = None,
    regions: bool = False,
) -> Result:
    """Run one scenario (a path, or a dict from :func:`load` / :func:`shipped`) as ``cogov run``
    does. ``replicates``, ``seed`` and ``steps`` override the scenario's; ``threads`` never changes
    the numbers; ``regions=True`` adds the per-region table."""
    return _simulate("run", [scenario], replicates, seed, steps, threads, set, regions)


def compare(
    scenarios: Sequence[Scenario] = (),
    *,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Overrides] = None,
    regions: bool = False,
) -> Result:
    """Run several scenarios with the same seeds, as ``cogov compare`` does (none given: the shipped
    fragmented and coordinated). ``differences`` holds each against the first, paired by replicate;
    ``set`` applies to every scenario."""
    if isinstance(scenarios, (str, dict, os.PathLike)):
        raise TypeError("scenarios must be a list of scenarios; for one, use cogov.run")
    return _simulate("compare", list(scenarios), replicates, seed, steps, threads, set, regions)


def _read(path: pathlib.Path) -> pd.DataFrame:
    """A table cogov wrote, every number the double it was (pandas ≥ 3 parses exactly by default and
    warns of the option)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.read_csv(path)
    return pd.read_csv(path, float_precision="round_trip")


def sweep(
    experiment: Union[str, "os.PathLike[str]"],
    *,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    force: bool = False,
    resume: bool = False,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Overrides] = None,
) -> SweepResult:
    """Run an experiment file as ``cogov sweep`` does. With ``out`` the sweep is written there (and
    ``resume=True`` continues an interrupted one); without, it runs in a temporary directory removed
    afterwards. ``set`` applies to the base scenario."""
    if not isinstance(experiment, (str, os.PathLike)):
        raise TypeError(f"experiment must be a str or os.PathLike, not {type(experiment).__name__}")
    _check_sizes(replicates=replicates, seed=seed, steps=steps, threads=threads)
    args = (bool(force), bool(resume), replicates, seed, steps, threads, _sets(set))
    if out is not None:
        path = pathlib.Path(_native.sweep(experiment, out, *args))
        return _sweep_result(path, path)
    with tempfile.TemporaryDirectory(prefix="cogov-sweep-") as tmp:
        path = pathlib.Path(_native.sweep(experiment, pathlib.Path(tmp) / "sweep", *args))
        return _sweep_result(path, None)


def _sweep_result(path: pathlib.Path, kept: Optional[pathlib.Path]) -> SweepResult:
    tables = {p.stem: _read(p) for p in sorted(path.glob("*.csv"))}
    return SweepResult(
        design=tables.pop("design"),
        results=tables.pop("results"),
        tables=tables,
        manifest=json.loads((path / "manifest.json").read_text()),
        path=kept,
    )


def params() -> pd.DataFrame:
    """The parameter registry: one row per scenario key, with its unit, valid range, plausible range
    and its source, default, value in the coordinated scenario, lever, and help in English and
    Chinese (``cogov params --format csv``)."""
    return _frame(_native.params())
