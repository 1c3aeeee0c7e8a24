// Maths for the page: LaTeX written between \( \), \[ \], $ $ or $$ $$ turned into MathML, which current
// Chromium and Firefox render natively (MathML Core). No CDN, no third-party renderer: the bank keeps rich
// texts as sanitised HTML with LaTeX left as typed (and MathML from Word/QTI imports), so the page converts
// the LaTeX itself. The converter covers the school subset (fractions, roots, powers and indices, Greek
// letters, relations and operators, functions, fences, vectors, cases and matrices); anything it does not
// know is shown as the LaTeX it was, in red (merror), never dropped.
//
// `richPreview(html)` is the preview of a rich text as typed: the HTML is parsed inertly (DOMParser runs no
// script), copied element by element through an allow-list that mirrors the server's sanitiser, and the
// LaTeX in its text becomes MathML. Nothing typed reaches innerHTML.

const MATHML = 'http://www.w3.org/1998/Math/MathML';

const GREEK = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ϵ', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', vartheta: 'ϑ',
  iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', varpi: 'ϖ', rho: 'ρ', sigma: 'σ', tau: 'τ', upsilon: 'υ',
  phi: 'ϕ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω', Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π',
  Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};

const OPERATORS = {
  times: '×', cdot: '⋅', div: '÷', pm: '±', mp: '∓', le: '≤', leq: '≤', ge: '≥', geq: '≥', ne: '≠', neq: '≠', approx: '≈',
  equiv: '≡', sim: '∼', simeq: '≃', cong: '≅', propto: '∝', to: '→', rightarrow: '→', leftarrow: '←', Rightarrow: '⇒',
  Leftarrow: '⇐', Leftrightarrow: '⇔', leftrightarrow: '↔', iff: '⇔', implies: '⇒', in: '∈', notin: '∉', ni: '∋', subset: '⊂',
  subseteq: '⊆', supset: '⊃', supseteq: '⊇', cup: '∪', cap: '∩', setminus: '∖', forall: '∀', exists: '∃', perp: '⊥',
  parallel: '∥', angle: '∠', triangle: '△', circ: '∘', ldots: '…', cdots: '⋯', dots: '…', vdots: '⋮', ddots: '⋱', sum: '∑',
  prod: '∏', int: '∫', iint: '∬', oint: '∮', lbrace: '{', rbrace: '}', '{': '{', '}': '}', '|': '‖', langle: '⟨', rangle: '⟩',
  vert: '|', Vert: '‖', mid: '∣', neg: '¬', land: '∧', lor: '∨', wedge: '∧', vee: '∨', oplus: '⊕', otimes: '⊗', ast: '∗',
  star: '⋆', bullet: '∙', prime: '′', nabla: '∇', partial: '∂', lfloor: '⌊', rfloor: '⌋', lceil: '⌈', rceil: '⌉', '%': '%',
  '#': '#', '&': '&', _: '_', ',': '\u2009', ';': '\u2005', ':': '\u2005', '!': '', colon: ':', backslash: '\\',
};

const IDENTIFIERS = { infty: '∞', emptyset: '∅', varnothing: '∅', degree: '°', ell: 'ℓ', hbar: 'ℏ', Re: 'ℜ', Im: 'ℑ', aleph: 'ℵ' };

const FUNCTIONS = new Set([
  'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'log', 'ln', 'lg', 'exp', 'lim',
  'max', 'min', 'sup', 'inf', 'det', 'gcd', 'deg', 'dim', 'ker', 'arg',
]);

const ACCENTS = { overline: '‾', bar: '‾', vec: '→', overrightarrow: '→', hat: '^', widehat: '^', tilde: '~', widetilde: '~', dot: '˙', ddot: '¨' };

const SPACES = { quad: '1em', qquad: '2em', ' ': '0.25em' };

function node(name, attributes = {}, ...children) {
  const element = document.createElementNS(MATHML, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  for (const child of children) element.append(child);
  return element;
}

const token = (name, text, attributes) => node(name, attributes, document.createTextNode(text));

/** A token stream over one LaTeX formula. */
function tokenize(source) {
  const tokens = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '\\') {
      const rest = source.slice(i + 1);
      const word = /^[A-Za-z]+/.exec(rest);
      if (word) {
        tokens.push({ kind: 'command', value: word[0], at: i, end: i + 1 + word[0].length });
        i += 1 + word[0].length;
      } else if (rest.length) {
        tokens.push({ kind: 'command', value: rest[0], at: i, end: i + 2 });
        i += 2;
      } else {
        i += 1;
      }
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9]+(?:[.,][0-9]+)?/.exec(source.slice(i))[0];
      tokens.push({ kind: 'number', value: number, at: i, end: i + number.length });
      i += number.length;
    } else {
      tokens.push({ kind: 'char', value: c, at: i, end: i + 1 });
      i += 1;
    }
  }
  return tokens;
}

