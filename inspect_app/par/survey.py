"""The survey component (SIPAS and the survey of leaders and civil servants), imported from a CSV file (par/io.py).

The file is checked whole first: each line reads well (schemas.SurveyRow), names a unit taking part whose index is
not yet approved, and no unit's components add up to more than its survey maximum. A file with any bad line stores
nothing, and every bad line is reported with its line number and column."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import delete, select

from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.schemas import FileUnreadable, errors_by_field, problem_lines
from inspect_app.history import record_event
from inspect_app.models import OrgUnit, ParRound, SurveyScore, User
from inspect_app.par import io as survey_io
from inspect_app.par.schemas import CENTS, SurveyRow, line_name, problem_names


@dataclass(frozen=True)
class SurveyLine:
    line: int
    unit: OrgUnit
    component: str
    score: Decimal


def _refused(problems: list[str]) -> InvalidInput:
    return InvalidInput(
        _("The survey file was not imported; nothing was changed. Correct these lines and upload it again."),
        {"file": problems},
    )


class _Units:
    """The units a file may name, looked up once: by code, and whether they take part in the round."""

    def __init__(self, par_round: ParRound):
        self.by_code = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
        self.taking_part = {assessment.unit_id: assessment for assessment in par_round.assessments}

    def refusal(self, code: str) -> str | None:
        """Why a line may not name the unit with `code`, or None."""
        unit = self.by_code.get(code)
        if unit is None:
            return _("no unit has the code %(code)s.", code=code)
        if unit.id not in self.taking_part:
            return _("%(unit)s does not take part in this round.", unit=unit.name)
        if self.taking_part[unit.id].is_approved:
            return _("the index of %(unit)s is already approved.", unit=unit.name)
        return None


def _read_line(row: dict, units: _Units) -> tuple[SurveyLine | None, list[str]]:
    """A line of the file with its unit, or its problems."""
    try:
        valid = SurveyRow.model_validate(row)
    except ValidationError as error:
        return None, problem_lines(errors_by_field(error, problem_names(row["line"])))
    refusal = units.refusal(valid.unit_code)
    if refusal:
        return None, [f"{line_name(valid.line, 'unit_code')}: {refusal}"]
    return SurveyLine(valid.line, units.by_code[valid.unit_code], valid.component, valid.score), []


def _repeated(line: SurveyLine, first: dict[tuple[int, str], int]) -> list[str]:
    """A unit's component given a second time (in any letter case) is named on that line."""
    key = (line.unit.id, line.component.casefold())
    if key not in first:
        first[key] = line.line
        return []
    repeated = _(
        "%(unit)s / %(component)s is already on line %(line)d.",
        unit=line.unit.code,
        component=line.component,
        line=first[key],
    )
    return [f"{line_name(line.line, 'component')}: {repeated}"]


def parse_survey(data: bytes, par_round: ParRound) -> list[SurveyLine]:
    """The file's lines, checked against the round; InvalidInput listing every bad line otherwise."""
    try:
        rows = survey_io.read_survey_csv(data)
    except FileUnreadable as error:
        raise _refused(error.problems) from None
    units = _Units(par_round)
    problems: list[str] = []
    parsed: list[SurveyLine] = []
    first: dict[tuple[int, str], int] = {}
    for row in rows:
        line, line_problems = _read_line(row, units)
        if line is not None:
            line_problems = _repeated(line, first)
            if not line_problems:
                parsed.append(line)
        problems.extend(line_problems)
    problems.extend(_over_maximum(parsed, par_round))
    if problems:
        raise _refused(problems)
    return parsed


def _over_maximum(parsed: list[SurveyLine], par_round: ParRound) -> list[str]:
    """Each unit's components may add up to at most its criteria set's survey maximum."""
    by_unit: dict[int, list[SurveyLine]] = defaultdict(list)
    for line in parsed:
        by_unit[line.unit.id].append(line)
    problems = []
    for lines in by_unit.values():
        unit = lines[0].unit
        maximum = par_round.set_for(unit.level).survey_max
        total = sum((line.score for line in lines), Decimal(0))
        if total > maximum:
            message = _(
                "the scores of %(unit)s (lines %(lines)s) add up to %(total)s, more than the survey's maximum %(max)s.",
                unit=unit.code,
                lines=", ".join(str(line.line) for line in lines),
                total=total,
                max=maximum,
            )
            problems.append(f"{line_name(lines[-1].line, 'score')}: {message}")
    return problems


def import_survey(par_round: ParRound, data: bytes, *, actor: User) -> dict[OrgUnit, Decimal]:
    """Replace the round's survey scores of the units the file names; returns each unit's new survey total."""
    parsed = parse_survey(data, par_round)
    by_unit: dict[int, list[SurveyLine]] = defaultdict(list)
    for line in parsed:
        by_unit[line.unit.id].append(line)
    previous: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, score in db.session.execute(
        select(SurveyScore.unit_id, SurveyScore.score).where(
            SurveyScore.round_id == par_round.id, SurveyScore.unit_id.in_(by_unit)
        )
    ):
        previous[unit_id] += score
    db.session.execute(
        delete(SurveyScore).where(SurveyScore.round_id == par_round.id, SurveyScore.unit_id.in_(by_unit))
    )
    assessments = {a.unit_id: a for a in par_round.assessments}
    totals = {}
    for unit_id, lines in by_unit.items():
        db.session.add_all(
            SurveyScore(round_id=par_round.id, unit_id=unit_id, component=line.component, score=line.score)
            for line in lines
        )
        total = sum((line.score for line in lines), Decimal(0))
        totals[lines[0].unit] = total
        record_event(
            assessments[unit_id].case,
            "par.survey_imported",
            actor=actor,
            details={
                "components": {line.component: str(line.score) for line in lines},
                "total": str(total),
                "previous_total": str(previous[unit_id].quantize(CENTS)),
            },
        )
    db.session.flush()
    return totals
