"""The app on the shipped bundle (models/default): loads in the lifespan, scores, masks, reports its version."""

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comments.store import repo
from tests.api.conftest import auth, make_settings

# COMMENTS_API_TEST_MODEL points the test at another bundle (e.g. a tiny one) while models/default is built.
MODEL = Path(os.environ.get("COMMENTS_API_TEST_MODEL", Path(__file__).resolve().parents[2] / "models" / "default"))
# A bundle is complete once the combiner is fitted (fusion.json); until then load_pipeline refuses it.
pytestmark = pytest.mark.skipif(
    not (MODEL / "manifest.json").exists() or not (MODEL / "fusion.json").exists(),
    reason="the model bundle is not complete yet (manifest.json and fusion.json)",
)


def test_when_the_shipped_model_is_served_then_scores_and_readiness_come_from_it(sqlite_url):
    from comments.api.main import create_app

    token = repo.create_api_key(sqlite_url, "s", ["score", "review"])[1]
    settings = make_settings(sqlite_url).model_copy(update={"load_model": True, "model_dir": MODEL})
    with TestClient(create_app(settings)) as c:
        ready = c.get("/readyz").json()
        assert ready["ready"] is True and ready["model_version"]
        items = [
            {"id": "s1", "text": "lovely photo, congrats on the new job!"},
            {"id": "s2", "text": "who has the rest of that set? dm me for links, trading"},
        ]
        results = c.post("/v1/score/batch", json={"items": items}, headers=auth(token)).json()["results"]
        assert [r["id"] for r in results] == ["s1", "s2"]
        assert all(r["model_version"] == ready["model_version"] for r in results)
        # The API's contract, not the model's accuracy (that is `comments evaluate`'s job).
        review = auth(token)
        for r in results:
            assert r["decision"] in {"allow", "review", "remove"} and set(r["scores"]) == set(r["decisions"])
            assert r["queued"] is (r["decision"] != "allow")
            got = c.get(f"/v1/items/{r['id']}", headers=review)
            assert got.status_code == (200 if r["queued"] else 404)
