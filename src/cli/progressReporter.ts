import cliProgress from "cli-progress";
import type { SynthesisConfig } from "../config/synthesisConfig.js";
import type { RunEvent, RunSummary } from "../synthesis/runSynthesis.js";
import { groupReasons, reasonEntry, type ReasonCount, type ReasonEntry } from "../stats/reasonGroups.js";
import { describeEditTurns } from "../trace/editTurns.js";
import { recordNote, type TraceRecord } from "../trace/traceRecordSchema.js";
import { addVersusEmpty, describeVersusEmpty, summariseVersusEmpty } from "../trace/versusEmpty.js";
import { workLines } from "../trace/workTotals.js";

export type ProgressMode = "bar" | "log" | "json";

export type ProgressReporter = {
    onEvent: (event: RunEvent) => void;
    finish: (summary: RunSummary) => void;
    stop: () => void;
};

/** Terminal bar, a line per item, JSON lines for scripts, or nothing. All on stderr. */
export function createProgressReporter(mode: ProgressMode | "none", config: SynthesisConfig): ProgressReporter {
    const reporter = new RunProgress(mode, config);
    return { onEvent: (event) => reporter.onEvent(event), finish: (summary) => reporter.finish(summary), stop: () => reporter.stop() };
}

const write = (line: string): void => {
    process.stderr.write(line + "\n");
};

/** The state of one run's progress output: the bar, the step shown, and what the closing lines need. */
class RunProgress {
    private readonly started = performance.now();
    private bar: cliProgress.SingleBar | undefined;
    private lastStep = "";
    /** Why items were skipped or failed in this run, for the summary at the end. */
    private readonly notes: ReasonEntry<"skipped" | "failed">[] = [];
    /** This run's done items against no thinking, for the closing line. */
    private readonly versusEmpty = summariseVersusEmpty([]);

    public constructor(private readonly mode: ProgressMode | "none", private readonly config: SynthesisConfig) {}

    public onEvent(event: RunEvent): void {
        if (event.type === "item")
            this.remember(event.record);
        if (this.mode === "none")
            return;
        if (this.mode === "json") {
            write(JSON.stringify(jsonPayload(event, (tokens) => Number(this.rate(tokens)))));
            return;
        }
        switch (event.type) {
            case "start":
                return this.onStart(event);
            case "progress": {
                const { item, phase, stepsDone, stepsPlanned } = event.progress;
                this.lastStep = phase === "step" ? `${item.id} step ${stepsDone}/${stepsPlanned}` : `${item.id} ${phase}`;
                this.bar?.update({ step: this.lastStep });
                return;
            }
            case "item":
                return this.onItem(event);
            case "heartbeat": {
                const line = `${event.progress.item.id} ${heartbeatPhase(event)}: ${event.tokens} token(s) in ${event.seconds.toFixed(0)} s, ${event.tokensPerSecond.toFixed(1)} tokens/s`;
                if (this.bar != null)
                    this.bar.update({ step: line });
                else
                    write(`  ... ${line}`);
                return;
            }
            case "stopping":
                return;
        }
    }

    public stop(): void {
        this.bar?.stop();
        this.bar = undefined;
    }

    /** The closing lines: what was written, what it cost, against no thinking, edit turns, and why items were not done. */
    public finish(summary: RunSummary): void {
        this.stop();
        if (this.mode === "none")
            return;
        if (this.mode === "json") {
            write(JSON.stringify({ type: "summary", ...summary, versusEmpty: { items: this.versusEmpty.items, beaten: this.versusEmpty.beaten } }));
            return;
        }
        write(summaryLine(summary));
        if (summary.work.items > 0)
            write(workLines(summary.work).join("\n"));
        if (this.versusEmpty.items > 0)
            write(describeVersusEmpty(this.versusEmpty));
        if (summary.editTurns.turns > 0)
            write(describeEditTurns(summary.editTurns));
        const reasons = groupReasons(this.notes);
        if (reasons.length > 0)
            write(formatReasonSummary(reasons));
    }

    private rate(tokens: number): string {
        return (tokens / Math.max(0.001, (performance.now() - this.started) / 1000)).toFixed(1);
    }

    private remember(record: TraceRecord): void {
        if (record.status !== "done")
            this.notes.push(reasonEntry(record));
        else
            addVersusEmpty(this.versusEmpty, record);
    }

