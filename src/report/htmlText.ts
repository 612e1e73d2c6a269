/**
 * Escaping for the three places user text (x, y, z, ids) lands in the report: element
 * content and attributes, a JSON data block, and inline scripts.
 */

const HTML_ENTITIES: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\"": "&quot;",
    "'": "&#39;"
};

/** Safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (character) => HTML_ENTITIES[character]!);
}

/**
 * JSON for a `<script type="application/json">` block. Every "<" becomes \u003c, so
 * neither "</script" nor "<!--" can end or confuse the block, and JSON.parse of the
 * element's text gives back exactly the original value. U+2028/U+2029 are escaped too,
 * for readers that paste the block into JavaScript.
 */
export function jsonForScript(value: unknown): string {
    return JSON.stringify(value)
        .replace(/</g, "\\u003c")
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029");
}

/**
 * Code for an inline <script>: a "</script" or "<!--" inside a string or regex literal
 * would end or derail the element, so its "<" is written as \x3C, which means the same
 * character in both kinds of literal.
 */
export function inlineScript(code: string): string {
    return code.replace(/<(?=\/script|!--)/gi, "\\x3C");
}
