import { readJsonConfigFile, resolveLayeredConfig, type ConfigOverride } from "../config/layeredConfig.js";
import { curationConfigSchema, type CurationConfig } from "./curationConfig.js";

export type { ConfigOverride } from "../config/layeredConfig.js";

const curationConfigHint = "Run `reer curate --print-config` for the full shape with the defaults; any part may be left out.";

/** The effective curation config: defaults, then the JSON file (if any), then flags. */
export function resolveCurationConfig(fileConfig: unknown, overrides: readonly ConfigOverride[], source = "the curation config"): CurationConfig {
    return resolveLayeredConfig(curationConfigSchema, fileConfig, overrides, source, curationConfigHint);
}

export async function readCurationConfigFile(file: string): Promise<unknown> {
    return readJsonConfigFile(file, curationConfigHint);
}
