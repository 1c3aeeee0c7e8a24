// Hoclieu web UI: search, sign-in and contribution. Plain ES module, no build step.
//
// Every piece of data from the server is put on the page with textContent or DOM
// properties (never innerHTML), so a title such as "<img onerror=…>" stays text.

// ---------------------------------------------------------------------------
// Texts (Vietnamese first, English second)
// ---------------------------------------------------------------------------

const STRINGS = {
  vi: {
    skip: 'Bỏ qua đến nội dung chính',
    tagline: 'Kho học liệu mở',
    navLabel: 'Chính',
    navSearch: 'Tìm kiếm',
    navContribute: 'Đóng góp học liệu',
    navImport: 'Nhập khoá học',
    importHeading: 'Nhập khoá học (Common Cartridge)',
    importIntro: 'Tải lên tệp .imscc xuất từ Moodle, Canvas hay hệ thống khác. Mỗi tài nguyên thành một học liệu, câu hỏi vào ngân hàng câu hỏi; nhập lại cùng tệp không tạo bản sao.',
    importNeedSignIn: 'Hãy đăng nhập bằng tài khoản giáo viên để nhập khoá học.',
    importFile: 'Tệp khoá học (.imscc)',
    importStatus: 'Sau khi nhập',
    importDraft: 'Để ở dạng nháp',
    importSubmit: 'Gửi hội đồng thẩm định',
    importButton: 'Nhập khoá học',
    importNoFile: 'Hãy chọn tệp .imscc.',
    importProcessing: 'Đang xử lý khoá học…',
    importQueued: 'Đang chờ đến lượt xử lý…',
    importCancel: 'Huỷ nhập',
    importCancelled: 'Đã huỷ: không có gì được lưu.',
    importFailed: (reason) => `Không nhập được khoá học: ${reason}`,
    importDone: 'Đã nhập xong.',
    importSummary: (c, u, n) => `${fmt(c)} học liệu mới, ${fmt(u)} cập nhật, ${fmt(n)} không đổi.`,
    importCounts: (k) => `${fmt(k.materials)} học liệu: ${fmt(k.files)} tệp, ${fmt(k.pages)} trang, ${fmt(k.webLinks)} liên kết, ${fmt(k.ltiLinks)} liên kết LTI, ${fmt(k.discussions)} thảo luận, ${fmt(k.assignments)} bài tập, ${fmt(k.questionSets)} bộ câu hỏi (${fmt(k.questions)} câu).`,
    importCourse: 'Khoá học:',
    importWarnings: (n) => `Cảnh báo (${fmt(n)})`,
    importDropped: (n) => `Bỏ qua hoặc thu hẹp (${fmt(n)})`,
    importMore: (n) => `… và ${fmt(n)} mục khác`,
    importAnother: 'Nhập khoá học khác',
    signIn: 'Đăng nhập',
    signedInAs: 'Xin chào,',
    signOut: 'Đăng xuất',
    searchHeading: 'Tìm học liệu',
    searchLabel: 'Từ khoá tìm kiếm',
    searchPlaceholder: 'Tìm học liệu…',
    searchButton: 'Tìm',
    searchHint: 'Có thể gõ có dấu hoặc không dấu, ví dụ “phan so”.',
    filtersHeading: 'Bộ lọc',
    clearFilters: 'Bỏ lọc',
    facetSubject: 'Môn học',
    facetGrade: 'Lớp',
    facetKind: 'Loại học liệu',
    facetEmpty: 'Không có giá trị',
    loadMore: 'Tải thêm',
    loading: 'Đang tải…',
    searching: 'Đang tìm…',
    resultsExact: (n) => (n === 0 ? 'Không có kết quả' : `${fmt(n)} kết quả`),
    resultsAbout: (n) => `khoảng ${fmt(n)}+ kết quả`,
    shown: (n) => `đang hiển thị ${fmt(n)}`,
    noResults: 'Không tìm thấy học liệu nào. Hãy thử từ khoá khác hoặc bỏ bớt bộ lọc.',
    gradeN: (g) => `Lớp ${g}`,
    gradesLabel: 'Lớp',
    subjectsLabel: 'Môn',
    licenceLabel: 'Giấy phép',
    kindLabel: 'Loại',
    pidLabel: 'Định danh học liệu:',
    noLicence: 'chưa ghi',
    download: 'Tải tệp',
    openLink: 'Mở liên kết',
    preview: 'Xem thử',
    previewFailed: 'Không mở được bản xem thử.',
    packageLine: (kind, scos, warnings) => `Gói ${kind}${scos ? `, ${scos} SCO` : ''}: ${warnings ? `${warnings} cảnh báo cho hội đồng thẩm định` : 'không có cảnh báo'}.`,
    signInHeading: 'Đăng nhập',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    signInButton: 'Đăng nhập',
    signInOidc: 'Đăng nhập bằng tài khoản của Sở',
    signingIn: 'Đang đăng nhập…',
    signInMissing: 'Hãy nhập tên đăng nhập và mật khẩu.',
    signedIn: (name) => `Đã đăng nhập: ${name}.`,
    signedOut: 'Đã đăng xuất.',
    sessionExpired: 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.',
    contributeHeading: 'Đóng góp học liệu',
    contributeNeedSignIn: 'Hãy đăng nhập bằng tài khoản giáo viên để đóng góp học liệu.',
    requiredNote: 'Các trường có dấu * là bắt buộc.',
    fTitle: 'Tiêu đề',
    fKind: 'Loại học liệu',
    fVisibility: 'Phạm vi chia sẻ',
    fUrl: 'Địa chỉ liên kết (http/https)',
    fDescription: 'Mô tả',
    fSubjects: 'Mã môn học (cách nhau bằng dấu phẩy)',
    fSubjectsHint: 'Ví dụ: TOAN, TINHOC, NGUVAN',
    fGrades: 'Lớp',
    fKeywords: 'Từ khoá (cách nhau bằng dấu phẩy)',
    fAuthors: 'Tác giả (cách nhau bằng dấu phẩy)',
    fLicence: 'Giấy phép',
    fFile: 'Tệp học liệu',
    fileInfo: (name, size) => `Đã chọn: ${name} (${size})`,
    submitMaterial: 'Gửi học liệu',
    uploading: 'Đang tải tệp lên…',
    cancelUpload: 'Huỷ tải lên',
    creating: 'Đang tạo học liệu…',
    uploadStarted: 'Bắt đầu tải tệp lên.',
    uploadDone: 'Đã tải tệp lên xong.',
    uploadCancelled: 'Đã huỷ tải lên.',
    uploadFailedNetwork: 'Mất kết nối khi tải tệp lên.',
    uploadBytes: (done, total) => `${done} / ${total}`,
    retryUpload: (pid) => `Tải lại tệp lên ${pid}`,
    createdNoFile: (pid) => `Học liệu ${pid} đã được tạo nhưng chưa có tệp. Chọn tệp và bấm “Tải lại tệp lên”.`,
    errTitleRequired: 'Hãy nhập tiêu đề.',
    errFileRequired: 'Hãy chọn tệp học liệu.',
    errUrlRequired: 'Hãy nhập địa chỉ http(s) của liên kết.',
    errSubjects: 'Mã môn học chỉ gồm chữ cái không dấu, chữ số và dấu gạch dưới, ví dụ TOAN.',
    contributedHeading: 'Đã gửi học liệu',
    contributed: (pid) => `Đã gửi học liệu ${pid}.`,
    resultVersion: (n, name, size) => `Phiên bản ${n}: ${name} (${size}).`,
    resultStatus: (status) => `Trạng thái: ${status}.`,
    resultDraftNote: 'Học liệu sẽ được hội đồng thẩm định duyệt trước khi xuất bản.',
    contributeAnother: 'Đóng góp học liệu khác',
    footer: 'Hoclieu — học liệu mở cho giáo dục phổ thông. Mỗi học liệu có một định danh bền vững.',
    apiDocs: 'Tài liệu API (OpenAPI)',
    network: 'Không kết nối được máy chủ. Hãy thử lại.',
    serverError: (status) => `Máy chủ trả lỗi ${status}.`,
    languageChanged: 'Đã chuyển sang tiếng Việt.',
  },
  en: {
    skip: 'Skip to main content',
    tagline: 'Open learning resources',
    navLabel: 'Main',
    navSearch: 'Search',
    navContribute: 'Contribute',
    navImport: 'Import a course',
    importHeading: 'Import a course (Common Cartridge)',
    importIntro: 'Upload an .imscc file exported from Moodle, Canvas or another system. Every resource becomes a material and questions go into the question bank; importing the same file again makes no copies.',
    importNeedSignIn: 'Sign in with a teacher account to import a course.',
    importFile: 'Course file (.imscc)',
    importStatus: 'After the import',
    importDraft: 'Keep as drafts',
    importSubmit: 'Submit for review',
    importButton: 'Import the course',
    importNoFile: 'Choose an .imscc file.',
    importProcessing: 'Processing the course…',
    importQueued: 'Waiting for its turn…',
    importCancel: 'Cancel the import',
    importCancelled: 'Cancelled: nothing was kept.',
    importFailed: (reason) => `The course could not be imported: ${reason}`,
    importDone: 'Imported.',
    importSummary: (c, u, n) => `${fmt(c)} new materials, ${fmt(u)} updated, ${fmt(n)} unchanged.`,
    importCounts: (k) => `${fmt(k.materials)} materials: ${fmt(k.files)} files, ${fmt(k.pages)} pages, ${fmt(k.webLinks)} links, ${fmt(k.ltiLinks)} LTI links, ${fmt(k.discussions)} discussions, ${fmt(k.assignments)} assignments, ${fmt(k.questionSets)} question sets (${fmt(k.questions)} questions).`,
    importCourse: 'Course:',
    importWarnings: (n) => `Warnings (${fmt(n)})`,
    importDropped: (n) => `Left out or narrowed (${fmt(n)})`,
    importMore: (n) => `… and ${fmt(n)} more`,
    importAnother: 'Import another course',
    signIn: 'Sign in',
    signedInAs: 'Hello,',
    signOut: 'Sign out',
    searchHeading: 'Search materials',
    searchLabel: 'Search terms',
    searchPlaceholder: 'Search materials…',
    searchButton: 'Search',
    searchHint: 'Type with or without Vietnamese diacritics, e.g. “phan so”.',
    filtersHeading: 'Filters',
    clearFilters: 'Clear filters',
    facetSubject: 'Subject',
    facetGrade: 'Grade',
    facetKind: 'Kind',
    facetEmpty: 'No values',
    loadMore: 'Load more',
    loading: 'Loading…',
    searching: 'Searching…',
    resultsExact: (n) => (n === 0 ? 'No results' : `${fmt(n)} result${n === 1 ? '' : 's'}`),
    resultsAbout: (n) => `about ${fmt(n)}+ results`,
    shown: (n) => `showing ${fmt(n)}`,
    noResults: 'No materials found. Try other words or fewer filters.',
    gradeN: (g) => `Grade ${g}`,
    gradesLabel: 'Grades',
    subjectsLabel: 'Subjects',
    licenceLabel: 'Licence',
    kindLabel: 'Kind',
    pidLabel: 'Material identifier:',
    noLicence: 'not stated',
    download: 'Download',
    openLink: 'Open link',
    preview: 'Preview',
    previewFailed: 'The preview could not be opened.',
    packageLine: (kind, scos, warnings) => `${kind} package${scos ? `, ${scos} SCOs` : ''}: ${warnings ? `${warnings} warnings for the quality board` : 'no warnings'}.`,
    signInHeading: 'Sign in',
    username: 'Username',
    password: 'Password',
    signInButton: 'Sign in',
    signInOidc: 'Sign in with your organisation',
    signingIn: 'Signing in…',
    signInMissing: 'Enter your username and password.',
    signedIn: (name) => `Signed in as ${name}.`,
    signedOut: 'Signed out.',
    sessionExpired: 'Your session has expired. Please sign in again.',
    contributeHeading: 'Contribute a material',
    contributeNeedSignIn: 'Sign in with a teacher account to contribute materials.',
    requiredNote: 'Fields marked * are required.',
    fTitle: 'Title',
    fKind: 'Kind',
    fVisibility: 'Visibility',
    fUrl: 'Link address (http/https)',
    fDescription: 'Description',
    fSubjects: 'Subject codes (comma-separated)',
    fSubjectsHint: 'For example: TOAN, TINHOC, NGUVAN',
    fGrades: 'Grades',
    fKeywords: 'Keywords (comma-separated)',
    fAuthors: 'Authors (comma-separated)',
    fLicence: 'Licence',
    fFile: 'File',
    fileInfo: (name, size) => `Selected: ${name} (${size})`,
    submitMaterial: 'Submit material',
    uploading: 'Uploading the file…',
    cancelUpload: 'Cancel upload',
    creating: 'Creating the material…',
    uploadStarted: 'Upload started.',
    uploadDone: 'Upload finished.',
    uploadCancelled: 'Upload cancelled.',
    uploadFailedNetwork: 'The connection was lost during the upload.',
    uploadBytes: (done, total) => `${done} / ${total}`,
    retryUpload: (pid) => `Upload the file to ${pid} again`,
    createdNoFile: (pid) => `Material ${pid} was created but has no file yet. Choose a file and press “Upload again”.`,
    errTitleRequired: 'Enter a title.',
    errFileRequired: 'Choose a file.',
    errUrlRequired: 'Enter the link’s http(s) address.',
    errSubjects: 'Subject codes use unaccented letters, digits and underscores only, e.g. TOAN.',
    contributedHeading: 'Material submitted',
    contributed: (pid) => `Material ${pid} submitted.`,
    resultVersion: (n, name, size) => `Version ${n}: ${name} (${size}).`,
    resultStatus: (status) => `Status: ${status}.`,
    resultDraftNote: 'The quality board reviews it before it is published.',
    contributeAnother: 'Contribute another material',
    footer: 'Hoclieu — open learning resources for general education. Every material has a persistent identifier.',
    apiDocs: 'API documentation (OpenAPI)',
    network: 'Could not reach the server. Please try again.',
    serverError: (status) => `The server answered with error ${status}.`,
    languageChanged: 'Switched to English.',
  },
};

