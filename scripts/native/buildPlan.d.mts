export type GpuBackend = "cuda" | "vulkan" | "metal";
export type Backend = false | GpuBackend;
export type ProbeEnv = { REER_NATIVE_GPU?: string; CUDA_PATH?: string; VULKAN_SDK?: string };
export type Probes = {
    platform: string;
    arch: string;
    env: ProbeEnv;
    commands: string[];
    files: string[];
    /** The CPU's instruction-set flags from /proc/cpuinfo (Linux), null when unknown. */
    cpuFlags?: string[] | null;
    versions?: { cmake?: string; nvcc?: string };
};
export type BuildPlan = { backends: Backend[]; notes: string[]; error?: string };
export const gpuBackends: readonly GpuBackend[];
export function probeTargets(env: ProbeEnv): { commands: { name: string; args: string[] }[]; files: string[] };
export function planNativeBuild(probes: Probes): BuildPlan;
