"""The three labels of the taxonomy (../shared/TAXONOMY.md), in their fixed column order."""

LABELS = ("victim_identification", "promotion", "safety_concern")
