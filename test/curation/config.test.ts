import { describe, expect, it } from "vitest";
import { defaultCurationConfig } from "../../src/curation/curationConfig.js";
import { resolveCurationConfig } from "../../src/curation/resolveCurationConfig.js";
import { ReerError } from "../../src/errors/ReerError.js";

describe("resolveCurationConfig", () => {
    it("fills defaults around a partial file and lets flags override it", () => {
        const config = resolveCurationConfig(
            { repetition: { maxRatio: 0.2, n: 3 }, length: { z: { max: 4000 } } },
            [{ path: ["repetition", "maxRatio"], value: 0.25 }, { path: ["length", "x", "min"], value: 5 }]);
        expect(config.repetition).toEqual({ enabled: true, n: 3, cjkN: 6, maxRatio: 0.25 });
        expect(config.length).toEqual({ enabled: true, x: { min: 5 }, y: {}, z: { max: 4000 } });
        expect(config.endOfThinking).toEqual(defaultCurationConfig().endOfThinking);
    });

    it("rejects unknown keys and bad values with the path", () => {
        const attempt = (file: unknown) => () => resolveCurationConfig(file, [], "c.json");
        expect(attempt({ repetiton: {} })).toThrow(/repetiton/u);
        expect(attempt({ leakage: { maxNgramShare: 2 } })).toThrow(/leakage\.maxNgramShare/u);
        expect(attempt({ length: { z: { min: 10, max: 5 } } })).toThrow(/length\.z/u);
        expect(attempt({ nearDuplicate: { hashes: 100, bands: 32 } })).toThrow(/nearDuplicate\.bands/u);
        expect(attempt([1])).toThrow(ReerError);
    });
});
