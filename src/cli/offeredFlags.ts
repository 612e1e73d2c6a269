import type { Command } from "commander";

/** The long flags `command` offers (hidden ones included), so messages suggest only flags that exist there. */
export function offeredFlags(command: Command): ReadonlySet<string> {
    return new Set(command.options.map((option) => option.long).filter((flag): flag is string => flag != null));
}
