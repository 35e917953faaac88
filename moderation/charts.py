"""Bar charts drawn on the server as SVG: no script, readable without CSS, accessible.

Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`; the
page shows the same numbers in a table next to it, so nothing is only in the picture.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 560
BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 150
VALUE_WIDTH = 110
TOP = 8
# Text #1a1a1a and bars #0b5394 / reference line #a30000 on white: every contrast is >= 4.5:1.
TEXT_COLOUR = "#1a1a1a"
BAR_COLOUR = "#0b5394"
REFERENCE_COLOUR = "#a30000"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    value_label: str


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: list[Bar],
    scale_max: float,
    reference: tuple[float, str] | None = None,
) -> SafeString:
    """Horizontal bars, one per row; `reference` draws a labelled vertical line (e.g. a limit)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    scale = plot / scale_max if scale_max > 0 else 0.0
    height = TOP + len(bars) * (BAR_HEIGHT + GAP) + (24 if reference else 0)
    rows = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" dominant-baseline="middle">{}</text></g>',
        (
            (
                LABEL_WIDTH - 8,
                TOP + i * (BAR_HEIGHT + GAP) + BAR_HEIGHT / 2,
                bar.label,
                LABEL_WIDTH,
                TOP + i * (BAR_HEIGHT + GAP),
                f"{min(bar.value, scale_max) * scale:.1f}",
                BAR_HEIGHT,
                BAR_COLOUR,
                LABEL_WIDTH + min(bar.value, scale_max) * scale + 6,
                TOP + i * (BAR_HEIGHT + GAP) + BAR_HEIGHT / 2,
                bar.value_label,
            )
            for i, bar in enumerate(bars)
        ),
    )
    line = SafeString("")
    if reference is not None:
        value, label = reference
        x = LABEL_WIDTH + min(value, scale_max) * scale
        bottom = TOP + len(bars) * (BAR_HEIGHT + GAP)
        line = format_html(
            '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{colour}" '
            'stroke-width="2" stroke-dasharray="4 3"></line>'
            '<text x="{x}" y="{label_y}" text-anchor="end" fill="{colour}">{label}</text>',
            x=f"{x:.1f}",
            top=TOP,
            bottom=bottom,
            colour=REFERENCE_COLOUR,
            label_y=bottom + 16,
            label=label,
        )
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
        'xmlns="http://www.w3.org/2000/svg" font-size="14" fill="{text_colour}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{rows}{line}</svg>",
        id=chart_id,
        text_colour=TEXT_COLOUR,
        width=WIDTH,
        height=height,
        title=title,
        desc=description,
        rows=rows,
        line=line,
    )
