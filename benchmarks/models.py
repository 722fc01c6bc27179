"""Benchmark tables: accelerators (specs), and measured runs (added by the benchmarks issue)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from config.db import TimeStampedModel


class Accelerator(TimeStampedModel):
    """A GPU / accelerator / CPU baseline with the specs the estimator needs.

    Specs are vendor figures for dense math (no sparsity). Floats, not Decimal: these
    are physical quantities feeding estimates, not money.
    """

    class Kind(models.TextChoices):
        DATACENTER = "datacenter", "Datacenter GPU"
        CONSUMER = "consumer", "Consumer GPU"
        WORKSTATION = "workstation", "Workstation GPU"
        APPLE = "apple", "Apple unified memory"
        ACCELERATOR = "accelerator", "Other accelerator"
        CPU = "cpu", "CPU only"

    slug = models.SlugField(max_length=60, unique=True)  # "h100-sxm", "rtx-4090"
    name = models.CharField(max_length=120)  # "NVIDIA H100 SXM 80GB"
    vendor = models.CharField(max_length=40)  # nvidia, amd, intel, apple, google
    kind = models.CharField(max_length=20, choices=Kind.choices)
    memory_gib = models.FloatField()
    bandwidth_gbps = models.FloatField()  # GB/s memory bandwidth
    bf16_tflops = models.FloatField(null=True, blank=True)  # dense bf16/fp16 tensor
    fp8_tflops = models.FloatField(null=True, blank=True)
    int8_tops = models.FloatField(null=True, blank=True)
    tdp_watts = models.IntegerField(null=True, blank=True)
    release_year = models.IntegerField(null=True, blank=True)
    # Names clouds and feeds use for it ("H100", "H100-80GB", "NVIDIA H100 80GB HBM3").
    aliases = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["vendor", "-memory_gib", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(memory_gib__gt=0) & Q(bandwidth_gbps__gt=0),
                name="accelerator_positive_specs",
            ),
        ]

    def __str__(self) -> str:
        return self.name
