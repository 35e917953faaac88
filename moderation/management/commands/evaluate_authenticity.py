import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.authenticity.evaluation import as_table, evaluate_file
from moderation.authenticity.scoring import forget_model
from moderation.authenticity.training import TrainingError


class Command(BaseCommand):
    help = (
        "Import labelled files (the import_reviews format plus a column label: fake or "
        "genuine), replaying them through the pipeline in submission order, and report the ROC "
        "AUC of the risk score, precision and recall of 'sent to a moderator or rejected' and "
        "the false-positive rate, overall and per rating, for the heuristics alone and for the "
        "pipeline with the current model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--json", type=Path, dest="json_path", help="also write the figures to this file"
        )

    def handle(self, *args: Any, files: list[Path], json_path: Path | None, **options: Any) -> None:
        missing = [str(path) for path in files if not path.exists()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        forget_model()  # the model current now, not one a long-lived process kept
        results = []
        for path in files:
            try:
                result = evaluate_file(path, stdout=self.stderr._out, stderr=self.stderr._out)
            except TrainingError as error:
                raise CommandError(str(error)) from None
            results.append(result)
            versions = ", ".join(result["model_versions"]) or "none (heuristics alone)"
            self.stdout.write(
                f"\n{path}: {result['labelled']} labelled, {result['not_imported']} not imported, "
                f"{result['undecided']} undecided; model: {versions}\n"
            )
            self.stdout.write(as_table(result) + "\n")
        if json_path is not None:
            json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
