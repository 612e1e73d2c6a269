import { Option, type Command } from "commander";
import { readJsonConfigFile, resolveLayeredConfig, type ConfigOverride } from "../config/layeredConfig.js";
import { objectiveNames } from "../config/searchConfig.js";
import { smallModelPreset } from "../config/smallModelPreset.js";
import { synthesisConfigSchema, type SynthesisConfig } from "../config/synthesisConfig.js";
import { atLeastOne, negativeNumber, nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveIntegerOrAuto, probability } from "./parseOptions.js";

/** The paper preset: every "(default ...)" in the help comes from here, so help and schema cannot drift. */
const preset = synthesisConfigSchema.parse({});
const d = (value: unknown) => `(default ${String(value)})`;

/** Flag name -> where it lands in the config. Only flags given on the command line override the file. */
const flagPaths: Record<string, string[]> = {
    seed: ["seed"],
    parallel: ["parallel"],
    candidateMode: ["candidateMode"],
    maxTokens: ["sampling", "maxTokens"],
    temperature: ["sampling", "temperature"],
    topP: ["sampling", "topP"],
    topK: ["sampling", "topK"],
    candidates: ["search", "candidates"],
    maxSteps: ["search", "maxSteps"],
    stopThreshold: ["search", "stopThreshold"],
    passes: ["search", "passes"],
    patience: ["search", "patience"],
    minImprovement: ["search", "minImprovement"],
    objective: ["search", "objective"],
    clip: ["search", "clipFloor"],
    minThinkingTokens: ["search", "minThinkingTokens"],
    maxThinkingTokens: ["search", "maxThinkingTokens"],
    initialDrafts: ["search", "initialDrafts"],
    redrafts: ["search", "redrafts"],
    maxDraftRepetition: ["search", "maxDraftRepetition"],
    repeatPenalty: ["sampling", "repeatPenalty"],
    dry: ["sampling", "dryStrength"],
    proposer: ["search", "proposer"],
    screenDraftCopies: ["search", "screenDraftCopies"],
    maxVerbatimChars: ["search", "maxVerbatimChars"],
    acceptUnclosedRewrite: ["search", "acceptUnclosedRewrite"],
    constrainRewrite: ["search", "constrainRewrite"],
    prune: ["search", "prune"],
    draftPrompt: ["search", "draftPrompt"],
    answerAfterThink: ["answerAfterThink"],
    generatorTemplate: ["generatorTemplate"],
    template: ["scorerTemplate"],
    promptField: ["fields", "prompt"],
    responseField: ["fields", "response"],
    idField: ["fields", "id"],
    messagesField: ["fields", "messages"]
};

