import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { builtinPromptsDir } from "../../src/prompts/PromptSet.js";

/**
 * The built-in prompts with the openers replaced, so that a scripted generator's
 * trajectory (opener + script) is known to the character. Openers are given per language;
 * a language left out keeps its built-in openers.
 */
export function promptsWithOpeners(openers: { en?: string[]; zh?: string[] }): string {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "reer-prompts-")), "prompts");
    cpSync(builtinPromptsDir, dir, { recursive: true });
    for (const language of ["en", "zh"] as const) {
        const texts = openers[language];
        if (texts != null)
            writeFileSync(path.join(dir, language, "openers.json"), JSON.stringify(texts.map((text) => ({ text, weight: 1 }))));
    }
    return dir;
}
