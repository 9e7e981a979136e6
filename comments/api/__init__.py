"""The HTTP API and reviewer page: `create_app(settings)` in `comments.api.main`."""
