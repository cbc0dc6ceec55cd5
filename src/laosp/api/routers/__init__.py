"""One FastAPI router per domain; each is thin and calls the domain's services."""
