"""The synthetic corpus generator: families, slots, register styles, evasions and splits."""
