import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/util/formatDuration.js";

describe("formatDuration", () => {
    it("gives seconds below two minutes, minutes below two hours, then hours with one decimal", () => {
        expect(formatDuration(42.4)).toBe("42 s");
        expect(formatDuration(42.26, 1)).toBe("42.3 s");
        expect(formatDuration(119)).toBe("119 s");
        expect(formatDuration(150, 1)).toBe("2.5 min");
        expect(formatDuration(720)).toBe("12 min");
        expect(formatDuration(12_600)).toBe("3.5 h");
        expect(formatDuration(12_600, 0)).toBe("3.5 h");
    });
});
