// No function of the product or its scripts runs over 60 lines: a longer one is a
// procedure that should read as its named steps. The commander builders of
// src/cli/commands/*Command.ts are exempt (they are option lists and help text); their
// action callbacks are functions like any other and are measured, and so is everything
// inside a browser script's top-level wrapper.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAX_LINES = 60;

function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory())
            return entry.name === "node_modules" ? [] : sourceFiles(full);
        return /\.(?:ts|mts|mjs|js)$/u.test(entry.name) && !/\.d\.m?ts$/u.test(entry.name) ? [full] : [];
    });
}

type FunctionSpan = { where: string; name: string; lines: number };

function nameOf(node: ts.FunctionLikeDeclaration): string {
    if (node.name != null)
        return node.name.getText();
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
        return parent.name.getText();
    return "(anonymous)";
}

/** `(function () { ... })();` at the top of a file is the file's scope (a browser script's wrapper), not a function. */
function isModuleWrapper(node: ts.Node): boolean {
    let parent = node.parent;
    while (ts.isParenthesizedExpression(parent))
        parent = parent.parent;
    return ts.isCallExpression(parent) && ts.isExpressionStatement(parent.parent) && ts.isSourceFile(parent.parent.parent);
}

const isCommandBuilder = (file: string, name: string): boolean => /src\/cli\/commands\/\w+Command\.ts$/u.test(file) && /Command$/u.test(name);

function functionsOf(file: string): FunctionSpan[] {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const spans: FunctionSpan[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body != null && !isModuleWrapper(node)) {
            const fn = node as ts.FunctionLikeDeclaration;
            const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
            const last = source.getLineAndCharacterOfPosition(fn.end).line;
            spans.push({ where: `${path.relative(repoRoot, file)}:${first + 1}`, name: nameOf(fn), lines: last - first + 1 });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return spans.filter((span) => !isCommandBuilder(file, span.name));
}

describe("function length", () => {
    it(`keeps every function in src/ and scripts/ within ${MAX_LINES} lines`, () => {
        const long = ["src", "scripts"].flatMap((dir) => sourceFiles(path.join(repoRoot, dir))).flatMap(functionsOf)
            .filter((span) => span.lines > MAX_LINES)
            .map((span) => `${span.where} ${span.name}: ${span.lines} lines`);
        expect(long).toEqual([]);
    });
});
