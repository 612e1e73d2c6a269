// The whole GPU check rehearsed on this machine's CPU (scripts/gpu-check/rehearse.sh): pack it,
// unpack it in an empty folder outside the checkout, build the addon from the packed sources
// with an empty environment and no network, and run every bench. About 7 minutes on 2 cores,
// so only with REER_GPU_CHECK_REHEARSAL=1.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/gpu-check/packList.mjs";

describe.skipIf(process.env.REER_GPU_CHECK_REHEARSAL !== "1")("GPU check rehearsal (REER_GPU_CHECK_REHEARSAL=1)", () => {
    it("packs, unpacks, builds from the packed sources offline and runs every phase on the CPU", () => {
        const scratch = mkdtempSync(path.join(tmpdir(), "reer-gpu-rehearsal-test-"));
        try {
            const folder = path.join(scratch, "run");
            const result = spawnSync("bash", [path.join(repoRoot, "scripts", "gpu-check", "rehearse.sh"), path.join(scratch, "pack"), folder],
                { encoding: "utf8", maxBuffer: 64 << 20, timeout: 1_700_000, killSignal: "SIGKILL" });
            const results = readFileSync(path.join(folder, "results.txt"), "utf8");
            expect(result.status, `${result.stderr.slice(-2000)}\n${results}`).toBe(0);
            expect(results).toMatch(/^\[reer native\] cpu: built and verified in \d+ s$/m);
            expect(results).toMatch(/backend cpu \(local build, reer native [0-9a-f]{16}\), fast exact scoring on/);
            expect(results).toMatch(/^\(1\) scoring \/ raw evaluation/m);
            expect(results).toMatch(/^\(3\) K=3 candidates/m);
            for (const parallel of [1, 8, 32]) expect(results).toContain(`${parallel} item(s) in flight`);
            expect(results.match(/^engine: +[\d.]+ items\/hour/gm)).toHaveLength(3);
            expect(results).toMatch(/^4 sequence\(s\) in one batch/m);
            expect(results).toMatch(/parallel 1 \(auto: one item on a CPU\)/);
        } finally {
            rmSync(scratch, { recursive: true, force: true });
        }
    }, 45 * 60_000);
});
