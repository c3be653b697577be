"""The RBA report cards of Appendix E: measures, scorecards, turn-the-curve charts, the
story behind each curve, and published snapshots."""
