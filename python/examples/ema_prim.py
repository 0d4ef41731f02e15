"""cogov as an EMA Workbench model, and PRIM scenario discovery on it.

Question: which combinations of the nine levers keep the basin's pollution below its target stock
in 90% of plausible futures?

- Base: the shipped fragmented scenario. A lever switched on sets each registry key of that lever to
  its value in the shipped coordinated scenario (as `cogov explore`'s switches do).
- Uncertainties: behavioural and physical keys that belong to no lever, each over its plausible range
  from the parameter registry (`cogov.params()`), Latin hypercube.
- Outcome: the final-window mean pollution stock (t) of each run, and whether it is at or below the
  scenario's `targets.stock`.
- PRIM (EMA's implementation) searches the lever and uncertainty space for a box in which at least
  90% of the runs meet the target; its restrictions on levers answer the question.

    python python/examples/ema_prim.py --scenarios 40 --policies 12 --out docs/figures/ema-prim.png

The defaults are a publication-sized world; `--small` shrinks it for a quick check (CI runs it so).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from ema_workbench import (  # noqa: E402
    BooleanParameter,
    Model,
    RealParameter,
    ScalarOutcome,
    perform_experiments,
)
from ema_workbench.analysis import prim  # noqa: E402

import cogov  # noqa: E402

#: Uncertain keys (no lever) whose plausible ranges EMA samples.
UNCERTAIN = [
    "world.spillover",
    "world.decay",
    "enterprises.intensity_mean",
    "enterprises.abatement_cost_share",
    "enterprises.learning_rate",
    "public.peer_influence",
    "complaints.rate_per_1000",
    "departments.inspector_miss",
]
SMALL = {"world.regions": 2, "public.per_region": 2100}


def identifier(key: str) -> str:
    """EMA passes parameters as keyword arguments: dotted keys become identifiers."""
    return key.replace(".", "__")


def lookup(scenario: dict, key: str):
    value = scenario
    for part in key.split("."):
        value = value[part]
    return value


def build(small: bool, replicates: int, steps: int):
    registry = cogov.params().set_index("path")
    coordinated = cogov.shipped("coordinated")
    levers = {
        lever: {key: lookup(coordinated, key) for key in registry.index[registry["lever"] == lever]}
        for lever in sorted(registry["lever"].dropna().unique())
    }
    size = SMALL if small else {}
    base = cogov.shipped("fragmented", set=size)
    target = base["targets"]["stock"]

    def cogov_model(**kwargs):
        overrides = {}
        for lever, keys in levers.items():
            if kwargs[lever]:
                overrides.update(keys)
        for key in UNCERTAIN:
            overrides[key] = float(kwargs[identifier(key)])
        result = cogov.run(base, replicates=replicates, steps=steps, set=overrides)
        pollution = result.metric("pollution_mean")["mean"].iloc[0]
        return {"pollution": pollution, "below_target": float(pollution <= target)}

    model = Model("cogov", function=cogov_model)
    model.uncertainties = [
        RealParameter(identifier(k), float(registry.at[k, "plausible_min"]),
                      float(registry.at[k, "plausible_max"]))
        for k in UNCERTAIN
    ]
    model.levers = [BooleanParameter(lever) for lever in levers]
    model.outcomes = [ScalarOutcome("pollution"), ScalarOutcome("below_target")]
    return model, levers, base, target, cogov_model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=40, help="futures sampled (LHS)")
    parser.add_argument("--policies", type=int, default=12, help="lever combinations sampled (LHS)")
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--threshold", type=float, default=0.9, help="PRIM's density threshold")
    parser.add_argument("--small", action="store_true", help="a small world for a quick check")
    parser.add_argument("--seed", type=int, default=1, help="seed of EMA's sampling")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("ema-prim.png"))
    args = parser.parse_args(argv)

    np.random.seed(args.seed)  # EMA's samplers draw from NumPy's global generator
    model, levers, base, target, _ = build(args.small, args.replicates, args.steps)
    experiments, outcomes = perform_experiments(model, scenarios=args.scenarios, policies=args.policies)
    # The levers stay EMA's categoricals, which PRIM peels value by value.
    x = experiments.drop(columns=["scenario", "policy", "model"])
    y = np.asarray(outcomes["below_target"]) > 0.5
    share = float(y.mean())

    finder = prim.Prim(x, y, threshold=args.threshold)
    box = finder.find_box()
    # The last box on the peeling trajectory that still meets the threshold.
    meets = box.peeling_trajectory[box.peeling_trajectory["density"] >= args.threshold]
    report = {
        "experiments": len(experiments),
        "share_below_target": share,
        "target_t": target,
        "threshold": args.threshold,
        "box": None,
    }
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    by_policy = pd.DataFrame({"policy": experiments["policy"].to_numpy(), "ok": y}).groupby("policy")["ok"].mean()
    lever_on = experiments.groupby("policy")[list(levers)].first().astype(bool)
    label = lever_on.apply(lambda r: "+".join(l[:4] for l in levers if r[l]) or "none", axis=1)
    order = by_policy.sort_values().index
    axes[0].barh(range(len(order)), by_policy[order], color="#4C72B0")
    axes[0].set_yticks(range(len(order)), [label[p] for p in order], fontsize=7)
    axes[0].axvline(args.threshold, color="#C44E52", ls="--", lw=1)
    axes[0].set_xlabel(f"share of futures with pollution ≤ target ({target:g} t)")
    axes[0].set_title("lever combinations EMA sampled")
    traj = box.peeling_trajectory
    axes[1].scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=18)
    axes[1].axhline(args.threshold, color="#C44E52", ls="--", lw=1)
    axes[1].set_xlabel("coverage")
    axes[1].set_ylabel("density")
    axes[1].set_title("PRIM peeling trajectory (colour: restricted dimensions)")
    if len(meets):
        i = int(meets["coverage"].idxmax())
        box.select(i)
        limits, initial = box.box_lims[i], finder.box_init
        lims = {}
        for column in x.columns:
            lo, hi = limits[column].iloc[0], limits[column].iloc[1]
            if isinstance(lo, set):  # a categorical (lever): the values the box keeps
                if lo != initial[column].iloc[0]:
                    lims[column] = " or ".join("on" if v else "off" for v in sorted(lo))
            elif (lo, hi) != (initial[column].iloc[0], initial[column].iloc[1]):
                lims[column.replace("__", ".")] = [round(float(lo), 6), round(float(hi), 6)]
        report["box"] = {
            "coverage": float(traj.at[i, "coverage"]),
            "density": float(traj.at[i, "density"]),
            "restrictions": lims,
        }
        axes[1].scatter([traj.at[i, "coverage"]], [traj.at[i, "density"]], s=120,
                        facecolors="none", edgecolors="#C44E52", lw=2)
        text = "\n".join(f"{k}: {v}" for k, v in lims.items()) or "no restriction"
        axes[1].text(0.02, 0.02, text, transform=axes[1].transAxes, fontsize=8, va="bottom")
    fig.suptitle(f"cogov in EMA Workbench: {len(experiments)} experiments, "
                 f"{share:.0%} below target; PRIM box at density ≥ {args.threshold:g}")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
