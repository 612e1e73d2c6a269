import { refusalSentence, type Measure } from "../trace/describeRefusal.js";
import type { Refusal, RefusalCode } from "../trace/refusal.js";
import type { FailedRecord, SkippedRecord } from "../trace/traceRecordSchema.js";

/**
 * Groups skip and failure reasons. A reason recorded as a refusal groups with the others
 * of its kind and settings, whatever was measured for each item: the group reads as the
 * kind's sentence with each measured number shown as its range over the group ("needs
 * 2169-2301 tokens") and the settings as written. A reason recorded only as text (a
 * failure, or a trace written before refusals were) groups with the same text.
 */
export type ReasonEntry<Status extends string = string> = { status: Status; reason: string; refusal?: Refusal | undefined };

export type ReasonCount<Status extends string = string> = { status: Status; code?: RefusalCode; reason: string; count: number };

/** Stands for a measured number in a group's key. */
const SLOT = "\u0000";

type Group<Status extends string> = { status: Status; reason: string; refusals: Refusal[]; count: number };

/** Reasons grouped by status and kind, most frequent first (ties alphabetically). */
export function groupReasons<Status extends string>(entries: Iterable<ReasonEntry<Status>>): ReasonCount<Status>[] {
    const groups = new Map<string, Group<Status>>();
    for (const { status, reason, refusal } of entries) {
        // A refusal that measured nothing keys as its sentence, so it joins the same text from an older trace.
        const key = `${status}\u0001${refusal == null ? reason : refusalSentence(refusal, () => SLOT)}`;
        const group = groups.get(key) ?? { status, reason, refusals: [], count: 0 };
        if (refusal != null)
            group.refusals.push(refusal);
        group.count++;
        groups.set(key, group);
    }
    return [...groups.values()]
        .map(({ status, reason, refusals, count }): ReasonCount<Status> => refusals.length === 0 ? { status, reason, count }
            : { status, code: refusals[0]!.code, reason: groupSentence(refusals), count })
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/**
 * One sentence for refusals of the same kind and settings. They pass their measured
 * numbers to the Measure in the same order, so the n-th numbers of all of them are the
 * n-th number of the sentence.
 */
function groupSentence(refusals: readonly Refusal[]): string {
    const slots: number[][] = [];
    for (const refusal of refusals) {
        let slot = 0;
        refusalSentence(refusal, (value) => {
            (slots[slot++] ??= []).push(value);
            return SLOT;
        });
    }
    let slot = 0;
    const showRange: Measure = (_value, format = String) => range(slots[slot++]!, format);
    return refusalSentence(refusals[0]!, showRange);
}

/** "2169-2301", or one number when the group measured one value (as written). */
function range(values: readonly number[], format: (value: number) => string): string {
    const low = format(Math.min(...values));
    const high = format(Math.max(...values));
    return low === high ? low : `${low}-${high}`;
}

/** What a skipped or failed record groups by. */
export function reasonEntry(record: SkippedRecord | FailedRecord): ReasonEntry<"skipped" | "failed"> {
    return record.status === "skipped"
        ? { status: "skipped", reason: record.reason, refusal: record.refusal }
        : { status: "failed", reason: record.error };
}
