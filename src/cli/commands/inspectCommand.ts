import { Command } from "commander";
import { describeModel, type ModelDescription } from "../../model/describeModel.js";
import { addModelOptions, loadModelFromFlags, type ModelFlags } from "../modelOptions.js";

const formatCount = (value: number): string =>
    value >= 1e9 ? `${(value / 1e9).toFixed(2)}B` : value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}K` : String(value);

function formatDescription(d: ModelDescription): string {
    const rows: [string, string][] = [
        ["file", d.path],
        ["name", d.name],
        ["size", `${(d.sizeBytes / 2 ** 20).toFixed(1)} MiB (head sha256 ${d.headSha256.slice(0, 16)}...)`],
        ["architecture", `${d.architecture}${d.layers == null ? "" : `, ${d.layers} layers`}, embedding ${d.embeddingSize}`],
        ["parameters", `${formatCount(d.parameters)} (${d.fileType ?? "unknown type"})`],
        ["vocabulary", `${d.vocabularySize} tokens, ${d.tokenizerType} (${d.tokenizerModel ?? "?"})` +
            (d.byteFallback ? ", encodes any text" : ", NO byte fallback: characters outside the vocabulary are refused")],
        ["special tokens", `BOS ${JSON.stringify(d.bos)}${d.addsBos ? " (prepended)" : ""}, EOS ${JSON.stringify(d.eos)}`],
        ["context", `${d.trainContextSize} tokens (training context)`],
        ["chat template", d.chatTemplate ? "present: --template paper works" : "absent: score with --template none"],
        ["backend", d.backend],
        ["fast scoring", d.fastScoring ? "active (native exact log-probabilities)" : "inactive: exact stock fallback, much slower (run npm run build:native)"]
    ];
    const width = Math.max(...rows.map(([key]) => key.length));
    return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n");
}

export function inspectCommand(): Command {
    const command = new Command("inspect")
        .description("Show what reer needs to know about a GGUF model: architecture, size, tokenizer, context, chat template, fast scoring.")
        .argument("[model]", "catalogue name, GGUF path, hf: URI or URL (or use --model)")
        .option("--json", "print JSON instead of a table", false)
        .addHelpText("after", `
Only the model's header and vocabulary are read; nothing is evaluated.

Examples:
  reer inspect smollm2-135m-instruct
  reer inspect models/qwen2.5-7b-instruct-q4_k_m.gguf --json
  reer inspect ../shared/models/stories260K.gguf --gpu off`);
    addModelOptions(command, { contexts: false });
    return command.action(async (modelArgument: string | undefined, flags: ModelFlags & { json: boolean }) => {
        const model = await loadModelFromFlags({ ...flags, ...(modelArgument == null ? {} : { model: modelArgument }) });
        try {
            const description = describeModel(model);
            process.stdout.write((flags.json ? JSON.stringify(description, null, 2) : formatDescription(description)) + "\n");
        } finally {
            await model.dispose();
        }
    });
}
