import { readFileSync } from "node:fs";
import os from "node:os";

/** The machine's busy CPU time and this process's own CPU time at one moment, in ms. */
type CpuSample = { at: number; machineBusyMs: number | undefined; ownMs: number };

/** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture it runs on. */
const MS_PER_TICK = 10;

/**
 * Busy CPU time of the whole machine so far (all CPUs, ms) from the first line of
 * /proc/stat: user, nice, system, irq, softirq and steal, not idle or iowait. Undefined
 * where there is no /proc/stat.
 */
export function machineBusyMs(stat?: string): number | undefined {
    let text = stat;
    if (text == null) {
        try {
            text = readFileSync("/proc/stat", "utf8");
        } catch {
            return undefined;
        }
    }
    const fields = /^cpu\s+(.*)$/mu.exec(text)?.[1]?.trim().split(/\s+/u).map(Number);
    if (fields == null || fields.length < 4 || fields.some((value) => !Number.isFinite(value)))
        return undefined;
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}

function sample(): CpuSample {
    const own = process.cpuUsage();
    return { at: performance.now(), machineBusyMs: machineBusyMs(), ownMs: (own.user + own.system) / 1000 };
}

// Taken when the CLI's modules load: the time until threads are chosen (reading the input,
// loading the model) is the window in which the other processes' load is measured.
const processStart = sample();

/**
 * CPUs kept busy by other processes since this process started (0.0 to the CPU count):
 * the machine's busy time minus this process's own, over the time elapsed. With no
 * /proc/stat, or too short a window to tell, the 1-minute load average stands in.
 */
export function busyCpusOfOthers(): number {
    const now = sample();
    const elapsed = now.at - processStart.at;
    if (now.machineBusyMs == null || processStart.machineBusyMs == null || elapsed < 200)
        return Math.max(0, os.loadavg()[0] ?? 0);
    const others = (now.machineBusyMs - processStart.machineBusyMs) - (now.ownMs - processStart.ownMs);
    return Math.max(0, others / elapsed);
}

export type ThreadChoice = { threads: number; reason: string };

/**
 * The default thread count: the model's math cores, but no more than the CPUs other
 * processes leave free. llama.cpp's CPU threads meet at a spinning barrier after every
 * operation, so one thread without a CPU of its own stalls all of them: on 2 cores beside
 * other CPU-bound work, 2 threads generated 3.0 tokens/s where 1 thread made 48.8. One
 * thread too few costs at most its share; one too many costs far more, so the count is
 * rounded down (other load under a quarter of a CPU is ignored).
 */
export function chooseThreads(mathCores: number, cpus: number, busyCpus: number): ThreadChoice {
    const free = cpus - busyCpus;
    const threads = Math.max(1, Math.min(mathCores, Math.floor(free + 0.25)));
    if (threads === mathCores)
        return { threads, reason: `auto: the ${mathCores} math core(s)${busyCpus >= 0.25 ? `, ${busyCpus.toFixed(1)} of ${cpus} CPUs busy elsewhere` : ""}` };
    return { threads, reason: `auto: ${mathCores} math cores, but ${busyCpus.toFixed(1)} of ${cpus} CPUs were busy with other processes, ` +
        "and llama.cpp threads without a free CPU stall each other; --threads overrides" };
}

let chosen: ThreadChoice | undefined;

/** chooseThreads for this machine as it is now, measured once per process so every caller agrees. */
export function defaultThreadChoice(mathCores: number): ThreadChoice {
    // os.cpus(), not availableParallelism(): /proc/stat's busy time is over every CPU of the machine.
    chosen ??= chooseThreads(mathCores, Math.max(1, os.cpus().length), busyCpusOfOthers());
    return chosen;
}
