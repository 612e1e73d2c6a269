import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nativeFingerprint } from "../../native/nativeFingerprint.mjs";
import { shippedNativeVersion } from "../../src/runtime/shippedNativeVersion.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function nativeDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "reer-fingerprint-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "ReerAddon.cpp"), "void f() {}\n");
    writeFileSync(path.join(dir, "sampler.patch"), "--- a/x\n+++ b/x\n");
    return dir;
}

describe("nativeFingerprint", () => {
    it("changes when any source or patch changes, or is renamed", () => {
        const dir = nativeDir();
        const original = nativeFingerprint(dir);
        expect(original).toMatch(/^[0-9a-f]{16}$/);
        expect(nativeFingerprint(dir)).toBe(original);
        writeFileSync(path.join(dir, "sampler.patch"), "--- a/x\n+++ b/y\n");
        const patched = nativeFingerprint(dir);
        expect(patched).not.toBe(original);
        renameSync(path.join(dir, "ReerAddon.cpp"), path.join(dir, "ReerAddon2.cpp"));
        expect(nativeFingerprint(dir)).not.toBe(patched);
    });

    it("ignores hidden files (editor and OS droppings)", () => {
        const dir = nativeDir();
        const before = nativeFingerprint(dir);
        writeFileSync(path.join(dir, ".DS_Store"), "x");
        expect(nativeFingerprint(dir)).toBe(before);
    });

    it("is what the runtime expects for this repository's native/", () => {
        const repoNative = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "native");
        expect(shippedNativeVersion()).toBe(nativeFingerprint(repoNative));
    });
});
