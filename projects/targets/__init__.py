"""部门整体绩效目标 (whole-department targets): their quality checks, forms, pages and services."""
