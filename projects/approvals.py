"""What a finance bureau's approval (批复) says: 批复文号, 批复日期 and 批复金额, read from the review page and
found again for the printed form."""

import datetime
from decimal import Decimal, InvalidOperation

from projects.models import ReviewAction, ReviewRecord
from projects.models.common import money_fits, money_limit_message
from projects.workflow import WorkflowError
from projects.workflow.kinds import kind_of

NUMBER_LENGTH = ReviewRecord._meta.get_field("approval_number").max_length


def approval_from(data):
    """批复文号, 批复日期 and 批复金额 as the review page posts them (each may be left empty), as the
    ``approval`` of project_approve; WorkflowError naming the field that cannot be read."""
    number = (data.get("approval_number") or "").strip()
    if len(number) > NUMBER_LENGTH:
        raise WorkflowError(f"批复文号最多 {NUMBER_LENGTH} 个字。")
    date_text = (data.get("approval_date") or "").strip()
    try:
        date = datetime.date.fromisoformat(date_text) if date_text else None
    except ValueError as error:
        raise WorkflowError(f"批复日期“{date_text}”不是有效的日期，请写成 2024-03-15 的形式。") from error
    amount_text = (data.get("approved_amount") or "").strip().replace(",", "")
    try:
        amount = Decimal(amount_text) if amount_text else None
    except InvalidOperation as error:
        raise WorkflowError(f"批复金额“{amount_text}”不是数字（以万元计，例如 66 或 12.5）。") from error
    if amount is not None and (amount < 0 or not money_fits(amount)):
        raise WorkflowError(money_limit_message("批复金额", amount_text) if amount >= 0 else "批复金额不能为负数。")
    return {"approval_number": number, "approval_date": date, "approved_amount": amount}


def approval_of(document):
    """The record of the approval in force of an approved table or department target (its last 批复), or None."""
    records = ReviewRecord.objects.filter(**{kind_of(document).record_field: document}, action=ReviewAction.APPROVE)
    return records.order_by("-at", "-id").first()
