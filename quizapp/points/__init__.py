"""Study points (学习积分): a ledger of entries earned by rules or corrected by organisers."""
