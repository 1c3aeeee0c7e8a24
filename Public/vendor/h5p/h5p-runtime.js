/*
 * Hoclieu H5P run-time: the `H5P` global that H5P content types expect, written for Hoclieu from the
 * H5P specification (h5p.org/specification, h5p.org/library-development, the xAPI statements H5P
 * documents) and from what the content types call. Original work of the Hoclieu project; no code of
 * the H5P core (h5p-php-library) is used. See README.md in this folder.
 *
 * Needs jQuery (Public/vendor/jquery) loaded before it; H5P libraries load after it; the player
 * (h5p-player.js) then runs the main library.
 */
(function (window, document) {
  "use strict";

  var H5P = window.H5P = window.H5P || {};
  var $ = window.jQuery;

  // ---- jQuery, as libraries expect it -------------------------------------------------------------
  H5P.jQuery = $;
  // Libraries written for jQuery 1.x call `.load(handler)` for the load event (removed in jQuery 3,
  // where `.load` fetches HTML) and sometimes `.andSelf()` / `.size()`.
  var ajaxLoad = $.fn.load;
  $.fn.load = function (first) {
    if (typeof first === "function") return this.on("load", first);
    return ajaxLoad.apply(this, arguments);
  };
  if (!$.fn.andSelf) $.fn.andSelf = $.fn.addBack;
  if (!$.fn.size) $.fn.size = function () { return this.length; };

  H5P.$window = $(window);
  H5P.$body = $(document.body);
  $(function () { H5P.$body = $(document.body); });

  /** True when the content runs in a frame of its own (our player runs it in its own page). */
  H5P.isFramed = false;
  H5P.hasiOSiframeScrollFix = false;
  H5P.instances = [];
  H5P.opened = {};

  // ---- Events ------------------------------------------------------------------------------------
  /**
   * An event: a type, its data, and whether it bubbles to the instance's parent and goes to the
   * external dispatcher (the embedding page).
   */
  H5P.Event = function (type, data, extras) {
    var bubbles = !!(extras && extras.bubbles === true);
    var external = !!(extras && extras.external === true);
    this.type = type;
    this.data = data;
    this.preventBubbling = function () { bubbles = false; };
    this.getBubbles = function () { return bubbles; };
    this.setExternal = function (value) { external = !!value; };
    this.getExternal = function () { return external; };
    this.scheduleForExternal = function () { external = true; };
    this.getScheduledForExternal = function () { return external; };
  };

  /** Listeners by event type; `trigger` calls them in the order they were added. */
  H5P.EventDispatcher = function () {
    var self = this;
    var listeners = {};

    this.on = function (type, listener, thisArg) {
      if (typeof listener !== "function") throw new TypeError("listener must be a function");
      self.trigger("newListener", { type: type, listener: listener });
      (listeners[type] = listeners[type] || []).push({ listener: listener, thisArg: thisArg });
    };

    this.once = function (type, listener, thisArg) {
      if (typeof listener !== "function") throw new TypeError("listener must be a function");
      var wrapper = function (event) {
        self.off(type, wrapper);
        listener.call(this, event);
      };
      wrapper.listener = listener;
      self.on(type, wrapper, thisArg);
    };

    this.off = function (type, listener) {
      if (listener !== undefined && typeof listener !== "function") throw new TypeError("listener must be a function");
      if (!listeners[type]) return;
      if (listener === undefined) { delete listeners[type]; return; }
      listeners[type] = listeners[type].filter(function (entry) {
        return entry.listener !== listener && entry.listener.listener !== listener;
      });
      if (!listeners[type].length) delete listeners[type];
    };

    this.trigger = function (event, data, extras) {
      if (event === undefined) return;
      if (typeof event === "string") event = new H5P.Event(event, data, extras);
      else if (data !== undefined) event.data = data;
      // The first dispatcher an event reaches sends it to the external dispatcher, once, after it
      // has bubbled up through the parents.
      var origin = !event.hoclieuDispatched;
      event.hoclieuDispatched = true;
      var scheduled = (listeners[event.type] || []).concat(event.type === "newListener" ? [] : (listeners["*"] || []));
      for (var i = 0; i < scheduled.length; i++) scheduled[i].listener.call(scheduled[i].thisArg || self, event);
      if (event.getBubbles() && self.parent && typeof self.parent.trigger === "function") self.parent.trigger(event);
      if (origin && event.getExternal() && H5P.externalDispatcher && self !== H5P.externalDispatcher) {
        H5P.externalDispatcher.trigger(event);
      }
    };
  };

  /** Where every xAPI statement ends up: the player listens here (`H5P.externalDispatcher.on('xAPI', …)`). */
  H5P.externalDispatcher = new H5P.EventDispatcher();

  // ---- xAPI --------------------------------------------------------------------------------------
  /** An xAPI statement being built: `event.data.statement`. */
  H5P.XAPIEvent = function () {
    H5P.Event.call(this, "xAPI", { statement: {} }, { bubbles: true, external: true });
  };
  H5P.XAPIEvent.prototype = Object.create(H5P.Event.prototype);
  H5P.XAPIEvent.prototype.constructor = H5P.XAPIEvent;

  /** The ADL verbs H5P content reports with (http://adlnet.gov/expapi/verbs/…). */
  H5P.XAPIEvent.allowedXAPIVerbs = [
    "interacted", "answered", "attempted", "attended", "commented", "completed", "exited", "experienced", "failed",
    "imported", "initialized", "launched", "mastered", "passed", "preferred", "progressed", "registered", "responded",
    "resumed", "scored", "shared", "suspended", "terminated", "voided", "downloaded", "copied", "accessed-reuse",
    "accessed-embed", "accessed-copyright"
  ];

  H5P.XAPIEvent.prototype.setScoredResult = function (score, maxScore, instance, completion, success) {
    var result = this.data.statement.result = {};
    if (score !== undefined) {
      result.score = maxScore === undefined ? { raw: score } : {
        min: 0, max: maxScore, raw: score,
        scaled: maxScore > 0 ? Math.round(score / maxScore * 10000) / 10000 : 0
      };
    }
    if (completion !== undefined) result.completion = completion;
    if (success !== undefined) result.success = success;
    if (instance && instance.activityStartTime) {
      var seconds = Math.round((Date.now() - instance.activityStartTime) / 10) / 100;
      result.duration = "PT" + seconds + "S";
    }
  };

  H5P.XAPIEvent.prototype.setVerb = function (verb) {
    if (typeof verb === "string" && H5P.XAPIEvent.allowedXAPIVerbs.indexOf(verb) !== -1) {
      this.data.statement.verb = { id: "http://adlnet.gov/expapi/verbs/" + verb, display: { "en-US": verb } };
    } else if (verb && verb.id !== undefined) {
      this.data.statement.verb = verb;
    }
  };

  H5P.XAPIEvent.prototype.getVerb = function (full) {
    var verb = this.data.statement.verb;
    if (!verb) return null;
    if (full) return verb;
    return verb.id.slice(verb.id.lastIndexOf("/") + 1);
  };

  /** The statement's object: the content (or a part of it), with its title and H5P extensions. */
  H5P.XAPIEvent.prototype.setObject = function (instance) {
    if (!instance || instance.contentId === undefined) return;
    var object = this.data.statement.object = {
      id: H5P.getContentXAPIId(instance),
      objectType: "Activity",
      definition: { extensions: { "http://h5p.org/x-api/h5p-local-content-id": instance.contentId } }
    };
    if (instance.subContentId) {
      object.id += "?subContentId=" + instance.subContentId;
      object.definition.extensions["http://h5p.org/x-api/h5p-subContentId"] = instance.subContentId;
    }
    var title = typeof instance.getTitle === "function" ? instance.getTitle() : H5P.contentTitle(instance.contentId);
    if (title) object.definition.name = { "en-US": H5P.createTitle(title) };
  };

  /** The statement's context: the parent activity (for sub-content) and the library as category. */
  H5P.XAPIEvent.prototype.setContext = function (instance) {
    if (!instance) return;
    var context = this.data.statement.context = { contextActivities: {} };
    if (instance.parent && instance.parent.contentId !== undefined) {
      var parentId = H5P.getContentXAPIId(instance.parent);
      if (instance.parent.subContentId) parentId += "?subContentId=" + instance.parent.subContentId;
      context.contextActivities.parent = [{ id: parentId, objectType: "Activity" }];
    }
    if (instance.libraryInfo) {
      context.contextActivities.category = [{
        id: "http://h5p.org/libraries/" + instance.libraryInfo.versionedNameNoSpaces, objectType: "Activity"
      }];
    }
  };

  /** The actor: anonymous for the player (the embedding LMS knows its learner). */
  H5P.XAPIEvent.prototype.setActor = function () {
    this.data.statement.actor = H5P.actor();
  };

  H5P.XAPIEvent.prototype.getMaxScore = function () {
    return this.getVerifiedStatementValue(["result", "score", "max"]);
  };

  H5P.XAPIEvent.prototype.getScore = function () {
    return this.getVerifiedStatementValue(["result", "score", "raw"]);
  };

  H5P.XAPIEvent.prototype.getContentXAPIId = function (instance) {
    return H5P.getContentXAPIId(instance);
  };

  /** Whether the statement comes from a part of the content rather than the whole. */
  H5P.XAPIEvent.prototype.isFromChild = function () {
    var parent = this.getVerifiedStatementValue(["context", "contextActivities", "parent", 0, "id"]);
    return !parent || parent.indexOf("subContentId") === -1 ? !!parent : true;
  };

  H5P.XAPIEvent.prototype.getVerifiedStatementValue = function (keys) {
    var value = this.data.statement;
    for (var i = 0; i < keys.length; i++) {
      if (value === undefined || value === null || value[keys[i]] === undefined) return null;
      value = value[keys[i]];
    }
    return value;
  };

  /** Statements a content instance sends: on every dispatcher, hence on every content instance. */
  H5P.EventDispatcher.prototype.createXAPIEventTemplate = function (verb, extra) {
    var event = new H5P.XAPIEvent();
    event.setActor();
    event.setVerb(verb);
    if (extra !== undefined) for (var key in extra) event.data.statement[key] = extra[key];
    if (!("object" in event.data.statement)) event.setObject(this);
    if (!("context" in event.data.statement)) event.setContext(this);
    return event;
  };

  H5P.EventDispatcher.prototype.triggerXAPI = function (verb, extra) {
    this.trigger(this.createXAPIEventTemplate(verb, extra));
  };

  H5P.EventDispatcher.prototype.triggerXAPIScored = function (score, maxScore, verb, completion, success) {
    var event = this.createXAPIEventTemplate(verb);
    event.setScoredResult(score, maxScore, this, completion, success);
    this.trigger(event);
  };

  H5P.EventDispatcher.prototype.triggerXAPICompleted = function (score, maxScore, success) {
    this.triggerXAPIScored(score, maxScore, "completed", true, success);
  };

  H5P.EventDispatcher.prototype.setActivityStarted = function () {
    if (this.activityStartTime === undefined) {
      if (this.contentId !== undefined && H5P.opened[this.contentId] === undefined) H5P.opened[this.contentId] = Date.now();
      this.activityStartTime = Date.now();
    }
  };

  // ---- Content types -----------------------------------------------------------------------------
  /** The base every library instance gets (`H5P.ContentType(isRoot)`), an event dispatcher. */
  H5P.ContentType = function (isRootLibrary) {
    function ContentType() {}
    ContentType.prototype = new H5P.EventDispatcher();
    // The root is the instance the player made: no parent, not a part of other content.
    ContentType.prototype.isRoot = function () { return this.parent === undefined && !this.subContentId; };
    ContentType.prototype.getLibraryFilePath = function (filePath) {
      return H5P.getLibraryPath(this.libraryInfo.versionedNameNoSpaces) + "/" + filePath;
    };
    return ContentType;
  };

  /** `"H5P.MultiChoice 1.14"` → `{machineName, majorVersion, minorVersion}`; false when malformed. */
  H5P.libraryFromString = function (library) {
    var match = /^([\w0-9\-.]{1,255}) ([0-9]{1,5})\.([0-9]{1,5})$/i.exec(library || "");
    if (!match) return false;
    return { machineName: match[1], majorVersion: parseInt(match[2], 10), minorVersion: parseInt(match[3], 10) };
  };

  /** The constructor a library's machine name names (`H5P.MultiChoice` → `window.H5P.MultiChoice`). */
  H5P.classFromName = function (machineName) {
    var value = window;
    var parts = machineName.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (value === undefined || value === null) return undefined;
      value = value[parts[i]];
    }
    return value;
  };

  /**
   * Makes an instance of a library from `{library: "Name X.Y", params, subContentId, metadata}` and
   * attaches it to `$attachTo` when given. Answers undefined when the library is not loaded.
   */
  H5P.newRunnable = function (library, contentId, $attachTo, skipResize, extras) {
    if (!library || typeof library.library !== "string") return undefined;
    var info = H5P.libraryFromString(library.library);
    if (!info) return undefined;
    var Constructor = H5P.classFromName(info.machineName);
    if (typeof Constructor !== "function") return undefined;
    extras = extras || {};
    if (library.subContentId) extras.subContentId = library.subContentId;
    if (library.metadata) extras.metadata = library.metadata;
    if (library.userDatas && library.userDatas.state) extras.previousState = library.userDatas.state;
    // Every library extends ContentType; what the library defines itself wins.
    if (!Constructor.hoclieuContentType) {
      var base = H5P.ContentType().prototype;
      for (var key in base) if (!(key in Constructor.prototype) || Constructor.prototype[key] === Object.prototype[key]) Constructor.prototype[key] = base[key];
      Constructor.hoclieuContentType = true;
    }
    var instance = new Constructor(library.params, contentId, extras);
    if (instance.$ === undefined) instance.$ = $(instance);
    if (instance.contentId === undefined) instance.contentId = contentId;
    if (instance.subContentId === undefined && library.subContentId) instance.subContentId = library.subContentId;
    if (instance.parent === undefined && extras.parent) instance.parent = extras.parent;
    if (instance.libraryInfo === undefined) {
      instance.libraryInfo = {
        versionedName: library.library,
        versionedNameNoSpaces: info.machineName + "-" + info.majorVersion + "." + info.minorVersion,
        machineName: info.machineName, majorVersion: info.majorVersion, minorVersion: info.minorVersion
      };
    }
    if ($attachTo !== undefined) {
      $attachTo.toggleClass("h5p-standalone", extras.standalone === true);
      instance.attach($attachTo);
      H5P.trigger(instance, "domChanged", { $target: $attachTo, library: info.machineName, key: "newLibrary" }, { bubbles: true, external: true });
      if (!skipResize) H5P.trigger(instance, "resize");
    }
    return instance;
  };

  /** Triggers an event on an instance, whether it is an event dispatcher or an older jQuery-event one. */
  H5P.trigger = function (instance, eventType, data, extras) {
    if (instance.trigger !== undefined) instance.trigger(eventType, data, extras);
    else if (instance.$ !== undefined && instance.$.trigger !== undefined) instance.$.trigger(eventType);
  };

  H5P.on = function (instance, eventType, handler) {
    if (instance.on !== undefined) instance.on(eventType, handler);
    else if (instance.$ !== undefined && instance.$.on !== undefined) instance.$.on(eventType, handler);
  };

  // ---- Paths -------------------------------------------------------------------------------------
  /** Set by the player: the package folder (absolute URL ending in "/") and the content's data. */
  H5P.hoclieu = { base: "", contents: {}, translations: {} };

  function absolute(path) { return new URL(path, H5P.hoclieu.base || document.baseURI).href; }
  function hasProtocol(path) { return /^[a-z0-9]+:\/\//i.test(path) || /^(data|blob):/i.test(path); }

  /** A content file's URL (files of `content/` in the package); absolute URLs are kept. */
  H5P.getPath = function (path, contentId) {
    if (hasProtocol(path)) return path;
    path = String(path).replace(/#tmp$/, "");
    return absolute("content/" + path);
  };

  /** A library folder's URL (`H5P.MultiChoice-1.14`). */
  H5P.getLibraryPath = function (library) {
    return absolute(library).replace(/\/$/, "");
  };

  /** Sets an element's source to a content file (`{path, mime}`). */
  H5P.setSource = function (element, source, contentId) {
    element.src = H5P.getPath(source.path, contentId);
    var crossOrigin = H5P.getCrossOrigin(source);
    if (crossOrigin) element.setAttribute("crossorigin", crossOrigin);
    else element.removeAttribute("crossorigin");
  };

  /** Every content file comes from the content origin itself: no cross-origin attribute. */
  H5P.getCrossOrigin = function () { return null; };

  H5P.getContentXAPIId = function (instance) {
    var content = H5P.hoclieu.contents["cid-" + instance.contentId];
    return content && content.url ? content.url : absolute("");
  };

  H5P.contentTitle = function (contentId) {
    var content = H5P.hoclieu.contents["cid-" + contentId];
    return content && content.title;
  };

  // ---- Small utilities content types use ---------------------------------------------------------
  var coreStrings = {
    fullscreen: "Fullscreen", disableFullscreen: "Disable fullscreen", close: "Close", confirmDialogHeader: "Confirm action",
    confirmDialogBody: "Please confirm that you wish to proceed. This action is not reversible.", cancelLabel: "Cancel",
    confirmLabel: "Confirm", copyrightInformation: "Rights of use", download: "Download", reuse: "Reuse",
    title: "Title", author: "Author", source: "Source", license: "License", years: "Years", hideAdvanced: "Hide advanced",
    showAdvanced: "Show advanced", contentType: "Content Type"
  };

  /** A core string (`H5P.t('close')`), with `:name` / `@name` / `%name` placeholders replaced. */
  H5P.t = function (key, vars, ns) {
    var table = ns === undefined || ns === "H5P" ? coreStrings : (H5P.hoclieu.translations[ns] || {});
    var text = table[key];
    if (text === undefined) return '[Missing translation "' + key + '"]';
    if (vars) for (var name in vars) text = text.split(name).join(vars[name]);
    return text;
  };

  H5P.createUUID = function () {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === "x" ? r : (r & 0x3 | 0x8)).toString(16);
    });
  };

  var actor;
  H5P.actor = function () {
    if (!actor) actor = { account: { name: H5P.createUUID(), homePage: window.location.origin }, objectType: "Agent" };
    return actor;
  };

  /** Shuffles in place (Fisher–Yates) and answers the array. */
  H5P.shuffleArray = function (array) {
    if (!Array.isArray(array)) return array;
    for (var i = array.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var swap = array[i];
      array[i] = array[j];
      array[j] = swap;
    }
    return array;
  };

  /** A copy of a plain object or array; `recursive` copies nested objects too. */
  H5P.cloneObject = function (object, recursive) {
    var clone = Array.isArray(object) ? [] : {};
    for (var key in object) {
      if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
      var value = object[key];
      clone[key] = recursive && value !== null && typeof value === "object" ? H5P.cloneObject(value, true) : value;
    }
    return clone;
  };

  H5P.trim = function (value) { return String(value).replace(/^\s+|\s+$/g, ""); };

  /** A plain-text title from HTML, shortened to `maxLength` characters (60). */
  H5P.createTitle = function (rawTitle, maxLength) {
    if (!rawTitle) return "";
    maxLength = maxLength || 60;
    var holder = document.createElement("div");
    holder.innerHTML = rawTitle;
    var title = (holder.textContent || "").replace(/\s+/g, " ").trim();
    return title.length > maxLength ? title.slice(0, maxLength - 3) + "..." : title;
  };

  /** Position and size, as some libraries pass them around. */
  H5P.Coords = function (x, y, w, h) {
    if (!(this instanceof H5P.Coords)) return new H5P.Coords(x, y, w, h);
    this.x = 0; this.y = 0; this.w = 1; this.h = 1;
    if (typeof x === "object" && x !== null) { this.x = x.x; this.y = x.y; this.w = x.w; this.h = x.h; }
    else {
      if (x !== undefined) this.x = x;
      if (y !== undefined) this.y = y;
      if (w !== undefined) this.w = w;
      if (h !== undefined) this.h = h;
    }
  };

  // ---- User data and results: kept by the embedding LMS through xAPI, not here -------------------
  H5P.getUserData = function (contentId, dataId, done) { if (typeof done === "function") done(undefined, null); };
  H5P.setUserData = function () {};
  H5P.deleteUserData = function () {};
  H5P.setFinished = function () {};

  // ---- Copyright lists (content types build them for their "rights of use" dialog) ---------------
  H5P.ContentCopyrights = function () {
    var label, media = [], content = [];
    this.setLabel = function (text) { label = text; };
    this.addMedia = function (item) { if (item !== undefined) media.push(item); };
    this.addMediaInFront = function (item) { if (item !== undefined) media.unshift(item); };
    this.addContent = function (item) { if (item !== undefined) content.push(item); };
    this.toString = function () {
      var html = "";
      media.forEach(function (item) { html += item.toString(); });
      content.forEach(function (item) { html += item.toString(); });
      return html ? '<div class="h5p-content-copyrights">' + (label ? "<h3>" + label + "</h3>" : "") + html + "</div>" : "";
    };
  };

  H5P.MediaCopyright = function (copyright, labels, order) {
    var fields = [];
    order = order || ["title", "author", "year", "source", "license"];
    order.forEach(function (name) {
      if (copyright && copyright[name]) fields.push([(labels && labels[name]) || H5P.t(name === "year" ? "years" : name), copyright[name]]);
    });
    this.undisclosed = function () { return fields.length === 0; };
    this.toString = function () {
      return '<dl class="h5p-copyinfo">' + fields.map(function (f) {
        return "<dt>" + $("<span>").text(f[0]).html() + "</dt><dd>" + $("<span>").text(f[1]).html() + "</dd>";
      }).join("") + "</dl>";
    };
  };
  H5P.Thumbnail = function (source, width, height) {
    this.toString = function () { return '<img src="' + H5P.getPath(source) + '" alt="" width="' + width + '" height="' + height + '">'; };
  };
  H5P.getCopyrights = function () { return ""; };

  /** The copyright entry of a content's metadata (`{title, authors, license, licenseVersion, source, yearFrom…}`). */
  H5P.buildMetadataCopyrights = function (metadata) {
    if (!metadata || !metadata.license || metadata.license === "U") return undefined;
    var authors = (metadata.authors || []).map(function (a) { return a.name + (a.role ? " (" + a.role + ")" : ""); }).join(", ");
    var years = metadata.yearFrom ? metadata.yearFrom + (metadata.yearTo ? "-" + metadata.yearTo : "") : undefined;
    return new H5P.MediaCopyright({
      title: metadata.title, author: authors || undefined, source: metadata.source, year: years,
      license: metadata.license + (metadata.licenseVersion ? " " + metadata.licenseVersion : "")
    });
  };

  /** Walks content parameters and adds the copyright of every media object found to `info`. */
  H5P.findCopyrights = function (info, parameters, contentId, extras) {
    if (!parameters || typeof parameters !== "object") return;
    if (extras && extras.metadata) {
      var own = H5P.buildMetadataCopyrights(extras.metadata);
      if (own) info.addMedia(own);
    }
    Object.keys(parameters).forEach(function (key) {
      var value = parameters[key];
      if (!value || typeof value !== "object") return;
      if (value.copyright && value.path) {
        var media = new H5P.MediaCopyright(value.copyright);
        if (!media.undisclosed()) info.addMedia(media);
      } else {
        H5P.findCopyrights(info, value, contentId);
      }
    });
  };

  /** A tooltip for an element: its `aria-label` (or `options.text`), shown on hover and focus. */
  H5P.Tooltip = function (element, options) {
    options = options || {};
    var tip = document.createElement("div");
    tip.className = "h5p-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.id = "h5p-tooltip-" + H5P.createUUID();
    tip.hidden = true;
    tip.textContent = options.text || element.getAttribute("aria-label") || "";
    element.appendChild(tip);
    element.setAttribute("aria-describedby", tip.id);
    var show = function () { tip.hidden = !tip.textContent; };
    var hide = function () { tip.hidden = true; };
    element.addEventListener("mouseenter", show);
    element.addEventListener("focusin", show);
    element.addEventListener("mouseleave", hide);
    element.addEventListener("focusout", hide);
    element.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
    this.setText = function (text) { tip.textContent = text; };
    this.getElement = function () { return tip; };
  };

  // ---- Full screen -------------------------------------------------------------------------------
  H5P.isFullscreen = false;
  H5P.fullScreenBrowserPrefix = undefined;
  H5P.fullscreenSupported = !!(document.fullscreenEnabled);

  /** Shows `$element` full screen (the browser's, or a page-filling fallback) and tells the instance. */
  H5P.fullScreen = function ($element, instance, exitCallback) {
    var element = $element.get(0);
    var done = function () {
      H5P.isFullscreen = false;
      $element.removeClass("h5p-fullscreen h5p-semi-fullscreen");
      H5P.trigger(instance, "resize");
      H5P.trigger(instance, "exitFullScreen");
      if (typeof exitCallback === "function") exitCallback();
    };
    H5P.isFullscreen = true;
    H5P.exitFullScreen = function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else done();
    };
    if (element.requestFullscreen && document.fullscreenEnabled) {
      $element.addClass("h5p-fullscreen");
      var changed = function () {
        if (!document.fullscreenElement) { document.removeEventListener("fullscreenchange", changed); done(); }
        else H5P.trigger(instance, "resize");
      };
      document.addEventListener("fullscreenchange", changed);
      element.requestFullscreen().catch(function () { $element.removeClass("h5p-fullscreen").addClass("h5p-semi-fullscreen"); });
    } else {
      $element.addClass("h5p-semi-fullscreen");
    }
    H5P.trigger(instance, "enterFullScreen");
  };
  H5P.exitFullScreen = function () {};
  /** The page-filling full screen (no browser full-screen API). */
  H5P.semiFullScreen = function ($element, instance, exitCallback) {
    H5P.isFullscreen = true;
    $element.addClass("h5p-semi-fullscreen");
    H5P.exitFullScreen = function () {
      H5P.isFullscreen = false;
      $element.removeClass("h5p-semi-fullscreen");
      H5P.trigger(instance, "resize");
      H5P.trigger(instance, "exitFullScreen");
      if (typeof exitCallback === "function") exitCallback();
    };
    H5P.trigger(instance, "enterFullScreen");
    H5P.trigger(instance, "resize");
  };

  // ---- Confirmation dialog (core, used by H5P.Question and others) -------------------------------
  /**
   * A modal question with confirm and cancel buttons; triggers `confirmed` or `canceled`.
   * Options: headerText, dialogText, cancelText, confirmText, hideCancel, hideExit, classes.
   */
  H5P.ConfirmationDialog = function (options) {
    H5P.EventDispatcher.call(this);
    var self = this;
    options = $.extend({
      headerText: H5P.t("confirmDialogHeader"), dialogText: H5P.t("confirmDialogBody"),
      cancelText: H5P.t("cancelLabel"), confirmText: H5P.t("confirmLabel")
    }, options || {});
    var id = "h5p-dialog-" + H5P.createUUID();
    var wrapper = document.createElement("div");
    wrapper.className = "h5p-confirmation-dialog-background hidden";
    (options.classes || []).forEach(function (name) { wrapper.classList.add(name); });
    var popup = document.createElement("div");
    popup.className = "h5p-confirmation-dialog-popup";
    popup.setAttribute("role", "dialog");
    popup.setAttribute("aria-labelledby", id);
    var header = document.createElement("div");
    header.className = "h5p-confirmation-dialog-header";
    header.id = id;
    header.textContent = options.headerText;
    var body = document.createElement("div");
    body.className = "h5p-confirmation-dialog-body";
    var text = document.createElement("div");
    text.className = "h5p-confirmation-dialog-text";
    text.innerHTML = options.dialogText;
    var buttons = document.createElement("div");
    buttons.className = "h5p-confirmation-dialog-buttons";
    function button(label, className, event) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = className;
      b.textContent = label;
      b.addEventListener("click", function () { self.hide(); self.trigger(event); });
      buttons.appendChild(b);
      return b;
    }
    if (!options.hideCancel) button(options.cancelText, "h5p-core-cancel-button", "canceled");
    var confirm = button(options.confirmText, "h5p-core-button h5p-confirmation-dialog-confirm-button", "confirmed");
    body.appendChild(text);
    body.appendChild(buttons);
    popup.appendChild(header);
    popup.appendChild(body);
    if (!options.hideExit) {
      var exit = document.createElement("button");
      exit.type = "button";
      exit.className = "h5p-confirmation-dialog-exit";
      exit.setAttribute("aria-label", options.cancelText);
      exit.textContent = "×";
      exit.addEventListener("click", function () { self.hide(); self.trigger("canceled"); });
      popup.appendChild(exit);
    }
    wrapper.appendChild(popup);
    var previousFocus;

    this.appendTo = function (parent) { parent.appendChild(wrapper); return self; };
    this.show = function (offsetTop) {
      previousFocus = document.activeElement;
      if (!wrapper.parentNode) document.body.appendChild(wrapper);
      wrapper.classList.remove("hidden");
      if (typeof offsetTop === "number") popup.style.top = Math.max(0, offsetTop) + "px";
      confirm.focus();
      return self;
    };
    this.hide = function () {
      wrapper.classList.add("hidden");
      if (previousFocus && previousFocus.focus) previousFocus.focus();
      return self;
    };
    this.getElement = function () { return wrapper; };
    this.getPreviouslyFocused = function () { return previousFocus; };
    this.setViewPortMinimumHeight = function (minHeight) { wrapper.style.minHeight = minHeight ? minHeight + "px" : ""; };
  };
  H5P.ConfirmationDialog.prototype = Object.create(H5P.EventDispatcher.prototype);
  H5P.ConfirmationDialog.prototype.constructor = H5P.ConfirmationDialog;
})(window, document);
