"""指标库: common, sector and department indicators to pick from, with what approved tables set for them.

models.py holds the entries and their precomputed usage (imported by indicators.models so Django
registers them); permissions.py says who sees and edits which library; search.py finds and ranks
entries for the editor's picker; usage.py recomputes the value figures from approved tables;
reference.py loads the common library shipped as reference data; excel.py reads and writes the
provincial systems' 共性/个性指标 layout.
"""
