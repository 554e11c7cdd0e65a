"""The SVG chart builder: what a reader sees in the drawing and in the table beside it."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from agreements.charts import (
    BAR_LABEL_MAX_CHARS,
    COLUMN_MAX_AXIS_LABELS,
    COLUMN_PLOT_HEIGHT,
    Datum,
    bar_chart,
    column_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _indonesian():
    with translation.override("id"):
        yield


def bars(**kwargs):
    kwargs.setdefault("chart_id", "test")
    kwargs.setdefault("title", "Menurut bidang")
    kwargs.setdefault("label_heading", "Bidang")
    kwargs.setdefault("value_heading", "Jumlah")
    return bar_chart(**kwargs)


def columns(**kwargs):
    kwargs.setdefault("chart_id", "test")
    kwargs.setdefault("title", "Menurut tahun")
    kwargs.setdefault("label_heading", "Tahun")
    kwargs.setdefault("value_heading", "Jumlah")
    return column_chart(**kwargs)


def parse(html):
    """The chart's markup as XML: it must be well-formed for the SVG inside to draw."""
    return ET.fromstring(html)


def svg_of(html):
    svg = parse(html).find(f"{SVG}svg")
    assert svg is not None, "no SVG drawn"
    return svg


def fill_widths(html):
    return [
        rect.get("width")
        for rect in svg_of(html).iter(f"{SVG}rect")
        if "chart-fill" in rect.get("class")
    ]


def fill_heights(html):
    return [
        float(rect.get("height"))
        for rect in svg_of(html).iter(f"{SVG}rect")
        if "chart-fill" in rect.get("class")
    ]


def test_bars_are_as_long_as_their_values_against_the_largest():
    html = bars(data=[Datum("Pendidikan", 10), Datum("Pariwisata", 5), Datum("Budaya", 0)])

    assert fill_widths(html) == ["100%", "50%", "0%"]


def test_bar_widths_are_written_with_a_dot_even_in_indonesian():
    html = bars(data=[Datum("A", 3), Datum("B", 1)])

    assert fill_widths(html) == ["100%", "33.33%"]


def test_a_tiny_value_still_gets_a_visible_bar():
    html = bars(data=[Datum("Besar", 10_000), Datum("Kecil", 1)])

    assert float(fill_widths(html)[1].rstrip("%")) > 0


def test_numbers_shown_to_the_reader_are_grouped_the_indonesian_way():
    html = bars(data=[Datum("Perdagangan", 1234)])

    assert "1.234" in "".join(svg_of(html).itertext())
    assert "1.234" in html.split("<table", 1)[1]


def test_numbers_are_grouped_the_english_way_in_english():
    with translation.override("en"):
        html = bars(data=[Datum("Trade", 1234)])

    assert "1,234" in html


def test_chart_is_an_image_named_by_its_title_and_description():
    html = bars(data=[Datum("Pendidikan", 4), Datum("Pariwisata", 2)], description="Catatan.")
    svg = svg_of(html)

    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Menurut bidang")
    assert desc.get("id") == desc_id
    assert desc.text == "Catatan. Pendidikan: 4; Pariwisata: 2."


def test_every_label_and_value_is_written_as_text_not_only_as_a_bar_length():
    html = bars(data=[Datum("Pendidikan", 4), Datum("Pariwisata", 2)])
    labels = ["".join(t.itertext()) for t in svg_of(html).iter(f"{SVG}text")]

    assert labels == ["Pendidikan4", "Pariwisata2"]


def test_data_table_has_a_caption_and_scoped_headers():
    html = bars(data=[Datum("Pendidikan", 4), Datum("Pariwisata", 2)])
    table = parse(html).find("details/table")

    assert table.find("caption").text == "Menurut bidang"
    assert [th.get("scope") for th in table.iter("th")] == ["col", "col", "row", "row"]
    rows = [[cell.text for cell in row] for row in table.find("tbody")]
    assert rows == [["Pendidikan", "4"], ["Pariwisata", "2"]]


def test_a_table_row_links_where_the_datum_has_a_url():
    html = bars(data=[Datum("Pendidikan", 4, url="/bidang/pendidikan/")])

    link = parse(html).find("details/table/tbody/tr/th/a")
    assert (link.get("href"), link.text) == ("/bidang/pendidikan/", "Pendidikan")


