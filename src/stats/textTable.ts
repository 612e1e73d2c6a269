/** Plain aligned columns for terminal reports: text columns left, numeric columns right. */
export type Alignment = "left" | "right";

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[]): string {
    const widths = header.map((cell, column) =>
        Math.max(displayWidth(cell), ...rows.map((row) => displayWidth(row[column] ?? ""))));
    const line = (cells: readonly string[]) => cells
        .map((cell, column) => pad(cell, widths[column]!, align[column] ?? "left"))
        .join("  ")
        .trimEnd();
    return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Formats a number for a table: integers as is, others with `digits` decimals; null as "-". */
export function formatNumber(value: number | null | undefined, digits = 2): string {
    if (value == null || Number.isNaN(value))
        return "-";
    return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function pad(cell: string, width: number, align: Alignment): string {
    const fill = " ".repeat(Math.max(0, width - displayWidth(cell)));
    return align === "right" ? fill + cell : cell + fill;
}

// CJK ideographs and full-width forms take two terminal columns.
function displayWidth(text: string): number {
    let width = 0;
    for (const char of text)
        width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(char) ? 2 : 1;
    return width;
}
