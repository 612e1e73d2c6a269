import { describe, expect, it } from "vitest";
import { planNativeBuild, type Probes } from "../../scripts/native/buildPlan.mjs";

const linux = (found: { commands?: string[]; files?: string[]; env?: Probes["env"] } = {}): Probes => ({
    platform: "linux",
    arch: "x64",
    env: found.env ?? {},
    commands: found.commands ?? [],
    files: found.files ?? []
});

describe("planNativeBuild", () => {
    it("builds the CPU backend only when no GPU toolchain is present", () => {
        const plan = planNativeBuild(linux());
        expect(plan.backends).toEqual([false]);
        expect(plan.notes.join("\n")).toContain("no GPU toolchain found");
    });

    it("adds CUDA when nvcc and an NVIDIA driver are present", () => {
        expect(planNativeBuild(linux({ commands: ["nvcc", "nvidia-smi"] })).backends).toEqual([false, "cuda"]);
        expect(planNativeBuild(linux({ files: ["/usr/local/cuda/bin/nvcc", "/dev/nvidia0"] })).backends).toEqual([false, "cuda"]);
        expect(planNativeBuild(linux({ env: { CUDA_PATH: "/opt/cuda" }, files: ["/opt/cuda/bin/nvcc"], commands: ["nvidia-smi"] })).backends)
            .toEqual([false, "cuda"]);
    });

    it("skips CUDA, saying why, when nvcc is there but no GPU driver is visible", () => {
        const plan = planNativeBuild(linux({ commands: ["nvcc"], files: ["/usr/local/cuda/bin/nvcc"] }));
        expect(plan.backends).toEqual([false]);
        expect(plan.notes.join("\n")).toMatch(/no NVIDIA driver is visible.*REER_NATIVE_GPU=cuda forces it/);
    });

    it("adds Vulkan when glslc, its headers and a device are present and CUDA is not", () => {
        const vulkan = { commands: ["glslc", "vulkaninfo"], files: ["/usr/include/vulkan/vulkan.h"] };
        expect(planNativeBuild(linux(vulkan)).backends).toEqual([false, "vulkan"]);
        expect(planNativeBuild(linux({ ...vulkan, commands: ["glslc"] })).backends).toEqual([false]);
        expect(planNativeBuild(linux({ ...vulkan, files: [] })).backends).toEqual([false]);
        expect(planNativeBuild(linux({ commands: [...vulkan.commands, "nvcc", "nvidia-smi"], files: vulkan.files })).backends)
            .toEqual([false, "cuda"]);
    });

    it("builds Metal on Apple silicon and not on Intel Macs", () => {
        expect(planNativeBuild({ ...linux(), platform: "darwin", arch: "arm64" }).backends).toEqual([false, "metal"]);
        expect(planNativeBuild({ ...linux(), platform: "darwin", arch: "x64" }).backends).toEqual([false]);
    });

    it("follows REER_NATIVE_GPU over detection", () => {
        const withGpu = linux({ commands: ["nvcc", "nvidia-smi"] });
        expect(planNativeBuild({ ...withGpu, env: { REER_NATIVE_GPU: "false" } }).backends).toEqual([false]);
        expect(planNativeBuild({ ...linux(), env: { REER_NATIVE_GPU: "cuda" } }).backends).toEqual([false, "cuda"]);
        expect(planNativeBuild({ ...linux(), env: { REER_NATIVE_GPU: "vulkan" } }).backends).toEqual([false, "vulkan"]);
        expect(planNativeBuild({ ...withGpu, env: { REER_NATIVE_GPU: "auto" } }).backends).toEqual([false, "cuda"]);
        const invalid = planNativeBuild({ ...linux(), env: { REER_NATIVE_GPU: "rocm" } });
        expect(invalid.backends).toEqual([]);
        expect(invalid.error).toContain("REER_NATIVE_GPU=rocm");
    });
});
