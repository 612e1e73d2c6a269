import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { builtinPromptsDir } from "../../src/prompts/PromptSet.js";

/**
 * The built-in prompts with an opener that is already a whole paragraph followed by a
 * blank line. The tiny test model rarely writes newlines itself, so without this its
 * trajectories are single segments and every item would be skipped; with it, any
 * continuation of 100 characters or more gives a second segment and the search runs.
 *
 * `openRefine` also ends the edit pre-fill with <refine>: with --accept-unclosed-rewrite,
 * the tiny model's rewrites (which never close the tag) then reach the scorer.
 */
export function promptsWithParagraphOpener(options: { openRefine?: boolean } = {}): string {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "reer-prompts-")), "prompts");
    cpSync(builtinPromptsDir, dir, { recursive: true });
    const opener = "Alright, the user wants a story for children, so I want simple words, one clear animal hero and a small problem that gets solved by the end.\n\n";
    writeFileSync(path.join(dir, "en", "openers.json"), JSON.stringify([{ text: opener, weight: 1 }]));
    if (options.openRefine === true)
        writeFileSync(path.join(dir, "en", "edit-prefill.txt"), "Here is the better paragraph.\n<refine>");
    return dir;
}
