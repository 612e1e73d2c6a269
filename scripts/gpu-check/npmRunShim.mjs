#!/usr/bin/env node
// Stands in for npm where the GPU check runs (no npm there, and no registry to reach).
// node-llama-cpp's `source build` runs `npm run -s cmake-js-llama -- <args>`; this runs that
// package.json script as `npm run` would: in the folder of the nearest package.json, with the
// node_modules/.bin folders from there up on PATH and the arguments after `--` appended. Any
// other npm command is refused. Every call is appended to $REER_GPU_CHECK_CALL_LOG.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
if (process.env.REER_GPU_CHECK_CALL_LOG)
    appendFileSync(process.env.REER_GPU_CHECK_CALL_LOG, `npm ${args.join(" ")}\n`);

const refuse = (why) => {
    console.error(`npm (reer GPU check stand-in): ${why}: npm ${args.join(" ")}`);
    process.exit(1);
};

/** npm run [-s|--silent] <script> [-- args...] */
function parse(argv) {
    if (argv[0] !== "run" && argv[0] !== "run-script") return null;
    const rest = argv.slice(1).filter((arg, index, all) => !((arg === "-s" || arg === "--silent") && !all.slice(0, index).includes("--")));
    const name = rest[0];
    if (name == null || name.startsWith("-")) return null;
    const dashes = rest.indexOf("--");
    if (dashes !== -1 && dashes !== 1) return null;
    return { name, scriptArgs: dashes === -1 ? rest.slice(1) : rest.slice(dashes + 1) };
}

const call = parse(args);
if (call == null) refuse("only `npm run <script> [-- args]` is available");

let dir = process.cwd();
while (!existsSync(path.join(dir, "package.json"))) {
    if (path.dirname(dir) === dir) refuse("no package.json in this folder or above");
    dir = path.dirname(dir);
}
const script = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).scripts?.[call.name];
if (typeof script !== "string") refuse(`${path.join(dir, "package.json")} has no script ${call.name}`);

const bins = [];
for (let up = dir; ; up = path.dirname(up)) {
    const bin = path.join(up, "node_modules", ".bin");
    if (existsSync(bin)) bins.push(bin);
    if (path.dirname(up) === up) break;
}
const result = spawnSync("/bin/sh", ["-c", `${script} "$@"`, "sh", ...call.scriptArgs], {
    cwd: dir,
    stdio: "inherit",
    env: {
        ...process.env,
        PATH: [...bins, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
        npm_lifecycle_event: call.name,
        npm_lifecycle_script: script,
        npm_package_json: path.join(dir, "package.json"),
        npm_node_execpath: process.execPath
    }
});
if (result.error != null) refuse(`could not run the script (${result.error.message})`);
process.exit(result.status ?? 1);
