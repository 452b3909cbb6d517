"""Test scans: the seed's forms rendered as printed pages and degraded like scans.

``python -m scangen samples OUT_DIR`` (run from ``tests/``) writes sample
scans with their canonical text, to look at; ``python -m scangen record``
re-records the engine output the tests replay (``recorded_ocr/``).
"""

from .layout import canonical_rows, canonical_text, form_layout
from .render import Page, ScanSpec, TruthBox, degrade, render_page
from .seed import FormSpec, parse_seed

__all__ = [
    "FormSpec",
    "Page",
    "ScanSpec",
    "TruthBox",
    "canonical_rows",
    "canonical_text",
    "degrade",
    "form_layout",
    "make_scan",
    "parse_seed",
    "render_page",
]


def make_scan(form: FormSpec, dpi: int = 200, spec: ScanSpec | None = None, ruled: bool = True) -> tuple[Page, bytes]:
    """Render one form and degrade it (``spec=None``: a clean PNG page)."""
    import io

    lines = {} if spec is None else {"line_pt": spec.line_pt, "rule_gaps": spec.rule_gaps, "seed": spec.seed}
    page = render_page(form_layout(form), dpi=dpi, ruled=ruled, **lines)
    if spec is None:
        buf = io.BytesIO()
        page.image.save(buf, format="PNG", dpi=(dpi, dpi))
        return page, buf.getvalue()
    return degrade(page, spec, stamp_text=form.budget_unit)
