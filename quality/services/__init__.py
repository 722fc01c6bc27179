"""Quality writes: leaderboard loading (`load`) and the quality index refresh (`index`)."""

from quality.services.index import quality_best_refresh, quality_index_refresh
from quality.services.load import (
    CATALOG_TASKS,
    UnknownQualitySource,
    default_path,
    leaderboard_sync,
    leaderboards_upsert,
)

__all__ = [
    "CATALOG_TASKS",
    "UnknownQualitySource",
    "default_path",
    "leaderboard_sync",
    "leaderboards_upsert",
    "quality_best_refresh",
    "quality_index_refresh",
]
