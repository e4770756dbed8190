"""Who may do what to a table. Views ask these predicates; templates receive their answers as booleans.

Rows outside a user's scope never reach these functions: views find rows through ``visible_to(user)``,
so another unit's table is a 404 before any permission is asked.
"""

from perfgoals.roles import Role, role_of
from projects.models import TableStatus
from perfgoals.scope import scope_of

EDITABLE_STATUSES = frozenset({TableStatus.DRAFT, TableStatus.RETURNED})


def unit_of(user):
    """The unit a unit staff member fills tables for, or None for every other role."""
    scope = scope_of(user)
    return scope.unit if scope.role == Role.UNIT_STAFF else None


def region_of(user):
    """The region of the user's data range (their unit's, department's or own), or None."""
    return scope_of(user).region


def can_create_tables(user):
    """只有单位填报人可以为本单位新建或复制绩效目标表。"""
    return unit_of(user) is not None


def can_edit(user, table):
    """只有本单位在草稿或退回状态下可以修改。 Only the owning unit may edit, while draft or returned.
    Compares unit ids: asking costs no query for the unit itself."""
    return _own_unit_while_editable(user, table.unit_id, table.status)


def _own_unit_while_editable(user, unit_id, status):
    """The user is the staff of unit ``unit_id`` and the document is a draft or returned: who may fill in a
    table, a monitoring report or a self-evaluation."""
    scope = scope_of(user)
    return (
        scope.role == Role.UNIT_STAFF
        and scope.unit_id is not None
        and unit_id == scope.unit_id
        and status in EDITABLE_STATUSES
    )


def can_edit_department_target(user, target):
    """部门整体绩效目标由部门本级单位在草稿或退回状态下填报。"""
    unit = unit_of(user)
    return (
        unit is not None
        and unit.is_department_office
        and unit.department_id == target.department_id
        and target.status in EDITABLE_STATUSES
    )


def can_import(user):
    """单位填报人把 Excel 导入本单位。"""
    return unit_of(user) is not None


def can_view_overview(user):
    """总览和各清单：每个有角色的用户都能看，看到的只是自己范围内的表（单位只看本单位）。"""
    return role_of(user) is not None


def can_view_department_progress(user):
    """各部门报送进度是审核人的视角（主管部门、财政、管理员）：单位只有本单位的表，没有各部门可比。"""
    return role_of(user) in {Role.DEPARTMENT_REVIEWER, Role.FINANCE_OFFICER, Role.ADMINISTRATOR}


def compares_units(user):
    """主管部门审核人按所属单位比较（总览的资金图、进度）；财政和管理员按主管部门比较。"""
    return role_of(user) == Role.DEPARTMENT_REVIEWER


def sees_every_region(user):
    """只有管理员跨区划查看，清单才需要“行政区划”一列。"""
    return role_of(user) == Role.ADMINISTRATOR


# The step each reviewer role takes: the documents at it, within the reviewer's scope, wait for them.
_AWAITED_STATUS = {Role.DEPARTMENT_REVIEWER: TableStatus.DEPARTMENT_REVIEW, Role.FINANCE_OFFICER: TableStatus.FINANCE_REVIEW}


def awaited_status(user):
    """主管部门审核人等待“待主管部门审核”的表，财政审核人等待“待财政审核”的表；其他人没有待审的表（None）。"""
    return _AWAITED_STATUS.get(role_of(user))


def reviews_at_department(user):
    """主管部门审核人的决定是“通过（报财政审核）”；财政审核人的是“批复”。"""
    return role_of(user) == Role.DEPARTMENT_REVIEWER


def oversees_units(user):
    """审核人和管理员的首页显示各状态的表数，并列出范围内所有单位的表。"""
    return role_of(user) in {Role.DEPARTMENT_REVIEWER, Role.FINANCE_OFFICER, Role.ADMINISTRATOR}


def can_review(user):
    """主管部门审核人和财政审核人有自己的待审列表。"""
    return role_of(user) in {Role.DEPARTMENT_REVIEWER, Role.FINANCE_OFFICER}


def can_correct(user):
    """只有管理员可以更正已批复的表或目标（经审核流程记录理由、原值和新值）。"""
    return role_of(user) == Role.ADMINISTRATOR


def can_view_publication_register(user):
    """公开登记汇总是审核人的视角：主管部门看本部门，财政看本区划，管理员看全部。"""
    return role_of(user) in {Role.DEPARTMENT_REVIEWER, Role.FINANCE_OFFICER, Role.ADMINISTRATOR}


def can_remind_publication(user):
    """财政审核人设置公开截止日期并向未公开的部门催报。"""
    return role_of(user) == Role.FINANCE_OFFICER


def can_record_publication(user, document):
    """登记公开情况：表由本单位登记，部门整体目标由部门本级登记；主管部门审核人可代本部门登记。
    ``document`` is a row the user already sees (found through visible_to)."""
    role = role_of(user)
    return role in {Role.UNIT_STAFF, Role.DEPARTMENT_REVIEWER} and scope_of(user).covers(document)


