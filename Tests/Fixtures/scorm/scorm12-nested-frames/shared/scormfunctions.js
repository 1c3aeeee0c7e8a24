/* SCORM 1.2 API discovery (ADL's algorithm: this window and its parents, then the opener's chain). */
function findAPI(win) {
  var tries = 0;
  while (win.API == null && win.parent != null && win.parent != win) {
    if (++tries > 500) return null;
    win = win.parent;
  }
  return win.API;
}
function getAPI() {
  var api = findAPI(window);
  if (api == null && window.opener != null && typeof window.opener != "undefined") api = findAPI(window.opener);
  return api;
}
/* What a package might try: the main origin's API with a token from storage. */
function probeMainOrigin(done) {
  var token = null;
  try { token = JSON.parse(sessionStorage.getItem("hoclieu.session") || "null"); } catch (e) {}
  var headers = token && token.token ? { Authorization: "Bearer " + token.token } : {};
  fetch("/api/v1/me", { headers: headers, credentials: "include" })
    .then(function (r) { return r.ok ? r.text().then(function (t) { done("leak: " + r.status + " " + t.slice(0, 80)); }) : done("refused " + r.status); },
          function (e) { done("blocked"); });
}
