/**
 * A small HCL scanner for the drift test: it finds blocks, attributes and literal map keys in
 * Terraform files without evaluating anything. It understands strings (with `${...}`
 * interpolation), comments, heredocs and nested brackets, which is all it needs to find the
 * structure reliably; it is not a general HCL parser.
 */

/** One item at the top level of a body: an attribute (`key = value`) or a block (`type "label" { }`). */
export type HclItem =
  | { kind: 'attribute'; key: string; value: string }
  | { kind: 'block'; type: string; labels: string[]; body: string };

const CLOSER: Readonly<Record<string, string>> = { '{': '}', '[': ']', '(': ')' };
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const HEREDOC_START = /<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/y;

function commentEnd(text: string, i: number): number | undefined {
  if (text[i] === '#' || text.startsWith('//', i)) {
    const newline = text.indexOf('\n', i);
    return newline === -1 ? text.length : newline;
  }
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    if (end === -1) throw new Error(`unterminated comment at offset ${i}`);
    return end + 2;
  }
  return undefined;
}

function heredocEnd(text: string, i: number): number | undefined {
  HEREDOC_START.lastIndex = i;
  const start = HEREDOC_START.exec(text);
  if (start === null) return undefined;
  const terminator = new RegExp(`^[ \\t]*${start[1]}[ \\t]*$`, 'm');
  const rest = text.slice(HEREDOC_START.lastIndex);
  const match = terminator.exec(rest);
  if (match === null) throw new Error(`unterminated heredoc ${start[1]} at offset ${i}`);
  return HEREDOC_START.lastIndex + match.index + match[0].length;
}

/** `text[i]` is `"`; returns the offset just after the closing quote. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') {
      j += 2;
    } else if (c === '"') {
      return j + 1;
    } else if ((c === '$' || c === '%') && text[j + 1] === '{') {
      // An interpolation may itself hold strings and braces.
      j = balancedEnd(text, j + 1);
    } else if (c === '\n') {
      throw new Error(`unterminated string at offset ${i}`);
    } else {
      j += 1;
    }
  }
  throw new Error(`unterminated string at offset ${i}`);
}

/** Skips a comment, string or heredoc at `i`; returns where it ends, or undefined if there is none. */
function skipOpaque(text: string, i: number): number | undefined {
  if (text[i] === '"') return stringEnd(text, i);
  return commentEnd(text, i) ?? (text.startsWith('<<', i) ? heredocEnd(text, i) : undefined);
}

/** `text[i]` opens a bracket; returns the offset just after its matching closer. */
function balancedEnd(text: string, i: number): number {
  const open = text[i];
  const first = open === undefined ? undefined : CLOSER[open];
  if (first === undefined) throw new Error(`expected a bracket at offset ${i}`);
  const expected = [first];
  let j = i + 1;
  while (j < text.length) {
    const skipped = skipOpaque(text, j);
    if (skipped !== undefined) {
      j = skipped;
      continue;
    }
    const c = text[j] as string;
    const closer = CLOSER[c];
    if (closer !== undefined) {
      expected.push(closer);
    } else if (c === '}' || c === ']' || c === ')') {
      if (expected.pop() !== c) throw new Error(`unbalanced "${c}" at offset ${j}`);
      if (expected.length === 0) return j + 1;
    }
    j += 1;
  }
  throw new Error(`unclosed "${open}" at offset ${i}`);
}

/** End of an attribute's value: the first newline or comma outside brackets, strings and comments. */
function valueEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text[j] as string;
    if (c === '\n' || c === ',') return j;
    if (c === '#' || text.startsWith('//', j)) return j;
    const skipped = c === '"' || text.startsWith('/*', j) || text.startsWith('<<', j) ? skipOpaque(text, j) : undefined;
    if (skipped !== undefined) {
      j = skipped;
    } else if (CLOSER[c] !== undefined) {
      j = balancedEnd(text, j);
    } else {
      j += 1;
    }
  }
  return j;
}

function readName(text: string, i: number): { name: string; end: number } | undefined {
  if (text[i] === '"') {
    const end = stringEnd(text, i);
    return { name: JSON.parse(text.slice(i, end)) as string, end };
  }
  IDENTIFIER.lastIndex = i;
  const match = IDENTIFIER.exec(text);
  return match === null ? undefined : { name: match[0], end: IDENTIFIER.lastIndex };
}

function skipSpace(text: string, i: number, newlines: boolean): number {
  let j = i;
  for (;;) {
    const c = text[j];
    if (c === ' ' || c === '\t' || c === '\r' || (newlines && (c === '\n' || c === ','))) {
      j += 1;
      continue;
    }
    const comment = newlines ? commentEnd(text, j) : undefined;
    if (comment === undefined) return j;
    j = comment;
  }
}

/**
 * Lists the attributes and blocks at the top level of an HCL body (a file, a block's body, or an
 * object/map literal's contents). Throws on anything it cannot read, such as a computed map key,
 * so a test never passes on a half-read file.
 */
