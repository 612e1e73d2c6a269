import type { Probes } from "./buildPlan.mjs";
export function probeMachine(env?: NodeJS.ProcessEnv): Probes;
