import Foundation

/// The SCORM run-time of the player: the SCORM 1.2 `API` and SCORM 2004 `API_1484_11` objects, in
/// memory (nothing is stored), with the call sequencing, data model elements, access rules,
/// vocabularies and error codes of the run-time specifications.
///
/// The player page lives on the content origin, in the top frame of the package; the package's frames
/// (launch page, inner frames, windows it opens) share that origin, so they find the object the player
/// installs on its own window by ADL's discovery algorithm (walk up `parent`, then `opener`). The
/// script defines `hoclieuScormRuntime(version, post)`, which returns a fresh API object for one SCO
/// attempt; `post` receives every call (and 2004 navigation requests after `Terminate`).
enum ScormRuntime {
    static let source = #"""
        function hoclieuScormRuntime(version, post) {
          var v12 = version === "1.2";
          var state = 0; // 0 not initialised, 1 running, 2 terminated
          var lastError = "0";
          var data = {};
          var arrays = {}; // prefix -> count
          function isDecimal(s) { return /^-?\d+(\.\d+)?$/.test(s); }
          function vocab(list) { return function (s) { return list.indexOf(s) >= 0; }; }
          var rules12 = {
            "cmi.core.student_id": { ro: 1, value: "preview" },
            "cmi.core.student_name": { ro: 1, value: "Xem thử, Người" },
            "cmi.core.lesson_location": { max: 255 },
            "cmi.core.credit": { ro: 1, value: "no-credit" },
            "cmi.core.lesson_status": { check: vocab(["passed", "completed", "failed", "incomplete", "browsed"]), value: "not attempted" },
            "cmi.core.entry": { ro: 1, value: "ab-initio" },
            "cmi.core.score.raw": { check: function (s) { return s === "" || (isDecimal(s) && +s >= 0 && +s <= 100); } },
            "cmi.core.score.min": { check: function (s) { return s === "" || (isDecimal(s) && +s >= 0 && +s <= 100); } },
            "cmi.core.score.max": { check: function (s) { return s === "" || (isDecimal(s) && +s >= 0 && +s <= 100); } },
            "cmi.core.total_time": { ro: 1, value: "0000:00:00.00" },
            "cmi.core.lesson_mode": { ro: 1, value: "browse" },
            "cmi.core.exit": { wo: 1, check: vocab(["time-out", "suspend", "logout", ""]) },
            "cmi.core.session_time": { wo: 1, check: function (s) { return /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/.test(s); } },
            "cmi.suspend_data": { max: 4096 },
            "cmi.launch_data": { ro: 1, value: "" },
            "cmi.comments": { max: 4096 },
            "cmi.comments_from_lms": { ro: 1, value: "" },
            "cmi.student_data.mastery_score": { ro: 1, value: "" },
            "cmi.student_data.max_time_allowed": { ro: 1, value: "" },
            "cmi.student_data.time_limit_action": { ro: 1, value: "continue,no message" },
            "cmi.student_preference.audio": { check: function (s) { return /^-?\d+$/.test(s) && +s >= -1 && +s <= 100; }, value: "0" },
            "cmi.student_preference.language": { max: 255, value: "vi" },
            "cmi.student_preference.speed": { check: function (s) { return /^-?\d+$/.test(s) && +s >= -100 && +s <= 100; }, value: "0" },
            "cmi.student_preference.text": { check: vocab(["-1", "0", "1"]), value: "0" }
          };
          var children12 = {
            "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
            "cmi.core.score": "raw,min,max",
            "cmi.objectives": "id,score,status",
            "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
            "cmi.student_preference": "audio,language,speed,text",
            "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency"
          };
          var rules2004 = {
            "cmi.learner_id": { ro: 1, value: "preview" },
            "cmi.learner_name": { ro: 1, value: "Người xem thử" },
            "cmi.location": { max: 1000 },
            "cmi.completion_status": { check: vocab(["completed", "incomplete", "not attempted", "unknown"]), value: "unknown" },
            "cmi.success_status": { check: vocab(["passed", "failed", "unknown"]), value: "unknown" },
            "cmi.score.scaled": { range: [-1, 1] },
            "cmi.score.raw": { range: [-Infinity, Infinity] },
            "cmi.score.min": { range: [-Infinity, Infinity] },
            "cmi.score.max": { range: [-Infinity, Infinity] },
            "cmi.progress_measure": { range: [0, 1] },
            "cmi.exit": { wo: 1, check: vocab(["time-out", "suspend", "logout", "normal", ""]) },
            "cmi.session_time": { wo: 1, check: function (s) { return /^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/.test(s); } },
            "cmi.total_time": { ro: 1, value: "PT0H0M0S" },
            "cmi.suspend_data": { max: 64000 },
            "cmi.entry": { ro: 1, value: "ab-initio" },
            "cmi.mode": { ro: 1, value: "browse" },
            "cmi.credit": { ro: 1, value: "no-credit" },
            "cmi.launch_data": { ro: 1 },
            "cmi.max_time_allowed": { ro: 1 },
            "cmi.completion_threshold": { ro: 1 },
            "cmi.scaled_passing_score": { ro: 1 },
            "cmi.time_limit_action": { ro: 1, value: "continue,no message" },
            "cmi.comments_from_lms._count": { ro: 1, value: "0" },
            "cmi.learner_preference.audio_level": { range: [0, Infinity], value: "1" },
            "cmi.learner_preference.language": { max: 250, value: "vi" },
            "cmi.learner_preference.delivery_speed": { range: [0, Infinity], value: "1" },
            "cmi.learner_preference.audio_captioning": { check: vocab(["-1", "0", "1"]), value: "0" },
            "adl.nav.request": { check: function (s) { return /^(continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_|\{target=[^}]+\}(choice|jump))$/.test(s); }, value: "_none_" },
            "adl.nav.request_valid.continue": { ro: 1, value: "unknown" },
            "adl.nav.request_valid.previous": { ro: 1, value: "unknown" }
          };
          var children2004 = {
            "cmi.score": "scaled,raw,min,max",
            "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
            "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
            "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,latency,description",
            "cmi.comments_from_learner": "comment,location,timestamp",
            "cmi.comments_from_lms": "comment,location,timestamp"
          };
          var rules = v12 ? rules12 : rules2004, children = v12 ? children12 : children2004;
          var arrayNames = v12 ? ["cmi.objectives", "cmi.interactions"] : ["cmi.objectives", "cmi.interactions", "cmi.comments_from_learner"];
          // Collections: element "cmi.objectives.3.id" -> array "cmi.objectives", index 3.
          function arrayOf(element) {
            for (var i = 0; i < arrayNames.length; i++) {
              var m = element.slice(0, arrayNames[i].length + 1) === arrayNames[i] + "." && /^(\d+)\.(.+)$/.exec(element.slice(arrayNames[i].length + 1));
              if (m) return { name: arrayNames[i], index: +m[1], field: m[2] };
            }
            return null;
          }
          var E = v12
            ? { general: "101", notInit: "301", afterTerm: "101", already: "101", argument: "201", undefinedElement: "201", noChildren: "202", notArray: "203", readOnly: "403", writeOnly: "404", type: "405", notInitialised: "0", dependency: "201", keyword: "402" }
            : { general: "101", notInit: null, afterTerm: null, already: "103", argument: "201", undefinedElement: "401", noChildren: "301", notArray: "301", readOnly: "404", writeOnly: "405", type: "406", notInitialised: "403", dependency: "408", keyword: "404", range: "407" };
          var messages = {
            "0": "No error", "101": "General exception", "102": "General Initialization Failure", "103": "Already Initialized",
            "104": "Content Instance Terminated", "111": "General Termination Failure", "112": "Termination Before Initialization",
            "113": "Termination After Termination", "122": "Retrieve Data Before Initialization", "123": "Retrieve Data After Termination",
            "132": "Store Data Before Initialization", "133": "Store Data After Termination", "142": "Commit Before Initialization",
            "143": "Commit After Termination", "201": v12 ? "Invalid argument error" : "General Argument Error",
            "202": "Element cannot have children", "203": "Element not an array. Cannot have count", "301": v12 ? "Not initialized" : "General Get Failure",
            "351": "General Set Failure", "391": "General Commit Failure", "401": v12 ? "Not implemented error" : "Undefined Data Model Element",
            "402": v12 ? "Invalid set value, element is a keyword" : "Unimplemented Data Model Element",
            "403": v12 ? "Element is read only" : "Data Model Element Value Not Initialized",
            "404": v12 ? "Element is write only" : "Data Model Element Is Read Only", "405": v12 ? "Incorrect Data Type" : "Data Model Element Is Write Only",
            "406": "Data Model Element Type Mismatch", "407": "Data Model Element Value Out Of Range", "408": "Data Model Dependency Not Established"
          };
          // The error for a call in the wrong state: 2004 has one code per call and state, 1.2 only "not initialized".
          function sequenceError(kind) {
            if (state === 1) return null;
            if (v12) return state === 0 ? "301" : "101";
            var codes = { get: ["122", "123"], set: ["132", "133"], commit: ["142", "143"], terminate: ["112", "113"] }[kind];
            return codes[state === 0 ? 0 : 1];
          }
          function done(name, args, result, error) {
            lastError = error || "0";
            post({ call: name, args: args, result: String(result), error: lastError });
            return String(result);
          }
          function initialize(name, arg) {
            if (arg !== "") return done(name, [arg], "false", "201");
            if (state === 1) return done(name, [arg], "false", E.already);
            if (state === 2) return done(name, [arg], "false", v12 ? "101" : "104");
            state = 1;
            return done(name, [arg], "true");
          }
          function terminate(name, arg) {
            if (arg !== "") return done(name, [arg], "false", "201");
            var seq = sequenceError("terminate");
            if (seq) return done(name, [arg], "false", seq);
            state = 2;
            var result = done(name, [arg], "true");
            if (!v12) post({ navigation: data["adl.nav.request"] || "_none_", exit: data["cmi.exit"] || "" });
            return result;
          }
          function commit(name, arg) {
            if (arg !== "") return done(name, [arg], "false", "201");
            var seq = sequenceError("commit");
            if (seq) return done(name, [arg], "false", seq);
            return done(name, [arg], "true");
          }
          function getValue(name, element) {
            var seq = sequenceError("get");
            if (seq) return done(name, [element], "", seq);
            element = String(element);
            if (element === "") return done(name, [element], "", v12 ? "201" : "301");
            var suffix = element.slice(element.lastIndexOf(".") + 1), base = element.slice(0, element.lastIndexOf("."));
            if (suffix === "_version" && !v12 && base === "cmi") return done(name, [element], "1.0");
            if (suffix === "_children") {
              return children[base] ? done(name, [element], children[base]) : done(name, [element], "", E.noChildren);
            }
            if (suffix === "_count") {
              return arrayNames.indexOf(base) >= 0 ? done(name, [element], arrays[base] || 0) : done(name, [element], "", E.notArray);
            }
            var rule = rules[element], arr = arrayOf(element);
            if (!rule && !arr) return done(name, [element], "", E.undefinedElement);
            if (rule && rule.wo) return done(name, [element], "", E.writeOnly);
            if (arr && /(^|\.)(time|type|correct_responses\.\d+\.pattern|weighting|student_response|learner_response|result|latency)$/.test(arr.field) && v12) {
              return done(name, [element], "", E.writeOnly);
            }
            if (element in data) return done(name, [element], data[element]);
            if (rule && "value" in rule) return done(name, [element], rule.value);
            return done(name, [element], "", E.notInitialised);
          }
          function setValue(name, element, value) {
            var seq = sequenceError("set");
            if (seq) return done(name, [element, value], "false", seq);
            element = String(element); value = String(value);
            if (element === "") return done(name, [element, value], "false", v12 ? "201" : "351");
            var suffix = element.slice(element.lastIndexOf(".") + 1);
            if (suffix === "_children" || suffix === "_count" || suffix === "_version") return done(name, [element, value], "false", E.keyword);
            var rule = rules[element], arr = arrayOf(element);
            if (!rule && !arr) return done(name, [element, value], "false", E.undefinedElement);
            if (rule && rule.ro) return done(name, [element, value], "false", E.readOnly);
            if (arr) {
              var count = arrays[arr.name] || 0;
              if (arr.index > count) return done(name, [element, value], "false", v12 ? "201" : "351");
              if (arr.index === count) {
                if (!/^id$/.test(arr.field) && !(arr.name === "cmi.comments_from_learner")) return done(name, [element, value], "false", E.dependency);
                arrays[arr.name] = count + 1;
              }
            } else if (rule.check && !rule.check(value)) {
              return done(name, [element, value], "false", E.type);
            } else if (rule.max !== undefined && value.length > rule.max) {
              return done(name, [element, value], "false", v12 ? "405" : "407");
            } else if (rule.range) {
              if (!isDecimal(value)) return done(name, [element, value], "false", E.type);
              if (+value < rule.range[0] || +value > rule.range[1]) return done(name, [element, value], "false", E.range);
            }
            data[element] = value;
            return done(name, [element, value], "true");
          }
          function errorString(code) { return messages[String(code)] || ""; }
          if (v12) {
            return {
              LMSInitialize: function (a) { return initialize("LMSInitialize", a === undefined ? "" : String(a)); },
              LMSFinish: function (a) { return terminate("LMSFinish", a === undefined ? "" : String(a)); },
              LMSGetValue: function (e) { return getValue("LMSGetValue", e); },
              LMSSetValue: function (e, v) { return setValue("LMSSetValue", e, v); },
              LMSCommit: function (a) { return commit("LMSCommit", a === undefined ? "" : String(a)); },
              LMSGetLastError: function () { return lastError; },
              LMSGetErrorString: errorString,
              LMSGetDiagnostic: function (c) { return errorString(c === undefined || c === "" ? lastError : c); }
            };
          }
          return {
            version: "1.0",
            Initialize: function (a) { return initialize("Initialize", String(a)); },
            Terminate: function (a) { return terminate("Terminate", String(a)); },
            GetValue: function (e) { return getValue("GetValue", e); },
            SetValue: function (e, v) { return setValue("SetValue", e, v); },
            Commit: function (a) { return commit("Commit", String(a)); },
            GetLastError: function () { return lastError; },
            GetErrorString: errorString,
            GetDiagnostic: function (c) { return errorString(c === undefined || c === "" ? lastError : c); }
          };
        }
        """#
}
