/**
 * A static scan for file-system paths in our TypeScript that point outside the repository:
 * relative imports, `join`/`resolve` chains built on `__dirname` or the repository root, and
 * literal paths into the machine around it (`../shared`, `/work/…`). Parsed with the TypeScript
 * compiler, so comments and look-alike strings in other positions do not count.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import ts from "typescript";

export interface Escape {
  file: string;
  line: number;
  /** The source text of the offending expression. */
  text: string;
  why: string;
}

/** Names that stand for the repository root when they start a path chain. */
const ROOT_NAMES = new Set(["repoRoot", "packageRoot", "PACKAGE_ROOT", "REPO_ROOT"]);
const PATH_BUILDERS = new Set(["join", "resolve"]);
/** Literal paths that can only mean the machine around the repository. */
const OUTSIDE_LITERAL = /(^|[\\/])\.\.[\\/]+shared([\\/]|$)|^\/(work|root|home)\//;

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function literalText(node: ts.Node): string | undefined {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}

function isPathBuilder(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return PATH_BUILDERS.has(callee.text);
  return ts.isPropertyAccessExpression(callee) && PATH_BUILDERS.has(callee.name.text);
}

/**
 * Where a path chain starts, as compiled code sees it: `__dirname` is the file's folder under
 * `dist/` (tests and scripts run compiled), `repoRoot()` and the like are the repository root.
 */
function chainBase(first: ts.Expression, repo: string, compiledDir: string): string | undefined {
  if (ts.isIdentifier(first) && first.text === "__dirname") return compiledDir;
  if (ts.isIdentifier(first) && ROOT_NAMES.has(first.text)) return repo;
  if (ts.isCallExpression(first) && ts.isIdentifier(first.expression) && ROOT_NAMES.has(first.expression.text)) {
    return repo;
  }
  return undefined;
}

/** The escapes in one file's text; `file` is its path relative to `repo`. */
export function findEscapes(repo: string, file: string, text: string): Escape[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sourceDir = dirname(join(repo, file));
  const compiledDir = dirname(join(repo, "dist", file));
  const found: Escape[] = [];
  const report = (node: ts.Node, why: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ file, line, text: node.getText(source), why });
  };
  const checkSpecifier = (node: ts.Node, specifier: string) => {
    if (specifier.startsWith(".") && !inside(repo, resolve(sourceDir, specifier))) {
      report(node, `imports ${specifier}, outside the repository`);
    }
  };

  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const specifier = literalText(node.moduleSpecifier);
      if (specifier !== undefined) checkSpecifier(node, specifier);
    } else if (ts.isCallExpression(node)) {
      const [first, ...rest] = node.arguments;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      if ((isRequire || isDynamicImport) && first) {
        const specifier = literalText(first);
        if (specifier !== undefined) checkSpecifier(node, specifier);
      } else if (isPathBuilder(node.expression) && first) {
        const base = chainBase(first, repo, compiledDir);
        const segments: string[] = [];
        for (const arg of rest) {
          const segment = literalText(arg);
          if (segment === undefined) break;
          segments.push(segment);
        }
        if (base !== undefined && !inside(repo, resolve(base, ...segments))) {
          report(node, "builds a path outside the repository");
        } else if (base === undefined && segments.some((s, i) => s === ".." && segments[i + 1] === "shared")) {
          report(node, "builds a path into ../shared");
        }
      }
    } else {
      const literal = literalText(node);
      if (literal !== undefined && OUTSIDE_LITERAL.test(literal)) report(node, "names a path outside the repository");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
