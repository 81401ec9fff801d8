"""An independent oracle for the participation reports (issue 15): a scenario played through
the app from a seed (:mod:`.scenario`), the figures computed from its ledger (:mod:`.expected`)
and every cell of the page, the .xlsx and the .csv compared (:mod:`.compare`). Nothing here
imports quizapp.participation or quizapp.campaigns.progress. The tests are
tests/test_participation_oracle*.py, one module per report."""
