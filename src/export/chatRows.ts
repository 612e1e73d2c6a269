/**
 * The training text of one item, as DeepWriter was trained (method.md section 6): the
 * thinking in a <think> block, then the answer, as one assistant turn.
 */
export function assistantTurn(z: string, y: string): string {
    return `<think>\n${z}\n</think>\n\n${y}`;
}

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** Optional system message, the request x as the user turn, then z and y as the assistant turn. */
export function chatMessages(x: string, z: string, y: string, system: string | undefined): ChatMessage[] {
    return [
        ...(system == null ? [] : [{ role: "system" as const, content: system }]),
        { role: "user", content: x },
        { role: "assistant", content: assistantTurn(z, y) }
    ];
}

export type MessagesRow = { id: string; messages: ChatMessage[] };
export type ShareGptTurn = { from: "system" | "human" | "gpt"; value: string };
export type ShareGptRow = { id: string; conversations: ShareGptTurn[] };
export type CompletionRow = { id: string; prompt: string; completion: string };

export function messagesRow(id: string, x: string, z: string, y: string, system: string | undefined): MessagesRow {
    return { id, messages: chatMessages(x, z, y, system) };
}

const shareGptRoles = { system: "system", user: "human", assistant: "gpt" } as const;

/** ShareGPT: the same turns as messagesRow, under `conversations` with from/value keys. */
export function shareGptRow(id: string, x: string, z: string, y: string, system: string | undefined): ShareGptRow {
    return { id, conversations: chatMessages(x, z, y, system).map((message) => ({ from: shareGptRoles[message.role], value: message.content })) };
}

/** Plain prompt/completion: x as is (no chat template), the assistant turn as the completion. */
export function completionRow(id: string, x: string, z: string, y: string): CompletionRow {
    return { id, prompt: x, completion: assistantTurn(z, y) };
}
