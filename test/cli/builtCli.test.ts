// The README's main job is `npx reer synthesize ...` from the top folder: npm runs the
// package's own bin, dist/cli/cli.js, as a program, so the build must leave it executable
// (tsc writes it 0644, and `npx reer` then fails with "Permission denied").
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { bin: { reer: string }; version: string });

describe("the built CLI", () => {
    it("is executable, and `npx reer` runs it from the top folder", () => {
        const cli = path.join(repoRoot, pkg.bin.reer);
        expect(statSync(cli).mode & 0o111, `${cli} is not executable: run \`npm run build\``).not.toBe(0);
        const result = spawnSync("npx", ["--no-install", "reer", "--version"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout.trim()).toBe(pkg.version);
    }, 70_000);
});
