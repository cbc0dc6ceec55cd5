"""The REST API: app factory, authentication, access scoping, routers per domain."""
