"""Reporting (DESIGN.md §8): Results Based Accountability report cards with turn-the-curve
charts, the feedback and case-quality sample they need, and the national returns (Family
Progress Data, the Cost Saving Calculator). It reads the other apps through their
selectors and models; no app imports reporting."""
