import { fileURLToPath } from "node:url";
import { nativeFingerprint } from "../../native/nativeFingerprint.mjs";

let cached: string | undefined;

/**
 * The fingerprint of the native/ folder shipped with this copy of reer, computed the way
 * the build computes the one it compiles in. src/runtime and dist/runtime both sit two
 * levels below the package root.
 */
export function shippedNativeVersion(): string {
    cached ??= nativeFingerprint(fileURLToPath(new URL("../../native/", import.meta.url)));
    return cached;
}
