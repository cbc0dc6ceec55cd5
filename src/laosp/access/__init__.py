"""Who acts and what they may do: users, sessions, the permission table, the audit trail
and the changes that wait for a second person."""
