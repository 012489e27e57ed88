"""Competition rules: points, tie-breakers, two-legged ties, extra time and penalties."""
