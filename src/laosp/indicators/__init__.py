"""Coverage indicators (SDG 1.3.1, health coverage) and gap lists."""