/** The flags that set the search, sampling and input fields of `reer synthesize`. */
export function addSynthesisOptions(command: Command): Command {
    const { search, sampling } = preset;
    return command
        .option("--seed <n>", `seed for openers and sampling ${d(preset.seed)}`, nonNegativeInteger)
        .option("--parallel <n|auto>", `items in flight at once, sharing the loaded models; auto: 1 on a CPU, as many as the free GPU memory holds (up to 32) on a GPU ${d(preset.parallel)}`, positiveIntegerOrAuto)
        .addOption(new Option("--candidate-mode <mode>", `auto: concurrent on a GPU, sequential on a CPU; concurrent: candidates on parallel sequences, decoded in one batch; sequential: one after another on one sequence, evaluating the edit prompt once ${d(preset.candidateMode)}`).choices(["auto", "sequential", "concurrent"]))
        .option("--max-tokens <n>", `cap on new tokens per generator call ${d(sampling.maxTokens)}`, positiveInteger)
        .option("--temperature <t>", `sampling temperature ${d(sampling.temperature)}`, nonNegativeNumber)
        .option("--top-p <p>", `nucleus sampling ${d(sampling.topP)}`, probability)
        .option("--top-k <k>", `top-k sampling, 0 = off ${d(sampling.topK)}`, nonNegativeInteger)
        .option("--candidates <n>", `rewrites per segment ${d(search.candidates)}`, positiveInteger)
        .option("--max-steps <n>", `segments visited per pass ${d(search.maxSteps)}`, nonNegativeInteger)
        .option("--stop-threshold <v>", `stop when the clipped mean NLL falls below this ${d(search.stopThreshold)}`, nonNegativeNumber)
        .option("--passes <n>", `passes over the segments ${d(search.passes)}`, positiveInteger)
        .option("--patience <n>", `stop after this many passes without improvement ${d(search.patience)}`, positiveInteger)
        .option("--min-improvement <v>", `a rewrite must lower the objective by more than this; 0 = strictly ${d(search.minImprovement)}`, nonNegativeNumber)
        .addOption(new Option("--objective <name>", `what to minimise ${d(search.objective)}`).choices(objectiveNames))
        .option("--clip <floor>", `log-probability floor of the clipped objective ${d(search.clipFloor)}`, negativeNumber)
        .option("--min-thinking-tokens <n>", `skip items whose initial z is shorter ${d(search.minThinkingTokens)}`, nonNegativeInteger)
        .option("--max-thinking-tokens <n>", "longest z the search may produce, in tokens of either model; longer rewrites are refused as too-long, and the contexts are sized for it (default 2 x --max-tokens)", positiveInteger)
        .option("--initial-drafts <n>", `initial trajectories per item; the search starts from the best-scoring one ${d(search.initialDrafts)}`, positiveInteger)
        .option("--redrafts <n>", "further drafts, each with the next seed, when a draft cannot start a search (too short, one segment, degenerate) before the item is skipped; every refused draft is kept in the trace (default 0)", nonNegativeInteger)
        .option("--max-draft-repetition <share>", "refuse a draft whose word 4-grams repeat earlier ones more than this share of the time, as degenerate (a loop), and a rewrite, as repetitive; the paper preset has no such check (default off)", probability)
        .option("--screen-draft-copies", "refuse a draft that copies a run of --max-verbatim-chars of y, as rewrites are (the paper preset screens only rewrites)")
        .option("--max-verbatim-chars <n>", `the longest run of y's characters a rewrite (and, with --screen-draft-copies, a draft) may copy ${d(search.maxVerbatimChars)}`, positiveInteger)
        .option("--repeat-penalty <p>", "llama.cpp's repetition penalty over the last 64 generated tokens, for every generator call; 1 = none (default 1)", atLeastOne)
        .option("--dry <strength>", "DRY penalty strength against verbatim repeats (0.8 is common), for every generator call; 0 = none (default 0)", nonNegativeNumber)
        .addOption(new Option("--proposer <kind>", "rewrite: the generator's edit turn (<refine> block), as the reference; resample: segment i sampled afresh as a continuation of the drafting prompt after the segments before it, cut at the next blank line, so any model that can draft can propose; both: --candidates of each kind compete in one step (default rewrite)").choices(["rewrite", "resample", "both"]))
        .option("--accept-unclosed-rewrite", `take a last <refine> block that never closes, to the end of the turn, as the reference does${preset.search.acceptUnclosedRewrite ? "; on unless --no-accept-unclosed-rewrite or the config turns it off" : ""}`)
        .option("--no-accept-unclosed-rewrite", "reject a last <refine> block that never closes, as \"unclosed\"")
        .option("--constrain-rewrite", "sample edit turns under a grammar that ends them with one closed <refine> block, so models that ignore the format still propose; --preset auto turns it on for generators under 1.5B parameters, --preset paper leaves it off")
        .option("--no-constrain-rewrite", "sample edit turns freely, as the reference does")
        .option("--prune", "after the passes, try z without each segment in turn (one scoring call each, no generation) and keep a removal when y becomes more predictable without it; never below two segments or --min-thinking-tokens. The paper preset has no removals")
        .option("--no-prune", "keep every segment of z, as the reference does")
        .addOption(new Option("--draft-prompt <name>", "the prompt template that asks for the thinking, also continued by --proposer resample: initial, the paper's list of what to think through; plan, a short request for the piece's content in order, in the writer's own words, which a small model can follow (default initial)").choices(["initial", "plan"]))
        .addOption(new Option("--preset <name>", `auto: the paper preset with what the models cannot do adapted and said in the start line (the new-token cap lowered to fit the contexts; the small-model preset for generators under 1.5B parameters); small: the small-model preset (${smallModelPreset.map((setting) => setting.flag).join(" ")}) whatever the model; paper: the reference settings exactly. Settings you give are never changed`).choices(["auto", "small", "paper"]).default("auto"))
        .option("--no-answer-after-think", "score the whole response even when it holds </think>; otherwise y is the text after its last </think>, as in the reference")
        .addOption(new Option("--generator-template <mode>", `chat: the generator's chat template; none: plain text (models without one) ${d(preset.generatorTemplate)}`).choices(["chat", "none"]))
        .addOption(new Option("--template <mode>", `scorer prompt: paper (chat template, <think>/<answer>) or none (plain) ${d(preset.scorerTemplate)}`).choices(["paper", "none"]))
        .option("--prompt-field <name>", `input key for x; the reference code used question ${d(preset.fields.prompt)}`)
        .option("--response-field <name>", `input key for y; the reference code used solution ${d(preset.fields.response)}`)
        .option("--id-field <name>", `input key for the id ${d(preset.fields.id)}`)
        .option("--messages-field <name>", `input key for a chat transcript ${d(preset.fields.messages)}`);
}

/**
 * The settings the user gave, by dotted path: flags on the command line and keys present in
 * the --config file. The default preset adapts only the others.
 */
export function explicitSettings(command: Command, flags: Record<string, unknown>): Set<string> {
    const explicit = new Set(Object.entries(flagPaths)
        .filter(([flag]) => command.getOptionValueSource(flag) === "cli")
        .map(([, path]) => path.join(".")));
    const configFile = flags.config as string | undefined;
    const walk = (node: unknown, prefix: string): void => {
        if (node == null || typeof node !== "object" || Array.isArray(node))
            return;
        for (const [key, value] of Object.entries(node)) {
            const path = prefix === "" ? key : `${prefix}.${key}`;
            explicit.add(path);
            walk(value, path);
        }
    };
    if (configFile != null)
        walk(readJsonConfigFile(configFile, synthesisConfigHint), "");
    return explicit;
}

const synthesisConfigHint = "Run `reer synthesize --dry-run ...` to print a valid effective configuration to start from.";

/** The effective config: defaults (the paper preset) < --config file < command-line flags. */
export function resolveSynthesisConfig(command: Command, flags: Record<string, unknown>): SynthesisConfig {
    const configFile = flags.config as string | undefined;
    const fileConfig = configFile == null ? undefined : readJsonConfigFile(configFile, synthesisConfigHint);
    const overrides: ConfigOverride[] = Object.entries(flagPaths)
        .filter(([flag]) => command.getOptionValueSource(flag) === "cli")
        .map(([flag, path]) => ({ path, value: flags[flag] }));
    return resolveLayeredConfig(synthesisConfigSchema, fileConfig, overrides, configFile == null ? "The command-line settings" : `--config ${configFile}`, synthesisConfigHint);
}
