import type { Backend, Probes } from "./buildPlan.mjs";
export type CmakeOptions = Record<string, string>;
export const x86Options: readonly (readonly [string, readonly string[]])[];
export const amxOptions: readonly string[];
export function parseCpuFlags(cpuinfo: string | null | undefined): string[] | null;
export function planCpuOptions(probes: Pick<Probes, "platform" | "arch" | "cpuFlags" | "versions">, backend?: Backend): { options: CmakeOptions; notes: string[] };
export function cmakeOptionsEnv(options: CmakeOptions): Record<string, string>;
export function parseCmakeCache(text: string): Record<string, string>;
export function cmakeOptionsProblem(cache: Record<string, string>, options: CmakeOptions): string | null;
