import { createHash } from "node:crypto";
import { distribution, type Distribution } from "../util/distribution.js";
import { recordNote, type TraceRecord } from "../trace/traceRecordSchema.js";
import { filterEnabled, filterNames, type CurationConfig, type FilterName } from "./curationConfig.js";
import { endOfThinkingDetail } from "./filters/endOfThinking.js";
import { gainOverEmptyDetail } from "./filters/gainOverEmpty.js";
import { improvementDetail } from "./filters/improvement.js";
import { leakageDetail, measureLeakage } from "./filters/leakage.js";
import { lengthDetail } from "./filters/lengthBounds.js";
import { repetitionRatio } from "../text/repetitionRatio.js";
import { repetitionDetail } from "./filters/repetition.js";
import { thinkTagDetail } from "./filters/thinkTag.js";
import { minHashSignature } from "./minHash.js";
import { NearDuplicateIndex } from "./NearDuplicateIndex.js";
import type { TokenCounter } from "../model/tokenCounter.js";

/**
 * Why an item was dropped. `filter` is a FilterName, `status:<status>` for items the
 * search did not finish, or `missing-z` for a done record without z.
 */
export type DropReason = { filter: FilterName | `status:${string}` | "missing-z"; detail: string };

export type CurationVerdict = {
    record: TraceRecord;
    kept: boolean;
    reasons: DropReason[];
    /** The repetition ratio of z, for every done item with a z (whether or not the filter is on). */
    repetitionRatio?: number;
};

export type CurationSummary = {
    read: number;
    kept: number;
    dropped: number;
    /** Items failing each filter (an item can fail several), including status:* entries. */
    byFilter: Record<string, number>;
    /** Items failing this filter and no other: what switching it off would bring back. */
    onlyBy: Record<string, number>;
    /** Repetition ratio over done items; the paper gives no threshold, so this is what to tune against. */
    repetition: Distribution;
    /** How tokens were counted for the length filter. */
    tokenCounting: string;
};

/**
 * Applies every enabled filter to one record at a time, in file order, collecting all the
 * reasons an item fails rather than stopping at the first, so the summary can say what
 * each filter removes.
 *
 * Only `done` items can be kept. Deduplication keeps the first: an item is a duplicate
 * when an earlier item that passed every other filter (a kept item) has the same z, or a
 * z at least `nearDuplicate.threshold` similar; so a cluster of copies keeps one member as
 * long as any of them is good. An exact duplicate is not also counted as a near one.
 */
export class Curator {
    private readonly exactSeen = new Map<string, string>();
    private readonly nearIndex: NearDuplicateIndex<string>;
    private readonly ratios: number[] = [];
    private readonly byFilter: Record<string, number> = {};
    private readonly onlyBy: Record<string, number> = {};
    private read = 0;
    private kept = 0;

    public constructor(private readonly config: CurationConfig, private readonly counter: TokenCounter) {
        this.nearIndex = new NearDuplicateIndex(config.nearDuplicate.bands, config.nearDuplicate.hashes);
        for (const filter of filterNames) {
            if (filterEnabled(config, filter)) {
                this.byFilter[filter] = 0;
                this.onlyBy[filter] = 0;
            }
        }
    }

    public judge(record: TraceRecord): CurationVerdict {
        const verdict = this.evaluate(record);
        this.read++;
        if (verdict.kept)
            this.kept++;
        const filters = new Set(verdict.reasons.map((reason) => reason.filter));
        for (const filter of filters) {
            this.byFilter[filter] = (this.byFilter[filter] ?? 0) + 1;
            if (filters.size === 1)
                this.onlyBy[filter] = (this.onlyBy[filter] ?? 0) + 1;
        }
        if (verdict.repetitionRatio != null)
            this.ratios.push(verdict.repetitionRatio);
        return verdict;
    }

    public summary(): CurationSummary {
        return {
            read: this.read,
            kept: this.kept,
            dropped: this.read - this.kept,
            byFilter: { ...this.byFilter },
            onlyBy: { ...this.onlyBy },
            repetition: distribution(this.ratios),
            tokenCounting: this.counter.description
        };
    }

    private evaluate(record: TraceRecord): CurationVerdict {
        if (record.status !== "done") {
            return { record, kept: false, reasons: [{ filter: `status:${record.status}`, detail: recordNote(record) ?? `status ${record.status}` }] };
        }
        const z = record.z;
        if (z == null)
            return { record, kept: false, reasons: [{ filter: "missing-z", detail: "a done record without z" }] };

        const { config } = this;
        const reasons: DropReason[] = [];
        const check = (filter: FilterName, detail: () => string | undefined): void => {
            if (!filterEnabled(config, filter))
                return;
            const found = detail();
            if (found != null)
                reasons.push({ filter, detail: found });
        };
        const repetition = repetitionRatio(z, config.repetition.n, config.repetition.cjkN);

        check("end-of-thinking", () => endOfThinkingDetail(z, [...config.endOfThinking.phrases.en, ...config.endOfThinking.phrases.zh], config.endOfThinking.tailFraction));
        check("repetition", () => repetitionDetail(repetition, config.repetition.maxRatio));
        check("leakage", () => leakageDetail(measureLeakage(z, record.y, config.leakage.n, config.leakage.cjkN),
            config.leakage.maxOverlapChars, config.leakage.maxNgramShare));
        check("length", () => lengthDetail(record, z, config.length, this.counter));
        check("improvement", () => improvementDetail(record, config.improvement.min));
        check("gain-over-empty", () => gainOverEmptyDetail(record, config.gainOverEmpty.min));
        check("think-tag", () => thinkTagDetail(record, z));

        const exactKey = createHash("sha256").update(z.trim()).digest("hex");
        const exactOf = this.exactSeen.get(exactKey);
        check("duplicate", () => exactOf == null ? undefined : `same z as kept item ${exactOf}`);
        const signature = config.nearDuplicate.enabled ? minHashSignature(z, config.nearDuplicate) : undefined;
        if (signature != null && !(config.duplicate.enabled && exactOf != null)) {
            check("near-duplicate", () => {
                const similar = this.nearIndex.findSimilar(signature, config.nearDuplicate.threshold);
                return similar == null ? undefined : `z is ~${(similar.similarity * 100).toFixed(0)}% similar (MinHash Jaccard) to kept item ${similar.id}`;
            });
        }

        const kept = reasons.length === 0;
        if (kept) {
            this.exactSeen.set(exactKey, record.id);
            if (signature != null)
                this.nearIndex.add(record.id, signature);
        }
        return { record, kept, reasons, repetitionRatio: repetition.ratio };
    }
}

/** Curates records in memory: kept records in order, and the dropped ones with their reasons. */
export function curateRecords(records: Iterable<TraceRecord>, config: CurationConfig, counter: TokenCounter): {
    kept: TraceRecord[];
    rejected: CurationVerdict[];
    summary: CurationSummary;
} {
    const curator = new Curator(config, counter);
    const kept: TraceRecord[] = [];
    const rejected: CurationVerdict[] = [];
    for (const record of records) {
        const verdict = curator.judge(record);
        if (verdict.kept)
            kept.push(record);
        else
            rejected.push(verdict);
    }
    return { kept, rejected, summary: curator.summary() };
}
