"""The survey component (SIPAS and the survey of leaders and civil servants), imported from a CSV file.

The file has a header `unit_code,component,score` and one line per unit and component, UTF-8 with or without a BOM,
separated by commas or semicolons (as spreadsheet programs save it in a Vietnamese locale). It is checked whole first:
a file with any bad line stores nothing, and every bad line is reported with its line number and column."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import delete, select

from inspect_app.exceptions import Forbidden, InvalidInput
from inspect_app.extensions import db
from inspect_app.history import record_event
from inspect_app.models import OrgUnit, ParRound, SurveyScore, User

HEADER = ("unit_code", "component", "score")
MAX_BYTES = 1_000_000
MAX_COMPONENT_LENGTH = 100
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class SurveyLine:
    line: int
    unit: OrgUnit
    component: str
    score: Decimal


def _problem(line: int, column: str | None, message: str) -> str:
    if column is None:
        return _("Line %(line)d: %(message)s", line=line, message=message)
    return _("Line %(line)d, column %(column)s: %(message)s", line=line, column=column, message=message)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _refused([_("The file is larger than %(size)d kB.", size=MAX_BYTES // 1000)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _refused([_problem(line, None, _("the file is not UTF-8 text; save it as CSV UTF-8."))]) from None


def _refused(problems: list[str]) -> InvalidInput:
    return InvalidInput(
        _("The survey file was not imported; nothing was changed. Correct these lines and upload it again."),
        {"file": problems},
    )


def _score(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _trimmed(row: list[str]) -> list[str]:
    """The row without the empty cells a spreadsheet adds at its end."""
    while len(row) > len(HEADER) and not row[-1].strip():
        row = row[:-1]
    return row


def parse_survey(data: bytes, par_round: ParRound) -> list[SurveyLine]:
    """The file's lines, checked against the round; InvalidInput listing every bad line otherwise."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [(reader.line_num, _trimmed(row)) for row in reader]
    header = tuple(cell.strip().lower() for cell in rows[0][1]) if rows else ()
    if header != HEADER:
        raise _refused([_problem(1, None, _("the first line must be the header unit_code,component,score."))])

    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    taking_part = {a.unit_id: a for a in par_round.assessments}
    problems: list[str] = []
    parsed: list[SurveyLine] = []
    seen: dict[tuple[int, str], int] = {}
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # blank lines, as spreadsheets leave at the end
        if len(row) != len(HEADER):
            problems.append(_problem(number, None, _("expected 3 columns, found %(count)d.", count=len(row))))
            continue
        code, component, score_text = (cell.strip() for cell in row)
        line_problems = []
        unit = units.get(code)
        if not code:
            line_problems.append(_problem(number, "unit_code", _("the unit code is empty.")))
        elif unit is None:
            line_problems.append(_problem(number, "unit_code", _("no unit has the code %(code)s.", code=code)))
        elif unit.id not in taking_part:
            line_problems.append(
                _problem(number, "unit_code", _("%(unit)s does not take part in this round.", unit=unit.name))
            )
        elif taking_part[unit.id].is_approved:
            line_problems.append(
                _problem(number, "unit_code", _("the index of %(unit)s is already approved.", unit=unit.name))
            )
        if not component:
            line_problems.append(_problem(number, "component", _("the component is empty.")))
        elif len(component) > MAX_COMPONENT_LENGTH:
            line_problems.append(
                _problem(number, "component", _("at most %(count)d characters.", count=MAX_COMPONENT_LENGTH))
            )
        score = _score(score_text)
        if score is None:
            line_problems.append(
                _problem(number, "score", _("%(value)s is not a number.", value=score_text or _("(empty)")))
            )
        elif score < 0:
            line_problems.append(_problem(number, "score", _("the score cannot be negative.")))
        elif score != score.quantize(CENTS):
            line_problems.append(_problem(number, "score", _("use at most two decimals.")))
        if unit is not None and component:
            key = (unit.id, component.casefold())
            if key in seen:
                line_problems.append(
                    _problem(
                        number,
                        "component",
                        _(
                            "%(unit)s / %(component)s is already on line %(line)d.",
                            unit=code,
                            component=component,
                            line=seen[key],
                        ),
                    )
                )
            else:
                seen[key] = number
        problems.extend(line_problems)
        if not line_problems:
            parsed.append(SurveyLine(number, unit, component, score.quantize(CENTS)))
    if not parsed and not problems:
        problems.append(_problem(2, None, _("the file has no scores after the header.")))
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
            problems.append(_problem(lines[-1].line, "score", message))
    return problems


def import_survey(par_round: ParRound, data: bytes, *, actor: User) -> dict[OrgUnit, Decimal]:
    """Replace the round's survey scores of the units the file names; returns each unit's new survey total."""
    if not par_round.can_import_survey(actor):
        raise Forbidden(_("Only administrators import survey scores."))
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
