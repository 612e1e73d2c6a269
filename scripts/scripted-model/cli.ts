/**
 * Writes a scripted GGUF test model (see writeScriptedModel.ts).
 *
 *   npx tsx scripts/scripted-model/cli.ts out.gguf --initial-file a.txt [--edit-file b.txt]
 *       [--trigger CHAR=FILE ...] [--context-length 4096] [--add-space-prefix] [--chat]
 *
 * Script files are said exactly as they are, trailing newlines included.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { writeScriptedModel } from "./writeScriptedModel.js";

const usage = "usage: npx tsx scripts/scripted-model/cli.ts OUT.gguf --initial-file FILE [--edit-file FILE] " +
    "[--trigger CHAR=FILE ...] [--context-length N] [--add-space-prefix] [--chat]";

function main(): void {
    const { values: args, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            "initial-file": { type: "string" },
            "edit-file": { type: "string" },
            trigger: { type: "string", multiple: true },
            "context-length": { type: "string" },
            "add-space-prefix": { type: "boolean", default: false },
            chat: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false }
        }
    });
    if (args.help) {
        console.log(usage);
        return;
    }
    const out = positionals[0];
    if (out == null || positionals.length !== 1 || args["initial-file"] == null)
        throw new Error(usage);
    const read = (file: string) => readFileSync(file, "utf8");
    const triggers = (args.trigger ?? []).map((trigger) => {
        // "\n" and "\t" may be written escaped on a command line.
        const at = trigger.indexOf("=", 1);
        if (at < 0)
            throw new Error(`--trigger wants CHAR=FILE, got ${trigger}`);
        const after = trigger.slice(0, at).replace(/^\\n$/u, "\n").replace(/^\\t$/u, "\t");
        return { after, script: read(trigger.slice(at + 1)) };
    });
    const contextLength = args["context-length"] == null ? undefined : Number(args["context-length"]);
    const written = writeScriptedModel(out, {
        initial: read(args["initial-file"]),
        ...(args["edit-file"] != null ? { edit: read(args["edit-file"]) } : {}),
        triggers,
        ...(contextLength != null ? { contextLength } : {}),
        addSpacePrefix: args["add-space-prefix"],
        chat: args.chat
    });
    console.log(`wrote ${out}: ${written.bytes} bytes, vocabulary ${written.vocabulary.length}, embedding ${written.embeddingLength}`);
    for (const script of written.scripts)
        console.log(`  ${script.name}: ${script.pieces.length} tokens, then EOS`);
}

try {
    main();
} catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
}