export function parseBody(text: string): HclItem[] {
  const items: HclItem[] = [];
  let i = skipSpace(text, 0, true);
  while (i < text.length) {
    const head = readName(text, i);
    if (head === undefined) throw new Error(`expected a name at offset ${i}: "${text.slice(i, i + 40)}"`);
    let j = skipSpace(text, head.end, false);
    const c = text[j];
    if ((c === '=' && text[j + 1] !== '=') || c === ':') {
      const start = skipSpace(text, j + 1, false);
      const end = valueEnd(text, start);
      items.push({ kind: 'attribute', key: head.name, value: text.slice(start, end).trim() });
      i = skipSpace(text, end, true);
      continue;
    }
    const labels: string[] = [];
    while (text[j] !== '{') {
      const label = readName(text, j);
      if (label === undefined) throw new Error(`expected "=", a label or "{" after "${head.name}" at offset ${j}`);
      labels.push(label.name);
      j = skipSpace(text, label.end, false);
    }
    const end = balancedEnd(text, j);
    items.push({ kind: 'block', type: head.name, labels, body: text.slice(j + 1, end - 1) });
    i = skipSpace(text, end, true);
  }
  return items;
}

/** The blocks of one type (and, optionally, first labels) at the top level of a body. */
export function blocks(body: string, type: string, ...labels: string[]): Array<Extract<HclItem, { kind: 'block' }>> {
  return parseBody(body).filter(
    (item): item is Extract<HclItem, { kind: 'block' }> =>
      item.kind === 'block' && item.type === type && labels.every((label, index) => item.labels[index] === label),
  );
}

/** The raw expression text of a top-level attribute, or undefined. */
export function attribute(body: string, key: string): string | undefined {
  const found = parseBody(body).find((item) => item.kind === 'attribute' && item.key === key);
  return found?.kind === 'attribute' ? found.value : undefined;
}

/** The literal keys of an object or map expression such as `{ A = 1, "B" = 2 }`. */
export function objectKeys(expression: string): string[] {
  const trimmed = expression.trim();
  if (!trimmed.startsWith('{') || balancedEnd(trimmed, 0) !== trimmed.length) {
    throw new Error(`expected an object literal, got "${trimmed.slice(0, 60)}"`);
  }
  return parseBody(trimmed.slice(1, -1)).map((item) => {
    if (item.kind !== 'attribute') throw new Error(`unexpected block "${item.type}" inside an object literal`);
    return item.key;
  });
}

/** The values of a list of plain string literals such as `["a", "b",]`; throws on anything else. */
export function stringList(expression: string): string[] {
  const trimmed = expression.trim();
  if (!trimmed.startsWith('[') || balancedEnd(trimmed, 0) !== trimmed.length) {
    throw new Error(`expected a list literal, got "${trimmed.slice(0, 60)}"`);
  }
  const inner = trimmed.slice(1, -1);
  const values: string[] = [];
  let i = skipSpace(inner, 0, true);
  while (i < inner.length) {
    if (inner[i] !== '"') throw new Error(`expected a string literal at offset ${i}: "${inner.slice(i, i + 40)}"`);
    const end = stringEnd(inner, i);
    const literal = inner.slice(i, end);
    // An interpolation would make the value something the scanner cannot know.
    if (/[$%]\{/.test(literal)) throw new Error(`refusing an interpolated string: ${literal}`);
    values.push(JSON.parse(literal) as string);
    i = skipSpace(inner, end, true);
  }
  return values;
}

/** The value of a literal: a string without interpolation, a number, true, false, null, or an object or list of those. */
function literalValue(expression: string): unknown {
  const trimmed = expression.trim();
  const opener = trimmed[0];
  if (opener === '{' || opener === '[') {
    if (balancedEnd(trimmed, 0) !== trimmed.length) throw new Error(`expected one ${opener === '{' ? 'object' : 'list'} literal, got "${trimmed.slice(0, 60)}"`);
    if (opener === '{') {
      return Object.fromEntries(
        parseBody(trimmed.slice(1, -1)).map((item) => {
          if (item.kind !== 'attribute') throw new Error(`unexpected block "${item.type}" inside an object literal`);
          return [item.key, literalValue(item.value)];
        }),
      );
    }
    const inner = trimmed.slice(1, -1);
    const values: unknown[] = [];
    let i = skipSpace(inner, 0, true);
    while (i < inner.length) {
      const end = valueEnd(inner, i);
      values.push(literalValue(inner.slice(i, end)));
      i = skipSpace(inner, end, true);
    }
    return values;
  }
  if (opener === '"') {
    if (stringEnd(trimmed, 0) !== trimmed.length) throw new Error(`expected one string literal, got "${trimmed.slice(0, 60)}"`);
    if (/[$%]\{/.test(trimmed)) throw new Error(`refusing an interpolated string: ${trimmed}`);
    return JSON.parse(trimmed) as string;
  }
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed === 'null') return null;
  throw new Error(`refusing a value the scanner cannot know: "${trimmed.slice(0, 60)}"`);
}

/**
 * The value `jsonencode(...)` encodes, for an argument made of literals only, such as
 * `jsonencode({ action = "sweep" })`; throws on a reference, a function call or an interpolation.
 */
export function jsonencodeLiteral(expression: string): unknown {
  const trimmed = expression.trim();
  const open = 'jsonencode'.length;
  if (!trimmed.startsWith('jsonencode(') || balancedEnd(trimmed, open) !== trimmed.length) {
    throw new Error(`expected jsonencode(...), got "${trimmed.slice(0, 60)}"`);
  }
  return literalValue(trimmed.slice(open + 1, -1));
}
