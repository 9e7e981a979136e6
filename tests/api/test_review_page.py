"""The reviewer page in headless Chromium: sign in, claim, reveal with a reason (audited), decide by keyboard."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from comments.store import repo

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "reports" / "review"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture()
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _seed(base: str, url: str) -> str:
    token = repo.create_api_key(url, "reviewer", ["score", "review"])[1]
    items = [
        {"id": "a1", "text": "Kayla Dorsey is the girl in that video, trade me the rest"},
        {"id": "a2", "text": "let's find her, she is the one from that video"},
        {"id": "a3", "text": "anyone want to trade"},
    ]
    r = httpx.post(f"{base}/v1/score/batch", json={"items": items}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    return token


def test_when_a_reviewer_claims_reveals_and_decides_by_keyboard_then_the_decision_is_persisted(live_server, browser):
    base, url = live_server
    token = _seed(base, url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 800})

    page.goto(f"{base}/review")
    assert page.locator("#login").is_visible()
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_selector("#queue")
    assert page.locator("#queue tbody tr").count() == 3
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)

    first = page.locator("#queue tbody tr").first.get_attribute("data-id")
    page.click(f"#queue tbody tr[data-id='{first}'] a")
    page.wait_for_selector("#item")
    masked = page.inner_text("#text")
    assert "Kayla" not in masked and "[NAME]" in masked
    assert page.locator("#text mark").count() >= 1
    page.keyboard.press("c")
    page.wait_for_function("document.getElementById('status').textContent === 'claimed'")
    page.screenshot(path=str(SHOTS / "item_masked.png"), full_page=True)

    reveals = []
    page.on("request", lambda req: reveals.append(req.url) if req.url.endswith("/reveal") else None)
    page.click("#reveal")  # the form will not go without a reason
    page.wait_for_timeout(200)
    assert reveals == [] and "Kayla" not in page.inner_text("#text") and repo.audit_entries(url, first) == []
    page.fill("#reason", "check the name against the report")
    page.click("#reveal")
    page.wait_for_selector("#text.revealed")
    assert "Kayla Dorsey" in page.inner_text("#text") and page.locator("#text mark").count() >= 1
    assert "check the name" not in page.url  # the reason travels in a POST body, never in a URL
    entries = [(e.action, e.reason) for e in repo.audit_entries(url, first)]
    assert entries == [("reveal", "check the name against the report")]
    page.screenshot(path=str(SHOTS / "item_revealed.png"), full_page=True)
    page.click("#mask")
    assert "Kayla" not in page.inner_text("#text") and page.locator("#reveal-form").is_visible()

    # The comment is edited while the reviewer reads it: the decision is refused until the page is reloaded.
    edited = {"id": first, "text": "Kayla Dorsey, same girl as that video, trade me the folder"}
    httpx.post(f"{base}/v1/score", json=edited, headers={"Authorization": f"Bearer {token}"})
    page.keyboard.press("r")
    page.wait_for_function("document.getElementById('message').textContent.includes('edited after you read it')")
    assert repo.decisions_for(url, first) == []
    page.reload()
    page.keyboard.press("r")
    page.wait_for_url(lambda u: first not in u)
    assert [d.action for d in repo.decisions_for(url, first)] == ["remove"]
    second = page.get_attribute("#item", "data-id")

    page.keyboard.press("j")
    page.wait_for_url(lambda u: not u.endswith(second))
    page.keyboard.press("k")
    page.wait_for_url(lambda u: u.endswith(second))
    page.keyboard.press("a")
    page.wait_for_url(lambda u: second not in u)
    assert [d.action for d in repo.decisions_for(url, second)] == ["allow"]
    third = page.get_attribute("#item", "data-id")
    page.keyboard.press("e")
    page.wait_for_url(lambda u: u.endswith("/review"))
    assert [d.action for d in repo.decisions_for(url, third)] == ["escalate"]
    page.screenshot(path=str(SHOTS / "queue_after.png"), full_page=True)
    assert page.locator("#queue tbody tr").count() == 1  # the escalated item stays open


def test_when_the_reviewer_key_lacks_review_scope_then_the_page_asks_to_sign_in(live_server):
    base, url = live_server
    token = repo.create_api_key(url, "scorer", ["score"])[1]
    r = httpx.get(f"{base}/review", cookies={"comments_key": token})
    assert r.status_code == 401 and "lacks the `review` scope" in r.text


def test_when_a_comment_contains_markup_then_the_item_page_escapes_it(lite_client):
    h = {"Authorization": f"Bearer {lite_client.keys['all']}"}
    text = "<script>alert(1)</script> that video"
    assert lite_client.post("/v1/score", json={"id": "x1", "text": text}, headers=h).status_code == 200
    page = lite_client.get("/review/items/x1", headers=h)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text


def test_when_an_id_contains_a_slash_then_the_queue_link_opens_its_item_page(lite_client):
    h = {"Authorization": f"Bearer {lite_client.keys['all']}"}
    assert lite_client.post("/v1/score", json={"id": "post/7", "text": "that video"}, headers=h).json()["queued"]
    queue = lite_client.get("/review", headers=h).text
    assert 'href="/review/items/post%2F7"' in queue
    page = lite_client.get("/review/items/post%2F7", headers=h)
    assert page.status_code == 200 and 'data-id="post/7"' in page.text


def test_when_the_page_script_does_not_run_then_the_reveal_form_cannot_put_the_reason_in_a_url(lite_client):
    h = {"Authorization": f"Bearer {lite_client.keys['all']}"}
    assert lite_client.post("/v1/score", json={"id": "f1", "text": "that video"}, headers=h).json()["queued"]
    page = lite_client.get("/review/items/f1", headers=h).text
    form = page[page.index('<form id="reveal-form"') : page.index("</form>")]
    assert 'method="post"' in form and " hidden>" in form and "name=" not in form
    assert "/static/review.js?v=" in page  # a new script is never read from a stale cache
