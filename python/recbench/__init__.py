"""Python reader of recbench results files; plots in `recbench.plot` (needs matplotlib)."""

from .reader import read_cells, read_curves, read_info, read_metrics, read_ranks

__all__ = ["read_cells", "read_curves", "read_info", "read_metrics", "read_ranks"]
