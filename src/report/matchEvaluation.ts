import { InvalidInputError } from "../errors/inputErrors.js";
import type { Evaluation, EvaluationItem } from "../evaluation/evaluationSchema.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

/**
 * The evaluation's items by the index in `records` of the record each belongs to. An item
 * matches the last record with its id (the one `reer evaluate` scored); an id that is not a done
 * item of the trace means the evaluation is of another trace, so the report refuses it
 * rather than show its numbers against the wrong items.
 */
export function matchEvaluation(records: readonly TraceRecord[], evaluation: Evaluation, source: string): Map<number, EvaluationItem> {
    // By position, not by key: records that share an id share their key too.
    const lastById = new Map<string, number>();
    records.forEach((record, index) => lastById.set(record.id, index));
    const byIndex = new Map<number, EvaluationItem>();
    evaluation.items.forEach((item, index) => {
        const position = lastById.get(item.id);
        const record = position == null ? undefined : records[position];
        if (record == null || record.status !== "done")
            throw new InvalidInputError(source, undefined, `items.${index}.id`,
                `${JSON.stringify(item.id)} is ${record == null ? "not an item of the trace" : `${record.status} in the trace, not done`}`,
                "The evaluation belongs to another trace (or an older state of this one): run `reer evaluate TRACE --json -o FILE` on this trace.");
        byIndex.set(position!, item);
    });
    return byIndex;
}
