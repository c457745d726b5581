"""What each PAR task page shows beside its form (see tasks/context.py): the scoring sheet in short, the items
flagged for explanation first, then what this step still needs, each item one tap from its place on the sheet.

The reader may see the task's case (the task page loads it with `task_or_404`), and so its assessment page."""

from collections.abc import Callable

from inspect_app.models import HumanTask, ItemScore, User
from inspect_app.par.results import STAGE_COLUMNS, assessment_results
from inspect_app.tasks.context import TaskContext


def _unscored(column: str) -> Callable[[ItemScore], bool]:
    return lambda score: getattr(score, column) is None


def _self_assessment_missing(score: ItemScore) -> bool:
    # The same rule as services.check_self_assessment.
    evidence_missing = score.criterion.evidence_required and not score.files and not score.self_note.strip()
    return score.self_score is None or evidence_missing


def _unexplained(score: ItemScore) -> bool:
    return score.needs_explanation and not score.explanation.strip()


# What each step still needs before its task can be completed (the services' checks, item by item).
STILL_NEEDED: dict[str, Callable[[ItemScore], bool]] = {
    "par_self_assessment": _self_assessment_missing,
    "par_first_appraisal": _unscored("first_score"),
    "par_explanation": _unexplained,
    "par_second_appraisal": _unscored("final_score"),
    "par_consolidation": _unscored("final_score"),
    "par_approval": _unscored("final_score"),
}


def scoring_sheet(task: HumanTask, reader: User) -> TaskContext:
    """The assessment's results by stage, its flagged items, and the items this step still needs."""
    par = task.case.par
    scores = sorted(par.scores, key=lambda score: score.criterion.position)
    needed = STILL_NEEDED[task.form]
    return TaskContext(
        "tasks/_context_par.html",
        {
            "par": par,
            "results": assessment_results(par),
            # A stage nobody has scored yet has no index to show (its arithmetic would say 0.00).
            "scored": {
                stage: any(getattr(s, column) is not None for s in scores) for stage, column in STAGE_COLUMNS.items()
            },
            "flagged": [score for score in scores if score.needs_explanation],
            "still_needed": [score for score in scores if needed(score)],
            "total": len(scores),
        },
    )


CONTEXTS = dict.fromkeys(STILL_NEEDED, scoring_sheet)
