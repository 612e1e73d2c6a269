import { createHash } from "node:crypto";
import { withoutNeutralSettings } from "../config/neutralSettings.js";
import { synthesisConfigSchema, type SynthesisConfig } from "../config/synthesisConfig.js";
import type { ModelIdentity } from "../model/LoadedModel.js";

export { settingsDiff } from "../util/settingsDiff.js";

/** Everything that decides a run's results, with "auto" already settled: a resumed run must match it. */
export function decisiveSettings(config: SynthesisConfig, generator: ModelIdentity, scorer: ModelIdentity, promptsFingerprint: string) {
    // Parsed again so every key stands in the schema's order: a setting applied by a preset
    // after the flags hashes the same as the flag itself.
    const canonical = withoutNeutralSettings(synthesisConfigSchema.parse(config));
    return {
        search: canonical.search,
        sampling: canonical.sampling,
        seed: config.seed,
        candidateMode: config.candidateMode,
        generatorTemplate: config.generatorTemplate,
        scorerTemplate: config.scorerTemplate,
        answerAfterThink: config.answerAfterThink,
        generator: { sha: generator.headSha256, size: generator.sizeBytes },
        scorer: { sha: scorer.headSha256, size: scorer.sizeBytes },
        prompts: promptsFingerprint
    };
}

/** Hash of the decisive settings, stored in every record. */
export function configHash(config: SynthesisConfig, generator: ModelIdentity, scorer: ModelIdentity, promptsFingerprint: string): string {
    return hashSettings(decisiveSettings(config, generator, scorer, promptsFingerprint));
}

export function hashSettings(settings: object): string {
    return createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 16);
}
