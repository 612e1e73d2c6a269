// Compiles a C++ test harness together with sources from native/, as the addon's build
// compiles them (-O3, C++17), so the tests run reer's native code without loading the addon.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const nativeDir = path.join(repoRoot, "native");
const harnessDir = path.dirname(fileURLToPath(import.meta.url));
/** llama.h and the ggml headers it includes, from the llama.cpp sources the native build clones. */
export const llamaHeaders = ["include", "ggml/include"].map((dir) => path.join(repoRoot, "node_modules", "node-llama-cpp", "llama", "llama.cpp", dir));

const compiler = process.env.CXX ?? "c++";
/** Whether a C++ compiler is there (the native build needs one too). */
export const hasCompiler = spawnSync(compiler, ["--version"], { encoding: "utf8" }).status === 0;

/** The executable built from test/native/harness/<harness> and native/<sources>; throws with the compiler's output on failure. */
export function compileHarness(harness: string, sources: string[], includeDirs: string[] = []): string {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "reer-harness-")), path.basename(harness, ".cpp"));
    const args = ["-O3", "-std=c++17", "-o", out, path.join(harnessDir, harness), ...sources.map((file) => path.join(nativeDir, file)),
        `-I${nativeDir}`, ...includeDirs.map((dir) => `-I${dir}`)];
    const result = spawnSync(compiler, args, { encoding: "utf8" });
    if (result.status !== 0 || !existsSync(out))
        throw new Error(`${compiler} ${args.join(" ")} failed:\n${result.stderr}`);
    return out;
}

/** Runs a compiled harness; its stdout, or throws with its stderr. */
export function runHarness(executable: string, args: string[]): string {
    const result = spawnSync(executable, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0)
        throw new Error(`${executable} ${args.join(" ")} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
    return result.stdout;
}
