import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The shape of src/, read from the sources themselves with the TypeScript compiler: arrows point
// one way between folders and between files, and no function grows past what a reader holds at once.

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
/** The most lines a function may have of its own: its inner functions count on their own. */
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every module a file names: static imports and re-exports (types included) and dynamic `import()`. */
function specifiers(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or undefined for a package. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(from), specifier);
  const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), `${target}.ts`, join(target, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && candidate.startsWith(SRC) && !candidate.endsWith(sep));
}

type Graph = Map<string, Set<string>>;

/** Strongly connected components with more than one member (Tarjan): each one is a cycle. */
function cycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return found;
}

/** A file's folder under src/ (`requests`), or the file itself for one at the top (`handler-deps.ts`). */
function folderOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

function importGraphs(): { files: Graph; folders: Graph } {
  const files: Graph = new Map();
  const folders: Graph = new Map();
  for (const file of sourceFiles(SRC)) {
    const name = relative(SRC, file);
    files.set(name, files.get(name) ?? new Set());
    folders.set(folderOf(file), folders.get(folderOf(file)) ?? new Set());
    for (const specifier of specifiers(parse(file))) {
      const target = resolveImport(file, specifier);
      if (target === undefined) continue;
      files.get(name)!.add(relative(SRC, target));
      if (folderOf(target) !== folderOf(file)) folders.get(folderOf(file))!.add(folderOf(target));
    }
  }
  return { files, folders };
}

type FunctionLike = ts.FunctionLikeDeclaration & { body: ts.Node };

function isFunctionWithBody(node: ts.Node): node is FunctionLike {
  return (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && node.body !== undefined;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line;
}

/** The functions nested directly in `node` (not those inside them). */
function innerFunctions(node: ts.Node): FunctionLike[] {
  const inner: FunctionLike[] = [];
  const visit = (child: ts.Node): void => {
    if (isFunctionWithBody(child)) inner.push(child);
    else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return inner;
}

/** A function's lines, less those its inner functions span between their first and last line. */
function ownLines(source: ts.SourceFile, fn: FunctionLike): number {
  const span = (node: ts.Node) => lineOf(source, node.getEnd()) - lineOf(source, node.getStart(source)) + 1;
  return innerFunctions(fn.body).reduce((lines, inner) => lines - Math.max(0, span(inner) - 2), span(fn));
}

function functionName(source: ts.SourceFile, fn: FunctionLike): string {
  const parent = fn.parent;
  const name = fn.name?.getText(source) ?? (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) ? parent.name.getText(source) : '(anonymous)');
  return `${relative(SRC, source.fileName)}:${lineOf(source, fn.getStart(source)) + 1} ${name}`;
}

function longFunctions(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const source = parse(file);
    const visit = (node: ts.Node): void => {
      if (isFunctionWithBody(node)) {
        const lines = ownLines(source, node);
        if (lines > MAX_FUNCTION_LINES) found.push(`${functionName(source, node)}: ${lines} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('the shape of src/', () => {
  const graphs = importGraphs();

  it('has no cycle between folders: arrows point one way', () => {
    expect(cycles(graphs.folders)).toEqual([]);
  });

  it('has no cycle between files, type-only imports included', () => {
    expect(cycles(graphs.files)).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines of its own`, () => {
    expect(longFunctions()).toEqual([]);
  });

  it('sees the imports it checks (a guard against a parser that finds nothing)', () => {
    expect(graphs.files.get(join('requests', 'store.ts'))).toContain(join('requests', 'transitions.ts'));
  });
});
