// Decides which addon builds to make from what the machine has. Pure: the probes are
// gathered elsewhere (probeMachine.mjs), so every case can be tested on any machine.

/** The GPU values node-llama-cpp's `source build --gpu` takes; false is the CPU build. */
export const gpuBackends = ["cuda", "vulkan", "metal"];

/**
 * What to look for: commands that must run successfully, and files that must exist.
 * A command counts only when it exits 0, so `nvidia-smi` also proves a working driver.
 */
export function probeTargets(env) {
    const cudaRoots = [env.CUDA_PATH, "/usr/local/cuda"].filter((root) => root != null && root !== "");
    const vulkanRoots = [env.VULKAN_SDK, "/usr"].filter((root) => root != null && root !== "");
    return {
        commands: [
            { name: "nvcc", args: ["--version"] },
            { name: "nvidia-smi", args: ["-L"] },
            { name: "glslc", args: ["--version"] },
            { name: "vulkaninfo", args: ["--summary"] }
        ],
        files: [
            ...cudaRoots.map((root) => `${root}/bin/nvcc`),
            "/dev/nvidia0",
            ...vulkanRoots.map((root) => `${root}/include/vulkan/vulkan.h`)
        ]
    };
}

/**
 * probes: { platform, arch, env, commands: names that ran, files: paths that exist }.
 * Returns { backends: [false, ...gpu], notes: [why], error?: string }. The CPU build is
 * always included so that `--gpu off` keeps the fast path.
 */
export function planNativeBuild(probes) {
    const { platform, arch, env } = probes;
    const ran = (name) => probes.commands.includes(name);
    const exists = (file) => probes.files.includes(file);
    const targets = probeTargets(env);
    const override = (env.REER_NATIVE_GPU ?? "auto").trim().toLowerCase();

    if (["false", "off", "cpu", "0"].includes(override))
        return { backends: [false], notes: [`REER_NATIVE_GPU=${env.REER_NATIVE_GPU}: CPU build only`] };
    if (gpuBackends.includes(override))
        return { backends: [false, override], notes: [`REER_NATIVE_GPU=${override}: building CPU and ${override} without detection`] };
    if (override !== "auto")
        return { backends: [], notes: [], error: `REER_NATIVE_GPU=${env.REER_NATIVE_GPU} is not one of auto, cuda, vulkan, metal, false` };

    if (platform === "darwin") {
        // node-llama-cpp builds Metal on Apple silicon only.
        return arch === "arm64"
            ? { backends: [false, "metal"], notes: ["macOS on Apple silicon: CPU and Metal"] }
            : { backends: [false], notes: ["macOS on Intel: CPU only (node-llama-cpp has no Metal build there)"] };
    }

    const nvcc = ran("nvcc") ? "nvcc on PATH" : targets.files.find((file) => file.endsWith("/bin/nvcc") && exists(file));
    const nvidiaDriver = ran("nvidia-smi") || exists("/dev/nvidia0");
    const vulkanHeaders = targets.files.find((file) => file.endsWith("/vulkan/vulkan.h") && exists(file));
    const vulkanToolchain = ran("glslc") && vulkanHeaders != null;
    const vulkanDevice = ran("vulkaninfo");

    const notes = [];
    let gpu;
    if (nvcc != null && nvidiaDriver) {
        gpu = "cuda";
        notes.push(`CUDA toolkit (${nvcc}) and an NVIDIA driver found: CPU and CUDA`);
        if (vulkanToolchain && vulkanDevice)
            notes.push("Vulkan is available too; CUDA is preferred on NVIDIA GPUs");
    } else if (nvcc != null) {
        // A CUDA build takes long and could not run here; it would only cost time.
        notes.push(`CUDA toolkit found (${nvcc}) but no NVIDIA driver is visible (nvidia-smi failed, no /dev/nvidia0): ` +
            "not building CUDA; REER_NATIVE_GPU=cuda forces it");
    }
    if (gpu == null && vulkanToolchain && vulkanDevice) {
        gpu = "vulkan";
        notes.push("Vulkan toolchain (glslc, headers) and a Vulkan device found: CPU and Vulkan");
    } else if (gpu == null && vulkanToolchain) {
        notes.push("Vulkan toolchain found but `vulkaninfo --summary` failed (no device or driver): " +
            "not building Vulkan; REER_NATIVE_GPU=vulkan forces it");
    }
    if (gpu == null && notes.length === 0)
        notes.push("no GPU toolchain found (nvcc; glslc with Vulkan headers): CPU only");
    return { backends: gpu == null ? [false] : [false, gpu], notes };
}
