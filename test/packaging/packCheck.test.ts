// Runs scripts/pack-check.sh (npm pack, install the tarball into an empty folder, run
// `reer --help` and `reer score`). It takes minutes and copies node-llama-cpp's binaries,
// so it runs only when asked for.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "pack-check.sh");
const enabled = process.env.REER_PACK_CHECK === "1";

const title = "installs into an empty folder and runs reer --help and reer score" +
    (enabled ? "" : " (skipped: set REER_PACK_CHECK=1; it packs and installs for about a minute)");

describe("npm tarball", () => {
    it.runIf(enabled)(title, () => {
        const result = spawnSync("bash", [script], { encoding: "utf8", timeout: 900_000 });
        expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
        expect(result.stdout).toContain("pack-check passed");
    }, 900_000);
});
