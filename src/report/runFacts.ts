import type { DoneRecord, TraceRecord } from "../trace/traceRecordSchema.js";
import { describeVersusEmpty, summariseVersusEmpty } from "../trace/versusEmpty.js";
import { describeWork, sumWork } from "../trace/workTotals.js";

/** One line of the report header: a label and its value as plain text. */
export type RunFact = { label: string; value: string };

/**
 * The run's settings and totals for the header. A trace normally comes from one run, but
 * merged shards can mix settings, so every distinct value is listed.
 */
export function runFacts(records: readonly TraceRecord[]): RunFact[] {
    const count = (status: TraceRecord["status"]) => records.filter((record) => record.status === status).length;
    const done = records.filter((record): record is DoneRecord => record.status === "done");
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const steps = records.reduce((sum, record) => sum + record.steps.length, 0);
    const accepted = records.reduce((sum, record) => sum + record.steps.filter((step) => step.chosen != null).length, 0);
    const facts: RunFact[] = [
        { label: "Items", value: `${records.length} (${count("done")} done, ${count("skipped")} skipped, ${count("failed")} failed)` },
        { label: "Generator", value: distinct(records.map((record) => describeModel(record.models.generator))) },
        { label: "Scorer", value: distinct(records.map((record) => describeModel(record.models.scorer))) },
        { label: "Objective", value: distinct(records.map((record) => record.objective)) },
        { label: "Config hash", value: distinct(records.map((record) => record.configHash.slice(0, 16))) },
        { label: "Seed", value: distinct(records.map((record) => String(record.seed))) },
        { label: "Steps", value: `${steps} (${accepted} accepted${steps > 0 ? `, ${percent(accepted / steps)}` : ""})` }
    ];
    if (done.length > 0) {
        const before = mean(done.map((record) => record.score0.clippedMeanNll));
        const after = mean(done.map((record) => record.score.clippedMeanNll));
        facts.push({ label: "Mean clipped NLL", value: `${before.toFixed(4)} → ${after.toFixed(4)} over ${done.length} scored item(s)` });
        const versus = summariseVersusEmpty(done);
        if (versus.items > 0)
            facts.push({ label: "Against no thinking", value: describeVersusEmpty(versus) });
    }
    const work = describeWork(sumWork(records));
    facts.push({ label: "Work", value: work.items }, { label: "Tokens", value: work.tokens }, { label: "Tokens/s by phase", value: work.phases });
    facts.push({ label: "reer", value: distinct(records.map((record) => record.reerVersion)) });
    return facts;
}

function describeModel(model: TraceRecord["models"]["generator"]): string {
    return `${model.name} (${model.architecture}, ${(model.sizeBytes / 1024 ** 2).toFixed(1)} MiB, ${model.headSha256.slice(0, 8)})`;
}

/** The distinct values, most common first; more than three are summarised. */
function distinct(values: readonly string[]): string {
    const counts = new Map<string, number>();
    for (const value of values)
        counts.set(value, (counts.get(value) ?? 0) + 1);
    const ordered = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!);
    if (ordered.length <= 3)
        return ordered.join("; ");
    return `${ordered.slice(0, 3).join("; ")}; and ${ordered.length - 3} more`;
}

function percent(share: number): string {
    return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}
