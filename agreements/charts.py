"""Charts as inline SVG, drawn on the server so they read without JavaScript.

Python computes the geometry and writes the markup, every label and heading through
``escaped`` as the template engine would escape it (the dashboard draws five charts of up to
thirty rows, and the templates that drew them cost more than the rest of its lists). Each chart
carries its own text alternative (``role="img"`` with ``<title>`` and ``<desc>``) and a data
table.

The SVGs have no ``viewBox``: their user unit is the CSS pixel, text keeps its size on a phone,
and bar lengths and column positions are percentages of whatever width the page gives them.
Geometry is written with a dot (``_number``), never localised to ``37,5`` in Indonesian, which
would break the SVG; the numbers a reader reads are grouped the reader's way (``intcomma``).
"""

import math
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.widgets import escaped

# Horizontal bars: a label line, then the bar under it.
BAR_ROW_HEIGHT = 48
BAR_LABEL_BASELINE = 17
BAR_OFFSET = 25
BAR_HEIGHT = 16
# Labels longer than this are cut in the drawing (never in the table beside it).
BAR_LABEL_MAX_CHARS = 44
# A value above zero always gets a visible bar, however small against the largest.
MIN_BAR_PERCENT = 0.8

# Columns: room for the value on top, the plot, then the labels under it.
COLUMN_TOP = 22
COLUMN_PLOT_HEIGHT = 150
COLUMN_LABEL_ROOM = 28
COLUMN_WIDTH_SHARE = 0.7  # of each column's slot; the rest is the gap
COLUMN_MAX_VALUE_LABELS = 12  # more columns than this and the values only live in the table
COLUMN_MAX_AXIS_LABELS = 8  # at 390 px, more four-digit years than this would collide


@dataclass(frozen=True)
class Datum:
    """One bar or column: what it is, how many, and optionally where to read more."""

    label: str
    value: int
    url: str = ""


