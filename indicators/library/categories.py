"""A project's category (项目类别) read from its name: the project table has no category field, so the
picker and the library checks infer it. Pure: no database."""

# Checked in this order: a 培训系统建设 project is 会议培训 before it is 信息化建设.
CATEGORY_WORDS = (
    ("training", ("培训", "会议", "研修", "讲座")),
    ("subsidy", ("补助", "补贴", "救助", "奖补", "资助", "慰问")),
    ("information", ("信息化", "系统", "平台", "软件", "网络", "数据")),
    ("infrastructure", ("建设", "工程", "改造", "维修", "道路", "修缮", "新建")),
    ("operation", ("运转", "运行", "办公", "保障", "物业", "日常")),
)


def infer_category(project_name):
    """The project category code read from the project's name, or "" when no word tells."""
    for category, words in CATEGORY_WORDS:
        if any(word in (project_name or "") for word in words):
            return category
    return ""
