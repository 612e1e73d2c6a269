import cliProgress from "cli-progress";
import type { SynthesisConfig } from "../config/synthesisConfig.js";
import type { RunEvent, RunSummary } from "../synthesis/runSynthesis.js";
import { groupReasons, reasonEntry, type ReasonCount, type ReasonEntry } from "../stats/reasonGroups.js";
import { describeEditTurns } from "../trace/editTurns.js";
import { recordNote } from "../trace/traceRecordSchema.js";
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
    const started = performance.now();
    let bar: cliProgress.SingleBar | undefined;
    let lastStep = "";
    /** Why items were skipped or failed in this run, for the summary at the end. */
    const notes: ReasonEntry<"skipped" | "failed">[] = [];
    /** This run's done items against no thinking, for the closing line. */
    const versusEmpty = summariseVersusEmpty([]);
    const rate = (tokens: number): string => (tokens / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1);
    const write = (line: string) => process.stderr.write(line + "\n");

    const onEvent = (event: RunEvent): void => {
        if (mode === "none")
            return;
        if (mode === "json") {
            const payload = event.type === "item"
                ? { type: "item", id: event.record.id, status: event.record.status, reason: recordNote(event.record), done: event.done, total: event.total,
                    score0: event.record.status === "done" ? event.record.score0.clippedMeanNll : undefined,
                    score: event.record.status === "done" ? event.record.score.clippedMeanNll : undefined, tokensPerSecond: Number(rate(event.generatedTokens)) }
                : event.type === "progress"
                    ? { type: "progress", id: event.progress.item.id, phase: event.progress.phase, step: event.progress.stepsDone, steps: event.progress.stepsPlanned }
                    : event.type === "heartbeat"
                        ? { type: "heartbeat", id: event.progress.item.id, phase: heartbeatPhase(event), step: event.progress.stepsDone, steps: event.progress.stepsPlanned,
                            tokens: event.tokens, seconds: round1(event.seconds), tokensPerSecond: round1(event.tokensPerSecond) }
                        : event;
            write(JSON.stringify(payload));
            return;
        }
        switch (event.type) {
            case "start":
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
                if (mode === "bar") {
                    bar = new cliProgress.SingleBar({
                        format: "items {value}/{total} |{bar}| {step} | {tps} tok/s | ETA {eta_formatted}",
                        hideCursor: true,
                        stream: process.stderr,
                        etaBuffer: 20
                    }, cliProgress.Presets.shades_classic);
                    bar.start(event.total, event.alreadyDone, { step: "starting", tps: "0.0" });
                }
                return;
            case "progress": {
                const { item, phase, stepsDone, stepsPlanned } = event.progress;
                lastStep = phase === "step" ? `${item.id} step ${stepsDone}/${stepsPlanned}` : `${item.id} ${phase}`;
                bar?.update({ step: lastStep });
                return;
            }
            case "item": {
                const { record } = event;
                if (record.status !== "done")
                    notes.push(reasonEntry(record));
                else
                    addVersusEmpty(versusEmpty, record);
                if (bar != null) {
                    bar.update(event.done, { step: lastStep, tps: rate(event.generatedTokens) });
                } else {
                    const scores = record.status === "done"
                        ? ` ${record.score0.clippedMeanNll.toFixed(4)} -> ${record.score.clippedMeanNll.toFixed(4)}` : "";
                    const note = recordNote(record);
                    write(`[${event.done}/${event.total}] ${record.id} ${record.status}${note == null ? "" : ` (${note})`}${scores}`);
                }
                return;
            }
            case "heartbeat": {
                const line = `${event.progress.item.id} ${heartbeatPhase(event)}: ${event.tokens} token(s) in ${event.seconds.toFixed(0)} s, ${event.tokensPerSecond.toFixed(1)} tokens/s`;
                if (bar != null)
                    bar.update({ step: line });
                else
                    write(`  ... ${line}`);
                return;
            }
            case "stopping":
                return;
        }
    };

    return {
        onEvent,
        stop: () => {
            bar?.stop();
            bar = undefined;
        },
        finish: (summary) => {
            bar?.stop();
            bar = undefined;
            if (mode === "none")
                return;
            const line = `${summary.written} item(s) written (${summary.byStatus.done} done, ${summary.byStatus.skipped} skipped, ${summary.byStatus.failed} failed), ` +
                `${summary.alreadyDone} kept from earlier runs` +
                (summary.repairedTornLine ? "; removed a torn last line left by a killed run" : "") +
                (summary.droppedFailed > 0 ? `; retried ${summary.droppedFailed} failed` : "") +
                (summary.thinkingStripped > 0 ? `; ${summary.thinkingStripped} response(s) held </think>: y is the text after it` : "") +
                (summary.stopped ? `; stopped early${summary.abandoned > 0 ? `, ${summary.abandoned} item(s) in flight abandoned` : ""}: the items written are kept, run the same command to resume` : "") +
                (!summary.stopped && summary.byStatus.failed > 0 ? "; run again with --retry-failed to retry the failed item(s)" : "");
            if (mode === "json") {
                write(JSON.stringify({ type: "summary", ...summary, versusEmpty: { items: versusEmpty.items, beaten: versusEmpty.beaten } }));
                return;
            }
            write(line);
            if (summary.work.items > 0)
                write(workLines(summary.work).join("\n"));
            if (versusEmpty.items > 0)
                write(describeVersusEmpty(versusEmpty));
            if (summary.editTurns.turns > 0)
                write(describeEditTurns(summary.editTurns));
            const reasons = groupReasons(notes);
            if (reasons.length > 0)
                write(formatReasonSummary(reasons));
        }
    };
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
