import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Native model contexts spin worker threads; running files one at a time keeps
        // two cores from being oversubscribed.
        fileParallelism: false,
        testTimeout: 120_000,
        hookTimeout: 120_000
    }
});
