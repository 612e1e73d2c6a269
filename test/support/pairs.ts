import { readFileSync } from "node:fs";
import { samplePairsPath, requireAsset } from "./sharedAssets.js";

export type SamplePair = { id: string; prompt: string; response: string; kind: string };

export function loadSamplePairs(): SamplePair[] {
    return readFileSync(requireAsset(samplePairsPath), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as SamplePair);
}
