"""The feedback and case-quality sample behind the report cards' "How well did we do it?"
(reporting.md §1, §2): families' questionnaires at a review and at closure (answered on a
hand-over page that shows nothing of the case), key workers' and panel members' quarterly
questionnaires, and a reproducible random sample of closed cases reviewed for quality.

models.py holds the rows, questions.py the fixed questions and their scales, rules.py the
pure sampling and period arithmetic, services.py the writes (each audited), selectors.py
the reads and the per-period figures the report cards call, access.py who may do what."""