    private onStart(event: Extract<RunEvent, { type: "start" }>): void {
        const { config } = this;
        if (event.pending === 0) {
            write(`nothing to do: all ${event.total} item(s) are already in the output`);
            return;
        }
        write(`reer synthesize: ${event.pending} item(s) to do, ${event.alreadyDone} already done; ` +
            `contexts: generator ${event.generatorContext}, scorer ${event.scorerContext}; ` +
            `${config.search.candidates} candidates x ${config.search.maxSteps} steps, seed ${config.seed}, ` +
            `parallel ${event.parallel ?? config.parallel}${event.parallelReason == null || event.parallelReason === "--parallel" ? "" : ` (${event.parallelReason})`}`);
        if (event.runtime != null)
            write(`runtime: ${event.runtime}`);
        for (const line of event.adaptations ?? [])
            write(`adapted to the models: ${line}`);
        if (this.mode === "bar") {
            this.bar = new cliProgress.SingleBar({
                format: "items {value}/{total} |{bar}| {step} | {tps} tok/s | ETA {eta_formatted}",
                hideCursor: true,
                stream: process.stderr,
                etaBuffer: 20
            }, cliProgress.Presets.shades_classic);
            this.bar.start(event.total, event.alreadyDone, { step: "starting", tps: "0.0" });
        }
    }

    private onItem(event: Extract<RunEvent, { type: "item" }>): void {
        const { record } = event;
        if (this.bar != null) {
            this.bar.update(event.done, { step: this.lastStep, tps: this.rate(event.generatedTokens) });
            return;
        }
        // The objective the search minimised, named: under --objective meanNll the clipped
        // mean NLL may rise while the item improves, and an unnamed pair of numbers read as a loss.
        const scores = record.status === "done" ? ` ${record.objective} ${record.objective0.toFixed(4)} -> ${record.objectiveFinal.toFixed(4)}` : "";
        const note = recordNote(record);
        write(`[${event.done}/${event.total}] ${record.id} ${record.status}${note == null ? "" : ` (${note})`}${scores}`);
    }
}

/** An event as one JSON line of --progress json; `rate` turns tokens so far into tokens/s. */
function jsonPayload(event: RunEvent, rate: (tokens: number) => number): unknown {
    switch (event.type) {
        case "item":
            return { type: "item", id: event.record.id, status: event.record.status, reason: recordNote(event.record),
                // The reason as data (code and measured numbers), as the trace keeps it: a consumer groups by code, never by sentence.
                refusal: event.record.status === "skipped" ? event.record.refusal : undefined, done: event.done, total: event.total,
                score0: event.record.status === "done" ? event.record.score0.clippedMeanNll : undefined,
                score: event.record.status === "done" ? event.record.score.clippedMeanNll : undefined, tokensPerSecond: rate(event.generatedTokens) };
        case "progress":
            return { type: "progress", id: event.progress.item.id, phase: event.progress.phase, step: event.progress.stepsDone, steps: event.progress.stepsPlanned };
        case "heartbeat":
            return { type: "heartbeat", id: event.progress.item.id, phase: heartbeatPhase(event), step: event.progress.stepsDone, steps: event.progress.stepsPlanned,
                tokens: event.tokens, seconds: round1(event.seconds), tokensPerSecond: round1(event.tokensPerSecond) };
        default:
            return event;
    }
}

/** "N item(s) written (...), M kept from earlier runs", and what else happened to the output. */
function summaryLine(summary: RunSummary): string {
    return `${summary.written} item(s) written (${summary.byStatus.done} done, ${summary.byStatus.skipped} skipped, ${summary.byStatus.failed} failed), ` +
        `${summary.alreadyDone} kept from earlier runs` +
        (summary.repairedTornLine ? "; removed a torn last line left by a killed run" : "") +
        (summary.droppedFailed > 0 ? `; retried ${summary.droppedFailed} failed` : "") +
        (summary.thinkingStripped > 0 ? `; ${summary.thinkingStripped} response(s) held </think>: y is the text after it` : "") +
        (summary.stopped ? `; stopped early${summary.abandoned > 0 ? `, ${summary.abandoned} item(s) in flight abandoned` : ""}: the items written are kept, run the same command to resume` : "") +
        (!summary.stopped && summary.byStatus.failed > 0 ? "; run again with --retry-failed to retry the failed item(s)" : "");
}

/**
 * The reasons behind this run's skipped and failed items, grouped: "  2 skipped: reason",
 * measured numbers shown as their range over the group.
 */
export function formatReasonSummary(reasons: readonly ReasonCount[], shown = 10): string {
    const width = Math.max(...reasons.map((entry) => String(entry.count).length));
    const lines = reasons.slice(0, shown).map((entry) => `  ${String(entry.count).padStart(width)} ${entry.status}: ${entry.reason}`);
    if (reasons.length > shown)
        lines.push(`  ... and ${reasons.length - shown} other reason(s); each item's line in the output holds its own`);
    return `why items were not done:\n${lines.join("\n")}`;
}

/** What an item in flight is doing, for a heartbeat: drafting, or generating the candidates of a step. */
function heartbeatPhase(event: Extract<RunEvent, { type: "heartbeat" }>): string {
    const { phase, stepsDone, stepsPlanned } = event.progress;
    return phase === "initial" ? "drafting" : `step ${Math.min(stepsDone + 1, stepsPlanned)}/${stepsPlanned}`;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
