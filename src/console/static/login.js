// The login form: posts JSON to /api/login (the session cookie comes back
// HttpOnly), then opens the overview. Messages are set with textContent.
"use strict";
document.getElementById("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const msg = document.getElementById("message");
  msg.textContent = "";
  const body = JSON.stringify({user: document.getElementById("user").value,
                               password: document.getElementById("password").value});
  const r = await fetch("/api/login", {method: "POST", credentials: "same-origin",
                                       headers: {"Content-Type": "application/json"}, body});
  if (r.ok) {
    location.assign("/");
    return;
  }
  let text = "Login failed";
  try { text = (await r.json()).error || text; } catch (e) { /* not JSON */ }
  msg.textContent = text;
});
