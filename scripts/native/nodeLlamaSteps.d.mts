import type { Backend } from "./buildPlan.mjs";
import type { CmakeOptions } from "./cpuBuildOptions.mjs";
export type Inspection = {
    loaded: boolean;
    error?: string;
    buildType?: string;
    gpu?: Backend;
    version?: string | null;
    samplerTopK?: boolean;
    functions?: string[];
    binaryPath?: string | null;
    cmakeCache?: Record<string, string> | null;
};
export const requiredFunctions: readonly string[];
export function inspectionProblem(inspection: Inspection, backend: Backend, version: string, cmakeOptions?: CmakeOptions): string | null;
export function llamaCppCloned(packageDir: string): boolean;
