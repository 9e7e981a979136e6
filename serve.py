"""The uvicorn entry point: `uvicorn serve:app` serves the default model with settings from the environment."""

from comments.api.main import create_app

app = create_app()
