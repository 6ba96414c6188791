"""Impact analysis: who and what a failure or a planned change hurts, and why.

Pure code: it reads an in-memory graph of configuration items and the
catalogue, and imports neither the web framework nor the database driver.
"""

from app.impact.compact import CompactGraph
from app.impact.evaluate import (
    AffectedCIs,
    downstream_closure,
    evaluate_dependencies,
    evaluate_impact,
    required_subgraph,
    summarise,
)
from app.impact.model import (
    RETIRED,
    AffectedCI,
    DependencyCI,
    DependencyResult,
    ImpactEdge,
    ImpactGraph,
    ImpactNode,
    ImpactResult,
    ImpactState,
    Mode,
    ReasonStep,
)

__all__ = [
    "RETIRED",
    "AffectedCI",
    "AffectedCIs",
    "CompactGraph",
    "DependencyCI",
    "DependencyResult",
    "ImpactEdge",
    "ImpactGraph",
    "ImpactNode",
    "ImpactResult",
    "ImpactState",
    "Mode",
    "ReasonStep",
    "downstream_closure",
    "evaluate_dependencies",
    "evaluate_impact",
    "required_subgraph",
    "summarise",
]
