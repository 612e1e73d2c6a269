// Gathers the probes planNativeBuild decides on: which toolchain commands run and which
// files exist on this machine.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { probeTargets } from "./buildPlan.mjs";

export function probeMachine(env = process.env) {
    const targets = probeTargets(env);
    const commands = targets.commands
        .filter(({ name, args }) => spawnSync(name, args, { stdio: "ignore", timeout: 20_000 }).status === 0)
        .map(({ name }) => name);
    const files = targets.files.filter((file) => existsSync(file));
    return {
        platform: process.platform,
        arch: process.arch,
        env: { REER_NATIVE_GPU: env.REER_NATIVE_GPU, CUDA_PATH: env.CUDA_PATH, VULKAN_SDK: env.VULKAN_SDK },
        commands,
        files
    };
}
