import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from moderation.authenticity.scoring import forget_model
from moderation.authenticity.training import (
    TrainingError,
    labels_from_file,
    train_model,
)


class Command(BaseCommand):
    help = (
        "Train the authenticity model from moderators' decisions on authenticity rules (and a "
        "labelled file of imported reviews), measure it on a hold-out split grouped by brand, "
        "and store it as the current version. Prints its metrics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--labels",
            type=Path,
            help="CSV with the columns external_id,label (fake or genuine), for reviews "
            "imported with import_reviews",
        )
        parser.add_argument(
            "--no-length",
            action="store_true",
            help="leave out the text-length features",
        )
        parser.add_argument("--test-size", type=float, default=0.25)
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the metrics as JSON"
        )

    def handle(
        self,
        *args: Any,
        labels: Path | None,
        no_length: bool,
        test_size: float,
        seed: int,
        as_json: bool,
        **options: Any,
    ) -> None:
        try:
            file_labels: dict[int, int] = {}
            if labels is not None:
                file_labels, unknown = labels_from_file(labels)
                if unknown:
                    self.stderr.write(f"{unknown} external ids of {labels} are not imported here")
            with tqdm(desc="features", unit="review", file=self.stderr._out) as bar:
                model = train_model(
                    file_labels=file_labels,
                    with_length=not no_length,
                    test_size=test_size,
                    seed=seed,
                    progress=bar.update,
                )
        except TrainingError as error:
            raise CommandError(str(error)) from None
        forget_model()
        if as_json:
            self.stdout.write(json.dumps(model.metrics, indent=2, ensure_ascii=False))
            return
        test = model.metrics["test"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {model.label} (current), trained on {model.metrics['train']['size']} "
                f"of {model.training_size} labelled reviews in {model.metrics['seconds']} s."
            )
        )
        phases = ", ".join(f"{name} {s:.1f} s" for name, s in model.metrics["phases"].items())
        self.stdout.write(f"Time by phase: {phases}")
        self.stdout.write(
            f"Hold-out ({test['size']} reviews, {test['fakes']} fake, "
            f"{model.metrics['test_brands']} brands none of which is in training):\n"
            f"  ROC AUC {_fmt(test['roc_auc'])}\n"
            f"  at the threshold {test['threshold']}: precision {_fmt(test['precision'])}, "
            f"recall {_fmt(test['recall'])}, false-positive rate on genuine reviews "
            f"{_fmt(test['false_positive_rate'])}\n"
            f"  Brier score {_fmt(test['brier'])}; reliability (score bin: mean score / "
            "share of fakes / count):"
        )
        for row in test["reliability"]:
            self.stdout.write(
                f"    {row['bin']}: {row['mean_score']:.2f} / {row['fake_share']:.2f} / "
                f"{row['count']}"
            )


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
