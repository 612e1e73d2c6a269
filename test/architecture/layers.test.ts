// The shape of src/ and scripts/: no import cycles between files, and no import that runs
// back up the layer order. native/ (the native sources and the fingerprint module both the
// build and the runtime use) is the bottom layer, scripts/ the top: the tools may use the
// library, never the other way round. Imports are read with regular expressions (static
// `import`/`export ... from` at the start of a line, side-effect `import "..."` and
// `import("...")`, which also catches JSDoc `import("...")` types), relative ones only:
// packages are not part of the layering.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The trees the layering covers, as folders of the repository. */
const TREES = ["native", "src", "scripts"];

/**
 * Bottom to top: native/, src/'s folders, scripts/. A file may import files of its own
 * layer and of lower layers, never of a higher one. src/index.ts (the public API) may
 * import anything below scripts/.
 */
const LAYERS: readonly (readonly string[])[] = [
    ["native"],
    ["errors", "util", "version.ts", "text"],
    ["config"],
    ["runtime"],
    ["model"],
    ["prompts", "io"],
    ["scoring", "generation"],
    ["trace"],
    ["search"],
    ["sharding"],
    ["synthesis"],
    ["curation", "stats", "status", "export", "report", "evaluation"],
    ["cli"],
    ["scripts"]
];

const UNLAYERED = new Set(["index.ts"]);

/**
 * Imports that run up the order on purpose, as "from -> to" (paths below src/), each
 * with the reason it is right. Empty: the tree has none.
 */
const KNOWN_EXCEPTIONS: ReadonlyMap<string, string> = new Map<string, string>([]);

type Edge = { from: string; to: string };

const SOURCE = /\.(?:ts|mts|js|mjs)$/u;

function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory())
            return sourceFiles(full);
        return SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The relative module specifiers a source text imports or re-exports. */