def _number(value):
    """A coordinate for an SVG attribute: dot as decimal separator, no needless digits."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _shorten(label, limit=BAR_LABEL_MAX_CHARS):
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _percent_of(value, largest):
    if largest <= 0 or value <= 0:
        return 0.0
    return max(100.0 * value / largest, MIN_BAR_PERCENT)


def bar_rows(data):
    """Geometry for a horizontal bar chart, one dict per datum, in the order given."""
    largest = max((d.value for d in data), default=0)
    rows = []
    for index, datum in enumerate(data):
        top = index * BAR_ROW_HEIGHT
        rows.append(
            {
                "datum": datum,
                "short_label": _shorten(datum.label),
                "label_y": str(top + BAR_LABEL_BASELINE),
                "bar_y": str(top + BAR_OFFSET),
                "width": _number(_percent_of(datum.value, largest)) + "%",
            }
        )
    return rows


def column_rows(data):
    """Geometry for a column chart, one dict per datum, left to right in the order given."""
    count = len(data)
    largest = max((d.value for d in data), default=0)
    slot = 100.0 / count if count else 0
    bottom = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    # Label every ``step``-th column, counted back from the last so the latest is always named.
    step = math.ceil(count / COLUMN_MAX_AXIS_LABELS) if count else 1
    rows = []
    for index, datum in enumerate(data):
        height = COLUMN_PLOT_HEIGHT * datum.value / largest if largest > 0 else 0.0
        if datum.value > 0:
            height = max(height, 1.0)
        rows.append(
            {
                "datum": datum,
                "x": _number(slot * index + slot * (1 - COLUMN_WIDTH_SHARE) / 2) + "%",
                "center": _number(slot * index + slot / 2) + "%",
                "width": _number(slot * COLUMN_WIDTH_SHARE) + "%",
                "y": _number(bottom - height),
                "height": _number(height),
                "value_y": _number(bottom - height - 6),
                "show_value": count <= COLUMN_MAX_VALUE_LABELS,
                "show_label": (count - 1 - index) % step == 0,
            }
        )
    return rows


def _frame(shape, *, chart_id, title, description, data, table, note, height, marks, axis=""):
    """A chart's frame: its accessible name and description, a group of ``marks`` per row and
    the ``axis`` in the drawing, then the table of its data (``table``: label heading, value
    heading, rows). No drawing when every value is zero; the table still holds the rows."""
    chart_id, title = escaped(chart_id), escaped(title)
    parts = [f'<div class="chart chart-{shape}" id="chart-{chart_id}">']
    if sum(d.value for d in data):
        said = "; ".join(f"{escaped(d.label)}: {intcomma(d.value)}" for d in data)
        groups = "".join(f'<g class="chart-row">{mark}</g>' for mark in marks)
        parts.append(
            f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" width="100%" '
            f'height="{height}" role="img" '
            f'aria-labelledby="chart-{chart_id}-title chart-{chart_id}-desc" focusable="false">'
            f'<title id="chart-{chart_id}-title">{title}</title>'
            f'<desc id="chart-{chart_id}-desc">'
            f"{escaped(description) + ' ' if description else ''}{said}.</desc>"
            f"{groups}{axis}</svg>"
        )
    else:
        parts.append(f'<p class="chart-empty">{escaped(_("Belum ada data untuk grafik ini."))}</p>')
    label_heading, value_heading, rows = table
    if rows:
        parts.append(_table(title, label_heading, value_heading, rows))
    if note:
        parts.append(f'<p class="chart-note">{escaped(note)}</p>')
    parts.append("</div>")
    return mark_safe("".join(parts))


def _table(title, label_heading, value_heading, data):
    """The data behind a chart, as a table: its text alternative. ``title`` is escaped."""
    rows = []
    for d in data:
        label = escaped(d.label)
        if d.url:
            label = f'<a href="{escaped(d.url)}">{label}</a>'
        rows.append(
            f'<tr><th scope="row">{label}</th><td class="num">{intcomma(d.value)}</td></tr>'
        )
    summary = escaped(_("Tabel data: %(title)s")) % {"title": title}
    return (
        f'<details class="chart-data"><summary>{summary}</summary>'
        f'<table class="chart-table"><caption>{title}</caption>'
        f'<thead><tr><th scope="col">{escaped(label_heading)}</th>'
        f'<th scope="col" class="num">{escaped(value_heading)}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def bar_chart(
    data, *, chart_id, title, label_heading, value_heading, description="", note="", table=None
):
    """A horizontal bar chart (for categories) with its data table.

    ``table`` is the data for the table when it should hold more than the chart draws (the
    chart shows the top of a long list, the table all of it).
    """
    data = list(data)
    marks = []
    for row in bar_rows(data):
        datum = row["datum"]
        value = intcomma(datum.value)
        marks.append(
            f'<text class="chart-label" x="0" y="{row["label_y"]}" fill="#1a1a1a">'
            f"{escaped(row['short_label'])}"
            f'<tspan class="chart-value" dx="8" font-weight="bold">{value}</tspan></text>'
            f'<rect class="chart-track" x="0" y="{row["bar_y"]}" width="100%" '
            f'height="{BAR_HEIGHT}" fill="#e6eef6"/>'
            f'<rect class="chart-fill" x="0" y="{row["bar_y"]}" width="{row["width"]}" '
            f'height="{BAR_HEIGHT}" fill="#0b4f8a">'
            f"<title>{escaped(datum.label)}: {value}</title></rect>"
        )
    return _frame(
        "bars",
        chart_id=chart_id,
        title=title,
        description=description,
        data=data,
        table=(label_heading, value_heading, data if table is None else list(table)),
        note=note,
        height=len(data) * BAR_ROW_HEIGHT,
        marks=marks,
    )


def column_chart(data, *, chart_id, title, label_heading, value_heading, description="", note=""):
    """A column chart (for a sequence such as years) with its data table."""
    data = list(data)
    baseline = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    axis_label_y = baseline + 19
    marks = []
    for row in column_rows(data):
        datum = row["datum"]
        value = intcomma(datum.value)
        mark = (
            f'<rect class="chart-fill" x="{row["x"]}" y="{row["y"]}" width="{row["width"]}" '
            f'height="{row["height"]}" fill="#0b4f8a">'
            f"<title>{escaped(datum.label)}: {value}</title></rect>"
        )
        if row["show_value"] and datum.value:
            mark += (
                f'<text class="chart-value" x="{row["center"]}" y="{row["value_y"]}" '
                f'text-anchor="middle" fill="#1a1a1a">{value}</text>'
            )
        if row["show_label"]:
            mark += (
                f'<text class="chart-axis-label" x="{row["center"]}" y="{axis_label_y}" '
                f'text-anchor="middle" fill="#4a4f55">{escaped(datum.label)}</text>'
            )
        marks.append(mark)
    return _frame(
        "columns",
        chart_id=chart_id,
        title=title,
        description=description,
        data=data,
        table=(label_heading, value_heading, data),
        note=note,
        height=baseline + COLUMN_LABEL_ROOM,
        marks=marks,
        axis=(
            f'<line class="chart-baseline" x1="0" x2="100%" y1="{baseline}" y2="{baseline}" '
            'stroke="#4a4f55" stroke-width="1"/>'
        ),
    )
