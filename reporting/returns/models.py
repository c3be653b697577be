"""The national returns' stored data: the samples drawn for each return and programme
year, the Cost Saving Calculator's parameters, and the versioned unit-cost table.
Imported by reporting.models, which Django reads.

Only reporting.returns.services writes these rows. A sample never changes once drawn
(its seed and families are kept, so it can be drawn again and checked); a unit-cost
version never changes once made: an edit makes the next version.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reporting.returns import rules
from tafcase.accounts.models import LocalAuthority, User


class ReturnKind(models.TextChoices):
    FAMILY_PROGRESS = "fpd", "Family Progress Data"
    COST_SAVINGS = "csc", "Cost Saving Calculator"


class ReturnSample(models.Model):
    """The families one return describes for one programme year of one authority: a
    ``percent`` sample of the families attached in the year, drawn with ``seed``."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    kind = models.CharField(max_length=3, choices=ReturnKind.choices)
    year = models.PositiveSmallIntegerField(
        help_text="The programme year, by the calendar year of its 1 April."
    )
    percent = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    population = models.PositiveIntegerField(help_text="families attached in the year when drawn")
    family_ids = ArrayField(models.IntegerField(), default=list)
    drawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "kind", "year"], name="one_sample_per_return_and_year"
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100)
                & (
                    Q(kind="fpd", percent__gte=rules.FPD_MIN_PERCENT)
                    | Q(kind="csc", percent__gte=rules.CSC_MIN_PERCENT)
                ),
                name="sample_percent_at_least_the_return_minimum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sample for {self.year_label}"

    @property
    def year_label(self) -> str:
        return rules.programme_year_label(self.year)


class CostParameters(models.Model):
    """How the Cost Saving Calculator reads its cohort: the months compared either side of
    attachment, and the deadweight and attribution behind the adjusted figures."""

    sample = models.OneToOneField(
        ReturnSample, on_delete=models.CASCADE, related_name="cost_parameters"
    )
    months_before = models.PositiveSmallIntegerField(default=rules.DEFAULT_MONTHS)
    months_after = models.PositiveSmallIntegerField(default=rules.DEFAULT_MONTHS)
    deadweight_percent = models.PositiveSmallIntegerField(default=0)
    attribution_percent = models.PositiveSmallIntegerField(default=100)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(months_before__gte=1, months_before__lte=rules.MAX_MONTHS)
                & Q(months_after__gte=1, months_after__lte=rules.MAX_MONTHS),
                name="cost_periods_1_to_36_months",
            ),
            models.CheckConstraint(
                condition=Q(deadweight_percent__lte=100, attribution_percent__lte=100),
                name="cost_adjustments_are_percentages",
            ),
        ]


class UnitCostVersion(models.Model):
    """One version of an authority's unit-cost table. Editing a row makes the next
    version with every row copied and that one changed; old versions stay readable."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    number = models.PositiveIntegerField()
    change_summary = models.CharField(max_length=300)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["local_authority", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "number"], name="unit_cost_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"Unit costs version {self.number}"


class UnitCost(models.Model):
    class CostKind(models.TextChoices):
        FISCAL = "fiscal", "Fiscal: a cost to a public body's budget"
        ECONOMIC = "economic", "Economic: a cost to the wider economy"
        SOCIAL = "social", "Social: a cost to people's wellbeing"

    version = models.ForeignKey(UnitCostVersion, on_delete=models.CASCADE, related_name="costs")
    measure = models.CharField(
        "event counted",
        max_length=40,
        blank=True,
        choices=[(m.code, m.label) for m in rules.MEASURES],
        help_text="Blank: tafcase has no data to count this against.",
    )
    category = models.CharField(max_length=80)
    item = models.CharField(max_length=200)
    unit = models.CharField(max_length=80)
    value = models.DecimalField("value (£)", max_digits=12, decimal_places=2)
    price_year = models.CharField(max_length=7)
    kind = models.CharField(max_length=10, choices=CostKind.choices)
    bearing_agency = models.CharField("agency that bears the cost", max_length=120)
    cashable = models.BooleanField()
    source = models.TextField()

    class Meta:
        ordering = ["version", "category", "item", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="unit_cost_positive"),
        ]