function relativeSpecifiers(text: string): string[] {
    const patterns = [
        // import x from "..."; import { a,\n b } from "..."; export { a } from "..."; export * from "..."
        /^(?:import|export)\s[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gmu,
        // import "./sideEffect.js"
        /^import\s*["'](\.{1,2}\/[^"']+)["']/gmu,
        // await import("./x.js"), typeof import("./x.js")
        /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/gu
    ];
    return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

/** The file a specifier names: "./x.js" is written for ./x.ts in TypeScript sources. */
function resolveSpecifier(fromFile: string, specifier: string): string {
    const target = path.resolve(path.dirname(fromFile), specifier);
    for (const [written, source] of [[".js", ".ts"], [".mjs", ".mts"]] as const) {
        if (target.endsWith(written)) {
            const candidate = target.slice(0, -written.length) + source;
            if (existsSync(candidate))
                return candidate;
        }
    }
    return target;
}

/** Every import between two files of the layered trees, as repository paths with forward slashes. */
function importEdges(): { files: string[]; edges: Edge[] } {
    const rel = (file: string) => path.relative(repoRoot, file).split(path.sep).join("/");
    const files = TREES.flatMap((tree) => sourceFiles(path.join(repoRoot, tree)));
    const inTrees = (file: string) => TREES.some((tree) => file.startsWith(path.join(repoRoot, tree) + path.sep));
    const edges: Edge[] = [];
    for (const file of files) {
        for (const specifier of relativeSpecifiers(readFileSync(file, "utf8"))) {
            const target = resolveSpecifier(file, specifier);
            if (!inTrees(target))
                continue;
            edges.push({ from: rel(file), to: rel(target) });
        }
    }
    return { files: files.map(rel), edges };
}

/** The layered unit a file belongs to: a top-level entry of src/, or native/ or scripts/ as a whole. */
function unitOf(file: string): string {
    const [tree, entry] = file.split("/");
    return tree === "src" ? entry! : tree!;
}

function layerOf(unit: string): number | undefined {
    const index = LAYERS.findIndex((layer) => layer.includes(unit));
    return index < 0 ? undefined : index;
}

/** Files under a top-level entry that has no place in LAYERS. */
function unplaced(files: readonly string[]): string[] {
    return [...new Set(files.map(unitOf))].filter((unit) => !UNLAYERED.has(unit) && layerOf(unit) == null).sort();
}

/** Imports from a lower layer to a higher one, as readable lines, known exceptions left out. */
function upwardImports(edges: readonly Edge[], exceptions: ReadonlyMap<string, string> = KNOWN_EXCEPTIONS): string[] {
    const lines: string[] = [];
    for (const { from, to } of edges) {
        const fromUnit = unitOf(from);
        const toUnit = unitOf(to);
        if (UNLAYERED.has(fromUnit) && toUnit !== "scripts")
            continue;
        const fromLayer = UNLAYERED.has(fromUnit) ? LAYERS.length - 2 : layerOf(fromUnit);
        const toLayer = layerOf(toUnit);
        if (fromLayer == null || toLayer == null || toLayer <= fromLayer || exceptions.has(`${from} -> ${to}`))
            continue;
        lines.push(`${from} -> ${to}: ${fromUnit} (layer ${fromLayer}) must not import ${toUnit} (layer ${toLayer})`);
    }
    return [...new Set(lines)].sort();
}

/** Each import cycle once, as "a -> b -> ... -> a", found from the strongly connected components. */
function importCycles(edges: readonly Edge[]): string[] {
    const next = new Map<string, string[]>();
    for (const { from, to } of edges)
        next.set(from, [...(next.get(from) ?? []), to]);
    // Tarjan's algorithm, iterative so a deep chain cannot overflow the stack.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    let counter = 0;
    const nodes = [...new Set(edges.flatMap(({ from, to }) => [from, to]))].sort();
    for (const root of nodes) {
        if (index.has(root))
            continue;
        const work: { node: string; child: number }[] = [{ node: root, child: 0 }];
        index.set(root, counter);
        low.set(root, counter++);
        stack.push(root);
        onStack.add(root);
        while (work.length > 0) {
            const frame = work[work.length - 1]!;
            const children = next.get(frame.node) ?? [];
            if (frame.child < children.length) {
                const child = children[frame.child++]!;
                if (!index.has(child)) {
                    index.set(child, counter);
                    low.set(child, counter++);
                    stack.push(child);
                    onStack.add(child);
                    work.push({ node: child, child: 0 });
                } else if (onStack.has(child)) {
                    low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
                }
                continue;
            }
            work.pop();
            const parent = work[work.length - 1];
            if (parent != null)
                low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
            if (low.get(frame.node) === index.get(frame.node)) {
                const component: string[] = [];
                let member: string;
                do {
                    member = stack.pop()!;
                    onStack.delete(member);
                    component.push(member);
                } while (member !== frame.node);
                const selfLoop = component.length === 1 && children.includes(frame.node);
                if (component.length > 1 || selfLoop)
                    components.push(component);
            }
        }
    }
    // Name one cycle through each component: a shortest way back to its first file.
    return components.map((component) => {
        const members = new Set(component);
        const start = [...component].sort()[0]!;
        const previous = new Map<string, string>();
        const queue = [start];
        let closing: string | undefined;
        while (queue.length > 0 && closing == null) {
            const node = queue.shift()!;
            for (const child of next.get(node) ?? []) {
                if (!members.has(child))
                    continue;
                if (child === start) {
                    closing = node;
                    break;
                }
                if (!previous.has(child)) {
                    previous.set(child, node);
                    queue.push(child);
                }
            }
        }
        const cycle = [start];
        for (let node = closing!; node !== start; node = previous.get(node)!)
            cycle.splice(1, 0, node);
        return [...cycle, start].join(" -> ");
    }).sort();
}

describe("the checks themselves", () => {
    it("read every kind of relative import, and no static import written in a comment or a string", () => {
        const text = [
            "import { a } from \"./a.js\";",
            "import type { B } from \"../b/B.js\";",
            "import {\n    c,\n    d\n} from \"./cd.js\";",
            "export { e } from \"./e.js\";",
            "export * from \"../f.js\";",
            "import \"./sideEffect.js\";",
            "const g = await import(\"./g.js\");",
            "type H = typeof import(\"../h.js\");",
            "import { z } from \"zod\";",
            "/**\n * import { no } from \"./commented.js\";\n */",
            "const text = \"the word from \\\"./quoted.js\\\"\";"
        ].join("\n");
        expect(relativeSpecifiers(text).sort()).toEqual(["../b/B.js", "../f.js", "../h.js", "./a.js", "./cd.js", "./e.js", "./g.js", "./sideEffect.js"]);
    });

    it("name an import up the order and a cycle", () => {
        const edges = [
            { from: "src/text/segmentText.ts", to: "src/errors/ReerError.ts" },
            { from: "src/trace/readTrace.ts", to: "src/search/objective.ts" },
            { from: "src/search/objective.ts", to: "src/search/refineBlock.ts" },
            { from: "src/search/refineBlock.ts", to: "src/search/objective.ts" },
            { from: "src/index.ts", to: "src/cli/cli.ts" },
            { from: "scripts/bench-score.ts", to: "src/scoring/ScoringContext.ts" },
            { from: "src/runtime/shippedNativeVersion.ts", to: "scripts/native/nativeFingerprint.mjs" },
            { from: "scripts/build-native.mjs", to: "native/nativeFingerprint.mjs" }
        ];
        expect(upwardImports(edges)).toEqual([
            "src/runtime/shippedNativeVersion.ts -> scripts/native/nativeFingerprint.mjs: runtime (layer 3) must not import scripts (layer 13)",
            "src/trace/readTrace.ts -> src/search/objective.ts: trace (layer 7) must not import search (layer 8)"
        ]);
        expect(upwardImports(edges, new Map([["src/trace/readTrace.ts -> src/search/objective.ts", "a reason"]]))).toHaveLength(1);
        expect(importCycles(edges)).toEqual(["src/search/objective.ts -> src/search/refineBlock.ts -> src/search/objective.ts"]);
    });
});

describe("layering of native/, src/ and scripts/", () => {
    const { files, edges } = importEdges();

    it("sees the source tree and its imports", () => {
        expect(files.length).toBeGreaterThan(50);
        expect(edges.length).toBeGreaterThan(files.length);
        expect(edges).toContainEqual({ from: "src/trace/replaySteps.ts", to: "src/text/segmentText.ts" });
        expect(edges).toContainEqual({ from: "scripts/bench-score.ts", to: "scripts/bench/harness.ts" });
    });

    it("places every top-level entry of src/ in a layer", () => {
        expect(unplaced(files), "add these to LAYERS in test/architecture/layers.test.ts").toEqual([]);
    });

    it("has no import cycles between files", () => {
        expect(importCycles(edges)).toEqual([]);
    });

    it("has no import that runs back up the layer order", () => {
        expect(upwardImports(edges)).toEqual([]);
    });

    it("lists only known exceptions that still exist", () => {
        const present = new Set(edges.map(({ from, to }) => `${from} -> ${to}`));
        expect([...KNOWN_EXCEPTIONS.keys()].filter((edge) => !present.has(edge))).toEqual([]);
    });
});