const KINDS = ['lesson', 'simulation', 'document', 'video', 'link', 'question_set', 'course_package'];
const KIND_NAMES = {
  vi: { lesson: 'Bài giảng', simulation: 'Mô phỏng', document: 'Tài liệu', video: 'Video', link: 'Liên kết',
        question_set: 'Bộ câu hỏi', course_package: 'Gói khoá học' },
  en: { lesson: 'Lesson', simulation: 'Simulation', document: 'Document', video: 'Video', link: 'Link',
        question_set: 'Question set', course_package: 'Course package' },
};
const VISIBILITIES = ['public', 'sector', 'school', 'private'];
const VISIBILITY_NAMES = {
  vi: { public: 'Công khai', sector: 'Trong ngành giáo dục', school: 'Trong trường', private: 'Riêng tư' },
  en: { public: 'Public', sector: 'Education sector', school: 'My school', private: 'Private' },
};
const STATUS_NAMES = {
  vi: { draft: 'Bản nháp', submitted: 'Đã gửi duyệt', in_review: 'Đang thẩm định', changes_requested: 'Cần chỉnh sửa',
        published: 'Đã xuất bản', rejected: 'Bị từ chối', withdrawn: 'Đã rút' },
  en: { draft: 'Draft', submitted: 'Submitted', in_review: 'In review', changes_requested: 'Changes requested',
        published: 'Published', rejected: 'Rejected', withdrawn: 'Withdrawn' },
};
// Subject codes of the GDPT 2018 programme; an unknown code is shown as it is.
const SUBJECT_NAMES = {
  vi: { TOAN: 'Toán', NGUVAN: 'Ngữ văn', TIENGVIET: 'Tiếng Việt', TIENGANH: 'Tiếng Anh', NGOAINGU: 'Ngoại ngữ',
        VATLY: 'Vật lí', HOAHOC: 'Hoá học', SINHHOC: 'Sinh học', KHTN: 'Khoa học tự nhiên', KHOAHOC: 'Khoa học',
        LICHSU: 'Lịch sử', DIALY: 'Địa lí', LSDL: 'Lịch sử và Địa lí', TINHOC: 'Tin học', CONGNGHE: 'Công nghệ',
        GDCD: 'Giáo dục công dân', GDKTPL: 'Giáo dục kinh tế và pháp luật', DAODUC: 'Đạo đức', TNXH: 'Tự nhiên và Xã hội',
        AMNHAC: 'Âm nhạc', MYTHUAT: 'Mĩ thuật', NGHETHUAT: 'Nghệ thuật', GDTC: 'Giáo dục thể chất',
        GDQPAN: 'Giáo dục quốc phòng và an ninh', HDTN: 'Hoạt động trải nghiệm' },
  en: { TOAN: 'Mathematics', NGUVAN: 'Literature', TIENGVIET: 'Vietnamese', TIENGANH: 'English', NGOAINGU: 'Foreign language',
        VATLY: 'Physics', HOAHOC: 'Chemistry', SINHHOC: 'Biology', KHTN: 'Natural sciences', KHOAHOC: 'Science',
        LICHSU: 'History', DIALY: 'Geography', LSDL: 'History and Geography', TINHOC: 'Computer science', CONGNGHE: 'Technology',
        GDCD: 'Civic education', GDKTPL: 'Economics and law', DAODUC: 'Ethics', TNXH: 'Nature and society',
        AMNHAC: 'Music', MYTHUAT: 'Fine arts', NGHETHUAT: 'Arts', GDTC: 'Physical education',
        GDQPAN: 'Defence and security education', HDTN: 'Experiential activities' },
};

