import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The page's own script, src/report/client/reportClient.js: plain browser JavaScript,
 * type-checked by tsconfig.client.json. It is read at run time next to this module, so
 * the same relative path finds it under src/ (tsx, tests) and under dist/ (the build
 * copies the client folder there).
 */
export const reportClientPath = fileURLToPath(new URL("./client/reportClient.js", import.meta.url));

let cached: string | undefined;

/** The script's source, as the page inlines it (through inlineScript). */
export function reportClientScript(): string {
    cached ??= readFileSync(reportClientPath, "utf8");
    return cached;
}
