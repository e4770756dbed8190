"""When the database fails in the middle of a write: every write is one transaction, so nothing of it
is kept; the user is told so in Chinese, with what they typed still on the page where there is one,
and the error is logged for the administrator instead of ending in a server error page."""

import logging

logger = logging.getLogger("perfgoals.faults")

NOTHING_SAVED = "数据库暂时无法写入，这次操作没有保存任何内容，请稍后再试。"


def database_failed(what):
    """Log the DatabaseError being handled (``what`` was being done) and return the message for the user."""
    logger.exception("Database error while %s; the transaction was rolled back.", what)
    return NOTHING_SAVED
