"""Which package to offer: the risk-return optimum, the golden bridge, the frontier,
and the Nash and Kalai–Smorodinsky solutions (docs/design.md section 6).

``best`` puts the answer together from the exact one-issue search (``line_search``),
the many-issue search (``search``) and the cooperative solutions (``solutions``).

Names equal to a submodule's (``line_search``) are not re-exported: import them from
the submodule, so ``goldenbridge.analysis.optimize.line_search`` stays the module.
"""

from goldenbridge.analysis.optimize.best import (
    DEFAULT_TARGET_P,
    FrontierPoint,
    OptimizeResult,
    optimize,
)
from goldenbridge.analysis.optimize.line_search import LineSearch
from goldenbridge.analysis.optimize.solutions import (
    Solution,
    kalai_smorodinsky,
    nash,
    pareto_frontier,
)

__all__ = [
    "DEFAULT_TARGET_P",
    "FrontierPoint",
    "LineSearch",
    "OptimizeResult",
    "Solution",
    "kalai_smorodinsky",
    "nash",
    "optimize",
    "pareto_frontier",
]
