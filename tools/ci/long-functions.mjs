#!/usr/bin/env node
// Lists every function over 80 lines in the workspace's sources that does not say why it is that
// long (CONTRIBUTING.md, Conventions): a `// Over 80 lines: <reason>` comment directly above it
// exempts it. Usage: node tools/ci/long-functions.mjs [folder…] — without folders, every
// packages/*/src, apps/*/src and tools/; test files (*.test.ts) and testing/ folders are left out.
// Prints one line per offender and exits 1 if there is any.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_LINES = 80;
const MARKER = /^\/\/\s*Over 80 lines: *\S.{8,}/;
const root = join(import.meta.dirname, '..', '..');

const folders = process.argv.length > 2 ? process.argv.slice(2) : workspaceSources();
const offenders = folders.flatMap((folder) => sourceFiles(folder).flatMap(longFunctionsOf));
for (const o of offenders) console.log(`${relative(process.cwd(), o.file)}:${o.line} ${o.name} ${o.lines} lines`);
if (offenders.length > 0) {
  console.error(`${offenders.length} function(s) over ${MAX_LINES} lines without a "// Over 80 lines: <reason>" comment above`);
  process.exitCode = 1;
}

function workspaceSources() {
  const sources = ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(root, group, d.name, 'src')),
  );
  return [...sources, join(root, 'tools')];
}

function sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' || e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(c|m)?tsx?$/.test(e.name) && !/\.d\.(c|m)?ts$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

function longFunctionsOf(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES && !hasReason(node, text)) found.push({ file, line: first + 1, name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isFunction(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

// The comments directly above the function, or above the statement or member it is the value of
// (`const f = () => …`, `f: () => …`, `program.command(…).action(async () => …)`).
function hasReason(node, text) {
  for (let at = node; at; at = at.parent) {
    const comments = ts.getLeadingCommentRanges(text, at.pos) ?? [];
    if (comments.some((c) => MARKER.test(text.slice(c.pos, c.end)))) return true;
    if (isStatementOrMember(at)) return false;
  }
  return false;
}

function isStatementOrMember(node) {
  const p = node.parent;
  return !p || ts.isSourceFile(p) || ts.isBlock(p) || ts.isModuleBlock(p) || ts.isClassLike(p) || ts.isObjectLiteralExpression(p) || ts.isCaseClause(p);
}

function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const p = node.parent;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText(source);
  if (ts.isCallExpression(p)) return `(callback of ${p.expression.getText(source).replace(/\s+/g, '').slice(-40)})`;
  return '(anonymous)';
}