const FACETS = ['subject', 'grade', 'kind'];
const PAGE_SIZE = 20;
const DEBOUNCE_MS = 300;
const TOKEN_KEY = 'hoclieu.session';
const LANG_KEY = 'hoclieu.lang';

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

let lang = readLang();

function readLang() {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    return stored === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

/** The text for `key` in the chosen language (functions get `args`). */
function t(key, ...args) {
  const value = STRINGS[lang][key] ?? STRINGS.vi[key] ?? key;
  return typeof value === 'function' ? value(...args) : value;
}

function fmt(n) {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

function formatBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

const $ = (selector, root = document) => root.querySelector(selector);

/** Builds an element; children are nodes or strings (strings become text nodes). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function kindName(kind) {
  return KIND_NAMES[lang][kind] ?? kind;
}

function subjectName(code) {
  const name = SUBJECT_NAMES[lang][code];
  return name ? `${name} (${code})` : code;
}

function statusName(status) {
  return STATUS_NAMES[lang][status] ?? status;
}

function splitList(text) {
  const seen = new Set();
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !seen.has(s) && seen.add(s));
}

/** A PID as it may appear in a path: the check character set is URL-safe, but encode anyway. */
function pidPath(pid) {
  return `/id/${encodeURIComponent(pid)}`;
}

// ---------------------------------------------------------------------------
// Status and error announcements
// ---------------------------------------------------------------------------

let statusTimer = 0;

function announce(text) {
  const status = $('#status');
  clearTimeout(statusTimer);
  status.textContent = text;
  statusTimer = setTimeout(() => {
    if (status.textContent === text) status.textContent = '';
  }, 8000);
}

/** Shows an error (an Error, an ApiError or a string) in the page-wide alert region. */
function showError(error) {
  const box = $('#error');
  const text = typeof error === 'string' ? error : errorText(error);
  box.replaceChildren(
    el('span', { text }),
    el('button', { type: 'button', class: 'link-button', text: lang === 'vi' ? 'Đóng' : 'Close', onclick: clearError }),
  );
  box.hidden = false;
}

function clearError() {
  const box = $('#error');
  box.hidden = true;
  box.replaceChildren();
}

// ---------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------

/** An HTTP error with its RFC 9457 problem body (when the server sent one). */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || null;
  }
}

class NetworkError extends Error {
  constructor() {
    super('network');
    this.name = 'NetworkError';
  }
}

/**
 * The message of a problem in the chosen language: `messages.vi` / `messages.en`.
 * Some problems carry one "vi / en" sentence in both members; it is split here.
 */
