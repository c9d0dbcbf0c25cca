"""Maintenance scripts for the rule data (run by hand; never imported at run time)."""
