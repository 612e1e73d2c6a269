/**
 * "42 s", "12 min", "3.5 h": seconds up to two minutes, minutes up to two hours, then hours
 * with one decimal. `decimals` applies to seconds and minutes: 0 for a glance (status), 1
 * for a summary (a run's phases).
 */
export function formatDuration(seconds: number, decimals = 0): string {
    if (seconds < 120)
        return `${seconds.toFixed(decimals)} s`;
    return seconds < 7200 ? `${(seconds / 60).toFixed(decimals)} min` : `${(seconds / 3600).toFixed(1)} h`;
}
