"""Quality leaderboards: Leaderboard, LeaderboardSnapshot, Score, QualityIndex.

A leaderboard (one source's board for one task: "LMArena text", "Aider polyglot") gets
one snapshot per date of its data; scores hang off a snapshot and are never
overwritten, so a model's score over time and "as of date" queries come from the
snapshot dates. `QualityIndex` is the materialized per model x task index
(computed by the pure `quality.index` module) the catalog sorts and filters on.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from config.db import TimeStampedModel

_EMPTY_LIST = models.Value([], output_field=models.JSONField())


class Leaderboard(TimeStampedModel):
    slug = models.SlugField(max_length=80, unique=True)  # "lmarena-text", "aider-polyglot"
    name = models.CharField(max_length=160)
    source = models.CharField(max_length=40)  # feed slug: lmarena, livebench, aider, mteb, ...
    task = models.CharField(max_length=60)  # quality task: chat, code, embeddings, ...
    metric = models.CharField(max_length=80)  # headline metric: "arena_score", "pass_rate_2"
    unit = models.CharField(max_length=30, blank=True)  # "elo", "%", "x realtime"
    higher_is_better = models.BooleanField(default=True)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    attribution = models.TextField(blank=True)
    # False: raw files are never shipped; only the derived scores with attribution.
    redistributable = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["source", "slug"]
        indexes = [models.Index(fields=["source"], name="leaderboard_source")]

    def __str__(self) -> str:
        return self.name


class LeaderboardSnapshotQuerySet(models.QuerySet):
    def as_of(self, day) -> LeaderboardSnapshotQuerySet:
        return self.filter(data_date__lte=day)


class LeaderboardSnapshot(TimeStampedModel):
    """One leaderboard's data as of one date, loaded by one feed run."""

    leaderboard = models.ForeignKey(Leaderboard, on_delete=models.PROTECT, related_name="snapshots")
    data_date = models.DateField()
    run = models.ForeignKey(
        "catalog.FeedRun",
        on_delete=models.PROTECT,
        related_name="leaderboard_snapshots",
        null=True,
        blank=True,
    )
    fingerprint = models.CharField(max_length=64, blank=True)  # hash of the scores loaded
    row_count = models.IntegerField(default=0)
    # Source names that linked to no catalog model (curation list; retried on reload).
    unlinked = models.JSONField(default=list, blank=True)

    objects = LeaderboardSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["leaderboard", "-data_date"]
        constraints = [
            # natural key: a reload of the same data date adds nothing
            models.UniqueConstraint(
                fields=["leaderboard", "data_date"], name="leaderboardsnapshot_board_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leaderboard_id} @ {self.data_date}"


class ScoreQuerySet(models.QuerySet):
    def as_of(self, day) -> ScoreQuerySet:
        return self.filter(snapshot__data_date__lte=day)


class Score(TimeStampedModel):
    """One model's value for one metric (and category) in one snapshot.

    One row per model, metric and category of a snapshot (kept by the loader; no
    database constraint, so snapshots exported before it still load): when the board
    lists the model several times (settings such as "reasoning_effort=high", or dated names that
    link to the same model), the row holds the run that is best on the board's headline
    metric and `variants` keeps every other run's value (quality.feeds.variants).
    `setting` is a stable text key of `settings` ("" when none) of the kept run.
    """

    snapshot = models.ForeignKey(
        LeaderboardSnapshot, on_delete=models.PROTECT, related_name="scores"
    )
    model = models.ForeignKey("catalog.Model", on_delete=models.PROTECT, related_name="scores")
    source_name = models.CharField(max_length=300)  # the leaderboard's own name for the model
    metric = models.CharField(max_length=80)
    category = models.CharField(max_length=120, blank=True)  # "" = overall
    setting = models.CharField(max_length=200, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    value = models.FloatField()
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    samples = models.IntegerField(null=True, blank=True)  # votes / test cases where given
    total_cost_usd = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # The model's other runs on this board: [{"source_name", "setting", "value", "ci_low",
    # "ci_high", "samples"}], in the board's order.
    variants = models.JSONField(default=list, blank=True, db_default=_EMPTY_LIST)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "source_name", "metric", "category", "setting"],
                name="score_natural_key",
            ),
            models.CheckConstraint(
                condition=Q(ci_low__isnull=True) | Q(ci_low__lte=F("value")),
                name="score_ci_low_le_value",
            ),
            models.CheckConstraint(
                condition=Q(ci_high__isnull=True) | Q(ci_high__gte=F("value")),
                name="score_ci_high_ge_value",
            ),
            models.CheckConstraint(
                condition=Q(total_cost_usd__isnull=True) | Q(total_cost_usd__gte=0),
                name="score_cost_nonnegative",
            ),
        ]
        indexes = [
            # score_list_for_model(): a model's scores, newest snapshot first
            models.Index(fields=["model", "snapshot"], name="score_model_snapshot"),
            # leaderboard page: one snapshot's headline metric, best first
            models.Index(fields=["snapshot", "metric", "category", "-value"], name="score_board"),
        ]

    def __str__(self) -> str:
        return f"{self.source_name} {self.metric}={self.value}"


class QualityIndex(TimeStampedModel):
    """Materialized quality index for one model and one task (see quality.index).

    `value`: the model's position on the task's scale, 0..100 (0 = lowest measured model
    of the task, 100 = highest). `uncertainty`: half-width of its 95% interval in the
    same points (value ± uncertainty; NULL = no noise known). `adjustment`: how far the
    dominance order moved the fitted value. A model without a row has unknown quality
    for the task, never 0.
    """

    model = models.ForeignKey(
        "catalog.Model", on_delete=models.CASCADE, related_name="quality_indexes"
    )
    task = models.CharField(max_length=60)
    value = models.FloatField()
    uncertainty = models.FloatField(null=True, blank=True)
    adjustment = models.FloatField(default=0.0, db_default=0.0)
    sources = models.JSONField(default=list, blank=True)  # [{"board", "raw", "on_scale", ...}]
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "task"], name="qualityindex_model_task"),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=100), name="qualityindex_value_range"
            ),
            models.CheckConstraint(
                condition=Q(uncertainty__isnull=True) | Q(uncertainty__gte=0),
                name="qualityindex_uncertainty_nonnegative",
            ),
        ]
        indexes = [
            # catalog "sort by quality" / quality floor for a task
            models.Index(fields=["task", "-value"], name="qualityindex_task_value"),
        ]

    def __str__(self) -> str:
        unc = f" ± {self.uncertainty:.1f}" if self.uncertainty is not None else ""
        return f"{self.model_id} {self.task}={self.value:.1f}{unc}"
