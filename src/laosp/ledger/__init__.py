"""The ledger: contributions due and paid, benefit payment cycles, reconciliation."""
