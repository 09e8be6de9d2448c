"""The brief's figures as inline SVG text (presentation only; needs matplotlib).

The existing plot helpers write files; :func:`svg_figures` runs them into a scratch
folder and reads the SVGs back, so the brief and ``optimize --plot`` draw the same
pictures. Fonts are drawn as paths and the ids are salted with a fixed string, so
the SVG needs nothing from outside the file and the same results give the same bytes.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from goldenbridge.analysis.evaluate import Evaluation

__all__ = ["outcome_bars", "require_matplotlib", "svg_figures", "svg_text"]


def require_matplotlib() -> None:
    """Fail up front, naming the install command, when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError("the brief needs matplotlib: pip install 'goldenbridge[plots]'") from None


@contextmanager
def _svg_settings() -> Iterator[Any]:
    import matplotlib

    matplotlib.use("Agg")
    settings: dict[Any, Any] = {"svg.fonttype": "path", "svg.hashsalt": "goldenbridge-brief"}
    with matplotlib.rc_context(settings):
        import matplotlib.pyplot as plt

        yield plt


def svg_text(svg: str) -> str:
    """An SVG file's text ready to inline in HTML: no XML prolog, no doctype,
    no comments (its own size kept; the style sheet caps it at the page width)."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    return re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S).strip()


def outcome_bars(evaluation: Evaluation) -> str:
    """Each package's P(deal), P(deterred), P(war) as stacked bars, with 95% error bars
    (1.96 Monte Carlo standard errors) on P(deal) and P(war)."""
    with _svg_settings() as plt:
        offers = list(evaluation.offers)
        fig, ax = plt.subplots(figsize=(8, 0.55 * len(offers) + 1.5))
        for y, o in enumerate(offers):
            deal, war = o.p_deal, o.p_war
            deterred = max(0.0, 1.0 - deal - war)
            ax.barh(y, deal, color="#228833", height=0.6, label="P(deal)" if y == 0 else None)
            ax.barh(
                y,
                deterred,
                left=deal,
                color="#bbbbbb",
                height=0.6,
                label="P(deterred)" if y == 0 else None,
            )
            ax.barh(
                y,
                war,
                left=deal + deterred,
                color="#ee6677",
                height=0.6,
                label="P(war)" if y == 0 else None,
            )
            ax.errorbar(deal, y, xerr=1.96 * o.p_deal_se, color="black", capsize=3, lw=1)
            ax.errorbar(1 - war, y, xerr=1.96 * o.p_war_se, color="black", capsize=3, lw=1)
        ax.set_yticks(range(len(offers)), [o.name for o in offers])
        ax.invert_yaxis()
        ax.set(xlim=(0, 1), xlabel="probability (error bars: 95% Monte Carlo interval)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, fontsize="small")
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    return svg_text(buffer.getvalue())


def svg_figures(population: Any, optimum: Any, sensitivity: Any) -> dict[str, str]:
    """The optimize plots (concession path, frontier, ranges) and the sensitivity tornado
    and index bars, by name, as inline SVG."""
    from goldenbridge.report.plots import optimize_plots

    figures: dict[str, str] = {}
    with _svg_settings(), tempfile.TemporaryDirectory(prefix="goldenbridge-brief-") as scratch:
        folder = Path(scratch)
        written: list[Path] = []
        if optimum is not None:
            written += optimize_plots(population, optimum, folder)
        if sensitivity is not None:
            from goldenbridge.report.plots_sensitivity import indices, tornado

            if sensitivity.rows:
                written.append(tornado(sensitivity, folder / "tornado.svg"))
            if sensitivity.attribution is not None or sensitivity.screening:
                written.append(indices(sensitivity, folder / "indices.svg"))
        for path in written:
            if path.suffix == ".svg":
                figures[path.stem] = svg_text(path.read_text(encoding="utf-8"))
    return figures
