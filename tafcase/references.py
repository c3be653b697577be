"""A family's reference, the number people quote and search by ("FF-000123"). Kept below
every app so that the audit trail can show it as the family pages do."""

REFERENCE_PREFIX = "FF-"


def reference_for(family_id: int) -> str:
    return f"{REFERENCE_PREFIX}{family_id:06d}"


def id_from_reference(text: str) -> int | None:
    """FF-000123, ff000123 or 123 → 123; anything else → None."""
    text = text.strip().upper().replace(REFERENCE_PREFIX, "").replace("FF", "")
    return int(text) if text.isdigit() and len(text) <= 9 else None
