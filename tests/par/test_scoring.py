"""The PAR index arithmetic on a worked example computed by hand."""

from decimal import Decimal as D

from inspect_app.par.scoring import DEFAULT_BANDS, Band, FieldMax, UnitInput, rank_units, round2, score_unit

BANDS = [Band.from_dict(b) for b in DEFAULT_BANDS]
# Two fields: F1 worth 10 (a: 6, b: 4), F2 worth 60 (c); the survey is worth 30: 100 points in all.
FIELDS = [FieldMax("F1", D(10), ("a", "b")), FieldMax("F2", D(60), ("c",))]
SURVEY_MAX = D(30)


def unit(code, a, b, c, survey, bonus=0, penalty=0):
    scores = {"a": D(str(a)), "b": D(str(b)), "c": D(str(c))}
    return UnitInput(code, scores, D(str(survey)), D(str(bonus)), D(str(penalty)))


def score(u, bonus_cap=D(3), penalty_cap=D(2)):
    return score_unit(FIELDS, SURVEY_MAX, u, BANDS, bonus_cap, penalty_cap)


def test_exactly_90_with_a_field_at_exactly_80_percent_is_tot():
    # F1 = 6 + 2 = 8 of 10 (80.0 %), F2 = 54 of 60 (90 %), survey 28: 8 + 54 + 28 = 90 of 100.
    result = score(unit("A", 6, 2, 54, 28))
    assert result.fields == {"F1": D(8), "F2": D(54)}
    assert (result.total, result.maximum, result.index) == (D(90), D(100), D("90.00"))
    assert result.band == "Tốt"


def test_a_high_index_with_one_weak_field_falls_to_kha():
    # 7.5 + 57 + 27.5 = 92.00, but F1 is 7.5 of 10 = 75 % < 80 %: not Tốt; >= 80 with every field >= 70 %: Khá.
    result = score(unit("B", 5.5, 2, 57, 27.5))
    assert result.index == D("92.00")
    assert result.band == "Khá"


def test_a_field_below_70_percent_keeps_a_unit_out_of_kha():
    # 6 + 56 + 23 = 85, but F1 is 60 %: neither Tốt nor Khá; 85 >= 65: Trung bình.
    assert score(unit("G", 4, 2, 56, 23)).band == "Trung bình"


def test_exactly_65_is_trung_binh_and_64_99_is_yeu():
    assert score(unit("C", 4, 2, 40, 19)).index == D("65.00")
    assert score(unit("C", 4, 2, 40, 19)).band == "Trung bình"
    assert score(unit("D", 4, 2, 40, 18.99)).index == D("64.99")
    assert score(unit("D", 4, 2, 40, 18.99)).band == "Yếu"


def test_bonus_and_penalty_points_are_capped():
    # 65 + min(5, 3) - min(4, 2) = 66.
    result = score(unit("F", 4, 2, 40, 19, bonus=5, penalty=4))
    assert (result.bonus, result.penalty, result.index) == (D(3), D(2), D("66.00"))


def test_the_index_is_a_percentage_rounded_half_up_to_two_decimals():
    no_survey = [FieldMax("F1", D(10), ("a", "b")), FieldMax("F2", D(60), ("c",))]
    result = score_unit(no_survey, D(0), unit("H", 6, 4, 53.5, 0), BANDS)  # 63.5 / 70 = 90.714...
    assert result.index == D("90.71")
    assert round2(D(2) / D(3) * 100) == D("66.67")
    assert round2(D("90.125")) == D("90.13")


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    results = [
        score(u)
        for u in (
            unit("A", 6, 2, 54, 28),  # 90.00
            unit("B", 5.5, 2, 57, 27.5),  # 92.00
            unit("E", 6, 2, 54, 28),  # 90.00, tied with A
            unit("C", 4, 2, 40, 19),  # 65.00
            unit("D", 4, 2, 40, 18.99),  # 64.99
        )
    ]
    ranked = rank_units(results)
    assert [(r.unit, r.rank) for r in ranked] == [("B", 1), ("A", 2), ("E", 2), ("C", 4), ("D", 5)]