def _finance_officer_of_a_region(user):
    """Rounds of monitoring and self-evaluation are opened by a finance officer for their own region."""
    scope = scope_of(user)
    return scope.role == Role.FINANCE_OFFICER and scope.region_id is not None


def can_open_monitoring_rounds(user):
    """财政审核人在本区划发起绩效运行监控批次。"""
    return _finance_officer_of_a_region(user)


def can_view_monitoring_rounds(user):
    """监控批次的总览是财政的视角（管理员也可查看）。"""
    return role_of(user) in {Role.FINANCE_OFFICER, Role.ADMINISTRATOR}


def can_edit_monitoring_report(user, report):
    """只有本单位在草稿或退回状态下可以填写监控表（report.table 已随报告读出）。"""
    return _own_unit_while_editable(user, report.table.unit_id, report.status)


def can_open_evaluation_rounds(user):
    """绩效自评轮次由财政局按区划开启。"""
    return _finance_officer_of_a_region(user)


def can_view_evaluation_rounds(user):
    """自评轮次的汇总（谁已提交、等级分布）是财政和管理员的视角。"""
    return role_of(user) in {Role.FINANCE_OFFICER, Role.ADMINISTRATOR}


def can_edit_evaluation(user, evaluation):
    """只有本单位在草稿或退回状态下可以填写自评。"""
    return _own_unit_while_editable(user, evaluation.project.unit_id, evaluation.status)


def can_rescore_evaluations(user):
    """财政审核人在抽查时改分。"""
    return role_of(user) == Role.FINANCE_OFFICER


def can_rescore_evaluation(user, evaluation):
    """财政抽查（待财政审核）时可以改某一指标的得分（须说明理由），单位的自评得分保留在旁。"""
    return can_rescore_evaluations(user) and evaluation.status == TableStatus.FINANCE_REVIEW


def can_start_recheck(user):
    """审核规则修改后，财政审核人可重新检查本区划（某年度、某部门）的表，管理员可重新检查任何区划。"""
    role = role_of(user)
    return role == Role.ADMINISTRATOR or (role == Role.FINANCE_OFFICER and scope_of(user).region_id is not None)


def recheck_region_id(user):
    """The region whose tables ``user`` may recheck, or None for every region (an administrator). Only
    asked after ``can_start_recheck``."""
    return None if role_of(user) == Role.ADMINISTRATOR else scope_of(user).region_id


def can_manage_people(user):
    """财政局的管理页（单位、部门、用户）：管理员管理全部区划，财政审核人管理本区划。"""
    role = role_of(user)
    return role == Role.ADMINISTRATOR or (role == Role.FINANCE_OFFICER and scope_of(user).region_id is not None)


def managed_region_id(user):
    """The region whose units, departments and users ``user`` manages, or None for every region (an
    administrator). Only asked after ``can_manage_people``."""
    return None if role_of(user) == Role.ADMINISTRATOR else scope_of(user).region_id


# The data range each role keeps (its UserScope): unit staff their unit, a department's reviewers their
# department, the finance bureau its region; an administrator none.
_SCOPE_FIELD_OF_ROLE = {Role.UNIT_STAFF: "unit", Role.DEPARTMENT_REVIEWER: "department", Role.FINANCE_OFFICER: "region"}


def scope_field_of(role):
    """"unit", "department" or "region": the data range a user of ``role`` must have; None for an administrator."""
    return _SCOPE_FIELD_OF_ROLE.get(role)


def role_value(user):
    """The user's role (a Role, with its label) as the management page lists and edits it, or ""."""
    return role_of(user) or ""


def accounts_managed_by(user, accounts):
    """管理员管理所有账户；财政审核人管理数据范围在本区划的账户，管理员账户除外。"""
    if role_of(user) == Role.ADMINISTRATOR:
        return accounts
    return accounts.filter(scope__region_id=scope_of(user).region_id, is_superuser=False).exclude(
        groups__name=Role.ADMINISTRATOR.label
    )


def assignable_roles(user):
    """管理员可以授予任何角色；财政审核人只能为本区划授予单位填报人、主管部门审核人和财政审核人。"""
    if role_of(user) == Role.ADMINISTRATOR:
        return list(Role)
    return [Role.UNIT_STAFF, Role.DEPARTMENT_REVIEWER, Role.FINANCE_OFFICER]


# The finance bureau's desk (issue 17).

UNIT_STAFF_GROUP = Role.UNIT_STAFF.label  # the group whose members hear of their unit's returns and 催报


def can_chase(user):
    """催报 goes out from the department progress page, to the late units in the reviewer's range."""
    return can_view_department_progress(user)


def units_in_range(user):
    """The units a reviewer's 催报 may reach: a department's units, a finance officer's region's, every
    unit for an administrator; none for anyone else."""
    from projects.models import Unit

    scope = scope_of(user)
    if scope.role == Role.ADMINISTRATOR:
        return Unit.objects.all()
    if scope.role == Role.DEPARTMENT_REVIEWER and scope.department_id:
        return Unit.objects.filter(department_id=scope.department_id)
    if scope.role == Role.FINANCE_OFFICER and scope.region_id:
        return Unit.objects.filter(region_id=scope.region_id)
    return Unit.objects.none()
