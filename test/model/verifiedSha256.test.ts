import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkModelFile, sidecarPath } from "../../src/model/catalogue/verifiedSha256.js";
import { sha256 } from "../support/fakeModelServer.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-sha-"));

describe("the sha256 record next to a catalogue model", () => {
    it("is written by a full hash and spares the next check the hashing while the file is unchanged", async () => {
        const file = path.join(dir, "model.gguf");
        const data = randomBytes(200_000);
        writeFileSync(file, data);
        expect(await checkModelFile(path.join(dir, "absent.gguf"), sha256(data), { useCache: true })).toEqual({ state: "missing" });
        expect(await checkModelFile(file, sha256(data), { useCache: true })).toEqual({ state: "verified", bytes: data.length, fromCache: false });
        expect(JSON.parse(readFileSync(sidecarPath(file), "utf8")).sha256).toBe(sha256(data));
        expect(await checkModelFile(file, sha256(data), { useCache: true })).toEqual({ state: "verified", bytes: data.length, fromCache: true });
        // useCache: false always reads the file.
        expect(await checkModelFile(file, sha256(data), { useCache: false })).toMatchObject({ state: "verified", fromCache: false });
    });

    it("is not trusted once a byte changes in place, size unchanged", async () => {
        const file = path.join(dir, "flipped.gguf");
        const data = randomBytes(100_000);
        writeFileSync(file, data);
        expect(await checkModelFile(file, sha256(data), { useCache: true })).toMatchObject({ state: "verified" });
        const fd = openSync(file, "r+");
        writeSync(fd, Buffer.from([data[5]! ^ 1]), 0, 1, 5);
        closeSync(fd);
        const check = await checkModelFile(file, sha256(data), { useCache: true });
        expect(check).toEqual({ state: "mismatch", bytes: data.length, actualSha256: sha256(readFileSync(file)) });
    });

    it("writes no record for a file that is not there", async () => {
        await checkModelFile(path.join(dir, "nothing.gguf"), "0".repeat(64), { useCache: true });
        expect(existsSync(sidecarPath(path.join(dir, "nothing.gguf")))).toBe(false);
    });
});