function problemMessage(problem, status) {
  if (problem && typeof problem === 'object') {
    const messages = problem.messages || {};
    let vi = typeof messages.vi === 'string' ? messages.vi : '';
    let en = typeof messages.en === 'string' ? messages.en : '';
    if (vi && vi === en && vi.includes(' / ')) {
      const at = vi.indexOf(' / ');
      en = vi.slice(at + 3);
      vi = vi.slice(0, at);
    }
    const chosen = lang === 'en' ? en || vi : vi || en;
    if (chosen) return chosen;
    if (problem.detail) return String(problem.detail);
    if (problem.title) return String(problem.title);
  }
  return t('serverError', status);
}

function errorText(error) {
  if (error instanceof ApiError) return problemMessage(error.problem, error.status);
  if (error instanceof NetworkError) return t('network');
  return error?.message ? String(error.message) : String(error);
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return null;
}

/** fetch() with the bearer token, JSON in and out, problems thrown as ApiError. */
async function api(path, { method = 'GET', body, signal, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  const sentToken = auth ? session.token : null;
  Object.assign(headers, authHeaders(sentToken));
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new NetworkError();
  }
  const data = await readBody(response);
  if (!response.ok) {
    if (response.status === 401 && sentToken) {
      // A stale token makes even public reads fail: forget it, say so, and read anonymously.
      if (session.token === sentToken) sessionExpired();
      if (method === 'GET' && path !== '/api/v1/me') return api(path, { method, signal, auth: false });
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

// ---------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------

/** The session of a sign-in with the organisation's account lives in the HttpOnly cookie, not in a token. */
const COOKIE_SESSION = 'cookie';

/** A bearer token, or for a cookie session the CSRF token its state-changing requests must carry. */
function authHeaders(token) {
  if (!token) return {};
  if (token === COOKIE_SESSION) {
    const match = document.cookie.match(/(?:^|;\s*)hoclieu_csrf=([^;]+)/);
    return match ? { 'X-CSRF-Token': decodeURIComponent(match[1]) } : {};
  }
  return { Authorization: `Bearer ${token}` };
}

const session = loadSession();

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || 'null');
    if (saved && typeof saved.token === 'string') return { token: saved.token, user: saved.user || null, expiresAt: saved.expiresAt };
  } catch {
    /* ignore a damaged entry */
  }
  return { token: null, user: null, expiresAt: null };
}

function saveSession() {
  try {
    if (session.token) {
      sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token: session.token, user: session.user, expiresAt: session.expiresAt }));
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  } catch {
    /* storage may be disabled; the session then lasts for this page only */
  }
}

function setSession(token, user, expiresAt) {
  session.token = token;
  session.user = user;
  session.expiresAt = expiresAt || null;
  saveSession();
  renderAccount();
}

function sessionExpired() {
  if (!session.token) return;
  setSession(null, null, null);
  showError(t('sessionExpired'));
}

function displayName(user) {
  return user?.displayName || user?.username || '';
}

function renderAccount() {
  const signedIn = Boolean(session.token && session.user);
  $('#signin-link').hidden = signedIn;
  $('#user-box').hidden = !signedIn;
  $('#user-name').textContent = signedIn ? displayName(session.user) : '';
  renderContributeAccess();
  renderImportAccess();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const username = $('#signin-username').value.trim();
  const password = $('#signin-password').value;
  const errorBox = $('#signin-error');
  errorBox.hidden = true;
  errorBox.textContent = '';
  if (!username || !password) {
    showFormError(errorBox, t('signInMissing'));
    (username ? $('#signin-password') : $('#signin-username')).focus();
    return;
  }
  const button = $('#signin-submit');
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  announce(t('signingIn'));
  try {
    const data = await api('/api/v1/auth/login', { method: 'POST', body: { username, password }, auth: false });
    setSession(data.token, data.user, data.expiresAt);
    $('#signin-password').value = '';
    announce(t('signedIn', displayName(data.user)));
    clearError();
    const target = afterSignIn || 'search';
    afterSignIn = null;
    location.hash = `#${target}`;
    // A search as a signed-in user may see more (own drafts, sector materials).
    runSearch();
  } catch (error) {
    showFormError(errorBox, errorText(error));
    errorBox.dataset.problem = error?.problem?.type || '';
    $('#signin-password').select();
    $('#signin-password').focus();
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

async function signOut() {
  const token = session.token;
  setSession(null, null, null);
  if (token) {
    try {
      await fetch('/api/v1/auth/logout', { method: 'POST', headers: authHeaders(token) });
    } catch {
      /* the token is forgotten here anyway */
    }
  }
  announce(t('signedOut'));
  location.hash = '#search';
  runSearch();
}

/** Checks a stored token on start: the user may have been changed or the session expired. */
async function refreshUser() {
  if (!session.token) {
    // Back from the organisation's sign-in page (the service leaves a one-minute marker): the session is in the cookie.
    if (!/(?:^|;\s*)hoclieu_signin=oidc(?:;|$)/.test(document.cookie)) return;
    document.cookie = 'hoclieu_signin=; Path=/; Max-Age=0; SameSite=Lax';
    try {
      const response = await fetch('/api/v1/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (response.ok) setSession(COOKIE_SESSION, await response.json(), null);
    } catch {
      /* not signed in */
    }
    return;
  }
  try {
    const user = await api('/api/v1/me');
    session.user = user;
    saveSession();
    renderAccount();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) renderAccount();
  }
}

/** Offers the organisation's sign-in when the service has one configured. */
async function showSignInMethods() {
  try {
    const methods = await api('/api/v1/auth/methods', { auth: false });
    $('#signin-oidc').hidden = !methods.oidc;
  } catch {
    /* password sign-in only */
  }
}

function showFormError(box, text) {
  box.textContent = text;
  box.hidden = false;
}

// ---------------------------------------------------------------------------
// Views (hash routing: #search, #signin, #contribute)
// ---------------------------------------------------------------------------

const VIEWS = ['search', 'signin', 'contribute', 'import'];
let afterSignIn = null;

function currentView() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0];
  return VIEWS.includes(name) ? name : 'search';
}

