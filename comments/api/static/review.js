// Reviewer page: sign-in cookie, claim, audited reveal, keyboard decisions (r/a/e, j/k). No build step.
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
  // Reveal: the reason goes in a POST body (never a URL), the API audits it, the original is shown in place.
  var box = document.getElementById("text"), form = document.getElementById("reveal-form");
  var unmask = document.getElementById("mask"), masked = box.innerHTML;
  function show(text, reasons) {
    var chars = Array.from(text), cuts = [0, chars.length];  // API offsets count code points
    reasons.forEach(function (r) { cuts.push(Math.max(0, Math.min(chars.length, r.start)), Math.max(0, Math.min(chars.length, r.end))); });
    cuts = cuts.filter(function (c, i) { return cuts.indexOf(c) === i; }).sort(function (x, y) { return x - y; });
    box.textContent = "";
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1], piece = chars.slice(a, b).join(""), titles = [];
      reasons.forEach(function (r) {
        var t = r.rule_id + ": " + r.description;
        if (r.start <= a && b <= r.end && r.start < r.end && titles.indexOf(t) < 0) titles.push(t);
      });
      if (titles.length) {
        var mark = document.createElement("mark");
        mark.title = titles.join("; ");
        mark.textContent = piece;
        box.appendChild(mark);
      } else box.appendChild(document.createTextNode(piece));
    }
  }
  var revealing = false;
  form.hidden = false;  // shown by this script only: without it the form could not keep the reason out of URLs
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (revealing) return;  // one reveal, one audit entry
    revealing = true;
    post(base + "/reveal", {reason: document.getElementById("reason").value.trim()}).then(function (j) {
      revealing = false;
      if (String(j.revision) !== item.dataset.revision) {  // edited since this page loaded: show nothing stale
        message.textContent = "The comment was edited since this page loaded; reload it to see the new text.";
        return;
      }
      show(j.text, j.reasons);
      box.className = "revealed";
      form.hidden = true;
      unmask.hidden = false;
      document.activeElement.blur();
      message.textContent = "Revealed: the reveal and its reason are in the audit log.";
    }).catch(function (e) { revealing = false; message.textContent = "Reveal failed: " + e.message; });
  });
  function remask() {
    box.innerHTML = masked;
    box.className = "masked";
    form.hidden = false;
    unmask.hidden = true;
    document.getElementById("reason").value = "";
  }
  unmask.addEventListener("click", remask);
  window.addEventListener("pagehide", remask);  // back/forward never brings revealed text back unaudited
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
