import { z } from "zod";
import { fetchJson } from "./httpDownload.js";
import { SourceFailure } from "./sourceFailure.js";

export const PYPI_INDEX_ENV = "REER_PYPI_INDEX_URL";

/** The PyPI "simple" index reer reads (PEP 691 JSON): $REER_PYPI_INDEX_URL, else pypi.org's. */
export function pypiIndexUrl(): string {
    const override = process.env[PYPI_INDEX_ENV];
    const url = override != null && override !== "" ? override : "https://pypi.org/simple/";
    return url.endsWith("/") ? url : `${url}/`;
}

/** The part of a PEP 691 project page reer uses. */
const projectPageSchema = z.object({
    files: z.array(z.object({
        filename: z.string(),
        url: z.string(),
        hashes: z.record(z.string(), z.string()),
        size: z.number().int().nonnegative().optional()
    }))
});

/** A wheel on the index: where it is, and the sha256 and size the index gives for it. */
export type IndexedWheel = { filename: string; url: string; sha256: string; size: number | undefined };

/** PEP 503 normalisation: a project name compares lower-cased with runs of -, _ and . as one dash. */
export const normalizeProjectName = (name: string): string => name.toLowerCase().replace(/[-_.]+/gu, "-");

/** The project page of `project`, as the index names it (normalised). */
export function projectPageUrl(project: string, indexUrl: string = pypiIndexUrl()): string {
    return new URL(`${normalizeProjectName(project)}/`, indexUrl).toString();
}

/**
 * The wheel of exactly `project`==`version` on the index. A wheel's file name is
 * `<name>-<version>(-<build>)?-<python>-<abi>-<platform>.whl`, its name part normalised
 * with underscores; of several (platforms), the first pure-Python one wins, else the first.
 */
export async function findWheel(project: string, version: string, options: { timeoutMs: number; signal?: AbortSignal; indexUrl?: string }): Promise<IndexedWheel> {
    const pageUrl = projectPageUrl(project, options.indexUrl);
    const json = await fetchJson(pageUrl, {
        timeoutMs: options.timeoutMs,
        headers: { Accept: "application/vnd.pypi.simple.v1+json" },
        ...(options.signal == null ? {} : { signal: options.signal })
    }).catch((error: unknown) => {
        throw error instanceof SourceFailure && error.status === 404
            ? new SourceFailure(`the index has no project ${project} (HTTP 404 for ${pageUrl})`, 404) : error;
    });
    const page = projectPageSchema.safeParse(json);
    if (!page.success)
        throw new SourceFailure(`${pageUrl} is not a PyPI JSON project page (${page.error.issues[0]!.path.join(".")}: ${page.error.issues[0]!.message})`);
    const wheels = page.data.files.filter((file) => {
        if (!file.filename.endsWith(".whl"))
            return false;
        const [name, fileVersion] = file.filename.split("-");
        return name != null && normalizeProjectName(name) === normalizeProjectName(project) && fileVersion === version;
    });
    const wheel = wheels.find((file) => file.filename.endsWith("-none-any.whl")) ?? wheels[0];
    if (wheel == null)
        throw new SourceFailure(`${pageUrl} lists no wheel of ${project}==${version}`);
    const sha256 = wheel.hashes.sha256;
    if (sha256 == null)
        throw new SourceFailure(`${pageUrl} gives no sha256 for ${wheel.filename}`);
    // PEP 691 allows URLs relative to the page.
    return { filename: wheel.filename, url: new URL(wheel.url, pageUrl).toString(), sha256: sha256.toLowerCase(), size: wheel.size };
}
