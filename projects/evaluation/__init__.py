"""绩效自评 (DOMAIN §4.2): rounds, self-evaluations, their scoring by the rules and their checks."""
