"""The PAR index arithmetic, on plain values (no database), so that it is easy to check by hand and fast in bulk.

Index = total / maximum x 100, rounded half up to two decimals. The total is the appraised points of every
sub-criterion, plus the survey, plus bonus and minus penalty points (each capped); the maximum is the criteria's
maximum plus the survey's. Bands are tried best first: a unit gets the first whose minimum index it reaches while
no field falls below the band's minimum share of that field's maximum. Units with equal indexes share a rank.

A unit has a result only once every sub-criterion has its score: until then its points are a sum so far, and a
missing score counted as 0 would rank it as "Yếu" with a fall of its whole index since last year. Such units are
listed apart, unranked (`rank_units` leaves them out).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

DEFAULT_BANDS = (
    {"name": "Tốt", "min_index": 90, "min_field_share": 80},
    {"name": "Khá", "min_index": 80, "min_field_share": 70},
    {"name": "Trung bình", "min_index": 65},
    {"name": "Yếu", "min_index": 0},
)


@dataclass(frozen=True)
class Band:
    name: str
    min_index: Decimal
    min_field_share: Decimal | None = None  # percent of each field's maximum

    @classmethod
    def from_dict(cls, data: Mapping) -> "Band":
        share = data.get("min_field_share")
        return cls(str(data["name"]), Decimal(str(data["min_index"])), None if share is None else Decimal(str(share)))


@dataclass(frozen=True)
class FieldMax:
    """A field (lĩnh vực) of the criteria set: its code, maximum, and the codes of its scored sub-criteria."""

    code: str
    max_points: Decimal
    sub_codes: tuple[str, ...]


@dataclass(frozen=True)
class UnitInput:
    unit: str  # the unit's code
    scores: Mapping[str, Decimal]  # sub-criterion code -> appraised points (missing counts as 0)
    survey: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    penalty: Decimal = Decimal(0)  # a positive number of points taken off


@dataclass(frozen=True)
class UnitResult:
    unit: str
    fields: Mapping[str, Decimal]  # field code -> points
    survey: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    maximum: Decimal
    index: Decimal
    band: str
    rank: int = 0
    field_shares: Mapping[str, Decimal] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # sub-criteria without a score: the unit has no result yet

    @property
    def has_result(self) -> bool:
        """Whether every sub-criterion has its score, so that the index and band mean something."""
        return not self.missing


def round2(value: Decimal) -> Decimal:
    """Half up to two decimals, as results are published."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def score_unit(
    fields: Sequence[FieldMax],
    survey_max: Decimal,
    unit: UnitInput,
    bands: Sequence[Band],
    bonus_cap: Decimal = Decimal(0),
    penalty_cap: Decimal = Decimal(0),
) -> UnitResult:
    """One unit's points per field, total, index and band (rank 0: ranks come from `rank_units`)."""
    zero = Decimal(0)
    field_points = {f.code: sum((unit.scores.get(code, zero) for code in f.sub_codes), zero) for f in fields}
    bonus = min(unit.bonus, bonus_cap)
    penalty = min(unit.penalty, penalty_cap)
    survey = min(unit.survey, survey_max)
    total = sum(field_points.values(), Decimal(0)) + survey + bonus - penalty
    maximum = sum((f.max_points for f in fields), Decimal(0)) + survey_max
    index = round2(total / maximum * HUNDRED) if maximum else Decimal(0)
    shares = {f.code: (field_points[f.code] / f.max_points * HUNDRED if f.max_points else HUNDRED) for f in fields}
    return UnitResult(
        unit=unit.unit,
        fields=field_points,
        survey=survey,
        bonus=bonus,
        penalty=penalty,
        total=total,
        maximum=maximum,
        index=index,
        band=band_for(index, shares.values(), bands),
        field_shares=shares,
        missing=tuple(code for f in fields for code in f.sub_codes if code not in unit.scores),
    )


def band_for(index: Decimal, field_shares: Iterable[Decimal], bands: Sequence[Band]) -> str:
    """The first band (best first) whose minimum index is reached with no field below its minimum share."""
    shares = list(field_shares)
    for band in bands:
        if index >= band.min_index and (band.min_field_share is None or all(s >= band.min_field_share for s in shares)):
            return band.name
    return bands[-1].name if bands else ""


def rank_units(results: Iterable[UnitResult]) -> list[UnitResult]:
    """Results best first with their ranks; equal indexes share a rank and the next rank is skipped (1, 2, 2, 4).
    Units with no result yet (a sub-criterion without its score) are left out."""
    ordered = sorted((r for r in results if r.has_result), key=lambda result: (-result.index, result.unit))
    ranked = []
    for position, result in enumerate(ordered, start=1):
        tied = ranked and ranked[-1].index == result.index
        ranked.append(_with_rank(result, ranked[-1].rank if tied else position))
    return ranked


def _with_rank(result: UnitResult, rank: int) -> UnitResult:
    return UnitResult(**{**result.__dict__, "rank": rank})
