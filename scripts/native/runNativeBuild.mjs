// The whole native build, all or nothing: plan, patch node-llama-cpp's addon sources and
// the llama.cpp sources it clones, compile every planned backend, verify each result. On any
// failure the sources go back to pristine and this run's builds are removed, so
// node-llama-cpp's stock binary is used as if reer had never touched the package.
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { planNativeBuild } from "./buildPlan.mjs";
import { addonTree, installTree, llamaCppTree, loadPristine, restorePristine, savePristine, sortPatches, sourceTrees, stagePatchedTree } from "./sourceTrees.mjs";
import { nativeFiles, nativeFingerprint } from "../../native/nativeFingerprint.mjs";
import { binaryMarkerProblem, changedLocalBuilds, inspectionProblem, llamaCppCloned, localBuildsDir, snapshotLocalBuilds } from "./nodeLlamaSteps.mjs";

const backendName = (backend) => (backend === false ? "cpu" : backend);

/**
 * steps: { clone() -> {ok, detail?}, build(backend) -> {ok, detail?}, inspect(backend) -> inspection },
 * passed in so that a run can be driven against any package; clone makes llama.cpp's sources
 * (without building) when native/ patches them and they are not there yet. cmakeOptions(backend): the cmake options the
 * build step passes for that backend (cpuBuildOptions.mjs); a build configured otherwise is
 * not up to date. Returns { ok: true, built, version } or
 * { ok: false, stage, detail, restored, removedBuilds?, version }.
 */
export async function runNativeBuild({ packageDir, nativeDir, probes, force = false, steps, cmakeOptions = () => ({}), log = () => {} }) {
    const version = nativeFingerprint(nativeDir);
    const plan = planNativeBuild(probes);
    for (const note of plan.notes) log(note);
    if (plan.error != null) return { ok: false, stage: "plan", detail: plan.error, restored: false, version };
    log(`native version ${version}; backends: ${plan.backends.map(backendName).join(", ")}`);
    const toBuild = force ? plan.backends : outdatedBackends(plan.backends, { steps, version, cmakeOptions, log });
    if (toBuild.length === 0) return { ok: true, built: [], version };

    const sources = await installPatchedSources({ packageDir, nativeDir, version, steps, log });
    if (!sources.ok) return { ...sources, version };
    const written = [];
    const fail = (stage, detail) => {
        for (const folder of written) rmSync(path.join(localBuildsDir(packageDir), folder), { recursive: true, force: true });
        sources.restoreAll();
        return { ok: false, stage, detail, restored: true, removedBuilds: written, version };
    };
    try {
        for (const backend of toBuild) {
            const problem = await buildAndVerify(backend, { packageDir, version, steps, cmakeOptions, log, written });
            if (problem != null) return fail(problem.stage, problem.detail);
        }
    } catch (error) {
        return fail("build", error instanceof Error ? error.message : String(error));
    }
    removeLegacyStamps(packageDir);
    return { ok: true, built: toBuild, version };
}

/** The planned backends whose binary is missing, stale or configured otherwise. */
function outdatedBackends(backends, { steps, version, cmakeOptions, log }) {
    return backends.filter((backend) => {
        const problem = inspectionProblem(steps.inspect(backend), backend, version, cmakeOptions(backend));
        if (problem == null) log(`${backendName(backend)}: up to date`);
        else log(`${backendName(backend)}: needs a build (${problem})`);
        return problem != null;
    });
}

/**
 * Patches node-llama-cpp's addon sources (and llama.cpp's, cloned first when needed) from
 * their pristine copies and installs them. Returns { ok: true, restoreAll } (which puts
 * every tree back to pristine), or a failure { ok: false, stage, detail, restored }.
 */
