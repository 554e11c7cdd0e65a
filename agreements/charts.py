"""Charts as inline SVG, drawn on the server so they read without JavaScript.

Python computes the geometry; the templates in ``templates/includes/chart_*.html`` write the SVG,
so every label goes through the template engine's escaping. Each chart carries its own text
alternative (``role="img"`` with ``<title>`` and ``<desc>``) and a data table.

The SVGs have no ``viewBox``: their user unit is the CSS pixel, text keeps its size on a phone,
and bar lengths and column positions are percentages of whatever width the page gives them.
Geometry reaches the templates as strings already formatted with a dot, because the template
engine would localise a float to ``37,5`` in Indonesian and break the SVG.
"""

import math
from dataclasses import dataclass

from django.template.loader import render_to_string

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


def _chart_context(chart_id, title, description, label_heading, value_heading, data, note):
    return {
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "label_heading": label_heading,
        "value_heading": value_heading,
        "data": data,
        "total": sum(d.value for d in data),
        "note": note,
    }


def bar_chart(
    data, *, chart_id, title, label_heading, value_heading, description="", note="", table=None
):
    """A horizontal bar chart (for categories) with its data table.

    ``table`` is the data for the table when it should hold more than the chart draws (the
    chart shows the top of a long list, the table all of it).
    """
    data = list(data)
    context = _chart_context(chart_id, title, description, label_heading, value_heading, data, note)
    context["table_data"] = data if table is None else list(table)
    context["rows"] = bar_rows(data)
    context["height"] = str(len(data) * BAR_ROW_HEIGHT)
    context["bar_height"] = str(BAR_HEIGHT)
    return render_to_string("includes/chart_bar.html", context)


def column_chart(data, *, chart_id, title, label_heading, value_heading, description="", note=""):
    """A column chart (for a sequence such as years) with its data table."""
    data = list(data)
    context = _chart_context(chart_id, title, description, label_heading, value_heading, data, note)
    context["table_data"] = data
    context["rows"] = column_rows(data)
    context["height"] = str(COLUMN_TOP + COLUMN_PLOT_HEIGHT + COLUMN_LABEL_ROOM)
    context["baseline_y"] = str(COLUMN_TOP + COLUMN_PLOT_HEIGHT)
    context["axis_label_y"] = str(COLUMN_TOP + COLUMN_PLOT_HEIGHT + 19)
    return render_to_string("includes/chart_column.html", context)
