import { hostname } from "node:os";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import type { ShardSpec } from "../sharding/ShardSpec.js";
import type { ItemInFlight, RunState, RunStatus } from "../trace/runStatusSchema.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import type { ItemProgress } from "./ItemSearch.js";
import type { SynthesisItem } from "./SynthesisItem.js";

export type RunStatusWriterOptions = {
    output: string;
    shard?: ShardSpec;
    /** Milliseconds between rewrites while the run works (default 5000). */
    intervalMs?: number;
    /** Hears the first failure to write the file (default: a note on stderr); the run goes on. */
    onWriteError?: (error: unknown) => void;
};

/** Tokens/s is taken over this window. */
const RATE_WINDOW_MS = 60_000;

type Activity = { id: string; progress: ItemProgress; tokens: number; since: string };

/**
 * Keeps `<output>.status.json` current while a synthesis runs: a timer rewrites it every
 * few seconds (so a stalled run shows its age) and every item's end rewrites it at once.
 * The file is secondary to the trace: a write that fails is reported once and the run
 * goes on.
 */
export class RunStatusWriter {
    private readonly intervalMs: number;
    private readonly startedAt = new Date().toISOString();
    private state: RunState = "starting";
    private error: string | undefined;
    private timer: NodeJS.Timeout | undefined;
    private readonly counts = { total: 0, alreadyDone: 0, done: 0, skipped: 0, failed: 0, pending: 0 };
    private readonly tokens = { generated: 0, scored: 0 };
    private readonly items = new Map<SynthesisItem, Activity>();
    /** (time, tokens generated so far) at each write, for the rate over the last minute. */
    private readonly samples: { at: number; tokens: number }[] = [];
    private firstItemStartedAt: number | undefined;
    private written = 0;
    private reportedWriteError = false;

    public constructor(public readonly file: string, private readonly options: RunStatusWriterOptions) {
        this.intervalMs = options.intervalMs ?? 5000;
    }

    /** The work planned: written at once with state "starting" (the contexts are still being opened). */
    public plan(total: number, alreadyDone: number, pending: number): void {
        Object.assign(this.counts, { total, alreadyDone, pending });
        this.write();
    }

    /** The run is working: from here the file is rewritten every interval. */
    public running(): void {
        this.state = "running";
        this.timer = setInterval(() => this.write(), this.intervalMs);
        // Never the reason the process stays alive.
        this.timer.unref();
        this.write();
    }

    public phase(progress: ItemProgress): void {
        const current = this.items.get(progress.item);
        if (current == null) {
            this.counts.pending = Math.max(0, this.counts.pending - 1);
            this.firstItemStartedAt ??= performance.now();
        }
        this.items.set(progress.item, { id: progress.item.id, progress, tokens: 0, since: new Date().toISOString() });
    }

    public token(item: SynthesisItem): void {
        this.tokens.generated++;
        const activity = this.items.get(item);
        if (activity != null)
            activity.tokens++;
    }

    /** The item left the run: written, or abandoned by a stop. */
    public finished(item: SynthesisItem): void {
        this.items.delete(item);
    }

    /** An item's record was appended to the trace: it is no longer in flight. */
    public item(record: TraceRecord): void {
        for (const item of this.items.keys())
            if (item.key === record.key)
                this.items.delete(item);
        this.counts[record.status]++;
        this.written++;
        this.tokens.scored += record.tokens.scoringEvaluated;
        this.write();
    }

    /** The last write: the run's end state, and the error that ended a failed run. */
    public end(state: Exclude<RunState, "starting" | "running">, error?: string): void {
        if (this.timer != null)
            clearInterval(this.timer);
        this.timer = undefined;
        this.state = state;
        this.error = error;
        this.items.clear();
        this.write();
    }

    /** The status as it would be written now. */
    public snapshot(): RunStatus {
        const now = performance.now();
        const inFlight = [...this.items.values()].map(describeActivity);
        return {
            format: "reer-status/1",
            state: this.state,
            ...(this.error == null ? {} : { error: this.error }),
            pid: process.pid,
            host: hostname(),
            output: this.options.output,
            shard: this.options.shard == null ? null : { index: this.options.shard.index, count: this.options.shard.count },
            startedAt: this.startedAt,
            updatedAt: new Date().toISOString(),
            intervalMs: this.intervalMs,
            items: { ...this.counts, inFlight: inFlight.length },
            inFlight,
            tokens: { ...this.tokens },
            tokensPerSecond: this.rate(now),
            etaSeconds: this.eta(now, inFlight.length)
        };
    }

    /** Tokens/s since the oldest sample within the window (samples are taken at each write). */
    private rate(now: number): number {
        const oldest = this.samples.find((sample) => now - sample.at < RATE_WINDOW_MS) ?? this.samples.at(-1);
        const seconds = oldest == null ? 0 : (now - oldest.at) / 1000;
        return seconds > 0 ? round1((this.tokens.generated - oldest!.tokens) / seconds) : 0;
    }

    /** Keeps (time, tokens so far) for the rate, dropping samples older than the window but the newest of them. */
    private sample(now: number): void {
        this.samples.push({ at: now, tokens: this.tokens.generated });
        while (this.samples.length > 2 && now - this.samples[1]!.at >= RATE_WINDOW_MS)
            this.samples.shift();
    }

    /** Items left over this run's pace so far (items written per second since the first began). */
    private eta(now: number, inFlight: number): number | null {
        if (this.state !== "starting" && this.state !== "running")
            return 0;
        if (this.written === 0 || this.firstItemStartedAt == null)
            return null;
        const perSecond = this.written / ((now - this.firstItemStartedAt) / 1000);
        return Math.round((this.counts.pending + inFlight) / perSecond);
    }

    private write(): void {
        this.sample(performance.now());
        try {
            writeFileAtomic(this.file, JSON.stringify(this.snapshot(), null, 2) + "\n");
        } catch (error) {
            if (!this.reportedWriteError) {
                this.reportedWriteError = true;
                (this.options.onWriteError ?? ((cause) => process.stderr.write(`note: cannot keep ${this.file} current (${cause instanceof Error ? cause.message : String(cause)}); the run goes on\n`)))(error);
            }
        }
    }
}

function describeActivity(activity: Activity): ItemInFlight {
    const { progress } = activity;
    // "scoring" marks the search's start (z0 is scored, then step 1 begins at once) and
    // "step" a step just finished: either way the item is working on the next step.
    const phase = progress.phase === "initial" ? "drafting" : progress.stepsPlanned > 0 ? "step" : "scoring";
    return {
        id: activity.id,
        phase,
        ...(phase === "step" ? { step: Math.min(progress.stepsDone + 1, progress.stepsPlanned), steps: progress.stepsPlanned } : {}),
        tokens: activity.tokens,
        since: activity.since
    };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
