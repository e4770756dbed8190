"""公开 (publication): the package a department publishes for a year, and the register of what was published.

- package: which approved documents go into a department's package, and the package as PDF and xlsx;
- register: each document's entry (published where and when, or withheld and why) and the finance
  bureau's view of who has published;
- views: the pages.
"""
