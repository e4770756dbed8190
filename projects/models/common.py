"""What every kind of document shares: money in 万元, the statuses of the review loop (perfgoals.statuses), and the
queryset that narrows rows to what a user may see (perfgoals.scope)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from perfgoals.scope import scope_of
from perfgoals.statuses import TableStatus  # noqa: F401  the models' vocabulary: projects.models.TableStatus

# Amounts are 万元 with up to 6 decimals and at most 15 digits in all (9 before the point): SQLite, the
# database of `make run`, keeps a decimal as a REAL, exact to 15 significant digits, so a 16th digit
# would be rounded there while PostgreSQL kept it. Every way in (editor, JSON and Excel import) refuses
# more with money_limit_message, so an amount reads back exactly as typed on either database.
MONEY = {"max_digits": 15, "decimal_places": 6}
MONEY_WHOLE_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]
MAX_MONEY = Decimal(10) ** MONEY_WHOLE_DIGITS - Decimal(1).scaleb(-MONEY["decimal_places"])


def money_limit_message(label, text=None):
    """Why an amount of ``label`` cannot be stored, in Chinese (``text``: the amount as given)."""
    given = f"，“{text}”超出" if text is not None else ""
    return f"{label}最多 {MONEY_WHOLE_DIGITS} 位整数、{MONEY['decimal_places']} 位小数（万元）{given}。"

def money_fits(number):
    """Whether a Decimal amount is stored exactly: at most 9 whole digits and 6 decimals (trailing
    zeros after the point do not count)."""
    if not number.is_finite():
        return False
    if number == 0:
        return True
    normalized = number.normalize()
    decimals = max(0, -normalized.as_tuple().exponent)
    return abs(number) <= MAX_MONEY and decimals <= MONEY["decimal_places"]

class ScopedQuerySet(models.QuerySet):
    """Rows a user may see, as perfgoals.scope.Scope decides. Subclasses declare ``scope_paths``: for
    each role, the lookup from their rows to the user's unit, department or region."""

    scope_paths = {}

    def visible_to(self, user):
        return scope_of(user).filter(self)

class VersionedQuerySet(ScopedQuerySet):
    """Rows of a document kind adjusted as versions (调整): its ``previous_version`` links them."""

    def in_force(self):
        """Each document once, as the version in force: totals, counts and charts read these rows.

        While an adjustment (调整) is under way, the approved version stays in force and the new version
        is left out; once the new version is approved, the one it replaced (已调整) is left out."""
        # "No previous version, or not one of the adjustments under way": the adjustments (new versions
        # of an approved one) are few and found once through the index on previous_version, and only a
        # row with a previous version looks itself up among them. The plain join
        # ``exclude(previous_version__status=...)`` led PostgreSQL to hash every table of every region and
        # year to find those few, so a region's figures cost as much as the whole province's.
        under_way = self.model.objects.filter(
            previous_version__isnull=False, previous_version__status=TableStatus.APPROVED
        ).values("pk")
        return self.exclude(status=TableStatus.SUPERSEDED).filter(
            Q(previous_version__isnull=True) | ~Q(pk__in=under_way)
        )