function showView(focus = true) {
  let view = currentView();
  if (view === 'signin' && session.token && session.user) view = 'search';
  for (const section of document.querySelectorAll('[data-view]')) {
    section.hidden = section.dataset.view !== view;
  }
  for (const link of document.querySelectorAll('[data-view-link]')) {
    if (link.dataset.viewLink === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const headings = { search: 'searchHeading', signin: 'signInHeading', contribute: 'contributeHeading', import: 'importHeading' };
  document.title = `${t(headings[view])} — Hoclieu`;
  if (!focus) return;
  if (view === 'signin') $('#signin-username').focus();
  else if (view === 'contribute') {
    if (session.token && !$('#contribute-form').hidden) $('#c-title').focus();
    else {
      $('#contribute-heading').setAttribute('tabindex', '-1');
      $('#contribute-heading').focus();
    }
  } else if (view === 'import') {
    renderImportAccess();
    if (session.token && !$('#import-form').hidden) $('#i-file').focus();
    else {
      $('#import-heading').setAttribute('tabindex', '-1');
      $('#import-heading').focus();
    }
  } else if (view === 'search' && location.hash) $('#q').focus();
}

// ---------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------

const search = {
  q: '',
  filters: { subject: new Set(), grade: new Set(), kind: new Set() },
  items: [],
  total: 0,
  lowerBound: false,
  next: null,
  facets: { subject: [], grade: [], kind: [] },
  generation: 0,
  controller: null,
  loaded: false,
};

function searchParams({ cursor = null, facets = [], without = null, limit = PAGE_SIZE } = {}) {
  const params = new URLSearchParams();
  const q = search.q.trim();
  if (q) params.set('q', q);
  for (const facet of FACETS) {
    if (facet === without) continue;
    const values = [...search.filters[facet]];
    if (values.length) params.set(facet, values.join(','));
  }
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  if (facets.length) params.set('facets', facets.join(','));
  return params;
}

/**
 * A new search: the first page and the facet counts.
 *
 * Facet counts are computed over the filtered matches, so a facet with a selection would
 * only list the chosen values. For such a facet a second, one-item request without its own
 * filter gives the counts of the alternatives (values of one facet are ORed).
 */
async function runSearch() {
  syncUrl();
  search.controller?.abort();
  const controller = new AbortController();
  search.controller = controller;
  const generation = ++search.generation;
  const selected = FACETS.filter((f) => search.filters[f].size > 0);
  const plain = FACETS.filter((f) => search.filters[f].size === 0);

  $('#results').setAttribute('aria-busy', 'true');
  $('#result-count').textContent = t('searching');
  try {
    const main = api(`/api/v1/search?${searchParams({ facets: plain })}`, { signal: controller.signal });
    const extra = selected.map((facet) =>
      api(`/api/v1/search?${searchParams({ facets: [facet], without: facet, limit: 1 })}`, { signal: controller.signal })
        .then((page) => [facet, page.facets?.[facet] || []]),
    );
    const [page, ...others] = await Promise.all([main, ...extra]);
    if (generation !== search.generation) return;
    search.items = page.items || [];
    search.total = page.total || 0;
    search.lowerBound = Boolean(page.totalIsLowerBound);
    search.next = page.next || null;
    for (const facet of plain) search.facets[facet] = page.facets?.[facet] || [];
    for (const [facet, counts] of others) search.facets[facet] = counts;
    search.loaded = true;
    renderFacets();
    renderResults();
  } catch (error) {
    if (error?.name === 'AbortError' || generation !== search.generation) return;
    $('#result-count').textContent = '';
    showError(error);
  } finally {
    if (generation === search.generation) $('#results').removeAttribute('aria-busy');
  }
}

async function loadMore() {
  if (!search.next) return;
  const button = $('#load-more');
  const generation = search.generation;
  button.disabled = true;
  button.textContent = t('loading');
  const firstNew = search.items.length;
  try {
    const page = await api(`/api/v1/search?${searchParams({ cursor: search.next })}`, { signal: search.controller?.signal });
    if (generation !== search.generation) return;
    search.items = search.items.concat(page.items || []);
    search.next = page.next || null;
    renderResults();
    // Move focus to the first new result so keyboard users continue where they were.
    const link = document.querySelectorAll('#results > li')[firstNew]?.querySelector('a');
    link?.focus();
    announce(t('shown', search.items.length));
  } catch (error) {
    if (error?.name !== 'AbortError') showError(error);
  } finally {
    button.disabled = false;
    button.textContent = t('loadMore');
  }
}

function facetLabel(facet, value) {
  if (facet === 'subject') return subjectName(value);
  if (facet === 'grade') return t('gradeN', value);
  if (facet === 'kind') return kindName(value);
  return value;
}

function renderFacets() {
  for (const facet of FACETS) {
    const container = $(`[data-facet="${facet}"]`);
    const counts = new Map((search.facets[facet] || []).map((entry) => [String(entry.value), entry.count]));
    // A chosen value stays listed even when nothing matches it any more.
    for (const value of search.filters[facet]) if (!counts.has(value)) counts.set(value, 0);
    let values = [...counts.keys()];
    if (facet === 'grade') values.sort((a, b) => Number(a) - Number(b));
    else if (facet === 'kind') values.sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b));
    else values.sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
    if (!values.length) {
      container.replaceChildren(el('p', { class: 'hint', text: t('facetEmpty') }));
      continue;
    }
    container.replaceChildren(
      ...values.map((value) => {
        const id = `f-${facet}-${value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
        const input = el('input', {
          type: 'checkbox', id, value, checked: search.filters[facet].has(value),
          dataset: { facet },
          onchange: (event) => {
            if (event.target.checked) search.filters[facet].add(value);
            else search.filters[facet].delete(value);
            runSearch();
          },
        });
        return el('div', { class: 'facet-option' },
          input,
          el('label', { for: id },
            el('span', { class: 'facet-name', text: facetLabel(facet, value) }),
            el('span', { class: 'facet-count', text: fmt(counts.get(value)) })));
      }),
    );
  }
  $('#clear-filters').hidden = !FACETS.some((f) => search.filters[f].size > 0);
}

function renderResults() {
  const list = $('#results');
  const count = search.lowerBound ? t('resultsAbout', search.total) : t('resultsExact', search.total);
  $('#result-count').textContent = count;
  if (!search.items.length) {
    list.replaceChildren(el('li', { class: 'empty', text: t('noResults') }));
  } else {
    list.replaceChildren(...search.items.map(renderMaterial));
  }
  const more = $('#load-more');
  more.hidden = !search.next;
  more.textContent = t('loadMore');
}

function renderMaterial(material) {
  const m = material.metadata || {};
  const pid = String(material.pid || '');
  const titleId = `r-${pid.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const subjects = (m.subjects || []).map(subjectName).join(', ');
  const grades = (m.grades || []).join(', ');
  const details = el('dl', { class: 'meta' },
    subjects ? metaItem(t('subjectsLabel'), subjects) : null,
    grades ? metaItem(t('gradesLabel'), grades) : null,
    metaItem(t('licenceLabel'), m.licence || t('noLicence')),
  );
  const badges = el('p', { class: 'badges' },
    el('span', { class: `badge kind-${material.kind}` },
      el('span', { class: 'visually-hidden', text: `${t('kindLabel')}: ` }), kindName(material.kind)),
    material.status && material.status !== 'published'
      ? el('span', { class: `badge status status-${material.status}`, text: statusName(material.status) })
      : null);
  return el('li', { class: 'result' },
    el('article', { 'aria-labelledby': titleId },
      badges,
      el('h3', { class: 'result-title', id: titleId },
        el('a', { href: pidPath(pid), text: m.title || pid })),
      m.description ? el('p', { class: 'result-description', text: m.description }) : null,
      details,
      el('p', { class: 'pid-line' },
        el('a', { href: pidPath(pid), class: 'pid', text: pid, 'aria-label': `${t('pidLabel')} ${pid}` }),
        accessLink(material, m.title || pid),
        previewButton(material, m.title || pid))));
}

/** "Preview": asks the API for the address (signed when the material is not public) and opens it sandboxed in a new tab. */
function previewButton(material, title) {
  const version = Number(material.currentVersion);
  if (material.kind === 'link' || !Number.isInteger(version) || version < 1) return null;
  const pid = encodeURIComponent(String(material.pid || ''));
  const button = el('button', { type: 'button', class: 'access preview', text: t('preview'), 'aria-label': `${t('preview')}: ${title}` });
  button.addEventListener('click', async () => {
    const tab = window.open('about:blank', '_blank');
    try {
      const answer = await api(`/api/v1/materials/${pid}/versions/${version}/preview`, { method: 'POST' });
      if (tab) { tab.opener = null; tab.location.replace(answer.url); } else { window.location.assign(answer.url); }
    } catch (error) {
      if (tab) tab.close();
      announce(t('previewFailed'));
    }
  });
  return button;
}

/** "Download" for a material with a file, "Open link" for a link (http(s) only). */
function accessLink(material, title) {
  const pid = encodeURIComponent(String(material.pid || ''));
  if (material.kind === 'link' && typeof material.url === 'string' && /^https?:\/\//i.test(material.url)) {
    return el('a', { href: material.url, class: 'access', rel: 'noopener noreferrer', target: '_blank',
                     text: t('openLink'), 'aria-label': `${t('openLink')}: ${title}` });
  }
  const version = Number(material.currentVersion);
  if (Number.isInteger(version) && version > 0) {
    return el('a', { href: `/api/v1/materials/${pid}/versions/${version}/file`, class: 'access', download: '',
                     text: t('download'), 'aria-label': `${t('download')}: ${title}` });
  }
  return null;
}

function metaItem(label, value) {
  return el('div', {}, el('dt', { text: label }), el('dd', { text: value }));
}

/** Keeps the search in the address (?q=…&subject=…) so it can be shared and survives a reload. */
function syncUrl() {
  const params = new URLSearchParams();
  if (search.q.trim()) params.set('q', search.q.trim());
  for (const facet of FACETS) if (search.filters[facet].size) params.set(facet, [...search.filters[facet]].join(','));
  const query = params.toString();
  const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  search.q = params.get('q') || '';
  $('#q').value = search.q;
  for (const facet of FACETS) {
    search.filters[facet] = new Set(splitList(params.get(facet) || ''));
  }
}

let debounceTimer = 0;

function onSearchInput() {
  clearTimeout(debounceTimer);
  debounceTimer = setTimeout(() => {
    const value = $('#q').value;
    if (value.trim() === search.q.trim()) return;
    search.q = value;
    runSearch();
  }, DEBOUNCE_MS);
}

function onSearchSubmit(event) {
  event.preventDefault();
  clearTimeout(debounceTimer);
  search.q = $('#q').value;
  runSearch();
}

// ---------------------------------------------------------------------------
// Contribute
// ---------------------------------------------------------------------------

const upload = { xhr: null, pid: null, material: null, result: null };

function renderContributeAccess() {
  const signedIn = Boolean(session.token && session.user);
  $('#contribute-signed-out').hidden = signedIn;
  const showingResult = !$('#contribute-result').hidden;
  $('#contribute-form').hidden = !signedIn || showingResult;
  if (!signedIn) $('#contribute-result').hidden = true;
}

function fillContributeSelects() {
  const kind = $('#c-kind');
  const chosenKind = kind.value || 'document';
  kind.replaceChildren(...KINDS.map((k) => el('option', { value: k, text: kindName(k) })));
  kind.value = chosenKind;
  const visibility = $('#c-visibility');
  const chosenVisibility = visibility.value || 'public';
  visibility.replaceChildren(...VISIBILITIES.map((v) => el('option', { value: v, text: VISIBILITY_NAMES[lang][v] })));
  visibility.value = chosenVisibility;
  const grades = $('#c-grades');
  if (!grades.children.length) {
    for (let g = 1; g <= 12; g += 1) {
      grades.append(el('div', { class: 'grade-box' },
        el('input', { type: 'checkbox', id: `c-grade-${g}`, name: 'grades', value: String(g) }),
        el('label', { for: `c-grade-${g}`, text: String(g) })));
    }
  }
  updateKindFields();
}

function updateKindFields() {
  const isLink = $('#c-kind').value === 'link';
  $('#c-url-field').hidden = !isLink;
  $('#c-file-field').hidden = isLink;
}

function updateFileInfo() {
  const file = $('#c-file').files[0];
  $('#c-file-info').textContent = file ? t('fileInfo', file.name, formatBytes(file.size)) : '';
}

function contributeError(text, focusTarget) {
  const box = $('#contribute-error');
  showFormError(box, text);
  if (focusTarget) {
    focusTarget.setAttribute('aria-invalid', 'true');
    focusTarget.focus();
  }
}

function clearContributeError() {
  const box = $('#contribute-error');
  box.hidden = true;
  box.textContent = '';
  for (const field of document.querySelectorAll('#contribute-form [aria-invalid]')) field.removeAttribute('aria-invalid');
}

function setBusy(busy) {
  $('#contribute-submit').disabled = busy;
  $('#retry-upload').disabled = busy;
  $('#contribute-form').toggleAttribute('aria-busy', busy);
}

async function submitContribution(event) {
  event.preventDefault();
  clearContributeError();
  clearError();
  const title = $('#c-title').value.trim();
  const kind = $('#c-kind').value;
  const file = $('#c-file').files[0];
  const url = $('#c-url').value.trim();
  const subjects = splitList($('#c-subjects').value).map((s) => s.toUpperCase());
  if (!title) return contributeError(t('errTitleRequired'), $('#c-title'));
  if (subjects.some((s) => !/^[A-Z0-9_]{1,32}$/.test(s))) return contributeError(t('errSubjects'), $('#c-subjects'));
  if (kind === 'link' && !/^https?:\/\/\S+$/i.test(url)) return contributeError(t('errUrlRequired'), $('#c-url'));
  if (kind !== 'link' && !file) return contributeError(t('errFileRequired'), $('#c-file'));

  const body = {
    kind,
    title,
    description: $('#c-description').value.trim(),
    subjects,
    grades: [...document.querySelectorAll('#c-grades input:checked')].map((box) => Number(box.value)),
    keywords: splitList($('#c-keywords').value),
    licence: $('#c-licence').value,
    authors: splitList($('#c-authors').value),
    visibility: $('#c-visibility').value,
  };
  if (kind === 'link') body.url = url;

  setBusy(true);
  announce(t('creating'));
  let material;
  try {
    material = await api('/api/v1/materials', { method: 'POST', body });
  } catch (error) {
    setBusy(false);
    return contributeError(errorText(error));
  }
  upload.pid = material.pid;
  upload.material = material;
  if (kind === 'link') {
    setBusy(false);
    return showContributed(material, null);
  }
  await uploadFile(material.pid, file);
}

async function retryUpload() {
  clearContributeError();
  const file = $('#c-file').files[0];
  if (!upload.pid) return;
  if (!file) return contributeError(t('errFileRequired'), $('#c-file'));
  setBusy(true);
  await uploadFile(upload.pid, file);
}

/**
 * Uploads the raw file as a new version with XMLHttpRequest, whose upload.onprogress
 * reports real progress (fetch has none for request bodies), and which can be aborted.
 */
function uploadFile(pid, file) {
  return new Promise((resolve) => {
    const box = $('#upload-box');
    const bar = $('#upload-progress');
    const percent = $('#upload-percent');
    const bytes = $('#upload-bytes');
    const retry = $('#retry-upload');
    retry.hidden = true;
    box.hidden = false;
    box.dataset.state = 'uploading';
    $('#upload-label').textContent = t('uploading');
    $('#upload-cancel').hidden = false;
    let lastAnnounced = -1;
    const setProgress = (loaded, total) => {
      const value = total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
      bar.value = value;
      percent.textContent = `${value}%`;
      bytes.textContent = t('uploadBytes', formatBytes(loaded), formatBytes(total));
      // Screen readers hear every quarter, not every event.
      const quarter = Math.floor(value / 25);
      if (quarter !== lastAnnounced && value < 100) {
        lastAnnounced = quarter;
        if (value > 0) announce(`${t('uploading')} ${value}%`);
      }
    };
    setProgress(0, file.size);

    const xhr = new XMLHttpRequest();
    upload.xhr = xhr;
    xhr.open('POST', `/api/v1/materials/${encodeURIComponent(pid)}/versions?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(authHeaders(session.token))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) setProgress(event.loaded, event.total);
    };
    const finish = () => {
      upload.xhr = null;
      $('#upload-cancel').hidden = true;
      setBusy(false);
      resolve();
    };
    const failed = (text) => {
      box.dataset.state = 'failed';
      $('#upload-label').textContent = text;
      contributeError(`${text} ${t('createdNoFile', pid)}`);
      retry.textContent = t('retryUpload', pid);
      retry.hidden = false;
      finish();
    };
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        setProgress(file.size, file.size);
        box.dataset.state = 'done';
        $('#upload-label').textContent = t('uploadDone');
        announce(t('uploadDone'));
        finish();
        showContributed(upload.material, data);
      } else {
        if (xhr.status === 401) sessionExpired();
        failed(problemMessage(data, xhr.status));
      }
    };
    xhr.onerror = () => failed(t('uploadFailedNetwork'));
    xhr.onabort = () => {
      announce(t('uploadCancelled'));
      failed(t('uploadCancelled'));
    };
    announce(t('uploadStarted'));
    xhr.send(file);
  });
}

function cancelUpload() {
  upload.xhr?.abort();
}

function showContributed(material, version) {
  upload.result = { material, version };
  renderContributed();
  const result = $('#contribute-result');
  result.hidden = false;
  $('#contribute-form').hidden = true;
  announce(t('contributed', String(material.pid)));
  result.focus();
}

function renderContributed() {
  if (!upload.result) return;
  const { material, version } = upload.result;
  const pid = String(material.pid);
  const link = $('#result-pid-link');
  link.href = pidPath(pid);
  link.textContent = pid;
  const lines = [];
  if (version) lines.push(t('resultVersion', version.number, version.fileName, formatBytes(version.byteSize)));
  lines.push(t('resultStatus', statusName(material.status)));
  if (version && version.package) {
    lines.push(t('packageLine', version.package.kind.toUpperCase(), version.package.scoCount, version.package.warnings.length));
  }
  if (material.status !== 'published') lines.push(t('resultDraftNote'));
  $('#result-detail').textContent = lines.join(' ');
  const warnings = $('#result-warnings');
  warnings.replaceChildren(...((version && version.package && version.package.warnings) || []).map((w) => el('li', { text: w })));
  warnings.hidden = !warnings.children.length;
  $('#contribute-result').dataset.pid = pid;
}

function contributeAnother() {
  const form = $('#contribute-form');
  form.reset();
  upload.pid = null;
  upload.material = null;
  upload.result = null;
  $('#upload-box').hidden = true;
  $('#retry-upload').hidden = true;
  $('#c-file-info').textContent = '';
  $('#contribute-result').hidden = true;
  clearContributeError();
  fillContributeSelects();
  renderContributeAccess();
  $('#c-title').focus();
}

// ---------------------------------------------------------------------------
// Import a course (Common Cartridge): upload with progress, then the job's progress
// ---------------------------------------------------------------------------

const courseImport = { xhr: null, job: null, timer: null, report: null, error: null };

function renderImportAccess() {
  const signedIn = Boolean(session.token && session.user);
  $('#import-signed-out').hidden = signedIn;
  $('#import-form').hidden = !signedIn || !$('#import-result').hidden;
}

function setImportProgress(value, label) {
  const box = $('#import-box');
  box.hidden = false;
  const percent = Math.max(0, Math.min(100, Math.floor(value)));
  $('#import-progress').value = percent;
  $('#import-percent').textContent = `${percent}%`;
  $('#import-label').textContent = label;
}

function importFailed(text) {
  clearInterval(courseImport.timer);
  courseImport.timer = null;
  courseImport.xhr = null;
  courseImport.job = null;
  $('#import-box').dataset.state = 'failed';
  $('#import-label').textContent = text;
  $('#import-cancel').hidden = true;
  $('#import-submit').disabled = false;
  showFormError($('#import-error'), text);
  announce(text);
}

function submitImport(event) {
  event.preventDefault();
  $('#import-error').hidden = true;
  const file = $('#i-file').files[0];
  if (!file) {
    showFormError($('#import-error'), t('importNoFile'));
    $('#i-file').focus();
    return;
  }
  $('#import-submit').disabled = true;
  $('#import-cancel').hidden = false;
  $('#import-box').dataset.state = 'uploading';
  setImportProgress(0, t('uploading'));
  const xhr = new XMLHttpRequest();
  courseImport.xhr = xhr;
  const status = $('#i-status').value === 'submitted' ? 'submitted' : 'draft';
  xhr.open('POST', `/api/v1/imports?filename=${encodeURIComponent(file.name)}&status=${status}`);
  xhr.setRequestHeader('Content-Type', 'application/zip');
  xhr.setRequestHeader('Accept', 'application/json');
  for (const [name, value] of Object.entries(authHeaders(session.token))) xhr.setRequestHeader(name, value);
  // The upload is the first half of the bar, the server's work the second.
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) setImportProgress((e.loaded / e.total) * 50, t('uploading'));
  };
  xhr.onload = () => {
    courseImport.xhr = null;
    let data = null;
    try {
      data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
    } catch {
      data = null;
    }
    if (xhr.status !== 202 || !data || !data.id) {
      if (xhr.status === 401) sessionExpired();
      importFailed(t('importFailed', problemMessage(data, xhr.status)));
      return;
    }
    courseImport.job = data.id;
    $('#import-box').dataset.state = 'processing';
    setImportProgress(50, t('importQueued'));
    courseImport.timer = setInterval(pollImport, 500);
  };
  xhr.onerror = () => importFailed(t('uploadFailedNetwork'));
  xhr.onabort = () => importFailed(t('importCancelled'));
  announce(t('uploadStarted'));
  xhr.send(file);
}

async function pollImport() {
  if (!courseImport.job) return;
  let job;
  try {
    job = await api(`/api/v1/imports/${encodeURIComponent(courseImport.job)}`);
  } catch (error) {
    importFailed(t('importFailed', errorText(error)));
    return;
  }
  if (job.status === 'queued') return;
  if (job.status === 'running' || job.status === 'cancelling') {
    setImportProgress(50 + job.progress * 50, t('importProcessing'));
    return;
  }
  clearInterval(courseImport.timer);
  courseImport.timer = null;
  courseImport.job = null;
  if (job.status === 'cancelled') return importFailed(t('importCancelled'));
  if (job.status === 'failed') return importFailed(t('importFailed', job.error || ''));
  setImportProgress(100, t('importDone'));
  $('#import-box').dataset.state = 'done';
  $('#import-cancel').hidden = true;
  courseImport.report = job.report;
  renderImportReport();
  $('#import-form').hidden = true;
  $('#import-result').hidden = false;
  announce(t('importDone'));
  $('#import-result').focus();
}

async function cancelImport() {
  if (courseImport.xhr) {
    courseImport.xhr.abort();
    return;
  }
  if (!courseImport.job) return;
  try {
    await api(`/api/v1/imports/${encodeURIComponent(courseImport.job)}/cancel`, { method: 'POST' });
  } catch {
    /* it ended meanwhile: the next poll says how */
  }
}

function messageList(list, heading, box) {
  const shown = list.slice(0, 50).map((m) => el('li', { text: `${lang === 'vi' ? m.vietnamese : m.english}${m.resource ? ` (${m.resource})` : ''}` }));
  if (list.length > 50) shown.push(el('li', { text: t('importMore', list.length - 50) }));
  box.replaceChildren(...(list.length ? [el('h3', { text: heading }), el('ul', { class: 'warnings' }, ...shown)] : []));
}

function renderImportReport() {
  const report = courseImport.report;
  if (!report) return;
  $('#import-summary').textContent = `${t('importSummary', report.created, report.updated, report.unchanged)} ${t('importCounts', report.counts)}`;
  const course = report.coursePackage;
  const link = $('#import-course-link');
  link.textContent = course ? `${course.title} — ${course.pid}` : '';
  link.href = course ? pidPath(String(course.pid)) : '#';
  messageList(report.warnings || [], t('importWarnings', (report.warnings || []).length), $('#import-warnings'));
  messageList(report.dropped || [], t('importDropped', (report.dropped || []).length), $('#import-dropped'));
}

function importAnother() {
  $('#import-form').reset();
  courseImport.report = null;
  $('#import-box').hidden = true;
  $('#import-result').hidden = true;
  $('#import-error').hidden = true;
  $('#import-submit').disabled = false;
  renderImportAccess();
  $('#i-file').focus();
}

// ---------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll('[data-i18n-aria-label]')) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  for (const button of document.querySelectorAll('.lang-btn')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  fillContributeSelects();
  updateFileInfo();
  if (search.loaded) {
    renderFacets();
    renderResults();
  }
  if (upload.pid && !$('#retry-upload').hidden) $('#retry-upload').textContent = t('retryUpload', upload.pid);
  renderContributed();
  renderImportReport();
  const uploadState = $('#upload-box').dataset.state;
  if (uploadState === 'uploading' || uploadState === 'done') {
    $('#upload-label').textContent = t(uploadState === 'done' ? 'uploadDone' : 'uploading');
  }
  showView(false);
}

function setLanguage(next) {
  if (next === lang) return;
  lang = next === 'en' ? 'en' : 'vi';
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* not stored: the choice lasts for this page */
  }
  applyLanguage();
  announce(t('languageChanged'));
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

function start() {
  readUrl();
  applyLanguage();
  renderAccount();

  $('#search-form').addEventListener('submit', onSearchSubmit);
  $('#q').addEventListener('input', onSearchInput);
  $('#load-more').addEventListener('click', loadMore);
  $('#clear-filters').addEventListener('click', () => {
    for (const facet of FACETS) search.filters[facet].clear();
    runSearch();
    $('#q').focus();
  });
  $('#signin-form').addEventListener('submit', signIn);
  $('#signout-button').addEventListener('click', signOut);
  $('#contribute-form').addEventListener('submit', submitContribution);
  $('#c-kind').addEventListener('change', updateKindFields);
  $('#c-file').addEventListener('change', updateFileInfo);
  $('#upload-cancel').addEventListener('click', cancelUpload);
  $('#retry-upload').addEventListener('click', retryUpload);
  $('#contribute-another').addEventListener('click', contributeAnother);
  $('#import-form').addEventListener('submit', submitImport);
  $('#import-cancel').addEventListener('click', cancelImport);
  $('#import-another').addEventListener('click', importAnother);
  for (const button of document.querySelectorAll('.lang-btn')) {
    button.addEventListener('click', () => setLanguage(button.dataset.lang));
  }
  $('#signin-link').addEventListener('click', () => {
    afterSignIn = ['contribute', 'import'].includes(currentView()) ? currentView() : 'search';
  });
  $('#import-signed-out a').addEventListener('click', () => {
    afterSignIn = 'import';
  });
  $('#contribute-signed-out a').addEventListener('click', () => {
    afterSignIn = 'contribute';
  });
  window.addEventListener('hashchange', () => showView(true));
  window.addEventListener('beforeunload', (event) => {
    if (upload.xhr || courseImport.xhr) event.preventDefault();
  });

  showView(false);
  refreshUser();
  showSignInMethods();
  runSearch();
  document.body.dataset.ready = 'true';
}

start();
