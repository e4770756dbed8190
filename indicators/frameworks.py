"""The 一级/二级 indicator frameworks as one immutable snapshot, read once per request or import.

Forms, checks, the Excel reader and writer and the interchange all read the frameworks from here
instead of querying Framework, Level1 and Level2 each their own way. framework_snapshot() loads the
snapshot in one query at first use inside a request (or a framework_scope() block, for an import or
a command) and hands the same snapshot to every later caller of that request; outside any scope each
call loads afresh. An administrator's edit of a framework, 一级 or 二级 drops the snapshot of the
current scope, so the rest of that request reads the edit; other requests load their own.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

from indicators.checks.data import FrameworkData, Level2Spec
from indicators.models import Framework, Requirement

REQUIREMENT_NOTES = {Requirement.REQUIRED_HARD: "（必填硬性指标）", Requirement.REQUIRED: "（必填）"}


@dataclass(frozen=True)
class Level1Entry:
    """一级 of a framework."""

    pk: int
    name: str
    order: int
    framework_code: str


@dataclass(frozen=True)
class Level2Entry:
    """二级 of a framework, with its 一级 and 填报要求."""

    pk: int
    name: str
    order: int
    requirement: str
    level1: Level1Entry

    @property
    def framework_code(self):
        return self.level1.framework_code

    @property
    def is_mandatory(self):
        return self.requirement != Requirement.OPTIONAL

    @property
    def requirement_note(self):
        """What the printed forms add to a required 二级's name: （必填）, （必填硬性指标） or nothing."""
        return REQUIREMENT_NOTES.get(self.requirement, "")


@dataclass(frozen=True)
class FrameworkEntry:
    """One framework: its 一级 and 二级 in printed order (一级 order, then 二级 order)."""

    pk: int
    code: str
    name: str
    document: str = ""
    order: int = 0
    level1s: tuple = ()
    level2s: tuple = ()

    @cached_property
    def level2_by_names(self):
        """{(一级 name, 二级 name): Level2Entry}."""
        return {(level2.level1.name, level2.name): level2 for level2 in self.level2s}

    @cached_property
    def check_data(self):
        """The framework as the quality checks read it (indicators.checks.data.FrameworkData)."""
        return FrameworkData(
            code=self.code,
            name=self.name,
            level1_names=tuple(dict.fromkeys(level2.level1.name for level2 in self.level2s)),
            level2s=tuple(Level2Spec(level2.level1.name, level2.name, level2.requirement) for level2 in self.level2s),
        )


@dataclass(frozen=True)
class FrameworkSnapshot:
    """Every framework, oldest first (Framework's order, then code), with lookups by id, code and names."""

    frameworks: tuple = ()
    by_code: dict = field(default_factory=dict, repr=False, compare=False)
    by_pk: dict = field(default_factory=dict, repr=False, compare=False)
    level2_by_pk: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self.by_code.update((framework.code, framework) for framework in self.frameworks)
        self.by_pk.update((framework.pk, framework) for framework in self.frameworks)
        self.level2_by_pk.update((level2.pk, level2) for framework in self.frameworks for level2 in framework.level2s)

    def framework(self, code_or_pk):
        """The FrameworkEntry of a code ("2015") or id (an int), or None."""
        return (self.by_pk if isinstance(code_or_pk, int) else self.by_code).get(code_or_pk)

    def level2(self, framework_code, level1_name, level2_name):
        """The Level2Entry of (framework code, 一级 name, 二级 name), or None."""
        framework = self.by_code.get(framework_code)
        return framework.level2_by_names.get((level1_name, level2_name)) if framework else None

    @cached_property
    def level_names(self):
        """{二级 id: (一级 name, 二级 name)} of every framework."""
        return {pk: (level2.level1.name, level2.name) for pk, level2 in self.level2_by_pk.items()}

    @cached_property
    def check_data(self):
        """{framework code: FrameworkData} of every framework, for the quality checks."""
        return {framework.code: framework.check_data for framework in self.frameworks}

    @classmethod
    def load(cls):
        """Every framework with its 一级 and 二级, in one query (a framework without 二级 included)."""
        rows = Framework.objects.order_by(
            "order", "code", "level1s__order", "level1s__pk", "level1s__level2s__order", "level1s__level2s__pk"
        ).values_list(
            "pk",
            "code",
            "name",
            "document",
            "order",
            "level1s__pk",
            "level1s__name",
            "level1s__order",
            "level1s__level2s__pk",
            "level1s__level2s__name",
            "level1s__level2s__order",
            "level1s__level2s__requirement",
        )
        frameworks, level1s, level2s = {}, {}, {}
        for pk, code, name, document, order, l1_pk, l1_name, l1_order, l2_pk, l2_name, l2_order, requirement in rows:
            if pk not in frameworks:
                frameworks[pk] = (pk, code, name, document, order)
                level1s[pk], level2s[pk] = {}, []
            if l1_pk is None:
                continue
            level1 = level1s[pk].get(l1_pk)
            if level1 is None:
                level1 = level1s[pk][l1_pk] = Level1Entry(l1_pk, l1_name, l1_order, code)
            if l2_pk is not None:
                level2s[pk].append(Level2Entry(l2_pk, l2_name, l2_order, requirement, level1))
        return cls(
            tuple(
                FrameworkEntry(pk, code, name, document, order, tuple(level1s[pk].values()), tuple(level2s[pk]))
                for pk, code, name, document, order in frameworks.values()
            )
        )


class _Scope:
    snapshot = None


_current_scope = ContextVar("framework_snapshot_scope", default=None)


def framework_snapshot():
    """The frameworks of the current request or framework_scope(): loaded at the first call, then shared.
    Outside any scope, a snapshot loaded for this call alone."""
    scope = _current_scope.get()
    if scope is None:
        return FrameworkSnapshot.load()
    if scope.snapshot is None:
        scope.snapshot = FrameworkSnapshot.load()
    return scope.snapshot


@contextmanager
def framework_scope():
    """Within the block, every framework_snapshot() call shares one snapshot (an import, a command).
    Nested inside a request or another scope, the outer snapshot is kept."""
    if _current_scope.get() is not None:
        yield
        return
    token = _current_scope.set(_Scope())
    try:
        yield
    finally:
        _current_scope.reset(token)


def begin_request(**kwargs):
    """request_started: the request gets a scope of its own."""
    _current_scope.set(_Scope())


def end_request(**kwargs):
    """request_finished: nothing outlives the request."""
    _current_scope.set(None)


def forget_snapshot(**kwargs):
    """post_save / post_delete of a framework, 一级 or 二级: the current scope reads them again."""
    scope = _current_scope.get()
    if scope is not None:
        scope.snapshot = None
