// Reviewer page: sign-in cookie, claim, and keyboard decisions (r/a/e, j/k). No build step.
(function () {
  "use strict";
  var login = document.getElementById("login");
  if (login) {
    login.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var token = document.getElementById("token").value.trim();
      document.cookie = "comments_key=" + encodeURIComponent(token) + "; path=/; SameSite=Strict";
      location.reload();
    });
  }
  var item = document.getElementById("item");
  if (!item) return;
  var id = item.dataset.id, message = document.getElementById("message"), busy = false;
  var base = "/v1/items/" + encodeURIComponent(id);
  // One idempotency key per page view and action: a double press or a retry records one decision.
  var keys = {};
  function idemKey(action) {
    keys[action] = keys[action] || (Date.now().toString(36) + "-" + Math.random().toString(36).slice(2));
    return keys[action];
  }
  function post(path, body, headers) {
    headers = Object.assign({"content-type": "application/json", "x-comments-csrf": "1"}, headers || {});
    return fetch(path, {method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(body || {})})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || r.status); return j; }); });
  }
  function go(target) { if (target) location.href = "/review/items/" + encodeURIComponent(target); else location.href = "/review"; }
  function claim() {
    return post(base + "/claim").then(function (j) {
      document.getElementById("status").textContent = j.status;
      message.textContent = "Claimed.";
    }).catch(function (e) { message.textContent = "Claim failed: " + e.message; });
  }
  function decide(action) {
    if (busy) return;
    busy = true;
    // If-Match: a comment edited since this page loaded is refused (412), not decided unread.
    var headers = {"idempotency-key": idemKey(action), "if-match": '"' + item.dataset.revision + '"'};
    post(base + "/decision", {action: action}, headers).then(function () {
      message.textContent = "Recorded: " + action + ".";
      item.dataset.decided = action;
      go(item.dataset.next);
    }).catch(function (e) { busy = false; message.textContent = "Decision failed: " + e.message; });
  }
  document.getElementById("claim").addEventListener("click", claim);
  document.querySelectorAll("button[data-action]").forEach(function (b) {
    b.addEventListener("click", function () { decide(b.dataset.action); });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || /INPUT|TEXTAREA/.test(ev.target.tagName)) return;
    var acts = {r: "remove", a: "allow", e: "escalate"};
    if (acts[ev.key]) decide(acts[ev.key]);
    else if (ev.key === "c") claim();
    else if (ev.key === "j") go(item.dataset.next);
    else if (ev.key === "k" && item.dataset.prev) go(item.dataset.prev);
  });
})();