async function installPatchedSources({ packageDir, nativeDir, version, steps, log }) {
    const files = nativeFiles(nativeDir);
    const patchFiles = files.filter((file) => file.endsWith(".patch")).map((file) => path.join(nativeDir, file));
    const addonSources = files.filter((file) => /\.(cpp|h)$/.test(file));
    const { byTree, problems } = sortPatches(patchFiles);
    // Nothing was written yet.
    if (problems.length > 0) return { ok: false, stage: "patch", detail: problems.join("\n"), restored: false };
    const cloned = await cloneLlamaCppIfPatched(packageDir, byTree, steps, log);
    if (!cloned.ok) return cloned;
    // The addon always; llama.cpp when there is something to patch or to put back.
    const trees = sourceTrees.filter((tree) => tree === addonTree || byTree.get(tree).length > 0 ||
        (llamaCppCloned(packageDir) && existsSync(path.join(packageDir, tree.pristineRelDir))));
    const pristine = new Map();
    for (const tree of trees) {
        const loaded = loadPristine(packageDir, byTree.get(tree), log, tree);
        // Nothing was written yet, and without a pristine copy there is nothing to restore.
        if (!loaded.ok) return { ok: false, stage: loaded.stage ?? "sources", detail: loaded.detail, restored: false };
        log(`pristine ${tree.name} sources: ${loaded.source}`);
        pristine.set(tree, loaded.files);
    }
    const restoreAll = () => {
        for (const [tree, files] of pristine) restorePristine(packageDir, files, tree);
    };
    const staged = new Map();
    const stageFailures = [];
    for (const tree of trees) {
        const result = stagePatchedTree(pristine.get(tree), { nativeDir, patchFiles: byTree.get(tree), addonSources: tree === addonTree ? addonSources : [], version, tree });
        if (result.ok) staged.set(tree, result.files);
        else stageFailures.push(result.detail);
    }
    if (stageFailures.length > 0) {
        restoreAll();
        return { ok: false, stage: "patch", detail: stageFailures.join("\n"), restored: true };
    }
    for (const tree of trees) savePristine(packageDir, pristine.get(tree), tree);
    for (const tree of trees) installTree(packageDir, staged.get(tree), tree);
    return { ok: true, restoreAll };
}

/**
 * llama.cpp's sources are patched before the first build, so the clone `source download`
 * would make in the same step as the build is made first, on its own.
 */
async function cloneLlamaCppIfPatched(packageDir, byTree, steps, log) {
    if (byTree.get(llamaCppTree).length === 0 || llamaCppCloned(packageDir)) return { ok: true };
    if (steps.clone == null) return { ok: false, stage: "clone", detail: "there is no llama.cpp clone to patch", restored: false };
    log("cloning llama.cpp from node-llama-cpp's git bundle, to patch it before building");
    const cloned = await steps.clone();
    if (!cloned.ok || !llamaCppCloned(packageDir))
        return { ok: false, stage: "clone", detail: cloned.detail ?? "the clone left no llama.cpp sources", restored: false };
    return { ok: true };
}

/** Builds one backend and checks the result; the folders it wrote go to `written`. Null, or { stage, detail }. */
async function buildAndVerify(backend, { packageDir, version, steps, cmakeOptions, log, written }) {
    const name = backendName(backend);
    const before = snapshotLocalBuilds(packageDir);
    const started = Date.now();
    let built;
    let folders = [];
    try {
        built = await steps.build(backend);
    } finally {
        folders = changedLocalBuilds(before, snapshotLocalBuilds(packageDir));
        written.push(...folders);
    }
    if (!built.ok) return { stage: `build (${name})`, detail: built.detail };

    const inspection = steps.inspect(backend);
    let problem = inspectionProblem(inspection, backend, version, cmakeOptions(backend));
    if (problem != null && !inspection.loaded && backend !== false) {
        // A GPU build may not load on a machine without that GPU; check the binary instead.
        const markerProblem = binaryMarkerProblem(packageDir, folders, version);
        if (markerProblem == null) log(`${name}: cannot load here (${inspection.error}); its binary carries version ${version} and the sampler flag`);
        problem = markerProblem == null ? null : `${problem}; ${markerProblem}`;
    }
    if (problem != null) return { stage: `verification (${name})`, detail: `the new ${name} build is not usable: ${problem}` };
    log(`${name}: built and verified in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return null;
}

/** Earlier versions of this script marked builds with stamp files; the binary carries its version now. */
function removeLegacyStamps(packageDir) {
    const dir = localBuildsDir(packageDir);
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir).filter((name) => /^reer-.*\.stamp$/.test(name)))
        rmSync(path.join(dir, file), { force: true });
}