def test_labels_are_escaped_in_the_drawing_description_and_table():
    html = bars(data=[Datum("<script>alert(1)</script>", 3)])

    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 4  # the bar label, its tooltip, the desc, the table
    texts = ["".join(t.itertext()) for t in svg_of(html).iter(f"{SVG}text")]
    assert texts == ["<script>alert(1)</script>3"]


def test_no_data_draws_no_chart_and_says_so():
    html = bars(data=[])

    assert "<svg" not in html
    assert "Belum ada data untuk grafik ini." in html
    assert "<table" not in html


def test_only_zeros_draws_no_chart_but_keeps_the_table():
    html = bars(data=[Datum("Berlaku", 0), Datum("Berakhir", 0)])

    assert "<svg" not in html
    assert "Belum ada data untuk grafik ini." in html
    assert [cell.text for cell in parse(html).find("details/table/tbody/tr")] == ["Berlaku", "0"]


def test_long_labels_are_shortened_in_the_drawing_and_whole_in_the_table():
    label = "Pemberdayaan masyarakat desa dan pengembangan sumber daya manusia aparatur"
    html = bars(data=[Datum(label, 1)])

    drawn = svg_of(html).find(f"{SVG}g/{SVG}text").text
    assert len(drawn) == BAR_LABEL_MAX_CHARS
    assert drawn.endswith("…")
    assert label in html.split("<table", 1)[1]


def test_the_table_may_hold_more_rows_than_the_chart_draws():
    data = [Datum(f"Negara {n}", 20 - n) for n in range(15)]
    html = bars(data=data[:3], table=data, note="Grafik memuat 3 dari 15 negara.")

    assert len(fill_widths(html)) == 3
    assert len(parse(html).find("details/table/tbody")) == 15
    assert "Grafik memuat 3 dari 15 negara." in html


def test_the_drawing_scales_to_its_container_without_a_fixed_width():
    svg = svg_of(bars(data=[Datum("A", 1), Datum("B", 2)]))

    assert svg.get("width") == "100%"
    assert svg.get("viewBox") is None
    assert all(
        rect.get("width").endswith("%") and rect.get("x") in {"0", None}
        for rect in svg.iter(f"{SVG}rect")
    )


def test_no_script_and_no_external_resource_in_a_chart():
    html = bars(data=[Datum("A", 1)]) + columns(data=[Datum("2024", 1)])

    assert "<script" not in html
    assert not re.search(r"(?:href|src)=\"(?:https?:)?//", html)


# -- columns ------------------------------------------------------------------------------------


def test_columns_are_as_tall_as_their_values_against_the_largest():
    html = columns(data=[Datum("2022", 4), Datum("2023", 0), Datum("2024", 2)])

    assert fill_heights(html) == [COLUMN_PLOT_HEIGHT, 0, COLUMN_PLOT_HEIGHT / 2]


def test_columns_stand_on_one_baseline():
    html = columns(data=[Datum("2022", 4), Datum("2024", 2)])
    rects = [r for r in svg_of(html).iter(f"{SVG}rect") if "chart-fill" in r.get("class")]

    bottoms = {float(r.get("y")) + float(r.get("height")) for r in rects}
    assert len(bottoms) == 1


def test_years_are_labelled_as_written_not_as_grouped_numbers():
    html = columns(data=[Datum("2024", 1)])

    assert [t.text for t in svg_of(html).iter(f"{SVG}text")] == ["1", "2024"]


def test_many_years_label_only_some_columns_and_always_the_latest():
    data = [Datum(str(year), 1) for year in range(2001, 2026)]
    html = columns(data=data)
    axis = [t.text for t in svg_of(html).iter(f"{SVG}text") if t.get("class") == "chart-axis-label"]

    assert len(axis) <= COLUMN_MAX_AXIS_LABELS
    assert axis[-1] == "2025"
    # The values of so many columns would collide: they live in the table.
    assert len(parse(html).find("details/table/tbody")) == 25
    assert not any(t.get("class") == "chart-value" for t in svg_of(html).iter(f"{SVG}text"))


def test_an_empty_column_chart_says_there_is_no_data():
    html = columns(data=[])

    assert "<svg" not in html
    assert "Belum ada data untuk grafik ini." in html
