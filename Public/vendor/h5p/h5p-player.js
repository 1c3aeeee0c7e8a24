/*
 * Hoclieu H5P player: runs the package's main library with its content (after h5p-runtime.js and
 * the libraries' scripts), shows every xAPI statement in the log and posts it to the embedding page
 * (the main origin only: explicit target origins, never "*"). Original work of the Hoclieu project.
 */
(function (window, document) {
  "use strict";
  var data = JSON.parse(document.getElementById("h5p-data").textContent);
  var body = document.body, log = document.getElementById("log");
  var statements = window.hoclieuXAPI = [], errors = window.hoclieuErrors = [];

  function fail(message) {
    body.dataset.h5pState = "failed";
    var box = document.getElementById("h5p-problem");
    box.hidden = false;
    box.querySelector(".detail").textContent = message;
  }

  // A library that throws while loading or running must not leave a blank frame.
  window.addEventListener("error", function (event) {
    errors.push(event.message + (event.filename ? " (" + event.filename + ":" + event.lineno + ")" : ""));
    if (body.dataset.h5pState !== "running") fail(event.message + (event.filename ? " (" + event.filename.split("/").slice(-2).join("/") + ")" : ""));
  });

  /** Posts a message to the embedding page, at each main-origin address this service answers on. */
  function post(message) {
    if (window.parent === window) return;
    (data.embedOrigins || []).forEach(function (origin) {
      try { window.parent.postMessage(message, origin); } catch (e) { /* a malformed origin: skip */ }
    });
  }

  function show(statement) {
    var li = document.createElement("li");
    var verb = statement.verb && statement.verb.id ? statement.verb.id.slice(statement.verb.id.lastIndexOf("/") + 1) : "?";
    var score = statement.result && statement.result.score;
    li.textContent = verb + (score ? " " + score.raw + "/" + score.max : "") +
      (statement.result && statement.result.success !== undefined ? (statement.result.success ? " ✓" : " ✗") : "");
    li.dataset.verb = verb;
    li.title = JSON.stringify(statement);
    log.appendChild(li);
  }

  function start() {
    var H5P = window.H5P;
    H5P.hoclieu.base = data.base;
    H5P.hoclieu.contents["cid-" + data.contentId] = { url: data.url, title: data.title };
    var params;
    try { params = JSON.parse(data.params); } catch (e) { return fail("content/content.json: " + e.message); }
    // What content types read from the host's settings: this content, no saved state, no user.
    window.H5PIntegration = window.H5PIntegration || {
      baseUrl: window.location.origin, url: data.base.replace(/\/$/, ""), postUserStatistics: false, saveFreq: false,
      reportingIsEnabled: false, l10n: { H5P: {} }, core: { scripts: [], styles: [] },
      contents: {}
    };
    window.H5PIntegration.contents["cid-" + data.contentId] = {
      library: data.library, jsonContent: data.params, fullScreen: false, url: data.url, title: data.title,
      metadata: data.metadata, displayOptions: { frame: false, export: false, embed: false, copyright: false, icon: false }
    };
    H5P.externalDispatcher.on("xAPI", function (event) {
      var statement = event.data.statement;
      statements.push(statement);
      show(statement);
      post({ hoclieuXAPI: statement });
    });
    var container = document.getElementById("h5p-container");
    var $container = H5P.jQuery('<div class="h5p-container"></div>').appendTo(container);
    var instance;
    try {
      instance = H5P.newRunnable({ library: data.library, params: params, metadata: data.metadata }, data.contentId, $container, true, { standalone: true });
    } catch (e) {
      return fail(e && e.message ? e.message : String(e));
    }
    if (!instance) return fail(data.library + ": " + data.notLoaded);
    H5P.instances.push(instance);
    container.classList.add("h5p-initialized");
    body.dataset.h5pState = "running";
    var resize = function () { H5P.trigger(instance, "resize"); };
    H5P.$window.on("resize", resize);
    resize();
    // Content that sizes itself from its images gets another resize when they arrive.
    window.addEventListener("load", resize);
    post({ hoclieuH5P: "started", library: data.library });
  }

  start();
})(window, document);
