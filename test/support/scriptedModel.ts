import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { writeScriptedModel, type ScriptedModel, type ScriptedModelSpec, type WrittenScript } from "../../scripts/scripted-model/writeScriptedModel.js";

export type { ScriptedModel, ScriptedModelSpec, WrittenScript };

let dir: string | undefined;
const written = new Map<string, ScriptedModel>();

/**
 * A scripted GGUF model (see scripts/scripted-model/writeScriptedModel.ts) in a temporary
 * folder. The same spec gives the same file within a process, so test files may ask for
 * their model in every test.
 */
export function scriptedModel(spec: ScriptedModelSpec): ScriptedModel {
    const key = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
    let model = written.get(key);
    if (model == null) {
        dir ??= mkdtempSync(path.join(tmpdir(), "reer-scripted-"));
        model = writeScriptedModel(path.join(dir, `scripted-${key}.gguf`), spec);
        written.set(key, model);
    }
    return model;
}

/** The text a generation cut after `tokens` tokens of `script` gives. */
export function scriptPrefix(script: WrittenScript, tokens: number): string {
    return script.pieceTexts.slice(0, tokens).join("");
}
