"""绩效运行监控 (issue 15): rounds, reports, 双监控 warnings. ``services.latest_report(table)`` is what
the year-end self-evaluation reads."""
