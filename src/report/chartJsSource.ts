import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

let cached: string | undefined;

/**
 * Chart.js's browser build (UMD, defines window.Chart), read from the installed package
 * at run time so the report can inline it: the page must work offline, with no CDN.
 * The package's exports map hides dist/ files, so the build is found next to its main file.
 */
export function chartJsSource(): string {
    if (cached == null) {
        const main = createRequire(import.meta.url).resolve("chart.js");
        cached = readFileSync(path.join(path.dirname(main), "chart.umd.min.js"), "utf8");
    }
    return cached;
}
