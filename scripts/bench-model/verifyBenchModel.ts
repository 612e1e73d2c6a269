/**
 * Loads a bench model with node-llama-cpp (CPU) and checks that it works and tokenizes like the
 * real Qwen2 tokenizer; prints load / prompt-eval / generation speeds.
 * Used by `makeBenchModel.ts --verify`; can also be run alone:
 *   npx tsx scripts/bench-model/verifyBenchModel.ts models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf
 */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { getLlama, LlamaLogLevel, resolveChatWrapper, JinjaTemplateChatWrapper, type LlamaModel, type Token } from "node-llama-cpp";

const SAMPLE = "Hello, world!\n\nA second paragraph.";
/** Known ids in Qwen2's vocabulary. */
const KNOWN: [string, Token[]][] = [["Hello", [9707 as Token]], [" world", [1879 as Token]], ["Hello, world!", [9707, 11, 1879, 0] as Token[]]];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * llama.cpp's tokenizer test data next to the vocab file (<vocab>.inp / <vocab>.out: texts and
 * the ids the reference Hugging Face tokenizer gives them).
 */
function loadTokenizerTests(vocabPath: string): { text: string; ids: number[] }[] {
    const inp = `${vocabPath}.inp`;
    const out = `${vocabPath}.out`;
    if (!existsSync(inp) || !existsSync(out)) return [];
    const texts = readFileSync(inp, "utf8").split("\n__ggml_vocab_test__\n");
    texts.pop(); // after the final separator
    const ids = readFileSync(out, "utf8").split("\n").slice(0, texts.length)
        .map((line) => line.trim() === "" ? [] : line.trim().split(/\s+/).map(Number));
    return texts.map((text, i) => ({ text, ids: ids[i]! }));
}

type Check = (ok: boolean, what: string) => void;

export async function verifyBenchModel(modelPath: string, vocabPath?: string, threads = 2): Promise<void> {
    const failures: string[] = [];
    const check: Check = (ok, what) => {
        console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
        if (!ok) failures.push(what);
    };

    let t = performance.now();
    const llama = await getLlama({ gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error });
    console.log(`verify: backend loaded in ${seconds(performance.now() - t)} (gpu: ${String(llama.gpu)})`);
    t = performance.now();
    const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
    console.log(`  model loaded in ${seconds(performance.now() - t)}`);
    checkTokenizer(model, vocabPath, check);
    checkChatTemplate(model, check);
    await checkSpeed(model, threads, check);
    await model.dispose();
    await llama.dispose();
    if (failures.length > 0) throw new Error(`verification failed: ${failures.join("; ")}`);
    console.log("verify: all checks passed");
}

/** The architecture, and Qwen2's tokenizer: round trips, known ids, llama.cpp's reference cases. */
function checkTokenizer(model: LlamaModel, vocabPath: string | undefined, check: Check): void {
    const md = model.fileInfo.metadata;
    const vocabSize = md.tokenizer.ggml.tokens.length;
    console.log(`  architecture ${md.general.architecture}, vocab ${vocabSize} (${model.vocabularyType}), ` +
        `train context ${model.trainContextSize}, size ${(model.size / (1 << 20)).toFixed(1)} MiB`);
    check(md.general.architecture === "qwen2", "architecture is qwen2");
    const ids = model.tokenize(SAMPLE);
    console.log(`  tokenize(${JSON.stringify(SAMPLE)}) = [${ids.join(", ")}]`);
    console.log(`  pieces: ${JSON.stringify(ids.map((id) => model.detokenize([id])))}`);
    check(model.detokenize(ids) === SAMPLE, "detokenize(tokenize(sample)) round-trips");
    for (const [text, expected] of KNOWN)
        check(JSON.stringify(model.tokenize(text)) === JSON.stringify(expected), `tokenize(${JSON.stringify(text)}) = [${expected.join(", ")}]`);
    if (vocabPath) {
        const tests = loadTokenizerTests(vocabPath);
        const bad = tests.filter(({ text, ids: want }) => JSON.stringify(model.tokenize(text)) !== JSON.stringify(want));
        for (const b of bad.slice(0, 3)) console.log(`    mismatch ${JSON.stringify(b.text.slice(0, 40))}: got [${model.tokenize(b.text).join(" ")}] want [${b.ids.join(" ")}]`);
        if (tests.length > 0) check(bad.length === 0, `llama.cpp reference tokenizer cases: ${tests.length - bad.length}/${tests.length} match`);
    }
}

/** Special tokens, and the ChatML template rendered as the scorer will render it. */
function checkChatTemplate(model: LlamaModel, check: Check): void {
    const md = model.fileInfo.metadata;
    console.log(`  bos ${model.tokens.bos} eos ${model.tokens.eos} eot ${model.tokens.eot} ` +
        `(<|im_end|> = ${model.tokenize("<|im_end|>", true).join(",")}); add_bos_token ${String(md.tokenizer.ggml.add_bos_token)}`);
    const template = md.tokenizer.chat_template;
    check(typeof template === "string" && template.includes("<|im_start|>"), "tokenizer.chat_template is present (ChatML)");
    const wrapper = resolveChatWrapper(model);
    const rendered = new JinjaTemplateChatWrapper({ template: template!, tokenizer: model.tokenizer })
        .generateContextState({ chatHistory: [{ type: "user", text: "Hi" }, { type: "model", response: [] }] })
        .contextText.toString();
    console.log(`  chat wrapper resolved: ${wrapper.wrapperName}; template renders ${JSON.stringify(rendered)}`);
    check(rendered === "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", "chat template renders ChatML with generation prompt");
}

/** Prompt evaluation (cold, then warm) and 16 greedy tokens: the model runs, and how fast. */
async function checkSpeed(model: LlamaModel, threads: number, check: Check): Promise<void> {
    const context = await model.createContext({ contextSize: 2048, threads });
    const sequence = context.getSequence();
    const words = model.tokenize("The quick brown fox jumps over the lazy dog while the benchmark counts tokens. ");
    const prompt = Array.from({ length: 64 }, (_, i) => words[i % words.length]!);
    // Twice: the first pass includes one-off warm-up (graph and buffer allocation, page faults).
    for (const pass of ["cold", "warm"]) {
        if (pass === "warm") await sequence.clearHistory();
        const t = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 63));
        const evalMs = performance.now() - t;
        console.log(`  prompt eval (${pass}): 63 tokens in ${seconds(evalMs)} = ${(63 / (evalMs / 1000)).toFixed(1)} tok/s (threads ${threads})`);
    }
    const generated: Token[] = [];
    const t = performance.now();
    for await (const token of sequence.evaluate([prompt[63]!], { temperature: 0 })) {
        generated.push(token);
        if (generated.length >= 16) break;
    }
    const genMs = performance.now() - t;
    console.log(`  generation: ${generated.length} tokens in ${seconds(genMs)} = ${(generated.length / (genMs / 1000)).toFixed(1)} tok/s ` +
        `(meaningless text: ${JSON.stringify(model.detokenize(generated))})`);
    check(generated.length === 16, "generated 16 tokens");
    await context.dispose();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
    const [modelPath, vocabPath] = process.argv.slice(2);
    if (!modelPath) {
        console.error("usage: npx tsx scripts/bench-model/verifyBenchModel.ts MODEL.gguf [VOCAB.gguf]");
        process.exit(2);
    }
    verifyBenchModel(modelPath, vocabPath).catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    });
}
