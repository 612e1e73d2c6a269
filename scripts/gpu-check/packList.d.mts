export const repoRoot: string;
export function excludedPackage(name: string): boolean;
export const benchVocab: string;
export function keepLlamaCppFile(rel: string): boolean;
export const llamaCppGitMarker: { rel: string; content: string };
export function productionPackages(root?: string): string[];
export type PackEntry =
    | { dest: string; source: string }
    | { dest: string; content: string }
    | { dest: string; link: string }
    | { dest: string; missing: string };
export function packEntries(options?: { root?: string; benchDir?: string }): PackEntry[];
export function benchSources(root?: string): string[];
export function stage(entries: PackEntry[], dir: string): void;
