import { describe, expect, it } from "vitest";
import { busyCpusOfOthers, chooseThreads, machineBusyMs } from "../../src/runtime/threadChoice.js";

describe("the default thread count", () => {
    it("is the math cores on an idle machine, and small other load does not lower it", () => {
        expect(chooseThreads(2, 2, 0).threads).toBe(2);
        expect(chooseThreads(2, 2, 0.2).threads).toBe(2);
        expect(chooseThreads(8, 16, 3).threads).toBe(8);
        expect(chooseThreads(2, 2, 0).reason).toBe("auto: the 2 math core(s)");
    });

    it("never asks for more threads than other processes leave CPUs free, rounding down, and never fewer than 1", () => {
        // The measured case: 2 cores and about 1.3 CPUs of other work; 2 threads collapsed to 3 tokens/s.
        expect(chooseThreads(2, 2, 1.3)).toEqual({ threads: 1,
            reason: "auto: 2 math cores, but 1.3 of 2 CPUs were busy with other processes, and llama.cpp threads without a free CPU stall each other; --threads overrides" });
        expect(chooseThreads(2, 2, 0.5).threads).toBe(1);
        expect(chooseThreads(2, 2, 5).threads).toBe(1);
        expect(chooseThreads(16, 16, 6.5).threads).toBe(9);
    });

    it("reads the machine's busy time from /proc/stat, leaving idle and iowait out", () => {
        // user nice system idle iowait irq softirq steal guest guest_nice, in 1/100 s.
        expect(machineBusyMs("cpu  100 5 20 1000 50 1 2 3 0 0\ncpu0 1 2 3 4\n")).toBe((100 + 5 + 20 + 1 + 2 + 3) * 10);
        expect(machineBusyMs("intr 1 2 3\n")).toBeUndefined();
        const busy = busyCpusOfOthers();
        expect(busy).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(busy)).toBe(true);
    });
});
