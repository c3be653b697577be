"""The two national returns (reporting.md §3): Family Progress Data, a reproducible sample
of each programme year's attached families described at attachment and 6 and 12 months
later, and the Cost Saving Calculator, reactive-service events before and after attachment
priced from a versioned unit-cost table. Rules are pure (``rules``), reads are in
``selectors``, writes in ``services``, CSV in ``exports``."""
