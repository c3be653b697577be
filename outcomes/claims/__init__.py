"""Payment by Results: results tracked for every attached family, claim windows and runs,
validation, the audit sample, the declaration and submission (claims.md)."""
