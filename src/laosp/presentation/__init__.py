"""What the dashboard and the briefs show alike: Lao and English words, number and date
formats, chart scales."""
