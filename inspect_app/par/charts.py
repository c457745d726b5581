"""Bar charts drawn on the server: plain data (boxes, lines and labels in SVG user units) that the Jinja macro in
templates/par/reports/_charts.html writes out as inline SVG. No JavaScript and nothing fetched from elsewhere, so the
charts show in any browser, print, and survive in a saved page.

Every chart is horizontal bars on a 0-100 scale (a percentage of the maximum, or the index itself), one row per
item, with dashed reference lines where the bands begin. The numbers come from scoring.py already computed; here
they only become positions."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from inspect_app.par.scoring import Band, UnitResult, round2

ROW_HEIGHT = 24
BAR_HEIGHT = 16
LABEL_WIDTH = 230
VALUE_WIDTH = 130
PLOT_WIDTH = 420
TOP = 28  # room for the scale's labels
BOTTOM = 8
LABEL_CHARS = 32
GRID = (0, 25, 50, 75, 100)
# Fill colours by the band's position (best first); anything past the palette is grey. Labels carry the band's
# name as text as well, so colour is never the only cue.
BAND_COLOURS = ("#2e7d32", "#1d4f91", "#b26a00", "#b3261e")
OTHER_COLOUR = "#6b6b6b"
WEAK_COLOUR = "#b3261e"
FIELD_COLOUR = "#1d4f91"


@dataclass(frozen=True)
class Bar:
    label: str  # shown left of the bar (shortened)
    title: str  # the full label and value, as the bar's tooltip
    value_text: str  # shown right of the bar
    y: float
    width: float
    colour: str
    highlighted: bool = False
    marker_x: float | None = None  # a tick for a comparison value (last year's), if any


@dataclass(frozen=True)
class Line:
    x: float
    label: str


@dataclass
class Chart:
    """A horizontal bar chart ready to draw: its size, bars, scale lines and reference lines."""

    key: str  # unique on the page: the SVG's title and description ids derive from it
    title: str
    description: str
    bars: list[Bar]
    references: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, text)
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    value_width: int = VALUE_WIDTH
    row_height: int = ROW_HEIGHT
    bar_height: int = BAR_HEIGHT
    top: int = TOP

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + self.value_width

    @property
    def height(self) -> int:
        return self.top + max(len(self.bars), 1) * self.row_height + BOTTOM

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def grid(self) -> list[Line]:
        return [Line(self.x_of(Decimal(step)), f"{step}") for step in GRID]

    def length_of(self, percent: Decimal) -> float:
        """The length of a bar for a value on the 0-100 scale (clamped to the plot)."""
        clamped = min(max(percent, Decimal(0)), Decimal(100))
        return round(float(clamped) * self.plot_width / 100, 1)

    def x_of(self, percent: Decimal) -> float:
        """The horizontal position of a value on the 0-100 scale."""
        return round(self.label_width + self.length_of(percent), 1)


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """Text cut to `limit` characters with an ellipsis (the full text stays in the bar's tooltip)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: Decimal) -> str:
    """Points or an index in the reader's language, two decimals (91.53, or 91,53 in Vietnamese)."""
    return format_decimal(value, "#,##0.00")


def share(value: Decimal) -> str:
    """A share of a maximum in percent, rounded as published, in the reader's language."""
    return format_decimal(round2(value), "#,##0.00") + " %"


def band_colour(name: str, bands: Sequence[Band]) -> str:
    names = [band.name for band in bands]
    position = names.index(name) if name in names else len(BAND_COLOURS)
    return BAND_COLOURS[position] if position < len(BAND_COLOURS) else OTHER_COLOUR


def _row_y(chart: Chart, row: int) -> float:
    return chart.top + row * chart.row_height + (chart.row_height - chart.bar_height) / 2


def field_chart(
    key: str,
    fields: Sequence[tuple[str, str, Decimal]],
    bands: Sequence[Band],
    previous: dict[str, Decimal] | None = None,
    title: str | None = None,
) -> Chart:
    """Score by field as a percentage of the field's maximum: `fields` are (code, name, share in percent).

    Dashed lines mark each band's minimum share per field; a bar below the lowest of them is drawn as weak.
    `previous` gives last year's share by field code, drawn as a tick on the bar."""
    chart = Chart(
        key=key,
        title=title or _("Score by field, as a share of its maximum"),
        description=_("One bar per field: the points it scored as a percentage of its maximum points."),
        bars=[],
    )
    minimums = sorted({band.min_field_share for band in bands if band.min_field_share is not None})
    chart.references = [
        Line(chart.x_of(band.min_field_share), f"{band.name} ≥ {format_decimal(band.min_field_share, '#,##0.##')} %")
        for band in bands
        if band.min_field_share is not None
    ]
    for row, (code, name, value) in enumerate(fields):
        weak = bool(minimums) and value < minimums[0]
        earlier = (previous or {}).get(code)
        text = share(value)
        title_text = f"{code}. {name}: {text}"
        if earlier is not None:
            title_text += " · " + _("last year %(share)s", share=share(earlier))
        chart.bars.append(
            Bar(
                label=shorten(f"{code}. {name}"),
                title=title_text,
                value_text=text,
                y=_row_y(chart, row),
                width=chart.length_of(value),
                colour=WEAK_COLOUR if weak else FIELD_COLOUR,
                marker_x=None if earlier is None else chart.x_of(earlier),
            )
        )
    if minimums:
        chart.legend = [
            (FIELD_COLOUR, _("Field")),
            (WEAK_COLOUR, _("Below %(share)s %% of its maximum", share=format_decimal(minimums[0], "#,##0.##"))),
        ]
    if previous:
        chart.legend.append(("#000000", _("Tick: last year")))
    return chart


def ranking_chart(
    key: str,
    ranked: Sequence[tuple[UnitResult, str]],
    bands: Sequence[Band],
    highlight: str | None = None,
    title: str | None = None,
) -> Chart:
    """The ranking as horizontal bars: one per unit (result, unit name), best first, its length the index,
    coloured by band; dashed lines where each band's minimum index lies. `highlight` is a unit code to mark."""
    chart = Chart(
        key=key,
        title=title or _("Ranking by PAR index"),
        description=_("One bar per unit, best first: its PAR index out of 100, coloured by its band."),
        bars=[],
    )
    chart.references = [
        Line(chart.x_of(band.min_index), f"{band.name} ≥ {format_decimal(band.min_index, '#,##0.##')}")
        for band in bands
        if band.min_index > 0
    ]
    for row, (result, name) in enumerate(ranked):
        text = f"{number(result.index)} · {result.band}"
        chart.bars.append(
            Bar(
                label=shorten(f"{result.rank}. {name}"),
                title=f"{result.rank}. {name}: {text}",
                value_text=text,
                y=_row_y(chart, row),
                width=chart.length_of(result.index),
                colour=band_colour(result.band, bands),
                highlighted=result.unit == highlight,
            )
        )
    chart.legend = [(band_colour(band.name, bands), band.name) for band in bands]
    return chart
