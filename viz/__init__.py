"""Interactive HTML networks and reports."""
