// Gathers the probes planNativeBuild and planCpuOptions decide on: which toolchain commands
// run, which files exist, the CPU's instruction-set flags and the cmake and nvcc versions.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { probeTargets } from "./buildPlan.mjs";
import { parseCpuFlags } from "./cpuBuildOptions.mjs";

function readCpuFlags() {
    if (process.platform !== "linux") return null;
    try {
        return parseCpuFlags(readFileSync("/proc/cpuinfo", "utf8"));
    } catch {
        return null;
    }
}

/** The first dotted version in a command's output ("cmake version 3.25.1", "release 12.4, V12.4.131"), or undefined. */
function commandVersion(name, args, pattern) {
    const result = spawnSync(name, args, { encoding: "utf8", timeout: 20_000 });
    if (result.status !== 0) return undefined;
    return pattern.exec(result.stdout ?? "")?.[1];
}

export function probeMachine(env = process.env) {
    const targets = probeTargets(env);
    const commands = targets.commands
        .filter(({ name, args }) => spawnSync(name, args, { stdio: "ignore", timeout: 20_000 }).status === 0)
        .map(({ name }) => name);
    const files = targets.files.filter((file) => existsSync(file));
    const nvcc = commands.includes("nvcc") ? "nvcc" : files.find((file) => file.endsWith("/bin/nvcc"));
    return {
        platform: process.platform,
        arch: process.arch,
        env: { REER_NATIVE_GPU: env.REER_NATIVE_GPU, CUDA_PATH: env.CUDA_PATH, VULKAN_SDK: env.VULKAN_SDK },
        commands,
        files,
        cpuFlags: readCpuFlags(),
        versions: {
            cmake: commandVersion("cmake", ["--version"], /cmake version (\d+\.\d+(?:\.\d+)?)/),
            nvcc: nvcc != null ? commandVersion(nvcc, ["--version"], /release (\d+\.\d+)/) : undefined
        }
    };
}
