// The one version of reer's native additions: a hash of the sources in native/ (the C++
// files and the patches to node-llama-cpp's addon). The build compiles it into the addon
// (reerNativeVersion()); the runtime recomputes it from the shipped native/ folder, so a
// binary built from other sources is recognised as stale. It lives here, beside what it
// hashes, because both the install-time build (plain Node, before dist/ exists) and the
// runtime import it; this module itself is not compiled in, so it is not hashed.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The files that make up the native additions (sources, headers, patches), in a locale-independent order. */
export function nativeFiles(nativeDir) {
    return readdirSync(nativeDir, { withFileTypes: true })
        .filter((entry) => entry.isFile() && !entry.name.startsWith(".") && /\.(?:cpp|h|patch)$/.test(entry.name))
        .map((entry) => entry.name)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** 16 hex digits of sha256 over each file's name and bytes. */
export function nativeFingerprint(nativeDir) {
    const hash = createHash("sha256");
    for (const name of nativeFiles(nativeDir))
        hash.update(name).update("\0").update(readFileSync(path.join(nativeDir, name))).update("\0");
    return hash.digest("hex").slice(0, 16);
}