class Parser {
  constructor(source) {
    this.source = source;
    this.tokens = tokenize(source);
    this.at = 0;
  }

  peek() {
    return this.tokens[this.at];
  }

  next() {
    const t = this.tokens[this.at];
    this.at += 1;
    return t;
  }

  /** Atoms until `}`, `\right`, `\end`, `&`, `\\` or the end; returned as one mrow (or the single atom). */
  expression(stopAtRow = false) {
    const items = [];
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.kind === 'char' && t.value === '}') break;
      if (t.kind === 'command' && (t.value === 'right' || t.value === 'end')) break;
      if (stopAtRow && ((t.kind === 'char' && t.value === '&') || (t.kind === 'command' && t.value === '\\'))) break;
      if (!stopAtRow && t.kind === 'command' && t.value === '\\') {
        this.next();
        continue;
      }
      const atom = this.scripts(this.atom());
      if (atom) items.push(atom);
    }
    return items.length === 1 ? items[0] : node('mrow', {}, ...items);
  }

  /** A braced group, or the next single atom (the argument of \frac, ^, …). */
  argument() {
    const t = this.peek();
    if (!t) return node('mrow');
    if (t.kind === 'char' && t.value === '{') {
      this.next();
      const inside = this.expression();
      if (this.peek()?.value === '}') this.next();
      return inside;
    }
    return this.atom() || node('mrow');
  }

  /** The source text of a braced group, spaces kept (for \text). */
  rawGroup() {
    if (this.peek()?.value !== '{') return '';
    const open = this.next();
    let depth = 1;
    let last = open;
    while (this.peek()) {
      const t = this.next();
      if (t.kind === 'char' && t.value === '{') depth += 1;
      if (t.kind === 'char' && t.value === '}') {
        depth -= 1;
        if (depth === 0) return this.source.slice(open.end, t.at);
      }
      last = t;
    }
    return this.source.slice(open.end, last.end);
  }

  scripts(base) {
    if (!base) return base;
    let sub = null;
    let sup = null;
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'char' && t.value === '^' && !sup) {
        this.next();
        sup = this.argument();
      } else if (t?.kind === 'char' && t.value === '_' && !sub) {
        this.next();
        sub = this.argument();
      } else if (t?.kind === 'char' && t.value === "'") {
        this.next();
        sup = sup ? node('mrow', {}, sup, token('mo', '′')) : token('mo', '′');
      } else break;
    }
    const big = base.localName === 'mo' && ['∑', '∏', '⋃', '⋂'].includes(base.textContent);
    const limits = big || (base.localName === 'mi' && base.textContent === 'lim');
    if (sub && sup) return node(limits ? 'munderover' : 'msubsup', {}, base, sub, sup);
    if (sub) return node(limits ? 'munder' : 'msub', {}, base, sub);
    if (sup) return node(limits ? 'mover' : 'msup', {}, base, sup);
    return base;
  }

  atom() {
    const t = this.next();
    if (!t) return null;
    if (t.kind === 'number') return token('mn', t.value);
    if (t.kind === 'char') {
      if (t.value === '{') {
        const inside = this.expression();
        if (this.peek()?.value === '}') this.next();
        return inside;
      }
      if (/[A-Za-z]/.test(t.value)) return token('mi', t.value);
      if (t.value === '-') return token('mo', '−');
      if (t.value === '*') return token('mo', '∗');
      if (t.value === '~') return token('mspace', '', { width: '0.25em' });
      if (t.value === '^' || t.value === '_') return token('mo', t.value);
      if (/[()[\]|]/.test(t.value)) return token('mo', t.value, { stretchy: 'false' });
      if (/[+=<>/,.;:!?']/.test(t.value)) return token('mo', t.value);
      return token('mi', t.value);
    }
    return this.command(t.value);
  }

  command(name) {
    if (name === 'frac' || name === 'dfrac' || name === 'tfrac' || name === 'cfrac') return node('mfrac', {}, this.argument(), this.argument());
    if (name === 'binom') {
      return node('mrow', {}, token('mo', '('), node('mfrac', { linethickness: '0' }, this.argument(), this.argument()), token('mo', ')'));
    }
    if (name === 'sqrt') {
      if (this.peek()?.value === '[') {
        this.next();
        const index = [];
        while (this.peek() && this.peek().value !== ']') index.push(this.scripts(this.atom()));
        this.next();
        const radicand = this.argument();
        return node('mroot', {}, radicand, index.length === 1 ? index[0] : node('mrow', {}, ...index));
      }
      return node('msqrt', {}, this.argument());
    }
    if (name === 'text' || name === 'textrm' || name === 'mbox' || name === 'textit' || name === 'textbf') return token('mtext', this.rawGroup());
    if (name === 'mathrm' || name === 'operatorname') return token('mi', this.rawGroup(), { mathvariant: 'normal' });
    if (name === 'mathbf') return token('mi', this.rawGroup(), { mathvariant: 'bold' });
    if (name === 'mathbb') return token('mi', this.rawGroup(), { mathvariant: 'double-struck' });
    if (name in ACCENTS) {
      const accent = token('mo', ACCENTS[name], { stretchy: 'true' });
      return node('mover', { accent: 'true' }, this.argument(), accent);
    }
    if (name === 'underline') return node('munder', {}, this.argument(), token('mo', '_', { stretchy: 'true' }));
    if (name === 'left') {
      const open = this.fence();
      const inside = this.expression();
      let close = '';
      if (this.peek()?.value === 'right') {
        this.next();
        close = this.fence();
      }
      return node('mrow', {}, ...(open ? [token('mo', open, { fence: 'true' })] : []), inside, ...(close ? [token('mo', close, { fence: 'true' })] : []));
    }
    if (name === 'begin') return this.environment(this.rawGroup());
    if (name in GREEK) return token('mi', GREEK[name], name.length > 1 && name[0] === name[0].toUpperCase() ? { mathvariant: 'normal' } : {});
    if (name in IDENTIFIERS) return token('mi', IDENTIFIERS[name]);
    if (FUNCTIONS.has(name)) return token('mi', name);
    if (name in SPACES) return token('mspace', '', { width: SPACES[name] });
    if (name in OPERATORS) return OPERATORS[name] ? token('mo', OPERATORS[name]) : node('mrow');
    return token('merror', `\\${name}`);
  }

  fence() {
    const t = this.next();
    if (!t) return '';
    if (t.kind === 'char') return t.value === '.' ? '' : t.value;
    return OPERATORS[t.value] ?? '';
  }

  environment(name) {
    const rows = [];
    if (name === 'array' && this.peek()?.value === '{') this.rawGroup();
    for (;;) {
      const cells = [];
      for (;;) {
        cells.push(node('mtd', {}, this.expression(true)));
        if (this.peek()?.value === '&') {
          this.next();
          continue;
        }
        break;
      }
      rows.push(node('mtr', {}, ...cells));
      if (this.peek()?.kind === 'command' && this.peek().value === '\\') {
        this.next();
        continue;
      }
      break;
    }
    if (this.peek()?.value === 'end') {
      this.next();
      this.rawGroup();
    }
    const table = node('mtable', name === 'cases' ? { columnalign: 'left' } : {}, ...rows);
    const fences = { cases: ['{', ''], pmatrix: ['(', ')'], bmatrix: ['[', ']'], vmatrix: ['|', '|'], Bmatrix: ['{', '}'] }[name];
    if (!fences) return table;
    return node('mrow', {}, ...(fences[0] ? [token('mo', fences[0])] : []), table, ...(fences[1] ? [token('mo', fences[1])] : []));
  }
}

/** One LaTeX formula as a MathML `<math>` element (`display` for \[ \] and $$ $$). */
export function latexToMathML(source, display = false) {
  const parser = new Parser(source);
  let body = parser.expression();
  // Stray closing braces or \right: the rest is still shown.
  const rest = [];
  while (parser.peek()) {
    parser.next();
    rest.push(parser.expression());
  }
  if (rest.length) body = node('mrow', {}, body, ...rest);
  const math = node('math', display ? { display: 'block' } : {}, body);
  math.append(node('annotation', { encoding: 'application/x-tex' }, document.createTextNode(source)));
  // The annotation is for copy and assistive technology; it belongs inside semantics.
  const semantics = node('semantics', {}, ...math.childNodes);
  math.replaceChildren(semantics);
  return math;
}

const DELIMITERS = [
  ['$$', '$$', true],
  ['\\[', '\\]', true],
  ['\\(', '\\)', false],
  ['$', '$', false],
];

/** Splits text into strings and formulas: [{ text } | { tex, display }]. An unclosed delimiter stays text. */
export function splitMath(text) {
  const parts = [];
  let plain = '';
  let i = 0;
  outer: while (i < text.length) {
    if (text[i] === '\\' && text[i + 1] === '$') {
      plain += '$';
      i += 2;
      continue;
    }
    for (const [open, close, display] of DELIMITERS) {
      if (!text.startsWith(open, i)) continue;
      const end = text.indexOf(close, i + open.length);
      if (end < 0 || end === i + open.length) continue;
      if (plain) parts.push({ text: plain });
      plain = '';
      parts.push({ tex: text.slice(i + open.length, end), display });
      i = end + close.length;
      continue outer;
    }
    plain += text[i];
    i += 1;
  }
  if (plain) parts.push({ text: plain });
  return parts;
}

// The server's sanitiser keeps these (RichText+Sanitiser.swift); the preview shows no more than it will store.
const HTML_ELEMENTS = new Set([
  'p', 'br', 'b', 'strong', 'i', 'em', 'u', 'sub', 'sup', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tfoot', 'caption', 'tr', 'td',
  'th', 'span', 'img', 'a',
]);
const DROPPED = new Set([
  'script', 'style', 'iframe', 'object', 'embed', 'applet', 'svg', 'template', 'noscript', 'noembed', 'noframes', 'frame', 'frameset',
  'textarea', 'title', 'xmp', 'plaintext', 'select', 'button', 'form', 'head', 'audio', 'video', 'canvas', 'annotation-xml', 'base', 'link', 'meta',
]);
const MATHML_ELEMENTS = new Set([
  'math', 'mi', 'mn', 'mo', 'ms', 'mtext', 'mspace', 'mrow', 'mfrac', 'msqrt', 'mroot', 'mstyle', 'merror', 'mpadded', 'mphantom',
  'mfenced', 'menclose', 'msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover', 'mmultiscripts', 'mprescripts', 'none', 'mtable',
  'mtr', 'mtd', 'semantics', 'annotation',
]);
const HTML_ATTRIBUTES = new Set(['colspan', 'rowspan', 'alt', 'title', 'lang', 'dir']);
const MATHML_ATTRIBUTES = new Set([
  'mathvariant', 'display', 'mathsize', 'open', 'close', 'separators', 'linethickness', 'fence', 'stretchy', 'accent', 'accentunder',
  'columnalign', 'rowalign', 'width', 'notation', 'encoding', 'form', 'lspace', 'rspace',
]);

/** Copies a parsed node into the page through the allow-lists, converting LaTeX in text outside `<math>`. */
function copy(source, inMath) {
  if (source.nodeType === Node.TEXT_NODE) {
    if (inMath) return document.createTextNode(source.data);
    const fragment = document.createDocumentFragment();
    for (const part of splitMath(source.data)) {
      fragment.append(part.text !== undefined ? document.createTextNode(part.text) : latexToMathML(part.tex, part.display));
    }
    return fragment;
  }
  if (source.nodeType !== Node.ELEMENT_NODE) return null;
  const name = source.localName.toLowerCase();
  if (DROPPED.has(name)) return null;
  const isMath = inMath || name === 'math';
  const allowed = isMath ? MATHML_ELEMENTS.has(name) : HTML_ELEMENTS.has(name);
  const fragment = document.createDocumentFragment();
  let target = fragment;
  if (allowed) {
    if (name === 'img') {
      // Images of the bank are blobs the question carries; the preview names them instead of fetching anything.
      const alt = source.getAttribute('alt');
      return document.createTextNode(alt ? `[${alt}]` : '[🖼]');
    }
    const element = isMath ? document.createElementNS(MATHML, name) : document.createElement(name);
    const names = isMath ? MATHML_ATTRIBUTES : HTML_ATTRIBUTES;
    for (const attribute of source.attributes) {
      if (names.has(attribute.name.toLowerCase())) element.setAttribute(attribute.name.toLowerCase(), attribute.value);
    }
    fragment.append(element);
    target = element;
  }
  for (const child of source.childNodes) {
    const copied = copy(child, isMath);
    if (copied) target.append(copied);
  }
  return fragment;
}

/** The preview of a rich text (HTML or plain text with LaTeX) as a document fragment safe to append. */
export function richPreview(html, format = 'html') {
  if (format !== 'html') {
    const holder = document.createElement('div');
    holder.textContent = html;
    return copy(holder, false);
  }
  const parsed = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  const fragment = document.createDocumentFragment();
  for (const child of parsed.body.childNodes) {
    const copied = copy(child, false);
    if (copied) fragment.append(copied);
  }
  return fragment;
}
