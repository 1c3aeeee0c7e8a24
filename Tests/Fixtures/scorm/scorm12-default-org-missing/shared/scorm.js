// The smallest SCORM 1.2 run-time use: find the API, initialise, finish.
var api = null;
function findAPI(w) { var n = 0; while (w && !w.API && w.parent && w.parent !== w && n++ < 10) { w = w.parent; } return w ? w.API : null; }
function start() { api = findAPI(window); if (api) { api.LMSInitialize(""); } }
function finish() { if (api) { api.LMSSetValue("cmi.core.lesson_status", "completed"); api.LMSFinish(""); } }
